package testbed.cancel;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import testbed.cancel.TaskWatchdog.JavaWork;
import testbed.ffi.NativeWorkers;
import testbed.harness.Session;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;
import testbed.proto.v1.WorkSpec;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static testbed.cancel.OwnerCancelledScope.NOT_CANCELLED_BY_OWNER;
import static testbed.cancel.TrialChecks.DEADLINE_MS;
import static testbed.cancel.TrialChecks.joinOrFail;
import static testbed.cancel.TrialChecks.spec;

/**
 * C workers polling a region cancel flag, as initiator x owner (docs/CANCELLATION.md):
 * workers Java started through FFM ({@link NativeWorkers}) or the peer started through cgo,
 * stopped by a Java cancel, the Go server's cancel or a Java deadline (through the Go
 * handler, which sets the flag), or by a Java owner that sets the flag itself when its
 * stream fails (the peer's death, a cut connection) or its scope is cancelled.
 */
final class NativeWorkerCases {
    /** Native workers must have been joined within this long after the cancel. */
    static final Duration NATIVE_JOIN_BOUND = Duration.ofSeconds(10);
    /** What the native-worker check reports when workers outlived their join; the broken variant must show it. */
    static final String NATIVE_LEAK = "native workers alive after the join";

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final TrialChecks checks;
    private final Session session;
    private final CancelCalls calls;
    /** The region cancel flag and counter slot these cases use, claimed from the session by the suite. */
    private final int flag;
    private final int slot;

    NativeWorkerCases(TrialChecks checks, int flag, int slot) {
        this.checks = checks;
        this.session = checks.session;
        this.calls = checks.calls;
        this.flag = flag;
        this.slot = slot;
    }

    /** The case as it holds: workers that poll the flag, the full join bound. */
    Trial nativeWorkerCancelledViaGoHandler(String id) {
        return nativeWorkerCancelledViaGoHandler(id, false, NATIVE_JOIN_BOUND);
    }

    /**
     * C workers started through FFM poll a region cancel flag; Java cancels a bidi stream whose
     * Go handler sets that flag when its work observes the cancel. The latency ends when the
     * workers have been joined (an upper bound of their observing the flag). With {@code
     * ignoresFlag} (the broken variant) the workers are started without the flag's address, so
     * they never see the cancel and the worker count must name them.
     */
    Trial nativeWorkerCancelledViaGoHandler(String id, boolean ignoresFlag, Duration joinBound) {
        List<String> problems = new ArrayList<>();
        try (NativeWorkers workers = startWorkers(ignoresFlag)) {
            CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id),
                    spec(id, 2).setRegionCancelFlag(flag + 1).build());
            c.awaitFirstTick();
            long t0 = System.nanoTime();
            c.cancelPlain("java client cancelled", null);
            long joinedNs = workers.join(joinBound, problems);
            Status js = c.awaitEnd();
            ObserveResponse o = calls.observe(id);
            if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
            if (o.getRegionFlagSetNs() == 0) problems.add("the Go handler did not set region cancel flag " + flag);
            int alive = aliveCheck(problems);
            return checks.finishTrial(id, o, js.getCode() + "; native workers " + alive,
                    joinedNs == Trial.NONE ? Trial.NONE : Math.max(joinedNs, o.getLastStoppedNs()) - t0, problems);
        }
    }

    /** The Go handler cancels its server stream (with a cause) after 3 ticks; C workers stop through the flag. */
    Trial nativeWorkerCancelledByGoServerCancel(String id) {
        return javaWorkersUnder(id, Status.Code.CANCELLED, Set.of("canceled"), goServerCancel(id));
    }

    /** A {@value TrialChecks#DEADLINE_MS} ms Java deadline on a unary call; C workers stop through the flag. */
    Trial nativeWorkerCancelledByJavaDeadline(String id) {
        return javaWorkersUnder(id, Status.Code.DEADLINE_EXCEEDED, Set.of("canceled", "deadline_exceeded"), javaDeadline(id));
    }

    /**
     * The peer's own native workers: the Go handler starts 2 C worker threads through cgo (the
     * shim's workers, linked into the peer) polling the region cancel flag, and sets that flag
     * as its work observes Java's cancel. The handler joins them before it records its end.
     */
    Trial peerNativeWorkerCancelledByJava(String id) {
        return peerWorkersUnder(id, Status.Code.CANCELLED, Set.of("canceled"), spec -> {
            CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec.build());
            c.awaitFirstTick();
            long t0 = System.nanoTime();
            c.cancelPlain("java client cancelled", null);
            return new Initiated(c.awaitEnd(), t0);
        });
    }

    /** The peer's own native workers under the Go handler's cancel of its server stream. */
    Trial peerNativeWorkerCancelledByGoServerCancel(String id) {
        return peerWorkersUnder(id, Status.Code.CANCELLED, Set.of("canceled"), goServerCancel(id));
    }

    /** The peer's own native workers under a {@value TrialChecks#DEADLINE_MS} ms Java deadline on a unary call. */
    Trial peerNativeWorkerCancelledByJavaDeadline(String id) {
        return peerWorkersUnder(id, Status.Code.DEADLINE_EXCEEDED, Set.of("canceled", "deadline_exceeded"), javaDeadline(id));
    }

    /**
     * Native workers owned by a ticking stream on a spare peer, which is killed mid-stream: the
     * Java consumer sees the stream fail and sets the workers' cancel flag. The peer's own
     * record dies with it, so the Java side is all there is to assert.
     */
    Trial nativeWorkerCancelledByPeerDeath(String id) {
        try (SparePeer spare = new SparePeer()) {
            List<String> problems = new ArrayList<>();
            StreamOwnedWorkers w = ownedByStream(id, spare.calls, spare.process::killNow, Status.Code.UNAVAILABLE, problems);
            if (spare.process.isAlive()) problems.add("the killed peer is still alive");
            return Trial.saw(w.describe(), "killed (SIGKILL)")
                    .latency(w.joinedNs() == Trial.NONE ? Trial.NONE : Math.max(w.joinedNs(), w.consumerEndNs()) - w.t0Ns())
                    .problems(problems);
        }
    }

    /**
     * Native workers owned by a ticking stream that runs through the loopback proxy; the proxy
     * resets the connection after the first tick, the Java consumer sees the stream fail and
     * sets the workers' cancel flag. Asserts Java UNAVAILABLE, the flag set by Java, the workers
     * joined within the bound and none alive, and (the peer lives on) the Go handler's context
     * canceled with every goroutine stopped. Latency: the cut to the later of the join and the
     * last goroutine ended.
     */
    Trial nativeWorkerCancelledByConnectionCut(String id) {
        return checks.throughProxy((proxy, viaProxy) -> {
            List<String> problems = new ArrayList<>();
            StreamOwnedWorkers w = ownedByStream(id, viaProxy, proxy::cut, Status.Code.UNAVAILABLE, problems);
            ObserveResponse o = calls.observe(id);
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
            return checks.finishTrial(id, o, w.describe(),
                    w.joinedNs() == Trial.NONE ? Trial.NONE : Math.max(w.joinedNs(), o.getLastStoppedNs()) - w.t0Ns(), problems);
        });
    }

    /**
     * A StructuredTaskScope subtask runs two C workers (through FFM, on the session region's
     * cancel flag) and waits; the scope's owner cancels the scope, whose cancellation interrupts
     * the subtask, which sets the flag and joins the workers (at most {@link #NATIVE_JOIN_BOUND}).
     * Asserts the owner's close ended the scope, the subtask saw the interrupt and ended within
     * {@link TaskWatchdog#JAVA_TASK_BOUND}, the workers were joined and none is alive. Latency:
     * the owner's close to the later of the join and the subtask ending. No gRPC call is
     * involved: the chain is Java scope to C.
     */
    Trial nativeWorkerCancelledByStructuredScope(String id) {
        CountDownLatch ready = new CountDownLatch(1);
        TaskWatchdog dog = new TaskWatchdog(id, 1);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<JavaWork> subtask = new AtomicReference<>();
        AtomicLong joinedNs = new AtomicLong(Trial.NONE);
        AtomicInteger alive = new AtomicInteger(-1);
        OwnerCancelledScope closed = OwnerCancelledScope.run(id, List.of(() -> {
            dog.taskStarted();
            boolean interrupted = false;
            try (NativeWorkers workers = startWorkers(false)) {
                ready.countDown();
                try {
                    Thread.sleep(CancelCalls.CALL_BOUND);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                workers.setFlag();
                joinedNs.set(workers.join(NATIVE_JOIN_BOUND, problems));
                alive.set(aliveCheck(problems));
            } finally {
                subtask.set(new JavaWork(interrupted, System.nanoTime()));
                dog.taskEnded();
            }
            return null;
        }), ready, dog);
        List<String> all = new ArrayList<>(problems);
        if (!closed.byOwner()) all.add("the scope's join: " + closed.joinSaw() + ", " + NOT_CANCELLED_BY_OWNER);
        dog.finish(all);
        JavaWork w = subtask.get();
        if (w == null) all.add("the native workers' subtask never ran");
        else if (!w.interrupted()) all.add("the native workers' subtask was not interrupted within " + CancelCalls.CALL_BOUND.toSeconds() + " s");
        if (alive.get() < 0 && w != null) all.add("the native workers' subtask ended before it counted the workers");
        long latency = closed.cancelNs() == 0 || joinedNs.get() == Trial.NONE || w == null ? Trial.NONE
                : Math.max(joinedNs.get(), w.endNs()) - closed.cancelNs();
        return Trial.saw("scope closed by its owner; subtask " + (w != null && w.interrupted() ? "interrupted" : "not interrupted")
                + "; native workers " + alive.get(), "no Go call").latency(latency).problem(all.isEmpty() ? null : String.join("; ", all));
    }

    // ---- what the cases share ------------------------------------------------------------------

    /**
     * Two C worker threads started through FFM that poll this suite's region cancel flag
     * (cleared first) and count on its slot; with {@code ignoresFlag} (a broken variant) they
     * are started without the flag's address. Closing them stops and joins workers a trial
     * left running and clears the flag, so none outlives its trial.
     */
    NativeWorkers startWorkers(boolean ignoresFlag) {
        return NativeWorkers.start(session.panama(), session.region().counterSlot(slot), session.region().cancelFlag(flag),
                2, NativeWorkers.Work.COUNTING, !ignoresFlag);
    }

    /** The native worker threads alive in this process: any is a leak ({@link #NATIVE_LEAK}). */
    int aliveCheck(List<String> problems) {
        int alive = session.panama().workersAlive();
        if (alive != 0) problems.add("leak: " + alive + " " + NATIVE_LEAK);
        return alive;
    }

    /** How a native-worker trial's call ends: what Java saw, and the initiator's instant (0: the Go server's cancel). */
    record Initiated(Status javaSaw, long t0Ns) {}

    /**
     * C workers started through FFM poll a region cancel flag that the Go handler sets when its
     * work observes the cancel, which {@code initiator} starts and sees to the end of the call.
     * The initiator runs on a virtual thread while this thread joins the workers, so the join
     * returns when they stopped, not after the call's status came back. When a deadline
     * expired before any handler ran, no one else will set the flag: the initiator's thread
     * sets it (Java stops its own workers) and the trial does not exercise the case.
     */
    private Trial javaWorkersUnder(String id, Status.Code javaWant, Set<String> goWant, Function<WorkSpec.Builder, Initiated> initiator) {
        List<String> problems = new ArrayList<>();
        try (NativeWorkers workers = startWorkers(false)) {
            AtomicReference<Initiated> ended = new AtomicReference<>();
            AtomicBoolean neverStarted = new AtomicBoolean();
            AtomicReference<RuntimeException> fault = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().name("cancel-native-" + id).start(() -> {
                try {
                    Initiated end = initiator.apply(spec(id, 2).setRegionCancelFlag(flag + 1));
                    ended.set(end);
                    if (javaWant == Status.Code.DEADLINE_EXCEEDED && calls.observeIfStarted(id, TrialChecks.NEVER_STARTED_SETTLE).isEmpty()) {
                        neverStarted.set(true);
                        workers.setFlag();
                    }
                } catch (RuntimeException e) {
                    fault.set(e);
                    workers.setFlag();
                }
            });
            long joinedNs = workers.join(NATIVE_JOIN_BOUND, problems);
            joinOrFail(caller, "the Java caller of " + id);
            if (fault.get() != null) throw fault.get();
            Initiated end = ended.get();
            if (neverStarted.get()) return checks.deadlineBeforeHandler(id, end.javaSaw());
            ObserveResponse o = calls.observe(id);
            if (end.javaSaw().getCode() != javaWant) problems.add("Java saw " + end.javaSaw() + ", want " + javaWant);
            if (!goWant.contains(o.getContextError())) problems.add("Go saw '" + o.getContextError() + "', want " + goWant);
            if (o.getRegionFlagSetNs() == 0) problems.add("the Go handler did not set region cancel flag " + flag);
            int alive = aliveCheck(problems);
            long t0 = end.t0Ns() != 0 ? end.t0Ns() : o.getServerCancelledNs();
            return checks.finishTrial(id, o, end.javaSaw().getCode() + "; native workers " + alive,
                    joinedNs == Trial.NONE ? Trial.NONE : Math.max(joinedNs, o.getLastStoppedNs()) - t0, problems);
        }
    }

    /**
     * The peer's own native workers (2, through cgo, polling the region cancel flag) under the
     * call {@code initiator} makes and ends: asserts Java's status, the Go context error, that
     * the peer started both workers, set the flag and joined them with none alive; the latency
     * runs from the initiator's instant (the handler's own cancel when it gives none) to the
     * later of the peer's join and the last goroutine's stop. A deadline that expired before
     * the handler ran started no worker: such a trial does not exercise the case.
     */
    private Trial peerWorkersUnder(String id, Status.Code javaWant, Set<String> goWant, Function<WorkSpec.Builder, Initiated> initiator) {
        MemorySegment cancelFlag = session.region().cancelFlag(flag);
        LONG.setVolatile(cancelFlag, 0L, 0L);
        try {
            Initiated end = initiator.apply(spec(id, 2).setRegionCancelFlag(flag + 1).setPeerNativeWorkers(2));
            Optional<ObserveResponse> started = javaWant == Status.Code.DEADLINE_EXCEEDED
                    ? calls.observeIfStarted(id, TrialChecks.NEVER_STARTED_SETTLE) : Optional.of(calls.observe(id));
            if (started.isEmpty()) return checks.deadlineBeforeHandler(id, end.javaSaw());
            ObserveResponse o = started.get();
            List<String> problems = new ArrayList<>();
            if (end.javaSaw().getCode() != javaWant) problems.add("Java saw " + end.javaSaw() + ", want " + javaWant);
            if (!goWant.contains(o.getContextError())) problems.add("Go saw '" + o.getContextError() + "', want " + goWant);
            if (o.getPeerNativeStarted() != 2) problems.add("the peer started " + o.getPeerNativeStarted() + " native workers, want 2");
            if (!o.getPeerNativeProblem().isEmpty()) problems.add("the peer's native workers: " + o.getPeerNativeProblem());
            if (o.getPeerNativeAliveAfter() != 0) problems.add(o.getPeerNativeAliveAfter() + " native workers alive in the peer after the join");
            if (o.getRegionFlagSetNs() == 0) problems.add("the Go handler did not set region cancel flag " + flag);
            long t0 = end.t0Ns() != 0 ? end.t0Ns() : o.getServerCancelledNs();
            return checks.finishTrial(id, o, end.javaSaw().getCode() + "; peer native workers " + o.getPeerNativeAliveAfter(),
                    Math.max(o.getPeerNativeJoinedNs(), o.getLastStoppedNs()) - t0, problems);
        } finally {
            LONG.setVolatile(cancelFlag, 0L, 0L);
        }
    }

    /** An initiator: a server stream whose Go handler cancels it (with a cause) after 3 ticks; the instant is the handler's. */
    private Function<WorkSpec.Builder, Initiated> goServerCancel(String id) {
        return spec -> {
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec.setServerCancelAfter(3)
                    .setServerCause(TrialChecks.goCause(id))).build();
            Status st;
            try {
                Iterator<WorkStreamResponse> it = calls.blocking(id).withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS).workStream(req);
                while (it.hasNext()) it.next();
                st = Status.OK;
            } catch (StatusRuntimeException e) {
                st = e.getStatus();
            }
            return new Initiated(st, 0);
        };
    }

    /** An initiator: a unary call with a {@value TrialChecks#DEADLINE_MS} ms Java deadline; the instant is the deadline's. */
    private Function<WorkSpec.Builder, Initiated> javaDeadline(String id) {
        return spec -> {
            var stub = calls.blocking(id);
            long start = System.nanoTime();
            Status st;
            try {
                stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).work(WorkRequest.newBuilder().setSpec(spec).build());
                st = Status.OK;
            } catch (StatusRuntimeException e) {
                st = e.getStatus();
            }
            return new Initiated(st, start + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS));
        };
    }

    /**
     * What a trial of {@link #ownedByStream} saw: Java's status, the disruption's instant, the
     * workers' join ({@link Trial#NONE}: still running after the bound), the Java consumer's
     * end, the workers alive after the join, and whether the consumer set the flag.
     */
    record StreamOwnedWorkers(Status javaSaw, long t0Ns, long joinedNs, long consumerEndNs, int alive, boolean flagSetByJava) {
        String describe() {
            return javaSaw.getCode() + (flagSetByJava ? "; flag set by the Java consumer" : "; flag not set") + "; native workers " + alive;
        }
    }

    /**
     * Two C workers (see {@link NativeWorkers}) belong to a ticking {@code WorkStream} that a
     * Java virtual thread consumes through {@code via}; when the stream ends the consumer sets
     * their cancel flag (a Java owner stopping its work because its stream failed). Once the
     * stream ticked, {@code disrupt} runs (the peer killed, the connection cut). Asserts: Java
     * saw {@code javaWant}, the consumer ended, the workers were joined within {@link
     * #NATIVE_JOIN_BOUND} and none is alive. The caller adds what it can see of the Go side.
     */
    private StreamOwnedWorkers ownedByStream(String id, CancelCalls via, Runnable disrupt, Status.Code javaWant, List<String> problems) {
        try (NativeWorkers workers = startWorkers(false)) {
            AtomicBoolean flagSet = new AtomicBoolean();
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec(id, 2).setTickIntervalMs(1)).build();
            CancelCalls.TickConsumer consumer = new CancelCalls.TickConsumer(via, id, req, () -> {
                workers.setFlag();
                flagSet.set(true);
            });
            consumer.awaitFirstTick("the first tick of the stream that owns the native workers");
            long t0 = System.nanoTime();
            disrupt.run();
            long joinedNs = workers.join(NATIVE_JOIN_BOUND, problems);
            if (!consumer.join(CancelCalls.CALL_BOUND.plusSeconds(2))) {
                problems.add("the Java consumer still running " + (CancelCalls.CALL_BOUND.toSeconds() + 2) + " s after the disruption");
            }
            Status js = consumer.status();
            if (js.getCode() != javaWant) problems.add("Java saw " + js + ", want " + javaWant);
            int alive = aliveCheck(problems);
            return new StreamOwnedWorkers(js, t0, joinedNs, consumer.endNs(), alive, flagSet.get());
        }
    }
}
