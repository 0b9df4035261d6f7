package testbed.litmus;

import java.util.Locale;

/**
 * A step of the ladder of orders that the canonical suite walks for every shape, one file
 * per rung ({@code litmus/canonical/SHAPE/RUNG.litmus}): within a file, the accesses that
 * synchronise (a flag's store and load) have the rung's order and data accesses the
 * rung's weakest atomic order.
 */
public enum Rung {
    /** Non-atomic accesses throughout. */
    PLAIN,
    /** Relaxed atomics throughout. */
    RELAXED,
    /** Release stores and acquire loads where the test synchronises, relaxed elsewhere. */
    ACQ_REL,
    /** seq_cst throughout. */
    SC,
    /**
     * Relaxed accesses ordered by a seq_cst fence (SB, R): the rung of the fence kernels,
     * which Go, without a standalone fence, does not run.
     */
    FENCED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
