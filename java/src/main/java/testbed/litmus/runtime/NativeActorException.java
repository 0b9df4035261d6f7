package testbed.litmus.runtime;

import testbed.ffi.Errno;

/**
 * A C litmus actor call (interop_litmus.h) returned a negative errno. The message says what the
 * errno means for that call and names it, e.g. "C actor 1: ... (EINVAL)".
 */
public final class NativeActorException extends RuntimeException {

    /** The errno values this call returns, named here for callers (see {@link Errno}). */
    public static final int ENOENT = Errno.ENOENT;
    public static final int EAGAIN = Errno.EAGAIN;
    public static final int ENOMEM = Errno.ENOMEM;
    public static final int EINVAL = Errno.EINVAL;
    public static final int ETIMEDOUT = Errno.ETIMEDOUT;
    public static final int ESTALE = Errno.ESTALE;

    private final int errno;

    public NativeActorException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }
}
