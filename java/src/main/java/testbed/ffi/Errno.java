package testbed.ffi;

/**
 * The Linux errno values the C shim returns (negated), and their names for messages
 * (asm-generic/errno-base.h, errno.h; identical on x86_64 and AArch64).
 */
public final class Errno {
    public static final int ENOENT = 2;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ETIMEDOUT = 110;
    public static final int ESTALE = 116;

    private Errno() {}

    /** The symbolic name of {@code errno}, or "errno N". */
    public static String name(int errno) {
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
