package testbed.litmus.runtime;

/**
 * A C litmus actor call (interop_litmus.h) returned a negative errno. The message says what the
 * errno means for that call and names it, e.g. "C actor 1: unknown kernel 'x' (ENOENT)".
 */
public final class NativeActorException extends RuntimeException {

    /** Linux errno values (asm-generic/errno-base.h, errno.h; identical on x86_64 and AArch64). */
    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ETIMEDOUT = 110;
    public static final int ESTALE = 116;

    private final int errno;

    public NativeActorException(int errno, String message) {
        super(message + " (" + errnoName(errno) + ")");
        this.errno = errno;
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
            case ESTALE -> "ESTALE";
            default -> "errno " + errno;
        };
    }
}
