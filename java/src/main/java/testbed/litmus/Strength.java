package testbed.litmus;

/**
 * What an access guarantees, in C11 terms: the common scale on which the model
 * compares Java access modes, C memory orders and Go accesses (docs/MEMORY_MODEL.md).
 *
 * <p>PLAIN is a non-atomic access: Java plain mode, a Go ordinary load or store.
 * Racing plain accesses have no coherence or ordering guarantee at all.
 */
public enum Strength {
    PLAIN,
    RELAXED,
    ACQUIRE,
    RELEASE,
    ACQ_REL,
    SEQ_CST;

    /** True for every atomic access (relaxed or stronger). */
    public boolean atomic() {
        return this != PLAIN;
    }

    /** True when a load with this strength is an acquire (acquire, acq_rel, seq_cst). */
    public boolean acquires() {
        return this == ACQUIRE || this == ACQ_REL || this == SEQ_CST;
    }

    /** True when a store with this strength is a release (release, acq_rel, seq_cst). */
    public boolean releases() {
        return this == RELEASE || this == ACQ_REL || this == SEQ_CST;
    }

    public boolean sc() {
        return this == SEQ_CST;
    }
}
