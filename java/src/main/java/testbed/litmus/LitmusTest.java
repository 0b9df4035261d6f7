package testbed.litmus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A litmus test as data: its actors (runtime, role, modes, locations, values), what
 * an outcome gathers, and every outcome it names with an expectation and a
 * description. A definition that cannot run is refused when it is made, before
 * anything runs.
 *
 * @param name      stable snake_case name, e.g. "sb_jc_acq_rel"
 * @param shape     the canonical shape, or null for a hand-written test
 * @param rung      the rung of the mode ladder, or null
 * @param actors    2 to 4 actors
 * @param gathers   the values an outcome is made of, in order
 * @param outcomes  every outcome the test names; an outcome not named is FORBIDDEN
 * @param selfCheck true for a deliberately broken variant, which must be caught
 */
public record LitmusTest(String name, Shape shape, Rung rung, List<ActorSpec> actors, List<Gather> gathers,
                         List<OutcomeSpec> outcomes, boolean selfCheck) {

    public static final String SC_DESCRIPTION = "Sequentially consistent: some interleaving of the actors in program order gives it.";

    public LitmusTest {
        actors = List.copyOf(actors);
        gathers = List.copyOf(gathers);
        outcomes = List.copyOf(outcomes);
        validate(name, actors, gathers, outcomes);
    }

    /**
     * A canonical test: the outcomes are computed, not written: the SC enumerator's set
     * is ACCEPTABLE, and the shape's relaxed outcomes are INTERESTING or FORBIDDEN by the
     * model's rule for the declared modes. A relaxed outcome that an SC execution can
     * reach would mean the table is wrong, and is refused.
     */
    public static LitmusTest canonical(String name, Shape shape, Rung rung, List<ActorSpec> actors, boolean selfCheck) {
        for (ActorSpec a : actors) a.validate();
        List<Gather> gathers = shape.gathers();
        Set<List<Long>> sc = ScEnumerator.outcomes(actors, gathers);
        boolean forbidden = shape.forbidsRelaxed(actors);
        List<OutcomeSpec> outs = new ArrayList<>();
        for (List<Long> o : sc) outs.add(new OutcomeSpec(o, Expectation.ACCEPTABLE, SC_DESCRIPTION));
        for (Map.Entry<List<Long>, String> e : shape.relaxed().entrySet()) {
            if (sc.contains(e.getKey())) {
                throw new IllegalStateException(shape.title() + ": the model names " + e.getKey()
                        + " as relaxed, but a sequentially consistent execution reaches it");
            }
            outs.add(new OutcomeSpec(e.getKey(), forbidden ? Expectation.FORBIDDEN : Expectation.INTERESTING, e.getValue()));
        }
        return new LitmusTest(name, shape, rung, actors, gathers, outs, selfCheck);
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
                if (g.register() >= actors.get(g.actor()).role().registers()) {
                    throw new IllegalArgumentException(name + ": gather " + g.label() + ": role "
                            + actors.get(g.actor()).role().token() + " has " + actors.get(g.actor()).role().registers() + " register(s)");
                }
            } else if (g.location() < 0 || g.location() > 1) {
                throw new IllegalArgumentException(name + ": gather names an unknown location");
            }
        }
        Set<List<Long>> seen = new HashSet<>();
        for (OutcomeSpec o : outcomes) {
            if (o.values().size() != gathers.size()) {
                throw new IllegalArgumentException(name + ": outcome (" + o.key() + ") has " + o.values().size()
                        + " values, but the test gathers " + gathers.size());
            }
            for (long v : o.values()) {
                if (v < 0 || v > 3) throw new IllegalArgumentException(name + ": outcome (" + o.key() + ") values must be 0..3");
            }
            if (!seen.add(o.values())) throw new IllegalArgumentException(name + ": outcome (" + o.key() + ") named twice");
        }
    }

    /** The expectation of an observed outcome; an outcome the test does not name is FORBIDDEN. */
    public OutcomeSpec classify(List<Long> values) {
        for (OutcomeSpec o : outcomes) if (o.values().equals(values)) return o;
        return new OutcomeSpec(values, Expectation.FORBIDDEN,
                "Unexpected: neither sequentially consistent nor a relaxed outcome the model allows here.");
    }

    /** Whether an actor of this test runs in the embedded guest (docs/GUEST.md). */
    public boolean hasGuest() {
        return actors.stream().anyMatch(a -> a.runtime().guest());
    }

    public boolean hasInteresting() {
        return outcomes.stream().anyMatch(o -> o.expectation() == Expectation.INTERESTING);
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
            row.put("kernel", a.declaredKernel());
            if (a.broken()) row.put("actually_runs", a.kernel());
            row.put("p", Op.LOCATION_NAMES[a.p()]);
            row.put("q", Op.LOCATION_NAMES[a.q()]);
            rows.add(row);
        }
        return rows;
    }
}
