package testbed.litmus.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where generated kernels and what they compile to are kept: {@code build/litmus-kernels} under
 * the working directory, or the directory the property {@value #PROPERTY} names. Every entry is
 * named by a hash of what produced it (the generated source and the toolchain's version), so an
 * entry that exists is current and a second run compiles nothing.
 */
public final class KernelCache {

    /** System property naming the cache directory. */
    public static final String PROPERTY = "testbed.kernel.cache";

    private KernelCache() {}

    /** The cache's root directory (not created). */
    public static Path root() {
        return Path.of(System.getProperty(PROPERTY, "build/litmus-kernels")).toAbsolutePath();
    }

    /** The directory of one toolchain's entries, e.g. {@code c} or {@code go}; created if missing. */
    public static Path dir(String toolchain) {
        Path d = root().resolve(toolchain);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the kernel cache " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    /**
     * Moves {@code built} to {@code entry} atomically, so a reader sees a whole entry or none,
     * also when two runs build the same entry at once.
     */
    public static void publish(Path built, Path entry) throws IOException {
        Files.move(built, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
