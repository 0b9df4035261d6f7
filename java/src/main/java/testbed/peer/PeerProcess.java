package testbed.peer;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import testbed.proc.ChildProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Go peer as a child process of this JVM.
 *
 * <p>Lifecycle contract (docs/PROTOCOL.md): the peer reads a per-run {@link PeerSecret}
 * as the first line of its stdin and serves only calls that carry it; its first line
 * on stdout is the gRPC target it listens on ({@code 127.0.0.1:PORT} or
 * {@code unix:/path}); it exits when its stdin reaches end-of-file or on SIGTERM. This
 * class holds the write end of the peer's stdin and nothing else does, so when this
 * JVM dies, however it dies, the kernel closes that pipe and the peer exits: no orphan
 * survives, and no other process can hand the peer a secret. The
 * peer is also told to unlink the region file on exit, so the region does not
 * outlive a JVM killed with SIGKILL either.
 */
public final class PeerProcess implements AutoCloseable {
    /** How long the peer has to print its address. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(15);
    /** How long the peer has to exit after its stdin closes, before SIGTERM, then SIGKILL. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private static final int STDERR_LINES_KEPT = 40;

    private final Process process;
    private final OutputStream stdin;
    private final String target;
    private final PeerSecret secret;
    private final Deque<String> stderrTail;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private PeerProcess(Process process, String target, PeerSecret secret, Deque<String> stderrTail) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.target = target;
        this.secret = secret;
        this.stderrTail = stderrTail;
        this.shutdownHook = new Thread(this::stopQuietly, "interop-peer-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The peer binary named by system property testbed.peer.bin (or env INTEROP_PEER_BIN). */
    public static Path defaultBinary() {
        String p = System.getProperty("testbed.peer.bin", System.getenv("INTEROP_PEER_BIN"));
        if (p == null || p.isBlank()) {
            throw new PeerException("Go peer binary not configured: set -Dtestbed.peer.bin or INTEROP_PEER_BIN (make peer builds build/bin/interop-peer)");
        }
        return Path.of(p);
    }

    /**
     * Fault injection for tests: a peer started while this property is set plants the
     * regression it names ({@code interop-peer -fault}, e.g. {@code ignore-context}: every
     * goroutine of a Cancel or Scope call ignores its context), so that a test can show a
     * suite's verdict on a broken build. Never set in a real run.
     */
    public static final String FAULT_PROPERTY = "testbed.peer.fault";

    /** Starts the peer on loopback TCP, mapping {@code region}, with the fault {@link #FAULT_PROPERTY} names, if any. */
    public static PeerProcess start(Path binary, Path region) {
        List<String> args = new ArrayList<>(List.of("-region", region.toString(), "-listen", "127.0.0.1:0", "-unlink-region-on-exit"));
        String fault = System.getProperty(FAULT_PROPERTY);
        if (fault != null && !fault.isBlank()) args.addAll(List.of("-fault", fault));
        return start(binary, args, DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts the peer with the given arguments, hands it a fresh {@link PeerSecret} on
     * its stdin, and waits up to {@code timeout} for its address. On any failure the
     * process is killed before the exception is thrown.
     */
    public static PeerProcess start(Path binary, List<String> args, Duration timeout) {
        if (!Files.isRegularFile(binary)) {
            throw new PeerException("Go peer binary not found at " + binary + ": run `make peer`");
        }
        if (!Files.isExecutable(binary)) {
            throw new PeerException("Go peer binary at " + binary + " is not executable: run `make peer`");
        }
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new PeerException("cannot start Go peer " + binary + ": " + e.getMessage(), e);
        }
        PeerSecret secret = PeerSecret.generate();
        try {
            p.getOutputStream().write(secret.stdinLine().getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
        } catch (IOException e) {
            // The peer exited before reading stdin (it refused its arguments or its region);
            // waiting for its address below reports its exit code and last words.
        }
        Deque<String> tail = new ArrayDeque<>();
        Thread stderrPump = Thread.ofPlatform().daemon().name("interop-peer-stderr").start(() -> pumpStderr(p, tail));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                // Later stdout lines are not part of the protocol; drain them so the peer never blocks on a full pipe.
                Thread.ofPlatform().daemon().name("interop-peer-stdout").start(() -> drain(out));
                return line;
            } catch (IOException e) {
                return null;
            }
        }, r -> Thread.ofPlatform().daemon().name("interop-peer-addr").start(r));
        String line;
        try {
            line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            kill(p);
            throw new PeerException("Go peer did not report its address within " + timeout.toSeconds() + " s; killed it" + lastLine(tail, stderrPump));
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new PeerException("interrupted while starting the Go peer", e);
        } catch (ExecutionException e) {
            kill(p);
            throw new PeerException("cannot read the Go peer's address: " + e.getCause(), e);
        }
        if (line == null) {
            int code = waitExit(p, Duration.ofSeconds(2));
            // Read the peer's last words before kill(): destroying a Process closes its streams,
            // and a pump that has not yet read the line would lose it.
            String last = lastLine(tail, stderrPump);
            kill(p);
            throw new PeerException("Go peer exited" + (code >= 0 ? " with code " + code : "")
                    + " before reporting its address" + last);
        }
        String addr = line.strip();
        if (!(addr.startsWith("unix:") || addr.matches("127\\.0\\.0\\.1:\\d{1,5}|\\[::1]:\\d{1,5}|localhost:\\d{1,5}"))) {
            kill(p);
            throw new PeerException("Go peer's first line is not a loopback or unix address: '" + abbreviate(addr) + "'");
        }
        return new PeerProcess(p, addr, secret, tail);
    }

    /** The gRPC target the peer listens on. */
    public String target() {
        return target;
    }

    /** The secret every call to this peer must carry; install {@link PeerSecret#interceptor()} on each channel to it. */
    public PeerSecret secret() {
        return secret;
    }

    /** A plaintext channel builder for this peer's target that sends its secret on every call. */
    public NettyChannelBuilder channelBuilder() {
        if (target.startsWith("unix:")) {
            throw new PeerException("unix socket targets are served by the peer but not yet dialled by the Java harness: " + target);
        }
        return NettyChannelBuilder.forTarget(target).usePlaintext().intercept(secret.interceptor());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines the peer wrote to stderr, oldest first. */
    public List<String> stderrTail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** Kills the peer at once with SIGKILL (fault injection: "the peer died"). */
    public void killNow() {
        ChildProcess.killTree(process.toHandle());
    }

    /**
     * Closes the peer's stdin, which asks it to exit; after {@link #STOP_GRACE} it
     * gets SIGTERM, then SIGKILL. Returns the exit code (or -1 if it had to be killed).
     */
    public int stop() {
        if (closed) return process.isAlive() ? -1 : process.exitValue();
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Already in shutdown: the hook is running or has run; stopping twice is harmless.
        }
        return stopQuietly();
    }

    private int stopQuietly() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // A closed or broken pipe means the peer is already gone or going.
        }
        int code = waitExit(process, STOP_GRACE);
        if (code >= 0) return code;
        process.destroy();
        code = waitExit(process, Duration.ofSeconds(2));
        if (code >= 0) return -1;
        kill(process);
        return -1;
    }

    @Override
    public void close() {
        stop();
    }

    private static void pumpStderr(Process p, Deque<String> tail) {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == STDERR_LINES_KEPT) tail.removeFirst();
                    tail.addLast(line);
                }
                if (Boolean.getBoolean("testbed.peer.verbose")) System.err.println("[peer] " + line);
            }
        } catch (IOException ignored) {
            // The peer closed stderr by exiting.
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) { /* discard */ }
        } catch (IOException ignored) {
            // The peer closed stdout by exiting.
        }
    }

    private static String lastLine(Deque<String> tail, Thread pump) {
        try {
            pump.join(1000); // let the peer's last words arrive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (tail) {
            return tail.isEmpty() ? "" : ": " + tail.peekLast();
        }
    }

    private static int waitExit(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void kill(Process p) {
        ChildProcess.killTree(p.toHandle());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
