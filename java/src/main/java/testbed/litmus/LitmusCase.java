package testbed.litmus;

import testbed.litmus.model.Judgement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A litmus test as the engine runs it: its actors (runtime and the kernel planned from its
 * thread), what an outcome gathers, and every outcome it names with an expectation and a
 * description. A definition that cannot run is refused when it is made, before anything runs.
 *
 * @param name      stable snake_case name, e.g. "sb_jc_acq_rel"
 * @param shape     the canonical shape, or null for a user's file
 * @param rung      the rung of the mode ladder, or null
 * @param actors    2 to 4 actors
 * @param gathers   the values an outcome is made of, in order
 * @param outcomes  every outcome the test names; an outcome not named is FORBIDDEN
 * @param selfCheck true for a deliberately broken variant, which must be caught
 * @param source    the file, bound to runtimes, and the model's judgement that the outcomes come from
 */
public record LitmusCase(String name, Shape shape, Rung rung, List<ActorSpec> actors, List<Gather> gathers,
                         List<OutcomeSpec> outcomes, boolean selfCheck, LitmusSource source) {

    public static final String SC_DESCRIPTION = "Sequentially consistent: some interleaving of the actors in program order gives it.";
    public static final String RELAXED_DESCRIPTION = "Allowed by the model, though no interleaving gives it.";

    public LitmusCase {
        actors = List.copyOf(actors);
        gathers = List.copyOf(gathers);
        outcomes = List.copyOf(outcomes);
        validate(name, actors, gathers, outcomes);
    }

    /**
     * A test whose outcomes come from the model: what a sequentially consistent interleaving
     * gives is ACCEPTABLE, what else the model allows is INTERESTING (described by the file's
     * own description where the outcome is the one its condition names), and everything else
     * is FORBIDDEN.
     */
    static LitmusCase judged(String name, Shape shape, Rung rung, List<ActorSpec> actors, List<Gather> gathers,
                             LitmusSource source, boolean selfCheck) {
        Judgement j = source.judgement();
        List<OutcomeSpec> outs = new ArrayList<>();
        for (List<Long> o : Judgement.sortedOutcomes(j.sequential())) outs.add(new OutcomeSpec(o, OutcomeExpectation.ACCEPTABLE, SC_DESCRIPTION));
        String description = source.bound().declared().description();
        for (List<Long> o : j.relaxed()) {
            boolean named = j.satisfies(o) && !description.isEmpty();
            outs.add(new OutcomeSpec(o, OutcomeExpectation.INTERESTING, named ? description : RELAXED_DESCRIPTION));
        }
        return new LitmusCase(name, shape, rung, actors, gathers, outs, selfCheck, source);
    }

    /**
     * A deliberately broken variant of this test: actor {@code actor} runs {@code actualModes}
     * while the test keeps the expectations of its declared modes, so the engine must report
     * what the weaker kernel lets through as forbidden.
     */
    public LitmusCase brokenVariant(String variantName, int actor, List<String> actualModes) {
        List<ActorSpec> weakened = new ArrayList<>(actors);
        weakened.set(actor, actors.get(actor).secretlyRunning(actualModes));
        return new LitmusCase(variantName, shape, rung, weakened, gathers, outcomes, true, source);
    }

    private static void validate(String name, List<ActorSpec> actors, List<Gather> gathers, List<OutcomeSpec> outcomes) {
        if (name == null || !name.matches("[a-z0-9_]+")) throw new IllegalArgumentException("test name must be snake_case: '" + name + "'");
        if (actors.size() < 2 || actors.size() > 4) throw new IllegalArgumentException(name + ": 2 to 4 actors, got " + actors.size());
        for (ActorSpec a : actors) {
            try {
                a.validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
        if (gathers.isEmpty() || gathers.size() > 4) throw new IllegalArgumentException(name + ": an outcome gathers 1 to 4 values, got " + gathers.size());
        for (Gather g : gathers) {
            if (g.isRegister()) {
                if (g.actor() >= actors.size()) throw new IllegalArgumentException(name + ": gather " + g.label() + " names a missing actor");
                if (g.register() < 0 || g.register() >= actors.get(g.actor()).registers()) {
                    throw new IllegalArgumentException(name + ": gather " + g.label() + ": actor a" + g.actor() + " has "
                            + actors.get(g.actor()).registers() + " register(s)");
                }
            } else if (g.location() < 0 || g.location() >= testbed.litmus.lang.Limits.MAX_LOCATIONS) {
                throw new IllegalArgumentException(name + ": gather " + g.label() + " names no location of an instance");
            }
        }
        Set<List<Long>> seen = new HashSet<>();
        for (OutcomeSpec o : outcomes) {
            if (o.values().size() != gathers.size()) {
                throw new IllegalArgumentException(name + ": outcome (" + o.key() + ") has " + o.values().size()
                        + " values, but the test gathers " + gathers.size());
            }
            for (long v : o.values()) {
                if (v < 0) throw new IllegalArgumentException(name + ": outcome (" + o.key() + ") holds " + v + "; the histogram counts values from 0");
            }
            if (!seen.add(o.values())) throw new IllegalArgumentException(name + ": outcome (" + o.key() + ") named twice");
        }
        String tooWide = histogramFault(outcomes.stream().map(OutcomeSpec::values).toList(), gathers.size());
        if (tooWide != null) throw new IllegalArgumentException(name + ": " + tooWide);
    }

    /**
     * The histogram's radix for this test (docs/LITMUS.md, "The litmus section"): a digit for
     * every value up to the largest any named outcome holds, plus a top digit that no named
     * outcome uses, where every other value lands, so that a stray value never passes for a named
     * outcome. Where that top digit does not fit the histogram, it is left out and the largest
     * value shares the top digit with any other.
     */
    public int radix() {
        return radix(outcomes.stream().map(OutcomeSpec::values).toList(), gathers.size());
    }

    /** The radix for outcomes {@code named} of {@code values} values: their largest value + 2, or + 1 where only that fits. */
    static int radix(List<List<Long>> named, int values) {
        long max = 0;
        for (List<Long> o : named) for (long v : o) max = Math.max(max, v);
        int withTop = (int) Math.min(Integer.MAX_VALUE, Math.max(max + 2, testbed.litmus.runtime.Descriptor.RADIX_MIN));
        return testbed.litmus.runtime.Descriptor.histLen(withTop, values) >= 0 ? withTop : withTop - 1;
    }

    /**
     * Why outcomes {@code named} of {@code values} values each do not fit the histogram (a
     * negative value, or more than {@link testbed.litmus.runtime.LitmusSection#HIST_MAX} counts),
     * or null when they fit.
     */
    static String histogramFault(List<List<Long>> named, int values) {
        for (List<Long> o : named) {
            for (long v : o) if (v < 0) return "an outcome holds " + v + ", and the histogram counts values from 0";
        }
        int radix = radix(named, values);
        if (testbed.litmus.runtime.Descriptor.histLen(radix, values) < 0) {
            return "outcomes of " + values + " values up to " + (radix - 1) + " need at least " + radix + "^" + values
                    + " histogram counts (a digit for each value), more than the "
                    + testbed.litmus.runtime.LitmusSection.HIST_MAX + " there are";
        }
        return null;
    }

    /** Locations of an instance, 8 bytes each: as many as the farthest any actor or gather reaches. */
    public int locations() {
        long bytes = 0;
        for (ActorSpec a : actors) bytes = Math.max(bytes, a.declared().locationBytes());
        for (Gather g : gathers) if (!g.isRegister()) bytes = Math.max(bytes, 8L * (g.location() + 1));
        return (int) (bytes / 8);
    }

    /** The expectation of an observed outcome; an outcome the test does not name is FORBIDDEN. */
    public OutcomeSpec classify(List<Long> values) {
        for (OutcomeSpec o : outcomes) if (o.values().equals(values)) return o;
        return new OutcomeSpec(values, OutcomeExpectation.FORBIDDEN,
                "Unexpected: neither sequentially consistent nor a relaxed outcome the model allows here.");
    }

    /** Whether an actor of this test runs in the embedded guest (docs/GUEST.md). */
    public boolean hasGuest() {
        return actors.stream().anyMatch(a -> a.runtime().guest());
    }

    public boolean hasInteresting() {
        return outcomes.stream().anyMatch(o -> o.expectation() == OutcomeExpectation.INTERESTING);
    }

    /** "J-C" style pairing label. */
    public String pairing() {
        StringBuilder b = new StringBuilder();
        for (ActorSpec a : actors) {
            if (!b.isEmpty()) b.append('-');
            b.append(a.runtime().letter());
        }
        return b.toString();
    }

    /** Per actor: runtime, declared kernel, and the kernel actually run. */
    public List<Map<String, Object>> actorRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < actors.size(); i++) {
            ActorSpec a = actors.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("actor", "a" + i);
            row.put("runtime", a.runtime().name().toLowerCase(java.util.Locale.ROOT));
            row.put("kernel", a.declared().text());
            if (a.broken()) row.put("actually_runs", a.actual().text());
            rows.add(row);
        }
        return rows;
    }
}
