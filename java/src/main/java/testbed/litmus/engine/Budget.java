package testbed.litmus.engine;

import java.time.Duration;

/**
 * How long one test runs and how it is cut into rounds.
 *
 * @param run    time from the first round's release to the stop request
 * @param stride instances per round
 * @param stall  a round that does not complete within this is a stall: the test is aborted
 */
public record Budget(Duration run, int stride, Duration stall) {
    public static final int DEFAULT_STRIDE = 1024;
    public static final Duration DEFAULT_STALL = Duration.ofSeconds(5);

    public static Budget of(Duration run) {
        return new Budget(run, DEFAULT_STRIDE, DEFAULT_STALL);
    }

    /**
     * One run's budget when a test's time is split evenly across {@code modes} JIT modes, each
     * run in a JVM of its own (docs/LITMUS.md, "JIT modes"); the stride and stall bound stay.
     */
    public Budget perMode(int modes) {
        if (modes < 1) throw new IllegalArgumentException("a test runs in at least one mode: " + modes);
        return new Budget(run.dividedBy(modes), stride, stall);
    }
}
