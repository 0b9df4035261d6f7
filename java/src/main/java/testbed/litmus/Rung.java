package testbed.litmus;

import java.util.Locale;

/**
 * A step of the ladder of access modes that the canonical suite walks for every shape.
 * Within a test, the operations that synchronise (a flag's store and load) get the
 * rung's mode; data operations get the rung's weakest atomic mode.
 */
public enum Rung {
    /** Java plain, Go plain; C has no plain access and is not on this rung. */
    PLAIN,
    /** Java opaque, C relaxed, Go plain (Go has no relaxed atomics). */
    RELAXED,
    /** Java release/acquire, C release/acquire, Go sync/atomic (which is seq_cst). */
    ACQ_REL,
    /** Java volatile, C seq_cst, Go sync/atomic. */
    SC;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether every runtime of a test can be put on this rung. */
    public boolean supports(Runtime rt) {
        return this != PLAIN || rt != Runtime.C;
    }

    /** The mode name for an operation of {@code kind}; {@code sync} marks a synchronising operation. */
    public String mode(Runtime rt, Op.Kind kind, boolean sync) {
        Rung r = (this == ACQ_REL && !sync) ? RELAXED : this;
        return switch (rt) {
            case JAVA -> switch (kind) {
                case LOAD -> switch (r) { case PLAIN -> "plain"; case RELAXED -> "opaque"; case ACQ_REL -> "acquire"; case SC -> "volatile"; };
                case STORE -> switch (r) { case PLAIN -> "plain"; case RELAXED -> "opaque"; case ACQ_REL -> "release"; case SC -> "volatile"; };
                // Java has no relaxed read-modify-write VarHandle mode: acquire is its weakest.
                case FADD, CAS -> switch (r) { case PLAIN, RELAXED -> "acquire"; case ACQ_REL -> "release"; case SC -> "volatile"; };
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            case C -> switch (kind) {
                case LOAD -> switch (r) { case PLAIN, RELAXED -> "relaxed"; case ACQ_REL -> "acquire"; case SC -> "seq_cst"; };
                case STORE -> switch (r) { case PLAIN, RELAXED -> "relaxed"; case ACQ_REL -> "release"; case SC -> "seq_cst"; };
                case FADD, CAS -> switch (r) { case PLAIN, RELAXED -> "relaxed"; case ACQ_REL -> "acq_rel"; case SC -> "seq_cst"; };
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            case GO -> switch (kind) {
                case LOAD, STORE -> (r == PLAIN || r == RELAXED) ? "plain" : "atomic";
                case FADD, CAS -> "atomic";
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            // Style (a) has one atomic-looking mode and the model gives it nothing; the
            // rungs above plain say what a guest author would write: Atomics.*.
            case JS_VIEW -> switch (kind) {
                case LOAD, STORE, FADD, CAS -> r == PLAIN ? "plain" : "atomics";
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            case JS_HOST -> switch (kind) {
                case LOAD, STORE -> mode(Runtime.JAVA, kind, sync);
                case FADD, CAS -> "volatile";
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
        };
    }
}
