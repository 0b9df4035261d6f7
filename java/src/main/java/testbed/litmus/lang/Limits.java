package testbed.litmus.lang;

/**
 * What a litmus file may hold. The parser refuses a file beyond these, at the place
 * that crosses the limit, before anything is judged or run.
 */
public final class Limits {
    /** Threads P0..P3: the engine's section has room for four actors. */
    public static final int MAX_THREADS = 4;
    /** Statements per thread. */
    public static final int MAX_STATEMENTS = 12;
    /** Distinct shared locations in one test. */
    public static final int MAX_LOCATIONS = 8;

    private Limits() {}
}
