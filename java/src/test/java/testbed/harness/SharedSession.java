package testbed.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One session (region, shim, peer) for all the tests of a class, registered as a static
 * extension field: opened before the class's first test; after its last (and after the class's
 * own {@code @AfterAll} methods) it must hold no native worker, and once closed its region file
 * must be gone. Either failing fails the class, so no suite's test leaves a thread or a file
 * behind unnoticed.
 */
public final class SharedSession implements BeforeAllCallback, AfterAllCallback {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private Session session;

    /** The class's session; only between its first and its last test. */
    public Session get() {
        if (session == null) throw new IllegalStateException("the shared session opens before the class's first test");
        return session;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        session = Session.openDefault(QUIET);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Session s = session;
        session = null;
        Path region = s.region().path();
        int alive = s.panama().workersAlive();
        s.close();
        if (alive != 0) throw new AssertionError(alive + " native worker(s) outlived " + context.getDisplayName());
        if (Files.exists(region)) throw new AssertionError("closing the session left its region file " + region);
    }
}
