package testbed.litmus;

/** How the model classifies an outcome (docs/MEMORY_MODEL.md). */
public enum OutcomeExpectation {
    /** Reachable by some sequentially consistent interleaving. */
    ACCEPTABLE,
    /** Not sequentially consistent, and allowed by the model for these access modes. */
    INTERESTING,
    /** Not allowed by the model for these access modes: seeing it is a bug. */
    FORBIDDEN
}
