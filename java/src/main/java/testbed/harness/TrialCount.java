package testbed.harness;

import testbed.Mode;

/**
 * How many trials a case runs in each mode. Counts grow with the mode (quick, default,
 * tough) so that a bigger machine or a longer run gathers more evidence for the same case.
 */
@FunctionalInterface
public interface TrialCount {
    /** The number of trials in {@code mode}, at least 1. */
    int in(Mode mode);

    /** One trial in every mode: a case whose one trial is its whole evidence. */
    static TrialCount once() {
        return mode -> 1;
    }

    /** {@code n} default-mode trials, scaled by the mode ({@link Mode#scale}). */
    static TrialCount scaled(long n) {
        if (n < 1) throw new IllegalArgumentException("a case runs at least one trial, not " + n);
        return mode -> (int) Math.max(1, mode.scale(n));
    }

    /** {@code quick} trials in quick mode and {@code others} in default and tough. */
    static TrialCount quickOr(int quick, int others) {
        if (quick < 1 || others < 1) throw new IllegalArgumentException("a case runs at least one trial");
        return mode -> mode == Mode.QUICK ? quick : others;
    }
}
