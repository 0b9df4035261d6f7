package testbed.audit;

import java.util.Locale;

/**
 * Which program builds and disassembles for an instruction set on this machine: the system's
 * {@code cc} and {@code objdump} for its own, Debian's cross toolchains for the other (the
 * packages {@code gcc-aarch64-linux-gnu} and {@code binutils-aarch64-linux-gnu} on x86_64, the
 * {@code x86-64} ones on arm64), which the Makefile installs where it may.
 */
final class Toolchains {

    private Toolchains() {}

    /** The instruction set this JVM runs on, or null when it is neither of the two. */
    static Isa host() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> Isa.X86_64;
            case "aarch64", "arm64" -> Isa.AARCH64;
            default -> null;
        };
    }

    static boolean isHost(Isa isa) {
        return host() == isa;
    }

    /** The C compiler for {@code isa}: the engine's own ({@code testbed.cc}, default cc) on the host's. */
    static String cc(Isa isa) {
        return isHost(isa) ? System.getProperty(testbed.litmus.kernel.CKernelLibrary.COMPILER_PROPERTY, "cc") : triplet(isa) + "-gcc";
    }

    static String objdump(Isa isa) {
        return isHost(isa) ? "objdump" : triplet(isa) + "-objdump";
    }

    /** The Debian package of {@link #cc}; for the host's, gcc. */
    static String ccPackage(Isa isa) {
        return isHost(isa) ? "gcc" : "gcc-" + triplet(isa).replace('_', '-');
    }

    static String objdumpPackage(Isa isa) {
        return isHost(isa) ? "binutils" : "binutils-" + triplet(isa).replace('_', '-');
    }

    /** {@code aarch64-linux-gnu}, {@code x86_64-linux-gnu}. */
    static String triplet(Isa isa) {
        return isa.label() + "-linux-gnu";
    }

    /** GOARCH of an instruction set. */
    static String goarch(Isa isa) {
        return isa == Isa.X86_64 ? "amd64" : "arm64";
    }

    /** Fails with the one line that names what to install, unless {@code program} is on the PATH. */
    static void need(String program, String debianPackage) throws Target.Unavailable {
        if (!Tool.exists(program)) {
            throw new Target.Unavailable(program + " not found: install the Debian package " + debianPackage
                    + " (apt-get install " + debianPackage + "; make audit does where it may)");
        }
    }
}
