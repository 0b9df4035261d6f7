package testbed.litmus.model;

/**
 * What a non-atomic (plain) access means, which depends on the runtime that runs it
 * (docs/MEMORY_MODEL.md, "Races").
 */
public enum PlainSemantics {
    /**
     * C11: a data race makes the program undefined. Like herd7, the model still judges
     * the racy program by RC11's axioms (coherence covers non-atomic accesses too) and
     * raises the {@code data-race} flag, so a reader knows its verdict rests on nothing
     * the C standard promises.
     */
    C11,
    /**
     * Java plain and Go ordinary accesses: a race is defined but promises little. A plain
     * read may return any write to its location that does not happen after it and is not
     * hidden by a later write that happens before it (the happens-before consistency
     * of the Java and Go memory models); there is no coherence between two reads, and
     * fences order no plain access (the model leaves plain accesses out of the SC order).
     * Values are never invented: every store in a litmus file writes a constant.
     */
    HAPPENS_BEFORE
}
