package testbed.scopes;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import testbed.peer.PeerClient;
import testbed.peer.PeerProcess;
import testbed.proto.v1.HoldSpec;
import testbed.region.Region;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fault cases: the peer killed mid-scope, calls carrying a scope id the peer does not
 * know, and the subtasks' channel shut down under their streams. The scope must fail with the
 * status that names the fault, and nothing may hang or be left running. Each method is one
 * case of {@link ScopesSuite#CASES}, named after it.
 */
final class Faults {
    private Faults() {}

    /**
     * peer_dies: a peer of the scenario's own is killed once both streams started; the scope
     * fails with UNAVAILABLE and nothing hangs. Its Go records died with it: the Go count is n/a,
     * and the count the doomed peer took just before the kill is reported instead.
     */
    static void peerDies(Run r) throws Exception {
        r.structured = false;
        Region region = Region.create();
        PeerProcess process = null;
        PeerClient client = null;
        try {
            process = PeerProcess.start(PeerProcess.defaultBinary(), region.path());
            client = new PeerClient(process);
            r.calls = new ScopeCalls(client.channel());
            r.calls.begin(r.scopeId);
            PeerProcess doomed = process;
            PeerClient doomedClient = client;
            CountDownLatch bothStarted = new CountDownLatch(2);
            AtomicReference<Throwable> killerFault = new AtomicReference<>();
            AtomicReference<Integer> countedBeforeKill = new AtomicReference<>();
            Thread killer = Thread.ofVirtual().name("scopes-killer-" + r.scopeId).start(() -> {
                try {
                    if (bothStarted.await(ScopeCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                        // The Go count this scenario can take: on the doomed peer, just before the kill.
                        countedBeforeKill.set(doomedClient.inspect(List.of(r.scopeId)).getGoroutinesByScopeOrDefault(r.scopeId, 0));
                        doomed.killNow();
                    }
                } catch (Throwable t) {
                    killerFault.set(t);
                }
            });
            twoStreamsFailUnavailable(r, bothStarted, null);
            r.closed();
            r.killedPeer = process;
            r.goNotCounted = "the scope's peer was killed";
            killer.join(ScopeCalls.CALL_BOUND);
            if (killerFault.get() != null) r.problem("killing the peer failed: " + killerFault.get());
            if (process.isAlive()) r.problem("the peer was not killed: its streams never both started");
            Integer before = countedBeforeKill.get();
            if (before != null && before < 8) r.problem("the doomed peer counted " + before + " goroutine(s) of the scope before the kill, want the two streams' 8");
            r.javaSaw += "; the doomed peer counted " + (before == null ? "nothing" : before + " goroutines of the scope") + " just before the kill";
        } finally {
            if (client != null) client.close();
            if (process != null) process.close();
            region.close();
        }
    }

    /** unknown_scope_id: the calls carry an id the peer never opened; FAILED_PRECONDITION naming it ends the scope, and nothing is counted under it. */
    static void unknownScopeId(Run r) throws Exception {
        r.callScopeId = "never-opened-" + r.scopeId;
        r.goNotCounted = "no call carried the scope's id";
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4), null, true));
            scope.fork(r.stream(r.spec("s1", 4), null, true));
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            Status st = Status.fromThrowable(e.getCause());
            r.javaSaw = "FailedException: " + st.getCode();
            if (st.getCode() != Status.Code.FAILED_PRECONDITION || st.getDescription() == null
                    || !st.getDescription().contains("\"" + r.callScopeId + "\" is not open")) {
                r.problem("the scope failed with " + st + ", want FAILED_PRECONDITION naming scope id " + r.callScopeId);
            }
        }
        r.closed();
        int counted = r.session().peer().inspect(List.of(r.callScopeId)).getGoroutinesByScopeOrDefault(r.callScopeId, 0);
        if (counted != 0) r.problem(counted + " goroutine(s) counted under the unknown scope id after close()");
        r.javaSaw += "; " + counted + " goroutine(s) counted under the unknown id after close()";
    }

    /** stream_reset: the subtasks' own channel is shut down once both streams started; the scope fails with UNAVAILABLE; the Go calls end canceled. */
    static void streamReset(Run r) throws Exception {
        r.structured = false;
        ManagedChannel channel = r.session().peerProcess().channelBuilder().build();
        try {
            r.calls = new ScopeCalls(channel);
            CountDownLatch bothStarted = new CountDownLatch(2);
            Thread resetter = Thread.ofVirtual().name("scopes-reset-" + r.scopeId).start(() -> {
                try {
                    if (bothStarted.await(ScopeCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) channel.shutdownNow();
                } catch (InterruptedException ignored) {
                    // the scope ended first
                }
            });
            twoStreamsFailUnavailable(r, bothStarted, "canceled");
            r.closed();
            resetter.join(ScopeCalls.CALL_BOUND);
            // EndScope goes through the harness's own channel: this one is shut down.
            r.calls = r.harnessCalls();
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Forks two held streams, s0 and s1, on {@code r}'s calls into a scope that must fail with
     * UNAVAILABLE once the fault the caller arranged strikes (each stream's start counts down
     * {@code bothStarted}, which the fault waits for); {@code goEnd}, when not null, is how each
     * Go call must end.
     */
    private static void twoStreamsFailUnavailable(Run r, CountDownLatch bothStarted, String goEnd) throws InterruptedException {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            for (String id : List.of("s0", "s1")) {
                HoldSpec spec = r.spec(id, 4).build();
                if (goEnd != null) r.expectedEnds.put(id, goEnd);
                ScopeCalls on = r.calls;
                scope.fork(() -> HeldStream.hold(on.async(r.scopeId), spec, s -> {
                    r.started(s);
                    bothStarted.countDown();
                }));
            }
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            Status st = Status.fromThrowable(e.getCause());
            r.javaSaw = "FailedException: " + st.getCode();
            if (st.getCode() != Status.Code.UNAVAILABLE) r.problem("the scope failed with " + st + ", want UNAVAILABLE");
        }
    }
}
