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

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a run shares: the region, the two bindings of the C shim, and the Go
 * peer that maps the same region. Opened in that order and closed in reverse;
 * closing always stops the peer and removes the region file, whatever failed.
 */
public final class Session implements AutoCloseable {
    private final Region region;
    private final AtomicShim panama;
    private final AtomicShim jnr;
    private final PeerProcess peerProcess;
    private final PeerClient peer;
    private final HelloResponse hello;

    private Session(Region region, AtomicShim panama, AtomicShim jnr, PeerProcess peerProcess, PeerClient peer,
                    HelloResponse hello) {
        this.region = region;
        this.panama = panama;
        this.jnr = jnr;
        this.peerProcess = peerProcess;
        this.peer = peer;
        this.hello = hello;
    }

    /**
     * Opens a session: sweeps region files left by dead JVMs, creates a fresh region,
     * loads the shim both ways, starts the peer on it and greets it.
     */
    public static Session open(Path shmDir, Path nativeLib, Path peerBinary, PrintStream progress) {
        int swept = Region.sweepStale(shmDir);
        if (swept > 0) progress.println("  removed " + swept + " region file(s) left by dead runs");
        Region region = null;
        AtomicShim panama = null;
        AtomicShim jnr = null;
        PeerProcess process = null;
        PeerClient client = null;
        try {
            region = Region.create(shmDir, testbed.region.RegionLayout.LITMUS_DEFAULT_SIZE);
            progress.println("  region " + region.path() + " (" + region.size() + " bytes)");
            panama = NativeLibrary.checkArch(new PanamaShim(NativeLibrary.require(nativeLib), false));
            jnr = NativeLibrary.checkArch(new JnrShim(nativeLib));
            process = PeerProcess.start(peerBinary, region.path());
            client = new PeerClient(process);
            HelloResponse hello = client.hello();
            if (hello.getRegionLayoutVersion() != testbed.region.RegionLayout.LAYOUT_VERSION) {
                throw new PeerException("Go peer mapped layout version " + hello.getRegionLayoutVersion()
                        + ", harness uses " + testbed.region.RegionLayout.LAYOUT_VERSION);
            }
            progress.println("  peer pid " + hello.getPid() + " at " + process.target() + " (" + hello.getGoVersion()
                    + ", grpc-go " + hello.getGrpcVersion() + ")");
            return new Session(region, panama, jnr, process, client, hello);
        } catch (RuntimeException e) {
            closeAll(client, process, jnr, panama, region);
            throw e;
        }
    }

    /** Opens a session with the paths from system properties (see the Makefile and pom.xml). */
    public static Session openDefault(PrintStream progress) {
        return open(Region.DEFAULT_DIR, NativeLibrary.require(), PeerProcess.defaultBinary(), progress);
    }


    public Region region() {
        return region;
    }

    public AtomicShim panama() {
        return panama;
    }

    public AtomicShim jnr() {
        return jnr;
    }

    public PeerClient peer() {
        return peer;
    }

    public PeerProcess peerProcess() {
        return peerProcess;
    }

    public HelloResponse hello() {
        return hello;
    }

    /** What the report says about the machine and the toolchains in this session. */
    public Map<String, Object> host() {
        Map<String, Object> h = machine();
        h.put("shim", panama.version());
        h.put("peer_version", hello.getPeerVersion());
        h.put("go", hello.getGoVersion());
        h.put("grpc_go", hello.getGrpcVersion());
        h.put("peer_arch", hello.getArch());
        h.put("region_bytes", region.size());
        // The embedded guest, without starting it: Main describes it again after the suites,
        // once a guest suite has started the engine (or not).
        h.put("guest", testbed.guest.GuestRuntime.shared().describe());
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
        closeAll(peer, peerProcess, jnr, panama, region);
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
