package testbed.harness;

import testbed.ffi.AtomicShim;
import testbed.ffi.JnrShim;
import testbed.ffi.NativeLibrary;
import testbed.ffi.PanamaShim;
import testbed.peer.PeerClient;
import testbed.peer.PeerException;
import testbed.peer.PeerProcess;
import testbed.proto.v1.HelloResponse;
import testbed.region.Region;
import testbed.region.RegionLayout;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything a run shares: the region, the two bindings of the C shim, and the Go
 * peer that maps the same region. Opened in that order and closed in reverse;
 * closing always stops the peer and removes the region file, whatever failed.
 *
 * <p>A run's session is {@linkplain #deferred deferred}: it opens when a suite first asks for
 * any of these, so a run of suites that need none of them (the contract check, the audit)
 * starts no peer. The session also hands out the region's counter slots, packed slots and
 * cancel flags ({@link #counterSlots}, {@link #packedSlots}, {@link #cancelFlags}): each
 * suite claims what it uses under its name, a claim is held for the session's life, and a
 * second claim by the same owner gets the same indices, so no two suites share a slot.
 */
public final class Session implements AutoCloseable {
    /**
     * What an open session holds, in the order it was opened, and what the shim said of itself
     * then: the report's host entries are read from here, also after the session closed.
     */
    private record Opened(Region region, AtomicShim panama, AtomicShim jnr, PeerProcess peerProcess, PeerClient peer,
                          HelloResponse hello, String shimVersion) {}

    private final Supplier<Opened> opener;
    private Opened opened;
    private boolean closed;
    private final Claims counterSlots = new Claims("counter slot", RegionLayout.COUNTER_SLOTS);
    private final Claims packedSlots = new Claims("packed slot", RegionLayout.PACKED_SLOTS);
    private final Claims cancelFlags = new Claims("cancel flag", RegionLayout.CANCEL_FLAGS);

    private Session(Supplier<Opened> opener) {
        this.opener = opener;
    }

    /**
     * Opens a session: sweeps region files left by dead JVMs, creates a fresh region,
     * loads the shim both ways, starts the peer on it and greets it.
     */
    public static Session open(Path shmDir, Path nativeLib, Path peerBinary, PrintStream progress) {
        Session s = new Session(() -> openNow(shmDir, nativeLib, peerBinary, progress));
        s.opened();
        return s;
    }

    /** Opens a session with the paths from system properties (see the Makefile and pom.xml). */
    public static Session openDefault(PrintStream progress) {
        return open(Region.DEFAULT_DIR, NativeLibrary.require(), PeerProcess.defaultBinary(), progress);
    }

    /**
     * A session with the paths from system properties that opens when first used; a fault in
     * opening it is thrown to the suite that first asked, and again to any that asks after.
     */
    public static Session deferred(PrintStream progress) {
        return new Session(() -> openNow(Region.DEFAULT_DIR, NativeLibrary.require(), PeerProcess.defaultBinary(), progress));
    }

    private static Opened openNow(Path shmDir, Path nativeLib, Path peerBinary, PrintStream progress) {
        int swept = Region.sweepStale(shmDir);
        if (swept > 0) progress.println("  removed " + swept + " region file(s) left by dead runs");
        Region region = null;
        AtomicShim panama = null;
        AtomicShim jnr = null;
        PeerProcess process = null;
        PeerClient client = null;
        try {
            region = Region.create(shmDir, RegionLayout.LITMUS_DEFAULT_SIZE);
            progress.println("  region " + region.path() + " (" + region.size() + " bytes)");
            panama = NativeLibrary.checkArch(new PanamaShim(NativeLibrary.require(nativeLib), false));
            jnr = NativeLibrary.checkArch(new JnrShim(nativeLib));
            process = PeerProcess.start(peerBinary, region.path());
            client = new PeerClient(process);
            HelloResponse hello = client.hello();
            if (hello.getRegionLayoutVersion() != RegionLayout.LAYOUT_VERSION) {
                throw new PeerException("Go peer mapped layout version " + hello.getRegionLayoutVersion()
                        + ", harness uses " + RegionLayout.LAYOUT_VERSION);
            }
            progress.println("  peer pid " + hello.getPid() + " at " + process.target() + " (" + hello.getGoVersion()
                    + ", grpc-go " + hello.getGrpcVersion() + ")");
            return new Opened(region, panama, jnr, process, client, hello, panama.version());
        } catch (RuntimeException e) {
            closeAll(client, process, jnr, panama, region);
            throw e;
        }
    }

    private RuntimeException openFailure;

    /** What the session opened, opening it on first use; a closed session hands out nothing and never reopens. */
    private synchronized Opened opened() {
        if (closed) throw new IllegalStateException("the session is closed");
        if (opened != null) return opened;
        if (openFailure != null) throw openFailure;
        try {
            opened = opener.get();
        } catch (RuntimeException e) {
            openFailure = e;
            throw e;
        }
        return opened;
    }

    /** Whether the region and the peer have been opened (a deferred session no suite used has not). */
    public synchronized boolean isOpen() {
        return opened != null && !closed;
    }

    public Region region() {
        return opened().region();
    }

    public AtomicShim panama() {
        return opened().panama();
    }

    public AtomicShim jnr() {
        return opened().jnr();
    }

    public PeerClient peer() {
        return opened().peer();
    }

    public PeerProcess peerProcess() {
        return opened().peerProcess();
    }

    public HelloResponse hello() {
        return opened().hello();
    }

    /** {@code count} consecutive counter slots for {@code owner}, held for the session's life. */
    public Claim counterSlots(String owner, int count) {
        return counterSlots.claim(owner, count);
    }

    /** {@code count} consecutive packed slots for {@code owner}, held for the session's life. */
    public Claim packedSlots(String owner, int count) {
        return packedSlots.claim(owner, count);
    }

    /** {@code count} consecutive cancel flags for {@code owner}, held for the session's life. */
    public Claim cancelFlags(String owner, int count) {
        return cancelFlags.claim(owner, count);
    }

    /**
     * Indices {@code first} to {@code first + count - 1} of one kind of region cell, held by
     * {@code owner}; {@link #at} maps a suite's own 0-based index to the region's.
     */
    public record Claim(String owner, String kind, int first, int count) {
        /** The region's index of this claim's {@code i}-th cell. */
        public int at(int i) {
            if (i < 0 || i >= count) {
                throw new IndexOutOfBoundsException(owner + " claimed " + count + " " + kind + "(s), not index " + i);
            }
            return first + i;
        }
    }

    /** The cells of one kind and who holds them. */
    private static final class Claims {
        private final String kind;
        private final int capacity;
        private final List<Claim> held = new ArrayList<>();

        Claims(String kind, int capacity) {
            this.kind = kind;
            this.capacity = capacity;
        }

        synchronized Claim claim(String owner, int count) {
            if (count < 1) throw new IllegalArgumentException(owner + " claims at least one " + kind + ", not " + count);
            int next = 0;
            for (Claim c : held) {
                if (c.owner().equals(owner)) {
                    if (c.count() != count) {
                        throw new IllegalStateException(owner + " holds " + c.count() + " " + kind + "(s) and asked again for " + count);
                    }
                    return c;
                }
                next = Math.max(next, c.first() + c.count());
            }
            if (next + count > capacity) {
                throw new IllegalStateException(owner + " asked for " + count + " " + kind + "(s), but only " + (capacity - next)
                        + " of the region's " + capacity + " are free; held: " + held);
            }
            Claim c = new Claim(owner, kind, next, count);
            held.add(c);
            return c;
        }
    }

    /**
     * What the report says about the machine and the toolchains in this session: the machine
     * alone if it never opened; what it found when it opened, also once it has closed.
     */
    public Map<String, Object> host() {
        Opened o;
        synchronized (this) {
            o = opened;
        }
        Map<String, Object> h = machine();
        if (o != null) {
            h.put("shim", o.shimVersion());
            h.put("peer_version", o.hello().getPeerVersion());
            h.put("go", o.hello().getGoVersion());
            h.put("grpc_go", o.hello().getGrpcVersion());
            h.put("peer_arch", o.hello().getArch());
            h.put("region_bytes", o.region().size());
        }
        return h;
    }

    /** What a report says of this machine and JVM without asking the shim or the peer. */
    public static Map<String, Object> machine() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("arch", System.getProperty("os.arch"));
        h.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        h.put("cpus", Runtime.getRuntime().availableProcessors());
        h.put("jvm", System.getProperty("java.vm.name") + " " + Runtime.version());
        h.put("harness_version", testbed.Version.VERSION);
        return h;
    }

    @Override
    public void close() {
        Opened o;
        synchronized (this) {
            if (closed) return;
            o = opened;
            closed = true;
        }
        if (o != null) closeAll(o.peer(), o.peerProcess(), o.jnr(), o.panama(), o.region());
    }

    private static void closeAll(AutoCloseable... things) {
        RuntimeException first = null;
        for (AutoCloseable c : things) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = new IllegalStateException("cleanup failed: " + e.getMessage(), e);
            }
        }
        if (first != null) throw first;
    }
}
