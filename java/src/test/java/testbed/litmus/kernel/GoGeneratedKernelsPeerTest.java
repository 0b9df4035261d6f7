package testbed.litmus.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testbed.litmus.runtime.Descriptor;
import testbed.litmus.runtime.LitmusSection;
import testbed.peer.PeerClient;
import testbed.peer.PeerProcess;
import testbed.proto.v1.RunLitmusActorRequest;
import testbed.proto.v1.RunLitmusActorResponse;
import testbed.region.Region;
import testbed.region.RegionLayout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end: a peer built with two generated kernels (message passing's writer and reader, all
 * atomic), started as the harness starts the peer, runs both as Go actors through RunLitmusActor,
 * named by their plans' ids, over the region the JVM shares with it. The runner's part is played
 * here as docs/LITMUS.md gives it, because the engine's runner does not yet bind generated kernels.
 */
class GoGeneratedKernelsPeerTest {

    static final int STRIDE = 1024;
    static final Duration BUDGET = Duration.ofMillis(500);
    static final Duration STALL = Duration.ofSeconds(5);
    /** (r0, r1) that sequential consistency allows for MP: all but flag without data, (1, 0). */
    static final Set<Integer> SC_MP = Set.of(key(0, 0), key(0, 1), key(1, 1));

    private static int key(int r0, int r1) {
        return r0 * 4 + r1;
    }

    @Test
    @Timeout(600)
    void generatedMessagePassingRunsInThePeer(@TempDir Path cache) throws Exception {
        KernelPlan writer = GoKernelSourceTest.MP_WRITER, reader = GoKernelSourceTest.MP_READER;
        Path binary = new GoPeerBuild(GoPeerBuildTest.go(), GoPeerBuildTest.peerSource(), cache, UnaryOperator.identity())
                .build(List.of(writer, reader));

        try (Region region = Region.create(Region.DEFAULT_DIR, RegionLayout.LITMUS_DEFAULT_SIZE);
             PeerProcess peer = PeerProcess.start(binary, region.path());
             PeerClient client = new PeerClient(peer)) {
            LitmusSection section = LitmusSection.of(region);
            Descriptor d = Descriptor.standard(new int[] {writer.registers(), reader.registers()}, STRIDE,
                    List.of(new Descriptor.Gather.Register(1, 0), new Descriptor.Gather.Register(1, 1)));
            section.reset();
            section.write(d);
            long generation = 41;
            section.setGeneration(generation);

            List<CompletableFuture<RunLitmusActorResponse>> calls = new ArrayList<>();
            for (KernelPlan plan : List.of(writer, reader)) {
                // p, q and the values are written into a generated kernel: 0 here.
                RunLitmusActorRequest req = RunLitmusActorRequest.newBuilder()
                        .setActor(calls.size()).setKernel(plan.id()).setPOffset(0).setQOffset(0)
                        .setValue1(0).setValue2(0).setGeneration(generation)
                        .setStallTimeoutMs((int) STALL.toMillis()).build();
                calls.add(CompletableFuture.supplyAsync(() -> client.runLitmusActor(req, Duration.ofSeconds(60)),
                        r -> Thread.ofPlatform().daemon().name("go-actor-" + req.getActor()).start(r)));
            }
            try {
                awaitReady(section, calls);
                long rounds = runFor(section, BUDGET);
                List<RunLitmusActorResponse> left = new ArrayList<>();
                for (CompletableFuture<RunLitmusActorResponse> c : calls) left.add(c.get(STALL.toSeconds() + 5, TimeUnit.SECONDS));

                long consumed = 0;
                for (int a = 0; a < left.size(); a++) {
                    RunLitmusActorResponse r = left.get(a);
                    assertFalse(r.getAborted(), "actor " + a + ": " + r.getAbortReason());
                    assertEquals(rounds, r.getRounds(), "actor " + a + " ran every round");
                    consumed += r.getRoundsConsumed();
                }
                assertEquals(rounds, consumed, "each round consumed once");
                long[] hist = section.histogram();
                long samples = 0;
                StringBuilder seen = new StringBuilder();
                for (int k = 0; k < hist.length; k++) {
                    samples += hist[k];
                    if (hist[k] > 0) seen.append(String.format(" (%d, %d)=%d", k / 4, k % 4, hist[k]));
                }
                System.out.println("generated MP in the Go peer: " + rounds + " rounds," + seen);
                assertTrue(rounds > 0, "rounds ran");
                assertEquals(rounds * STRIDE, samples, "the histogram holds every sample once:" + seen);
                for (int k = 0; k < hist.length; k++) {
                    if (hist[k] > 0 && !SC_MP.contains(k)) fail("outcome (" + k / 4 + ", " + k % 4 + ") of all-atomic MP seen " + hist[k] + " times:" + seen);
                }
            } finally {
                if (section.done() == 0) section.requestAbort();
            }
        }
    }

    /** Waits, bounded, until both actors are ready; a refused call fails the test with the peer's reason. */
    private static void awaitReady(LitmusSection section, List<CompletableFuture<RunLitmusActorResponse>> calls) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (section.ready() < calls.size()) {
            for (CompletableFuture<RunLitmusActorResponse> c : calls) {
                if (c.isDone()) c.get(); // throws the peer's refusal
            }
            if (System.nanoTime() > deadline) fail("only " + section.ready() + " of " + calls.size() + " Go actors ready within 10 s");
            Thread.sleep(1);
        }
    }

    /** Releases round 1, stops after {@code budget}, and returns the rounds run once done is set. */
    private static long runFor(LitmusSection section, Duration budget) throws InterruptedException {
        long released = System.nanoTime();
        section.setEpoch(1);
        long lastRounds = 0, lastMove = released;
        boolean stopped = false;
        while (section.done() == 0) {
            Thread.sleep(5);
            long now = System.nanoTime();
            if (section.rounds() != lastRounds) {
                lastRounds = section.rounds();
                lastMove = now;
            }
            if (!stopped && now - released >= budget.toNanos()) {
                section.requestStop();
                stopped = true;
            }
            if (now - lastMove > STALL.toNanos()) fail("no round completed for " + STALL.toSeconds() + " s: " + section);
        }
        return section.rounds();
    }
}
