package testbed.ffi;

/**
 * A native worker function returned a negative errno. The message names the function, the errno
 * and what it means for that function, e.g. "interop_workers_start: EINVAL (bad arguments: ...)".
 */
public final class NativeWorkerException extends RuntimeException {

    /** Linux errno values (asm-generic/errno-base.h, errno.h; identical on x86_64 and AArch64). */
    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ETIMEDOUT = 110;

    private final String function;
    private final int errno;

    public NativeWorkerException(String function, int errno, String detail) {
        super(function + ": " + errnoName(errno) + " (" + detail + ")");
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

    /** The symbolic name of a Linux errno value, or "errno N". */
    public static String errnoName(int errno) {
        return switch (errno) {
            case ENOENT -> "ENOENT";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EINVAL -> "EINVAL";
            case ETIMEDOUT -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }
}
