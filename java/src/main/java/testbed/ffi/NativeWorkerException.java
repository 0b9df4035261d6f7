package testbed.ffi;

/**
 * A native worker function returned a negative errno. The message names the function, the errno
 * and what it means for that function, e.g. "interop_workers_start: EINVAL (bad arguments: ...)".
 */
public final class NativeWorkerException extends RuntimeException {

    /** The errno values this call returns, named here for callers (see {@link Errno}). */
    public static final int ENOENT = Errno.ENOENT;
    public static final int EAGAIN = Errno.EAGAIN;
    public static final int ENOMEM = Errno.ENOMEM;
    public static final int EINVAL = Errno.EINVAL;
    public static final int ETIMEDOUT = Errno.ETIMEDOUT;

    private final String function;
    private final int errno;

    public NativeWorkerException(String function, int errno, String detail) {
        super(function + ": " + Errno.name(errno) + " (" + detail + ")");
        this.function = function;
        this.errno = errno;
    }

    /** The C function that failed, e.g. "interop_workers_start". */
    public String function() {
        return function;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
