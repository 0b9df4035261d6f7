package testbed.scopes;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import testbed.ffi.NativeWorkers;
import testbed.harness.Session;
import testbed.peer.PeerProcess;
import testbed.proto.v1.CallRecord;
import testbed.proto.v1.HoldSpec;
import testbed.proto.v1.HoldStarted;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * One trial of a scenario: what its body records (the problems it saw, what it expects of
 * each Go call and native worker, when close() returned), and what the harness checks after
 * it ({@link Leftovers#measure}). A scenario builds its subtasks through it, so that every
 * stream carries the trial's scope id and registers what it expects when it runs.
 */
final class Run {
    final String scopeId;
    private final ScopesSuite suite;
    /** Calls are made on this; a scenario may point it at another channel or peer. */
    ScopeCalls calls;
    /** The scope id the subtasks' calls carry; the scenario's own unless it tests a wrong one. */
    String callScopeId;
    /** True when every Go handler must have returned before close() returned (the cause protocol's cancel). */
    boolean structured = true;
    /** Set when the scenario killed the peer: its Go records are gone with it. */
    PeerProcess killedPeer;
    /** Why this trial has no Go leftover count (reported n/a, not 0); null when it has one. */
    String goNotCounted;
    /** True when the scope's goroutines start native workers in the peer: the C count then adds the peer's. */
    boolean peerNatives;
    /** The peer's whole-process goroutine count when the scope opened. */
    int goTotalBefore;
    long closedNs;
    String javaSaw = "";
    final List<String> problems = new CopyOnWriteArrayList<>();
    /** Filled by subtasks as they start (a fork made after the scope was cancelled never runs, and expects nothing). */
    final Map<String, String> expectedEnds = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, String> expectedNativeStop = new ConcurrentHashMap<>();
    final Map<String, String> nativeStoppedBy = new ConcurrentHashMap<>();
    /** Per call whose Hold stream started, the goroutines its errgroup started (HoldStarted). */
    final Map<String, Integer> goroutinesStarted = new ConcurrentHashMap<>();
    final List<Consumer<List<CallRecord>>> recordChecks = new ArrayList<>();
    /** Run after the leftovers are counted, whatever the trial found: a broken variant releases what it planted here. */
    final List<Runnable> cleanups = new ArrayList<>();
    private int nextFlag;

    Run(ScopesSuite suite, String scopeId) {
        this.suite = suite;
        this.scopeId = scopeId;
        this.callScopeId = scopeId;
        this.calls = suite.calls();
    }

    /** The session the suite runs in. */
    Session session() {
        return suite.session();
    }

    /** The harness's own calls on the main peer, whatever channel or peer the scenario points {@link #calls} at. */
    ScopeCalls harnessCalls() {
        return suite.calls();
    }

    /** The timer gRPC context deadlines run on, for the length of the suite's run. */
    ScheduledExecutorService deadlineTimer() {
        return suite.deadlineTimer;
    }

    /** One C worker waiting for region cancel flag {@code flag} ({@link ScopesSuite#nativeWorkers}). */
    NativeWorkers nativeWorkers(int flag) {
        return suite.nativeWorkers(flag);
    }

    void problem(String p) {
        problems.add(p);
    }

    /** Notes that close() returned; every scenario calls it once its scope has closed. */
    void closed() {
        closedNs = System.nanoTime();
    }

    /** What a Hold stream of this trial does when its handler has started: notes its errgroup's goroutines. */
    void started(HoldStarted s) {
        goroutinesStarted.put(s.getCallId(), s.getGoroutines());
    }

    HoldSpec.Builder spec(String callId, int goroutines) {
        return HoldSpec.newBuilder().setCallId(callId).setGoroutines(goroutines);
    }

    /**
     * A subtask that holds a Hold stream running {@code spec} (expected to end in Go as
     * {@code goEnd}) and, with {@code natives}, one native worker polling a region
     * flag the Go handler sets when its errgroup has ended.
     */
    Callable<String> stream(HoldSpec.Builder spec, String goEnd, boolean natives) {
        String id = spec.getCallId();
        int flag = -1;
        if (natives) {
            flag = allocateFlag();
            spec.setRegionCancelFlag(flag + 1);
        }
        HoldSpec built = spec.build();
        int flagIndex = flag;
        ScopeCalls on = calls;
        String carried = callScopeId;
        return () -> {
            // Expectations are registered when the subtask runs, not when it is built: a
            // fork made after the scope was cancelled never runs and makes no call.
            if (goEnd != null) expectedEnds.put(id, goEnd);
            if (flagIndex >= 0) expectedNativeStop.put(id, goEnd == null ? "java" : "go");
            NativeWorkers nw = flagIndex < 0 ? null : nativeWorkers(flagIndex);
            try {
                return HeldStream.hold(on.async(carried), built, this::started);
            } finally {
                if (nw != null) nativeStoppedBy.put(id, nw.finish(goEnd == null ? Duration.ZERO : ScopesSuite.NATIVE_BOUND));
            }
        };
    }

    /**
     * Gives {@code spec} a native worker under a goroutine: one more goroutine of its Go
     * errgroup starts a native worker in the peer (cgo) on a region flag of its own, and
     * stops and joins it when the errgroup's context ends. Checked: the worker was
     * started, stopped by its flag, and ended before the handler.
     */
    HoldSpec.Builder nativeUnderGoroutine(HoldSpec.Builder spec) {
        peerNatives = true;
        spec.setGoroutineNativeFlag(allocateFlag() + 1);
        String id = spec.getCallId();
        boolean leak = spec.getNativeLeak();
        recordChecks.add(records -> {
            for (CallRecord c : records) {
                if (!c.getCallId().equals(id)) continue;
                if (c.getNativeWorkersStarted() != 1) problem("Go call " + id + " started " + c.getNativeWorkersStarted() + " native workers under its goroutine, want 1");
                else if (!leak && (!c.getNativeStoppedByFlag() || c.getNativeEndedNs() == 0 || c.getNativeEndedNs() > c.getEndedNs())) {
                    problem("Go call " + id + ": its goroutine's native worker was not stopped by its flag before the handler ended (" + c + ")");
                }
            }
        });
        return spec;
    }

    /** A region cancel flag of this suite's range that no other subtask of the trial uses. */
    int allocateFlag() {
        return suite.flag(nextFlag++);
    }

    /** Checks that {@code cause} is the Go errgroup's failure of call {@code callId}: ABORTED with testbed.go/GOROUTINE_FAILED. */
    void expectGoFailure(Throwable cause, String callId) {
        Status st = Status.fromThrowable(cause);
        ErrorInfo info = ScopeCalls.errorInfo(cause);
        if (st.getCode() != Status.Code.ABORTED) problem("the scope failed with " + st + ", want ABORTED from the Go errgroup");
        if (info == null || !info.getReason().equals("GOROUTINE_FAILED") || !info.getDomain().equals("testbed.go")
                || !callId.equals(info.getMetadataMap().get("call_id"))) {
            problem("ErrorInfo " + info + ", want testbed.go/GOROUTINE_FAILED for call " + callId);
        }
    }

    /** Waits until the peer counts at least {@code n} goroutines under this scope (bounded). */
    void awaitGoroutines(int n) throws InterruptedException {
        long deadline = System.nanoTime() + ScopeCalls.CALL_BOUND.toNanos();
        while (session().peer().inspect(List.of(scopeId)).getGoroutinesByScopeOrDefault(scopeId, 0) < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the peer never counted " + n + " goroutines of " + scopeId);
            Thread.sleep(2);
        }
    }

    /** Waits up to {@code bound} for the main peer to count no goroutine under this scope; returns quietly either way. */
    void awaitNoGoroutines(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (session().peer().inspect(List.of(scopeId)).getGoroutinesByScopeOrDefault(scopeId, 0) > 0) {
            if (System.nanoTime() > deadline) return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits up to {@code bound} for the peer's whole-process goroutine count to be back at {@link #goTotalBefore}. */
    void awaitGoroutineTotalBack(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (session().peer().inspect(List.of()).getGoroutinesTotal() > goTotalBefore && System.nanoTime() < deadline) sleepQuietly(10);
    }

    /** Sleeps {@code ms}; an interrupt ends the sleep early and stays set. */
    static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
