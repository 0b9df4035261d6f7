package testbed.counters;

import testbed.Mode;
import testbed.guest.CounterScript;
import testbed.guest.GuestRuntime;
import testbed.harness.CaseSpec;
import testbed.harness.Expectation;
import testbed.harness.Session;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.harness.Verdict;
import testbed.proto.v1.Block;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The counters suite: Java threads, C pthreads started through FFM, C pthreads
 * started through JNR, and Go goroutines in the peer add 1 to the same region slots
 * at the same time, released together by the region's start gate ({@link SlotRace}).
 * Every slot must end exactly at the sum of what the actors were asked to add, and
 * each runtime's own count of what it added must agree.
 *
 * <p>The broken variant replaces the Java actors' atomic getAndAdd with a plain
 * read and write; it must lose updates, and the suite reports how many.
 */
public final class CountersSuite {
    public static final String NAME = "counters";
    public static final String TITLE = "Atomic counters shared by the JVM, C (FFM and JNR), Go and a JavaScript guest over one region.";
    /** This suite as a run sees it. */
    public static final Suite SUITE = Suite.of(NAME, TITLE, mode -> caseNames(),
            (session, settings, progress) -> new CountersSuite(session, progress).run(settings));

    /** The suite's cases in run order (the same in every mode). */
    static List<String> caseNames() {
        List<String> names = new ArrayList<>(List.of(PADDED_SLOTS.name(), PACKED_SLOTS.name(), PLAIN_JAVA_INCREMENTS.name()));
        for (CounterScript script : GUEST_SCRIPTS) names.add(script.name());
        return names;
    }

    /** The JavaScript cases' scripts, in run order. */
    private static final List<CounterScript> GUEST_SCRIPTS =
            List.of(CounterScript.ATOMICS_VIEW, CounterScript.HOST_VARHANDLE, CounterScript.HOST_PLAIN_BROKEN);

    /** Attempts a variant that must lose updates gets: one that loses an update is enough to prove the check. */
    static final int BROKEN_VARIANT_ATTEMPTS = 3;

    /** How a lost-updates problem begins: "12 of 20,000,000 updates lost (" and the rate. */
    private static final Pattern UPDATES_LOST = Pattern.compile("[0-9,]+ of [0-9,]+ updates lost \\(.*");

    /**
     * What catches a variant whose increments are not atomic: updates lost while every actor
     * did its whole share, and nothing landed outside the used slots (an actor that stopped
     * short, or increments in the wrong word, would also leave a slot short, for another reason).
     */
    static final Expectation LOSES_UPDATES = Expectation.caughtWhen("updates lost while every actor did its whole share",
            p -> UPDATES_LOST.matcher(p).matches());

    static final CaseSpec PADDED_SLOTS = CaseSpec.holds("padded_slots_all_runtimes",
            "Java, C via FFM, C via JNR and Go add to two padded slots at once; each slot is exact.", TrialCount.once());
    static final CaseSpec PACKED_SLOTS = CaseSpec.holds("packed_slots_all_runtimes",
            "The same on two slots that share one cache line (false sharing); each slot is exact.", TrialCount.once());
    static final CaseSpec PLAIN_JAVA_INCREMENTS = new CaseSpec("plain_java_increments_lose_updates",
            "Broken variant: the Java actors read, then write (not atomically); the check must see lost updates.",
            mode -> BROKEN_VARIANT_ATTEMPTS, LOSES_UPDATES);

    /**
     * A JavaScript case, named after its script. Style (b) holds; its broken variant must lose
     * updates. Style (a) is a known hazard, judged apart ({@link #hazardVerdict}): its losses
     * are expected and counted, not a failure, so what it promises is only that no increment
     * lands outside its slot. The hazard and the broken variant need the guest
     * and the host to overlap, so each gets up to {@value #BROKEN_VARIANT_ATTEMPTS} attempts.
     */
    static CaseSpec guestCaseSpec(CounterScript script) {
        if (script.broken()) {
            return new CaseSpec(script.name(), "Broken variant: JavaScript increments through host getPlain then setPlain (style b, not atomic)"
                    + " beside Java getAndAdd; the check must see lost updates.", mode -> BROKEN_VARIANT_ATTEMPTS, LOSES_UPDATES);
        }
        if (script.knownHazard()) {
            return CaseSpec.holds(script.name(), "JavaScript Atomics.add on a typed-array view of the region, beside Java getAndAdd"
                    + " (style a: known hazard).", mode -> BROKEN_VARIANT_ATTEMPTS);
        }
        return CaseSpec.holds(script.name(), "JavaScript calls a host method doing VarHandle getAndAdd, beside Java getAndAdd"
                + " (style b); the slot is exact.", TrialCount.once());
    }

    /** The claimed counter slot the JavaScript cases use (the other cases use 0 to 2; 3 is left to tests); the slot after it is the guest's rehearsal slot. */
    static final int GUEST_SLOT = 4;
    /** Counter slots the suite claims: up to {@link #GUEST_SLOT} and the rehearsal slot after it. */
    static final int COUNTER_SLOTS_USED = GUEST_SLOT + 2;
    static final int PACKED_SLOTS_USED = 2;

    private final PrintStream progress;
    private final SlotRace race;
    private final Session.Claim counterSlots;
    private final Session.Claim packedSlots;

    /**
     * The suite on {@code session}'s region, shim bindings and peer, on the counter and packed
     * slots it claims there: counter slots 0 to {@link #GUEST_SLOT} (two for the padded case,
     * one for the broken variant, one for the guest cases) and one for the guest to rehearse
     * on, and {@value #PACKED_SLOTS_USED} packed ones.
     */
    public CountersSuite(Session session, PrintStream progress) {
        this.progress = progress;
        this.counterSlots = session.counterSlots(NAME, COUNTER_SLOTS_USED);
        this.packedSlots = session.packedSlots(NAME, PACKED_SLOTS_USED);
        this.race = new SlotRace(session.region(), session.panama(), session.jnr(), session.peer(),
                guest -> counterSlots.at(GUEST_SLOT + 1 + guest), progress);
    }

    /** The same suite with JavaScript actors on {@code guest} (a test gives an engine that cannot start). */
    public CountersSuite withGuest(GuestRuntime guest) {
        race.guest = guest;
        return this;
    }

    /** The same suite with another bound for actors to reach the gate (a test of a hung guest shortens it). */
    CountersSuite withGateTimeout(Duration bound) {
        race.gateTimeout = bound;
        return this;
    }

    /**
     * A planted fault, for tests: the actors of {@code runtime} (as the report names it) aim
     * {@code bytesFromSlot.applyAsLong(slot)} bytes away from the slot they are given, as an
     * accessor off by that much would. The peer takes a slot index, not an address, so Go's
     * actors can be sent only whole slots away: 8 bytes in the packed block, 128 in the padded one.
     */
    CountersSuite withMisplacement(String runtime, IntToLongFunction bytesFromSlot) {
        race.misplacements.put(runtime, bytesFromSlot);
        return this;
    }

    /** One actor per runtime per slot, each adding five million (scaled by the mode). */
    public static Plan plan(Mode mode) {
        return Plan.everyBinding(mode.scale(5_000_000));
    }

    public SuiteResult run(Mode mode) {
        return run(Suite.Settings.all(mode));
    }

    /** Every case {@code settings} selects by name, in table order. */
    public SuiteResult run(Suite.Settings settings) {
        Mode mode = settings.mode();
        Predicate<String> chosen = settings.cases();
        List<CaseResult> cases = new ArrayList<>();
        if (chosen.test(PADDED_SLOTS.name())) {
            cases.add(runCase(PADDED_SLOTS, Block.BLOCK_COUNTERS, new int[] {counterSlots.at(0), counterSlots.at(1)}, plan(mode)));
        }
        if (chosen.test(PACKED_SLOTS.name())) {
            cases.add(runCase(PACKED_SLOTS, Block.BLOCK_PACKED, new int[] {packedSlots.at(0), packedSlots.at(1)}, plan(mode)));
        }
        if (chosen.test(PLAIN_JAVA_INCREMENTS.name())) cases.add(brokenVariant(mode));
        for (CounterScript script : GUEST_SCRIPTS) {
            if (chosen.test(script.name())) cases.add(guestCase(mode, script));
        }
        return new SuiteResult(NAME, TITLE, cases);
    }

    /**
     * The broken variant: non-atomic Java increments (an opaque read, then an opaque write)
     * racing atomic ones on one slot. Such a loop finishes a million increments in a few
     * milliseconds, so on a loaded machine
     * it can run entirely before or after the others and lose nothing; every actor
     * therefore adds four times as much as in the exact cases, and the variant gets up
     * to three attempts. The case says how many it took.
     */
    CaseResult brokenVariant(Mode mode) {
        Plan plan = Plan.everyBinding(mode.scale(20_000_000)).withPlainJava();
        CaseResult last = null;
        int attempts = PLAIN_JAVA_INCREMENTS.trialsIn(mode);
        for (int attempt = 1; attempt <= attempts; attempt++) {
            last = runCase(PLAIN_JAVA_INCREMENTS, Block.BLOCK_COUNTERS, new int[] {counterSlots.at(2)}, plan);
            Map<String, Object> metrics = new LinkedHashMap<>(last.metrics());
            metrics.put("attempts", (long) attempt);
            last = new CaseResult(last.name(), last.title(), last.status(),
                    last.message() + (attempt > 1 ? " (attempt " + attempt + ")" : ""), last.durationMs(), metrics, last.details());
            if (last.status() != Status.FAILED) break;
        }
        return last;
    }

    /**
     * One JavaScript plan: a Java thread and one guest on one padded slot (no C actor: three
     * busy threads on two cores starve the guest). A guest increment costs 100 ns to several
     * µs, a host getAndAdd about 20 ns, so the Java actor does not take a count: it adds from
     * the gate until the guest is done (bounded by time, not by a count: the guest's own
     * bound, after which it is cancelled and the host told to stop), and the case overlaps
     * them for the guest's whole run.
     */
    public static Plan guestPlan(Mode mode, CounterScript script) {
        return Plan.javaBesideGuest(Long.MAX_VALUE, script, mode.scale(250_000));
    }

    /**
     * A JavaScript guest adding beside a Java and a C actor (docs/GUEST.md). Style (b)
     * must be exact. Style (a) is a known cross-runtime hazard: lost updates are expected,
     * counted and reported as such, not as a failure; since they need the guest and the
     * host to overlap, it gets up to three attempts to show them, like the broken variant.
     */
    CaseResult guestCase(Mode mode, CounterScript script) {
        CaseSpec spec = guestCaseSpec(script);
        GuestRuntime guest = race.guest;
        CaseResult last = null;
        int attempts = spec.trialsIn(mode);
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long compiledBefore = guest.compilations(script.name() + ".js");
            last = runCase(spec, Block.BLOCK_COUNTERS, new int[] {counterSlots.at(GUEST_SLOT)}, guestPlan(mode, script));
            if (last.status() == Status.ERROR) break;
            // Compilations of this script that landed during the case: "compiled" says only
            // that the engine could compile; this says whether it did.
            long compiled = guest.compilations(script.name() + ".js") - compiledBefore;
            Map<String, Object> metrics = new LinkedHashMap<>(last.metrics());
            metrics.put("attempts", (long) attempt);
            metrics.put("guest_compilations", compiled);
            Map<String, Object> details = new LinkedHashMap<>(last.details());
            details.put("guest_style", script.style());
            details.put("guest_execution", guest.execution());
            last = new CaseResult(last.name(), last.title(), last.status(),
                    last.message() + " [guest " + guest.execution() + ", " + compiled + " compilation(s) landed"
                            + (attempt > 1 ? ", attempt " + attempt : "") + "]",
                    last.durationMs(), metrics, details);
            if (script.broken() ? last.status() != Status.FAILED : !"hazard_not_seen".equals(details.get("verdict"))) break;
        }
        return last;
    }

    /** Runs one case as {@code spec} declares it; never throws: a fault becomes an ERROR case with its reason. */
    public CaseResult runCase(CaseSpec spec, Block block, int[] slots, Plan plan) {
        if (plan.jsActors() == 0) {
            progress.printf(Locale.ROOT, "  counters/%s: %d slot(s) x %d actors x %,d increments%n",
                    spec.name(), slots.length, plan.actorsPerSlot(), plan.incrementsPerActor());
        } else {
            progress.printf(Locale.ROOT, "  counters/%s: %d slot(s) x %d actors: JS actors %,d increments each, host actors until the guests are done%n",
                    spec.name(), slots.length, plan.actorsPerSlot(), plan.jsIncrements());
        }
        long t0 = System.nanoTime();
        try {
            SlotRace.Tally tally = race.run(spec.name(), block, slots, plan);
            return judge(spec, plan, tally, ms(t0));
        } catch (RuntimeException e) {
            return CaseResult.error(spec.name(), spec.title(), e.getMessage() == null ? e.toString() : e.getMessage(), ms(t0));
        }
    }

    /**
     * The verdict on one race. Increments outside the used slots come first: whatever else the
     * case was for, its figures are then not what they seem (a broken variant's losses could be
     * these). Then style (a)'s known hazard, judged on its own terms; then every other case by
     * its expectation: exact, or, for a variant that must lose updates, updates lost while every
     * actor did its whole share.
     */
    private static CaseResult judge(CaseSpec spec, Plan plan, SlotRace.Tally t, double ms) {
        boolean hazard = plan.jsScript() != null && plan.jsScript().knownHazard();
        boolean stray = t.attribution().stray();
        if (hazard && !stray) return knownHazard(spec, t, ms);
        if (hazard) t.details().put("verdict", "wrong");
        String problem;
        if (!stray && spec.broken() && t.lost() > 0 && t.contributedTotal() == t.expectedTotal()) problem = updatesLost(plan, t);
        else problem = t.wrong().isEmpty() ? null : String.join("; ", t.wrong());
        String figures = spec.broken()
                ? String.format(Locale.ROOT, "%,d of %,d updates lost", t.lost(), t.expectedTotal())
                : String.format(Locale.ROOT, "exact: %,d increments from %s in %.1f ms", t.actualTotal(), t.contributions(), t.elapsedNs() / 1e6);
        return Verdict.of(spec.expectation(), problem, figures).result(spec, ms, t.metrics(), t.details());
    }

    /** "N of M updates lost (R%) with" how the variant increments: what catches a variant that must lose updates. */
    private static String updatesLost(Plan plan, SlotRace.Tally t) {
        double rate = 100.0 * t.lost() / t.expectedTotal();
        return plan.jsScript() != null
                ? String.format(Locale.ROOT, "%,d of %,d updates lost (%.3f%%) with host getPlain/setPlain increments",
                        t.lost(), t.expectedTotal(), rate)
                : String.format(Locale.ROOT, "%,d of %,d updates lost (%.2f%%) with non-atomic Java increments (an opaque read, then an opaque write)",
                        t.lost(), t.expectedTotal(), rate);
    }

    /** Style (a): the guest's Atomics.add is not atomic across the host boundary. */
    private static CaseResult knownHazard(CaseSpec spec, SlotRace.Tally t, double ms) {
        long lost = t.lost();
        String verdict = hazardVerdict(lost, t.guestDone());
        t.details().put("verdict", verdict);
        Status status;
        String message;
        switch (verdict) {
            case "known_hazard_observed" -> {
                status = Status.EXPECTED_FAILURE;
                message = String.format(Locale.ROOT,
                        "known cross-runtime hazard: %,d of %,d updates lost (%.3f%%): JS Atomics.add on a view of a host buffer is a plain read-add-write",
                        lost, t.contributedTotal(), 100.0 * lost / t.contributedTotal());
            }
            case "hazard_not_seen" -> {
                // Nothing lost proves nothing about the hazard: the guest and the host may
                // simply not have overlapped. Inconclusive, not a pass.
                status = Status.SKIPPED;
                message = String.format(Locale.ROOT,
                        "inconclusive: hazard not seen in this run (%,d increments, none lost); the guest and the host may not have overlapped",
                        t.actualTotal());
            }
            default -> {
                status = Status.FAILED;
                List<String> wrong = new ArrayList<>(t.wrong());
                wrong.add(0, lost > 0
                        ? String.format(Locale.ROOT,
                                "harness fault, not the hazard: %,d updates lost, exactly the guest's whole count (%,d): the slot holds only the host's increments, so the guest's writes never reached it",
                                lost, t.guestDone())
                        : String.format(Locale.ROOT, "the slot holds %,d more than the actors added", -lost));
                message = String.join("; ", wrong);
            }
        }
        return new CaseResult(spec.name(), spec.title(), status, message, ms, t.metrics(), t.details());
    }

    /**
     * What style (a)'s numbers mean. Host atomics never lose an update, so with the host's
     * increments H and the guest's G the slot ends at H + G - lost. A slot at exactly H
     * ({@code lost == G}) is what a guest whose writes never reach the slot gives (a copy of
     * the buffer, a view that drops them): a harness fault, not the hazard. Any other loss
     * shows the guest's writes on the slot: below G, some of them landed; above G, they
     * erased host increments, which only a write to the slot can do. A slot above H + G is
     * wrong too.
     */
    static String hazardVerdict(long lost, long guestDone) {
        if (lost < 0) return "wrong";
        if (lost == 0) return "hazard_not_seen";
        return lost == guestDone ? "wrong" : "known_hazard_observed";
    }
    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
