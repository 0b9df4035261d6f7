package testbed.ffi;

import java.nio.file.Files;
import java.nio.file.Path;
import testbed.region.RegionLayout;

/**
 * Where the native shim is and whether it fits this JVM.
 *
 * <p>The path comes from the system property {@value #PROPERTY} (set by the Makefile and by Surefire
 * from pom.xml), else the environment variable {@value #ENV}, else {@value #DEFAULT}, relative to the
 * working directory (the project root under {@code make}).
 */
public final class NativeLibrary {

    public static final String PROPERTY = "testbed.native.lib";
    public static final String ENV = "INTEROP_NATIVE_LIB";
    public static final String DEFAULT = "build/native/libinterop.so";

    private NativeLibrary() {}

    /** The configured shim path; it may not exist (see {@link #require()}). */
    public static Path path() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) p = System.getenv(ENV);
        if (p == null || p.isBlank()) p = DEFAULT;
        return Path.of(p).toAbsolutePath();
    }

    /**
     * The configured shim path, which exists.
     *
     * @throws IllegalStateException "native shim not found at &lt;path&gt;: run `make native`"
     */
    public static Path require() {
        return require(path());
    }

    /**
     * {@code p}, which exists.
     *
     * @throws IllegalStateException "native shim not found at &lt;path&gt;: run `make native`"
     */
    public static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("native shim not found at " + p + ": run `make native`");
        }
        return p;
    }

    /**
     * Checks that the shim was compiled for this JVM's architecture, the one region headers carry.
     *
     * @return {@code shim}
     * @throws IllegalStateException naming both architectures otherwise
     */
    public static <S extends AtomicShim> S checkArch(S shim) {
        int jvm = RegionLayout.archCode();
        int lib = shim.arch();
        if (lib != jvm || jvm == 0) {
            throw new IllegalStateException("native shim (" + shim.name() + ") is built for arch " + lib + " ("
                    + RegionLayout.archName(lib) + ") but this JVM is " + jvm + " (" + RegionLayout.archName(jvm)
                    + ", os.arch " + System.getProperty("os.arch") + ")");
        }
        return shim;
    }

    /** The configured shim through FFM, arch-checked. */
    public static PanamaShim panama(boolean critical) {
        return checkArch(new PanamaShim(require(), critical));
    }

    /** The configured shim through jnr-ffi, arch-checked. */
    public static JnrShim jnr() {
        return checkArch(new JnrShim(require()));
    }
}
