package testbed.litmus.kernel;

/**
 * A generated kernel could not be compiled: the toolchain is missing or refused the source. The
 * message names the toolchain and carries its first error line; the tests that need the kernel
 * are refused with it, and the run goes on with the others.
 */
public final class KernelCompileException extends Exception {

    public KernelCompileException(String message) {
        super(message);
    }

    public KernelCompileException(String message, Throwable cause) {
        super(message, cause);
    }
}
