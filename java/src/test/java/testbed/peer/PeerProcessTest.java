package testbed.peer;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.testing.integration.EmptyProtos;
import io.grpc.testing.integration.Messages;
import io.grpc.testing.integration.TestServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testbed.proto.v1.HelloRequest;
import testbed.proto.v1.HelloResponse;
import testbed.proto.v1.PeerServiceGrpc;
import testbed.region.Region;
import testbed.region.RegionLayout;

import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PeerProcessTest {

    private static Path script(Path dir, String body) throws Exception {
        Path p = dir.resolve("fake-peer.sh");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void missingBinaryIsNamed(@TempDir Path dir) {
        PeerException e = assertThrows(PeerException.class,
                () -> PeerProcess.start(dir.resolve("nope"), dir.resolve("region")));
        assertTrue(e.getMessage().startsWith("Go peer binary not found at " + dir.resolve("nope")), e.getMessage());
        assertTrue(e.getMessage().contains("make peer"), e.getMessage());
    }

    @Test
    void nonExecutableBinaryIsNamed(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("peer");
        Files.writeString(p, "not a program");
        PeerException e = assertThrows(PeerException.class, () -> PeerProcess.start(p, dir.resolve("region")));
        assertTrue(e.getMessage().contains("is not executable"), e.getMessage());
    }

    @Test
    void peerThatExitsEarlyReportsItsCodeAndLastWords(@TempDir Path dir) throws Exception {
        Path p = script(dir, "echo 'interop-peer: region /x: bad magic' >&2; exit 3");
        PeerException e = assertThrows(PeerException.class,
                () -> PeerProcess.start(p, List.of(), Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("exited with code 3 before reporting its address"), e.getMessage());
        assertTrue(e.getMessage().endsWith("interop-peer: region /x: bad magic"), e.getMessage());
    }

    @Test
    void silentPeerIsKilledAfterTheStartBound(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pid");
        Path p = script(dir, "echo $$ > " + pidFile + "; exec sleep 60");
        long t0 = System.nanoTime();
        PeerException e = assertThrows(PeerException.class,
                () -> PeerProcess.start(p, List.of(), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("did not report its address within 1 s; killed it"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "bounded");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the silent peer was killed");
    }

    @Test
    void nonLoopbackAddressIsRefused(@TempDir Path dir) throws Exception {
        Path p = script(dir, "echo 0.0.0.0:8080; exec sleep 60");
        PeerException e = assertThrows(PeerException.class,
                () -> PeerProcess.start(p, List.of(), Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("not a loopback or unix address"), e.getMessage());
    }

    @Test
    void realPeerGreetsAndExitsWhenStdinCloses(@TempDir Path dir) throws Exception {
        try (Region region = Region.create(dir, RegionLayout.LITMUS_ALIGN)) {
            PeerProcess peer = PeerProcess.start(PeerProcess.defaultBinary(), region.path());
            try (PeerClient client = new PeerClient(peer)) {
                HelloResponse hello = client.hello();
                assertEquals(peer.pid(), hello.getPid());
                assertEquals(region.path().toString(), hello.getRegionPath());
                assertEquals(RegionLayout.LAYOUT_VERSION, hello.getRegionLayoutVersion());
                assertEquals(region.size(), hello.getRegionSize());
                assertEquals(PeerClient.goArch(), hello.getArch());
                assertTrue(client.inspect(List.of()).getGoroutinesTotal() > 0);
            } finally {
                assertEquals(0, peer.stop(), "the peer exits cleanly when its stdin closes");
            }
            assertFalse(peer.isAlive());
            assertFalse(Files.exists(region.path()), "-unlink-region-on-exit removed the region file");
        }
    }

    /**
     * Only the harness can drive the peer: a local client that found the port, without the
     * run's secret or with another run's, is refused with UNAUTHENTICATED on the peer's own
     * service and on grpc-go's interop TestService, unary and streaming, and the refusal
     * quotes no secret. The harness's client to the same peer is served.
     */
    @Test
    void aChannelWithoutTheRunsSecretIsRefused(@TempDir Path dir) throws Exception {
        try (Region region = Region.create(dir, RegionLayout.LITMUS_ALIGN);
             PeerProcess peer = PeerProcess.start(PeerProcess.defaultBinary(), region.path())) {
            PeerSecret another = PeerSecret.generate();
            ManagedChannel none = NettyChannelBuilder.forTarget(peer.target()).usePlaintext().build();
            ManagedChannel wrong = NettyChannelBuilder.forTarget(peer.target()).usePlaintext().intercept(another.interceptor()).build();
            try {
                for (ManagedChannel ch : List.of(none, wrong)) {
                    String which = ch == none ? "no secret" : "another run's secret";
                    List<Consumer<ManagedChannel>> calls = List.of(
                            c -> PeerServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS).hello(HelloRequest.getDefaultInstance()),
                            c -> TestServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS).emptyCall(EmptyProtos.Empty.getDefaultInstance()),
                            c -> TestServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .streamingOutputCall(Messages.StreamingOutputCallRequest.newBuilder()
                                            .addResponseParameters(Messages.ResponseParameters.newBuilder().setSize(1)).build())
                                    .forEachRemaining(r -> { }));
                    for (Consumer<ManagedChannel> call : calls) {
                        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.accept(ch), which);
                        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), which + ": " + e);
                        assertFalse(peer.secret().appearsIn(e.getMessage()) || another.appearsIn(e.getMessage()),
                                which + ": the refusal quotes a secret: " + e.getMessage());
                    }
                }
                try (PeerClient harness = new PeerClient(peer)) {
                    assertEquals(peer.pid(), harness.hello().getPid(), "the harness's client, with the secret, is served");
                }
            } finally {
                none.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                wrong.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The secret reaches the peer on its stdin only: not on its command line or in its environment, which ps and /proc show. */
    @Test
    void theSecretIsNotOnThePeersCommandLineOrEnvironment(@TempDir Path dir) throws Exception {
        try (Region region = Region.create(dir, RegionLayout.LITMUS_ALIGN);
             PeerProcess peer = PeerProcess.start(PeerProcess.defaultBinary(), region.path())) {
            for (String f : List.of("cmdline", "environ")) {
                String text = new String(Files.readAllBytes(Path.of("/proc", Long.toString(peer.pid()), f)), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertFalse(peer.secret().appearsIn(text), "the secret is in /proc/" + peer.pid() + "/" + f);
            }
            assertFalse(peer.secret().appearsIn(peer.secret().toString()), "toString shows the secret");
        }
    }

    @Test
    void realPeerRefusesACorruptRegionWithOneClearLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("corrupt-region");
        try (FileChannel ch = FileChannel.open(bad, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate((int) (RegionLayout.LITMUS_OFFSET + RegionLayout.LITMUS_ALIGN)));
        }
        PeerException e = assertThrows(PeerException.class,
                () -> PeerProcess.start(PeerProcess.defaultBinary(), bad));
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void deadPeerTurnsCallsIntoBoundedErrors(@TempDir Path dir) throws Exception {
        try (Region region = Region.create(dir, RegionLayout.LITMUS_ALIGN)) {
            PeerProcess peer = PeerProcess.start(PeerProcess.defaultBinary(), region.path());
            try (PeerClient client = new PeerClient(peer)) {
                client.hello();
                peer.killNow();
                long t0 = System.nanoTime();
                PeerException e = assertThrows(PeerException.class, client::hello);
                // The dropped connection surfaces as UNAVAILABLE, or as UNKNOWN when the
                // transport saw the close while the call was being set up.
                assertTrue(e.getMessage().startsWith("Go peer Hello failed: UNAVAILABLE")
                        || e.getMessage().startsWith("Go peer Hello failed: UNKNOWN"), e.getMessage());
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos());
            } finally {
                peer.stop();
            }
        }
    }
}
