package testbed.litmus;

/** What the operations of a role kernel are, and the names of the kernels' two locations. */
public final class Op {
    /** The kinds of operation a role kernel performs (docs/LITMUS.md, "Kernels"). */
    public enum Kind { STORE, LOAD, FENCE, FADD, CAS }

    /** Location 0 and 1 of an instance, as tests and reports name them. */
    public static final String[] LOCATION_NAMES = {"x", "y"};

    private Op() {}
}
