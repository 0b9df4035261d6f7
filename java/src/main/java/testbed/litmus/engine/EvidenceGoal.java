package testbed.litmus.engine;

import testbed.litmus.OutcomeExpectation;
import testbed.litmus.LitmusCase;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a test must <em>see</em> before its verdict means anything, and how long it may
 * look: a broken variant must show a forbidden outcome, a test with a guest actor an
 * outcome no serial execution gives (its actors overlapped). Such a test runs until it has
 * seen {@link #target} samples of it or its {@link #bound} runs out, so that its verdict
 * does not rest on luck: each bound is sized from the rates measured on the 2-core build
 * machine so that a correct tree misses with a probability below one in a million
 * (docs/LITMUS.md, "Verdicts that rest on an observation"; {@code make litmus-rates}
 * measures the rates again).
 *
 * @param kind   what counts as evidence
 * @param target samples of evidence that are enough
 * @param bound  the longest the test may run to find them, from the release of its first round
 */
public record EvidenceGoal(Kind kind, long target, Duration bound) {

    public enum Kind {
        /** The verdict needs nothing seen. */
        NONE,
        /** A broken variant: an outcome the model forbids for the declared modes. */
        FORBIDDEN,
        /** A guest test: an outcome that shows the actors' accesses interleaved. */
        OVERLAP
    }

    /** Sightings of a broken variant's forbidden outcome that settle it (one catches it; more make the report's count firm). */
    public static final long BROKEN_VARIANT_TARGET = 5;
    /**
     * Thirty-five times what a miss below one in a million needs at half the lowest sighting
     * rate measured (199 per second, Java-C): a machine that much slower still keeps the
     * promise (docs/LITMUS.md has the arithmetic).
     */
    public static final Duration BROKEN_VARIANT_BOUND = Duration.ofSeconds(5);
    /** One overlap witness shows that a guest test's actors met. */
    public static final long GUEST_TARGET = 1;
    /**
     * What a miss below one in a million needs at half the lowest witness rate seen: one
     * witness in 1.56 s (mp_vc_sc, the slowest of 800 guest tests in 50 runs of
     * {@code native/tools/litmus-luck}), so 13.8 / 0.32 per second = 43 s. A guest test stops
     * at its first witness, in 0.1 to 0.6 s on the build machine, so the bound costs a correct
     * tree nothing (docs/LITMUS.md has the arithmetic).
     */
    public static final Duration GUEST_BOUND = Duration.ofSeconds(45);

    public static final EvidenceGoal NONE = new EvidenceGoal(Kind.NONE, 0, Duration.ZERO);

    /** The goal of a test of the suite. */
    public static EvidenceGoal of(LitmusCase t) {
        if (t.selfCheck()) return new EvidenceGoal(Kind.FORBIDDEN, BROKEN_VARIANT_TARGET, BROKEN_VARIANT_BOUND);
        if (t.hasGuest()) return new EvidenceGoal(Kind.OVERLAP, GUEST_TARGET, GUEST_BOUND);
        return NONE;
    }

    public boolean none() {
        return kind == Kind.NONE;
    }

    /** The longest a test with this goal and budget runs. */
    public Duration limit(Budget budget) {
        return bound.compareTo(budget.run()) > 0 ? bound : budget.run();
    }

    /** Samples of evidence in an observed histogram. */
    long count(LitmusCase t, Set<List<Long>> serial, Map<List<Long>, Long> observed) {
        long n = 0;
        for (Map.Entry<List<Long>, Long> e : observed.entrySet()) {
            boolean evidence = switch (kind) {
                case NONE -> false;
                case FORBIDDEN -> t.classify(e.getKey()).expectation() == OutcomeExpectation.FORBIDDEN;
                case OVERLAP -> !serial.contains(e.getKey());
            };
            if (evidence) n += e.getValue();
        }
        return n;
    }

    /**
     * Whether the test is done: a broken variant as soon as it has seen enough; any other
     * test once its budget is spent and, with a goal, it has seen enough or hit the bound.
     */
    boolean done(long elapsedNs, Budget budget, long seen) {
        boolean enough = seen >= target;
        if (kind == Kind.FORBIDDEN) return enough || elapsedNs >= bound.toNanos();
        if (elapsedNs < budget.run().toNanos()) return false;
        return none() || enough || elapsedNs >= bound.toNanos();
    }

    /** "target 5 reached in 152 ms (bound 10 s)" or "0 of a target 1 in 10,000 ms (bound 10 s)". */
    String describe(long seen, long toTargetNs, long elapsedNs) {
        return progress(seen, toTargetNs, elapsedNs) + " (bound " + bound.toSeconds() + " s)";
    }

    /** {@link #describe} without the bound: one JIT mode's part of a case's evidence line. */
    String progress(long seen, long toTargetNs, long elapsedNs) {
        return seen >= target
                ? String.format(java.util.Locale.ROOT, "target %,d reached in %,d ms", target, toTargetNs / 1_000_000)
                : String.format(java.util.Locale.ROOT, "%,d of a target %,d in %,d ms", seen, target, elapsedNs / 1_000_000);
    }
}
