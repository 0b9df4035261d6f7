package testbed.litmus.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Points the kernel cache ({@link KernelCache#PROPERTY}) at an empty directory of its own, so a
 * test compiles what it needs and never reads or fills the build's cache; afterwards the
 * property is as it was and the directory is gone. Registered on a static field it holds for
 * the whole class, on an instance field for each test.
 */
public final class OwnKernelCache implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private boolean classWide;
    private Path dir;
    private String previous;

    /** The directory the cache is in while the extension holds. */
    public Path dir() {
        return dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        classWide = true;
        own();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        restore();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (!classWide) own();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!classWide) restore();
    }

    private void own() throws IOException {
        dir = Files.createTempDirectory("kernel-cache-");
        previous = System.setProperty(KernelCache.PROPERTY, dir.toString());
    }

    private void restore() throws IOException {
        if (previous == null) System.clearProperty(KernelCache.PROPERTY);
        else System.setProperty(KernelCache.PROPERTY, previous);
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
