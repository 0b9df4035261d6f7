package testbed.report;

/**
 * The outcome of one case. Only {@link #FAILED} and {@link #ERROR} make a run fail.
 *
 * <p>{@link #EXPECTED_FAILURE} belongs to the deliberately broken variants that
 * every suite carries: the variant's check failed, which is what proves the
 * check can fail. A broken variant whose check did <em>not</em> fail is reported
 * as {@link #FAILED}, since the suite's power to catch the fault is then unproven.
 */
public enum Status {
    PASSED,
    FAILED,
    ERROR,
    EXPECTED_FAILURE,
    SKIPPED;

    /** True when this outcome makes the run exit non-zero. */
    public boolean failsRun() {
        return this == FAILED || this == ERROR;
    }

    /** Fixed-width label for console lines. */
    public String label() {
        return switch (this) {
            case PASSED -> "PASS ";
            case FAILED -> "FAIL ";
            case ERROR -> "ERROR";
            case EXPECTED_FAILURE -> "XFAIL";
            case SKIPPED -> "SKIP ";
        };
    }
}
