package testbed.litmus.engine;

import testbed.harness.Session;
import testbed.litmus.LitmusCase;
import testbed.litmus.runtime.NativeActors;
import testbed.peer.PeerProcess;
import testbed.region.Region;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What a litmus run opens in its JVM, in one place: the generated kernels of its tests
 * compiled ({@link CompiledKernels}), a {@link Session} whose Go peer runs the Go ones, the C
 * actors with the C ones, and a runner over both. Every in-process run (a forked group, the
 * benchmark, the rate measurement, the tests) opens one, so none of them can start a peer that
 * lacks its kernels.
 */
public final class LitmusSession implements AutoCloseable {

    private final Session session;
    private final NativeActors cActors;
    private final LitmusRunner runner;
    private final LitmusRunner.CKernels cKernels;
    private final String goRefusal;

    private LitmusSession(Session session, NativeActors cActors, LitmusRunner.CKernels cKernels, String goRefusal) {
        this.session = session;
        this.cActors = cActors;
        this.cKernels = cKernels;
        this.goRefusal = goRefusal;
        this.runner = newRunner();
    }

    /** Another runner over the same session and kernels (a test gives each its own guest). */
    public LitmusRunner newRunner() {
        return new LitmusRunner(session, cActors).withCKernels(cKernels).withGoRefusal(goRefusal);
    }

    /**
     * Opens a session for {@code tests}. {@code peer} is a peer already built with their Go
     * kernels (the parent of a forked group builds one for the whole run), or null to build it
     * here (a cache hit when nothing changed).
     *
     * When the Go kernels cannot be built, the default peer starts and every test with a Go
     * actor is an ERROR with the Go toolchain's reason; the others run.
     */
    public static LitmusSession open(List<LitmusCase> tests, Path peer, PrintStream progress) {
        return open(tests, peer == null ? CompiledKernels.goPeer(tests, progress) : new CompiledKernels.GoPeer(peer, null), progress);
    }

    /** Opens a session with a peer built (or refused) already. */
    private static LitmusSession open(List<LitmusCase> tests, CompiledKernels.GoPeer peer, PrintStream progress) {
        Path binary = peer.binary() == null ? PeerProcess.defaultBinary() : peer.binary();
        Session session = Session.open(Region.DEFAULT_DIR, testbed.ffi.NativeLibrary.require(), binary, progress);
        NativeActors c = null;
        try {
            c = new NativeActors(testbed.ffi.NativeLibrary.require());
            return new LitmusSession(session, c, CompiledKernels.cKernels(tests, progress), peer.refusal());
        } catch (RuntimeException e) {
            if (c != null) c.close();
            session.close();
            throw e;
        }
    }

    public LitmusRunner runner() {
        return runner;
    }

    public Session session() {
        return session;
    }

    /** The C actors of this session (how many are alive, say). */
    public NativeActors cActors() {
        return cActors;
    }

    @Override
    public void close() {
        try {
            cActors.close();
        } finally {
            session.close();
        }
    }
}
