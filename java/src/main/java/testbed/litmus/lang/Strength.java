package testbed.litmus.lang;

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

    /**
     * Whether an access of this strength promises everything one of {@code other} does:
     * seq_cst promises all, acq_rel all but seq_cst, acquire and release each their own
     * half and relaxed, relaxed only atomicity and coherence, plain nothing.
     */
    public boolean atLeast(Strength other) {
        return switch (this) {
            case SEQ_CST -> true;
            case ACQ_REL -> other != SEQ_CST;
            case ACQUIRE -> other == PLAIN || other == RELAXED || other == ACQUIRE;
            case RELEASE -> other == PLAIN || other == RELAXED || other == RELEASE;
            case RELAXED -> other == PLAIN || other == RELAXED;
            case PLAIN -> other == PLAIN;
        };
    }

    /** The C11 spelling without its prefix: {@code relaxed}, {@code seq_cst}; {@code non-atomic} for PLAIN. */
    public String c11() {
        return this == PLAIN ? "non-atomic" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
