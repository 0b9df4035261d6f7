package testbed.scopes;

import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import testbed.Mode;
import testbed.ffi.NativeWorkers;
import testbed.harness.CaseTrials;
import testbed.harness.Progress;
import testbed.harness.Session;
import testbed.peer.PeerClient;
import testbed.peer.PeerProcess;
import testbed.proto.v1.CallRecord;
import testbed.proto.v1.EndScopeResponse;
import testbed.proto.v1.HoldRequest;
import testbed.proto.v1.HoldResponse;
import testbed.proto.v1.HoldResult;
import testbed.proto.v1.HoldSpec;
import testbed.proto.v1.HoldStarted;
import testbed.proto.v1.HoldUnaryRequest;
import testbed.region.Region;
import testbed.report.CaseResult;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The scope suite (docs/SCOPES.md): a Java {@code StructuredTaskScope} whose subtasks
 * hold gRPC streams, behind each a Go errgroup, and native C workers. The promise checked
 * in every scenario: when {@code join()} has returned and the scope has closed, everything
 * the scope caused has ended in every runtime, and the report says how long after
 * {@code close()} returned the last remote child ended.
 *
 * <p>Leftovers are counted in each runtime after close: Go, the goroutines the peer still
 * counts under the scope id after {@link #LEAK_BOUND} (EndScope); Java, the threads still in
 * the scope's thread containers and the threads started since the scope opened
 * ({@link JavaThreads}, from a JSON thread dump that includes virtual threads); C, the shim's
 * live worker count after {@link #LEAK_BOUND}.
 */
public final class ScopesSuite {
    public static final String NAME = "scopes";
    public static final String TITLE = "Structured-scope lifetimes across Java, Go and C: leftovers per runtime and time outliving close().";
    /** This suite as a run sees it. */
    public static final testbed.harness.Suite SUITE = testbed.harness.Suite.of(NAME, TITLE,
            (session, settings, progress) -> new ScopesSuite(session, progress).run(settings.mode()));

    /** Leftovers are whatever still runs this long after close() returned. */
    static final Duration LEAK_BOUND = Duration.ofSeconds(1);
    /** A subtask's native workers must stop on the Go side's flag within this long once its call ended. */
    static final Duration NATIVE_BOUND = Duration.ofSeconds(1);
    /** How many region cancel flags this suite claims: one per native subtask of a scenario. */
    static final int FLAG_COUNT = 16;
    /** The broken Go handler's stray goroutine sleeps this long, well past LEAK_BOUND. */
    static final int LEAK_MS = 2_500;
    /** The deaf handler's goroutines take this long to return once reset; its subtask waits DEAF_END_BOUND for the end. */
    static final int UNWIND_MS = 200;
    static final Duration DEAF_END_BOUND = Duration.ofMillis(300);
    /** The deadline the context cases attach around the scope. */
    static final Duration SCOPE_DEADLINE = Duration.ofSeconds(5);
    static final Duration SCOPE_TIMEOUT = Duration.ofMillis(150);
    /** How a problem with the Go process's total goroutine count begins. */
    static final String GO_PROCESS_GREW = "the Go peer's process grew";

    private final Session session;
    private final ScopeCalls calls;
    private final PrintStream progress;
    private final String nonce = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    /** Timer for gRPC context deadlines, for the length of {@link #run}; its thread exists before any scenario's first thread dump. */
    ScheduledThreadPoolExecutor deadlineTimer;

    /** The cancel flags the native subtasks poll, and the counter slot their workers wait at (kept at 0). */
    private final Session.Claim flags;
    private final int gateSlot;

    public ScopesSuite(Session session, PrintStream progress) {
        this.session = session;
        this.flags = session.cancelFlags(NAME, FLAG_COUNT);
        this.gateSlot = session.counterSlots(NAME, 1).at(0);
        this.calls = new ScopeCalls(session.peer().channel());
        this.progress = progress;
    }

    /** One C worker started through FFM, waiting for region cancel flag {@code flag}, which the Go handler of its call sets. */
    NativeWorkers nativeWorkers(int flag) {
        return NativeWorkers.start(session.panama(), session.region().counterSlot(gateSlot), session.region().cancelFlag(flag), 1,
                NativeWorkers.Work.WAITING, true);
    }

    @FunctionalInterface
    interface Scenario {
        void run(Run r) throws Exception;
    }

    /**
     * What a deliberately broken variant must be caught at: a leftover in Go or in Java, or
     * C, in the Go process's total goroutine count (GO_PROCESS), or (OUTLIVE) a Go handler returning after close() where the subtasks cancel structurally;
     * NONE for a scenario that must hold.
     */
    enum Leaks {
        NONE("nothing"),
        GO("a goroutine of the scope left running after close()"),
        GO_PROCESS("a goroutine without the scope's label left running"),
        JAVA("a Java thread left running after close()"),
        C("a native worker left running after close()"),
        OUTLIVE("a Go handler that returns after close()");

        /** The fault a broken variant of this kind plants, in words. */
        final String planted;

        Leaks(String planted) {
            this.planted = planted;
        }
    }

    public SuiteResult run(Mode mode) {
        int trials = mode == Mode.QUICK ? 1 : (int) mode.scale(3);
        List<CaseResult> cases = new ArrayList<>();
        // The cases in run order, built before the first runs so that progress can count them.
        List<Supplier<CaseResult>> plan = new ArrayList<>();
        deadlineTimer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("scopes-deadline-timer").factory());
        deadlineTimer.prestartAllCoreThreads();
        ManagedChannel eventLoopHolder = null;
        try {
            eventLoopHolder = warmUpEventLoops();
            plan.add(() -> runCase("all_succeed", "Three subtasks' streams, each a Go errgroup of 4 and a native worker, all succeed; nothing outlives close().",
                    trials, Leaks.NONE, this::allSucceed));
            plan.add(() -> runCase("go_goroutine_fails", "One Go goroutine fails: its errgroup cancels its siblings, ABORTED with ErrorInfo fails the Java scope, which cancels the other streams.",
                    trials, Leaks.NONE, this::goGoroutineFails));
            plan.add(() -> runCase("java_subtask_fails", "A Java subtask throws; the scope cancels the subtasks holding streams; their Go errgroups and native workers end.",
                    trials, Leaks.NONE, this::javaSubtaskFails));
            plan.add(() -> runCase("scope_timeout", "Configuration.withTimeout(" + SCOPE_TIMEOUT.toMillis() + " ms) expires; join throws TimeoutException; every stream is cancelled.",
                    trials, Leaks.NONE, this::scopeTimeout));
            plan.add(() -> runCase("any_successful", "anySuccessfulResultOrThrow: the first result wins; the losers are cancelled in Go and in C.",
                    trials, Leaks.NONE, this::anySuccessful));
            plan.add(() -> runCase("await_all", "awaitAll: one Go errgroup fails, two succeed; nothing is cancelled; each subtask keeps its outcome.",
                    trials, Leaks.NONE, this::awaitAll));
            plan.add(() -> runCase("owner_interrupted", "The scope's owner is interrupted in join(); close() cancels every stream.",
                    trials, Leaks.NONE, this::ownerInterrupted));
            plan.add(() -> runCase("nested", "A scope inside a subtask, errgroups inside errgroups, native workers the Go handlers' flags stop; a Go failure unwinds them all.",
                    trials, Leaks.NONE, this::nested));
            plan.add(() -> peerNativeCase("nested_native_under_goroutine", "A scope inside a subtask; in Go an errgroup inside the handler and a native worker started by a goroutine (cgo) that stops and joins it when the errgroup's context ends; a Go failure unwinds them all.",
                    trials, Leaks.NONE, this::nestedNativeUnderGoroutine));
            plan.add(() -> runCase("context_lost_across_forks", "A gRPC Context deadline attached around the scope does not reach the forks' calls (grpc-java's Context is a ThreadLocal).",
                    1, Leaks.NONE, r -> contextAcrossForks(r, false, ScopeCalls.CALL_BOUND, 5)));
            plan.add(() -> runCase("context_propagated_across_forks", "GrpcContextForks.fork: the deadline set when the scope opens reaches Go as grpc-timeout on every fork.",
                    trials, Leaks.NONE, r -> contextAcrossForks(r, true, ScopeCalls.CALL_BOUND, 5)));
            plan.add(() -> runCase("interrupt_cancels_blocking_stub", "A subtask blocked in a blocking-stub unary call is interrupted by the scope; grpc-java cancels the call; the Go errgroup ends.",
                    trials, Leaks.NONE, r -> interruptCancels(r, Stub.BLOCKING)));
            plan.add(() -> runCase("interrupt_cancels_async_stub", "A subtask waiting on a future-stub call cancels it when interrupted; the Go errgroup ends.",
                    trials, Leaks.NONE, r -> interruptCancels(r, Stub.FUTURE)));
            plan.add(() -> runCase("interrupt_cancels_blocking_v2", "A subtask blocked in BlockingClientCall.read cancels the call itself when interrupted; the Go errgroup ends.",
                    trials, Leaks.NONE, r -> interruptCancels(r, Stub.BLOCKING_V2)));
            plan.add(() -> runCase("peer_dies", "The peer is killed mid-scope: the subtasks end with UNAVAILABLE, the scope fails, nothing hangs; counts are still taken.",
                    1, Leaks.NONE, this::peerDies));
            plan.add(() -> runCase("unknown_scope_id", "Subtasks call with a scope id the peer does not know: FAILED_PRECONDITION naming it ends the scope; no hang.",
                    1, Leaks.NONE, this::unknownScopeId));
            plan.add(() -> runCase("stream_reset", "The subtasks' channel is shut down mid-scope, resetting every stream; the scope fails with UNAVAILABLE; Go errgroups unwind.",
                    1, Leaks.NONE, this::streamReset));
            plan.add(() -> runCase("go_handler_leaks_goroutine", "Broken variant: a Go handler leaves a goroutine running after its stream ended; the Go count must name it.",
                    1, Leaks.GO, this::goHandlerLeaks));
            plan.add(() -> runCase("go_handler_leaks_unlabelled_goroutine", "Broken variant: a Go handler leaves behind a goroutine without the scope's label; the scope's count cannot see it, the process total must.",
                    1, Leaks.GO_PROCESS, this::goHandlerLeaksUnlabelled));
            plan.add(() -> runCase("java_subtask_leaks_thread", "Broken variant: a Java subtask starts a thread it does not own; the thread dump must name it.",
                    1, Leaks.JAVA, this::javaSubtaskLeaks));
            plan.add(() -> runCase("java_subtask_leaks_executor", "Broken variant: a Java subtask makes a thread pool and leaves a task running in it; the thread dump must name the pool's thread.",
                    1, Leaks.JAVA, this::javaSubtaskLeaksExecutor));
            plan.add(() -> runCase("c_subtask_leaves_workers", "Broken variant: a Java subtask starts native workers and returns without ending them; the shim's live count must find them after close().",
                    1, Leaks.C, this::cSubtaskLeavesWorkers));
            plan.add(() -> peerNativeCase("go_goroutine_leaves_native_worker", "Broken variant: a Go goroutine starts a native worker in the peer (cgo) and returns without stopping it; the peer's live worker count must find it after close().",
                    1, Leaks.C, this::goGoroutineLeavesNativeWorker));
            plan.add(() -> runCase("go_handler_ignores_notice", "Broken variant: a Go handler ignores the cancel notice and unwinds slowly; the subtask resets its stream after "
                            + DEAF_END_BOUND.toMillis() + " ms, and the check that no handler returns after close() must catch it.",
                    1, Leaks.OUTLIVE, this::goHandlerIgnoresNotice));
            plan.add(() -> runCase("blocking_v2_interrupt_alone_leaks", "Broken variant: a BlockingClientCall left alone on interrupt keeps its Go errgroup running after close(); the Go count must name it.",
                    1, Leaks.GO, r -> interruptCancels(r, Stub.BLOCKING_V2_NO_CANCEL)));
            try (Progress bar = Progress.start(progress, NAME, plan.size(), null)) {
                for (Supplier<CaseResult> c : plan) {
                    cases.add(c.get());
                    bar.advance();
                }
            }
        } finally {
            deadlineTimer.shutdownNow();
            if (eventLoopHolder != null) close(eventLoopHolder);
        }
        return new SuiteResult(NAME, TITLE, cases);
    }

    /**
     * grpc-java's netty transport shares one event loop group between channels, whose threads
     * start in the root container on demand, one per loop, the first time a connection lands
     * on that loop; they are the transport's, not a scope's. Connecting more channels than the
     * group has loops (netty's default: twice the processors) starts every one of them before
     * the first scenario, so that a scenario that opens a channel of its own finds them all
     * in its "before" dump. The group itself lives only while some channel uses it: grpc-java
     * destroys a shared group a second after its last channel ends, and the next channel then
     * starts a new group with new threads, inside a scenario's dump window (the peer's own client
     * runs on a group of its own, TransportThread). So the last warm-up channel is returned open,
     * and the caller keeps it until the suite ends.
     */
    private ManagedChannel warmUpEventLoops() {
        int loops = 2 * Runtime.getRuntime().availableProcessors() + 2;
        for (int i = 0; i < loops; i++) {
            ManagedChannel ch = session.peerProcess().channelBuilder().build();
            try {
                new ScopeCalls(ch).end("scopes-warm-up-" + nonce, Duration.ZERO);
            } catch (RuntimeException e) {
                close(ch);
                throw e;
            }
            if (i == loops - 1) return ch;
            close(ch);
        }
        throw new IllegalStateException("unreachable: the loop returns its last channel");
    }

    private static void close(ManagedChannel ch) {
        ch.shutdownNow();
        try {
            ch.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the procedure every scenario shares ------------------------------------------------------

    /** One trial of a scenario: what the body records, and what the harness checks afterwards. */
    final class Run {
        final String scopeId;
        /** Calls are made on this; a scenario may point it at another channel or peer. */
        ScopeCalls calls = ScopesSuite.this.calls;
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
        /** The peer's own native workers still alive LEAK_BOUND after close(). */
        int peerCLeft;
        /** The peer's whole-process goroutine count when the scope opened. */
        int goTotalBefore;
        /** A broken variant's test that what a trial found is the leak it planted, not any leftover. */
        java.util.function.Predicate<Trial> planted;
        long closedNs;
        String javaSaw = "";
        final List<String> problems = new CopyOnWriteArrayList<>();
        /** Filled by subtasks as they start (a fork made after the scope was cancelled never runs, and expects nothing). */
        final Map<String, String> expectedEnds = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        final Map<String, String> expectedNativeStop = new ConcurrentHashMap<>();
        final Map<String, String> nativeStoppedBy = new ConcurrentHashMap<>();
        /** Per call whose Hold stream started, the goroutines its errgroup started (HoldStarted). */
        final Map<String, Integer> goroutinesStarted = new ConcurrentHashMap<>();
        final List<Consumer<List<CallRecord>>> recordChecks = new ArrayList<>();
        final List<Runnable> cleanups = new ArrayList<>();
        private int nextFlag;

        Run(String scopeId) {
            this.scopeId = scopeId;
            this.callScopeId = scopeId;
        }

        void problem(String p) {
            problems.add(p);
        }

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
                    if (nw != null) nativeStoppedBy.put(id, nw.finish(goEnd == null ? Duration.ZERO : NATIVE_BOUND));
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
            if (nextFlag >= FLAG_COUNT) throw new IllegalStateException("more than " + FLAG_COUNT + " native subtasks in one scenario");
            return flags.at(nextFlag++);
        }

        /** Waits until the peer counts at least {@code n} goroutines under this scope (bounded). */
        void awaitGoroutines(int n) throws InterruptedException {
            long deadline = System.nanoTime() + ScopeCalls.CALL_BOUND.toNanos();
            while (session.peer().inspect(List.of(scopeId)).getGoroutinesByScopeOrDefault(scopeId, 0) < n) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the peer never counted " + n + " goroutines of " + scopeId);
                Thread.sleep(2);
            }
        }
    }

    /** What one trial measured, for the case's tables. */
    record Trial(String javaSaw, Integer goLeft, Integer goAtEnd, int javaLeft, int cLeft, int cAtClose, long outliveNs,
                 long lastRemoteEndNs, int infraThreads, List<CallRecord> records, Map<String, String> nativeStoppedBy,
                 String javaLeftNames, int goTotalBefore, int goTotalAfter, String goNotCounted, boolean plantedFound,
                 List<String> problems, Exception fault, Long peerNativeEndNs) {
        Trial withFault(Exception e) {
            return new Trial(javaSaw, goLeft, goAtEnd, javaLeft, cLeft, cAtClose, outliveNs, lastRemoteEndNs, infraThreads, records,
                    nativeStoppedBy, javaLeftNames, goTotalBefore, goTotalAfter, goNotCounted, plantedFound, problems, e, peerNativeEndNs);
        }
    }

    /**
     * Runs {@code trials} trials of one scenario; never throws: a fault becomes an ERROR case.
     * The scenario stops at its first trial that found a problem ({@link CaseTrials}: "failed at
     * trial K of N; M not run"). A scenario passes when every trial held; a broken variant is an
     * EXPECTED_FAILURE when that trial found a leftover in the runtime it leaks in, else FAILED.
     */
    CaseResult runCase(String name, String title, int trials, Leaks leaks, Scenario body) {
        progress.printf(Locale.ROOT, "  scopes/%s: %d trial(s)%n", name, trials);
        long t0 = System.nanoTime();
        List<Trial> done = new ArrayList<>();
        CaseTrials run = new CaseTrials(trials);
        for (int i = 0; run.more(); i++) {
            String which = String.format(Locale.ROOT, "trial %d of %d: ", i + 1, trials);
            Trial t;
            try {
                t = trial(name + "-" + nonce + "-" + i, body);
            } catch (Exception e) {
                return CaseResult.error(name, title, which + faultText(e), ms(t0));
            }
            done.add(t);
            if (t.fault() != null) {
                // The scenario broke, but its counts were taken: the case is an ERROR that still reports them.
                CaseResult v = verdict(name, title, leaks, done, run, ms(t0));
                String counts = String.format(Locale.ROOT, "leftovers go %s, java %d, c %d%s",
                        t.goLeft() == null ? "n/a" : t.goLeft().toString(), t.javaLeft(), t.cLeft(),
                        t.problems().isEmpty() ? "" : "; " + String.join("; ", CaseTrials.worstFirst(t.problems())));
                return new CaseResult(name, title, testbed.report.Status.ERROR, which + faultText(t.fault())
                        + "; counts taken after the fault: " + counts, ms(t0), v.metrics(), v.details());
            }
            run.record(true, t.problems());
        }
        return verdict(name, title, leaks, done, run, ms(t0));
    }

    private static String faultText(Throwable e) {
        StringBuilder m = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable s : e.getSuppressed()) m.append("; the clean-up failed too: ").append(s.getMessage() == null ? s.toString() : s.getMessage());
        return m.toString();
    }

    private Trial trial(String scopeId, Scenario body) throws Exception {
        calls.begin(scopeId);
        JavaThreads before = JavaThreads.snapshot();
        int goTotalBefore = session.peer().inspect(List.of()).getGoroutinesTotal();
        Run r = new Run(scopeId);
        r.goTotalBefore = goTotalBefore;
        Exception fault = null;
        try {
            body.run(r);
            if (r.closedNs == 0) throw new IllegalStateException("the scenario did not record when close() returned");
        } catch (Exception e) {
            fault = e;
            // Counts are taken all the same, from now, and through the harness's own peer
            // channel when the scenario's channel or peer may be gone.
            if (r.closedNs == 0) r.closed();
            if (r.calls != calls) {
                r.calls = calls;
                if (r.goNotCounted == null) r.goNotCounted = "the scenario's calls went to a channel or peer of its own, which its fault may have ended";
            }
        }
        try {
            Trial t = measure(r, before, goTotalBefore);
            return fault == null ? t : t.withFault(fault);
        } catch (RuntimeException e) {
            if (fault == null) throw e;
            fault.addSuppressed(e);
            throw fault;
        } finally {
            // The scenario's fault is what the case reports; a fault of the clean-up rides along.
            try {
                for (Runnable c : r.cleanups) c.run();
            } catch (RuntimeException cleanup) {
                if (fault == null) throw cleanup;
                fault.addSuppressed(cleanup);
            }
        }
    }

    /** Counts each runtime's leftovers after close() and how long the last remote child outlived it. */
    private Trial measure(Run r, JavaThreads before, int goTotalBefore) {
        List<String> problems = new ArrayList<>(r.problems);
        long leakDeadline = r.closedNs + LEAK_BOUND.toNanos();
        int peerAtClose = r.peerNatives ? r.calls.peerNative(false).getAlive() : 0;
        int cAtClose = session.panama().workersAlive() + peerAtClose;
        // C: polled on a thread of its own from now on, while EndScope waits for Go, so that the
        // instant the count reached zero is seen when it happens; both are bounded by
        // LEAK_BOUND after close(), not after the call.
        long[] cZero = {cAtClose == 0 ? r.closedNs : 0};
        int[] cLeftBox = {cAtClose, peerAtClose};
        ScopeCalls peerCalls = r.calls;
        Thread cPoll = Thread.ofVirtual().name("scopes-c-poll-" + r.scopeId).start(() -> {
            // The shim's workers in this process, plus (with peerNatives) those goroutines
            // started in the peer's, from the peer: both are native workers the scope caused.
            int peer = r.peerNatives ? peerCalls.peerNative(false).getAlive() : 0;
            int n = session.panama().workersAlive() + peer;
            while (n > 0 && System.nanoTime() < leakDeadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(r.peerNatives ? 500_000 : 50_000);
                peer = r.peerNatives ? peerCalls.peerNative(false).getAlive() : 0;
                n = session.panama().workersAlive() + peer;
                if (n == 0) cZero[0] = System.nanoTime();
            }
            cLeftBox[0] = n;
            cLeftBox[1] = peer;
        });
        // Go: EndScope on the peer the scope's calls went to. When no call of the scope could be
        // counted there (the peer was killed, the calls carried another id), the scope id is
        // closed on the main peer and the Go count is n/a, not a 0 that could never be anything else.
        EndScopeResponse g;
        if (r.killedPeer != null && r.killedPeer.isAlive()) problems.add("the killed peer is still alive");
        if (r.goNotCounted != null) {
            calls.end(r.scopeId, Duration.ZERO);
            g = EndScopeResponse.getDefaultInstance();
        } else {
            g = r.calls.end(r.scopeId, Duration.ofNanos(Math.max(0, leakDeadline - System.nanoTime())));
            if (!g.getKnown()) problems.add("the peer no longer knew scope " + r.scopeId + " at its end");
        }
        try {
            if (!cPoll.join(LEAK_BOUND.plusSeconds(5))) throw new IllegalStateException("the native worker poll did not end");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting native workers", e);
        }
        long cZeroNs = cZero[0];
        int cLeft = cLeftBox[0];
        r.peerCLeft = cLeftBox[1];
        // Java: leftovers are what is still there LEAK_BOUND after close(), as in Go and C.
        JavaThreads after = JavaThreads.snapshot();
        List<JavaThreads.ThreadEntry> javaLeft = after.leftovers(before, r.scopeId);
        while (!javaLeft.isEmpty() && System.nanoTime() < leakDeadline) {
            sleepQuietly(20);
            after = JavaThreads.snapshot();
            javaLeft = after.leftovers(before, r.scopeId);
        }

        // How long the last remote child outlived close(): Go handlers' returns, the scope's
        // goroutine count reaching zero when EndScope still saw some, native workers likewise.
        long last = Long.MIN_VALUE;
        long peerNativeEnd = Long.MIN_VALUE;
        for (CallRecord c : g.getCallsList()) if (c.getNativeEndedNs() != 0) peerNativeEnd = Math.max(peerNativeEnd, c.getNativeEndedNs());
        for (CallRecord c : g.getCallsList()) last = Math.max(last, Math.max(c.getEndedNs(), c.getNativeEndedNs()));
        if (g.getLiveAtCall() > 0) last = Math.max(last, g.getLiveZeroNs() != 0 ? g.getLiveZeroNs() : g.getMonotonicNs());
        if (cAtClose > 0) last = Math.max(last, cZeroNs != 0 ? cZeroNs : System.nanoTime());
        long outlive = last == Long.MIN_VALUE ? 0 : Math.max(0, last - r.closedNs);

        Map<String, CallRecord> byId = new LinkedHashMap<>();
        for (CallRecord c : g.getCallsList()) byId.put(c.getCallId(), c);
        // A handler files its call's record when it returns: a call of the trial that has none
        // had not returned at EndScope, or never reached the peer (then the counts below differ).
        List<String> neverReturned = new ArrayList<>();
        if (r.killedPeer == null && r.goNotCounted == null) {
            // Sorted, so that a message does not depend on the order in which the subtasks started.
            java.util.Set<String> made = new java.util.TreeSet<>(r.goroutinesStarted.keySet());
            synchronized (r.expectedEnds) {
                made.addAll(r.expectedEnds.keySet());
            }
            for (String id : made) if (!byId.containsKey(id)) neverReturned.add(id);
            if (neverReturned.size() != g.getCallsRunning()) neverReturned.clear(); // cannot tell which are running
        }
        if (g.getCallsRunning() > 0 && g.getLive() > 0) {
            problems.add(neverReturnedLeak(r, g, neverReturned));
        } else {
            if (g.getLive() > 0) {
                problems.add(String.format(Locale.ROOT, "leak: %d goroutine(s) of scope %s still running %d ms after close()",
                        g.getLive(), r.scopeId, LEAK_BOUND.toMillis()));
            }
            if (g.getCallsRunning() > 0) problems.add(g.getCallsRunning() + " Go handler(s) of the scope had not returned at its end");
        }
        if (!javaLeft.isEmpty()) {
            problems.add("leak: " + javaLeft.size() + " Java thread(s) outlived the scope: " + JavaThreads.describe(javaLeft));
        }
        if (cAtClose > 0) {
            problems.add(cAtClose + " native worker(s) still running when close() returned" + (peerAtClose > 0 ? " (" + peerAtClose + " in the Go peer)" : "")
                    + ": a subtask or a goroutine returned without ending the workers it started");
        }
        if (cLeft > 0) problems.add("leak: " + cLeft + " native worker(s) alive " + LEAK_BOUND.toMillis() + " ms after close()"
                + (r.peerCLeft > 0 ? " (" + r.peerCLeft + " in the Go peer, started by a goroutine)" : ""));

        if (r.killedPeer == null) {
            r.expectedEnds.forEach((id, want) -> {
                CallRecord c = byId.get(id);
                if (c == null && neverReturned.contains(id)) return; // its leak says why
                if (c == null) problems.add("no Go record of call " + id);
                else if (!c.getEnd().equals(want)) problems.add("Go call " + id + " ended " + c.getEnd() + " (" + c.getCauseText() + "), want " + want);
            });
        }
        for (CallRecord c : g.getCallsList()) {
            if (c.getGoroutinesStopped() != c.getGoroutinesStarted()) {
                problems.add("Go call " + c.getCallId() + ": " + c.getGoroutinesStopped() + " of " + c.getGoroutinesStarted() + " goroutines stopped");
            }
            if (r.structured && c.getEndedNs() > r.closedNs) {
                problems.add(String.format(Locale.ROOT, "Go handler of call %s returned %.1f us after close() returned",
                        c.getCallId(), (c.getEndedNs() - r.closedNs) / 1e3));
            }
        }
        r.expectedNativeStop.forEach((id, want) -> {
            String got = r.nativeStoppedBy.get(id);
            if (!want.equals(got)) problems.add("native workers of " + id + " stopped by " + got + ", want " + want);
        });
        for (Consumer<List<CallRecord>> check : r.recordChecks) check.accept(g.getCallsList());
        // The peer's whole process: a goroutine the scope caused but that is not labelled with
        // it (work handed to an unlabelled pool) shows only here. Settled like the others:
        // polled until it is back to what it was, or LEAK_BOUND after close.
        int goTotalAfter = session.peer().inspect(List.of()).getGoroutinesTotal();
        while (goTotalAfter > goTotalBefore && System.nanoTime() < leakDeadline) {
            sleepQuietly(10);
            goTotalAfter = session.peer().inspect(List.of()).getGoroutinesTotal();
        }
        if (goTotalAfter > goTotalBefore) {
            problems.add(String.format(Locale.ROOT, "%s: %d goroutine(s) more than before the scope opened (%d, were %d) %d ms after close()",
                    GO_PROCESS_GREW, goTotalAfter - goTotalBefore, goTotalAfter, goTotalBefore, LEAK_BOUND.toMillis()));
        }
        boolean goCounted = r.goNotCounted == null;
        Trial t = new Trial(r.javaSaw, goCounted ? g.getLive() : null, goCounted ? g.getLiveAtCall() : null, javaLeft.size(), cLeft, cAtClose, outlive,
                last == Long.MIN_VALUE ? 0 : last - r.closedNs, after.newNotLeftoverSince(before, r.scopeId), g.getCallsList(),
                Map.copyOf(r.nativeStoppedBy), JavaThreads.describe(javaLeft), goTotalBefore,
                goTotalAfter, r.goNotCounted, false, problems, null, peerNativeEnd == Long.MIN_VALUE ? null : peerNativeEnd - r.closedNs);
        if (r.planted == null) return t;
        return new Trial(t.javaSaw(), t.goLeft(), t.goAtEnd(), t.javaLeft(), t.cLeft(), t.cAtClose(), t.outliveNs(), t.lastRemoteEndNs(),
                t.infraThreads(), t.records(), t.nativeStoppedBy(), t.javaLeftNames(), t.goTotalBefore(), t.goTotalAfter(), t.goNotCounted(),
                r.planted.test(t), t.problems(), null, t.peerNativeEndNs());
    }

    /**
     * The leak of handlers that had not returned {@link #LEAK_BOUND} after close(), the worst a
     * scope can leave in Go: its goroutines never ended either. The peer counts every goroutine
     * labelled with the scope: each running handler itself and the goroutines of its errgroup
     * (as many as HoldStarted said it started, nested ones included), and whatever else the
     * scope started. The line names the handlers (the trial's calls without a record, when they
     * are as many as the peer says are running) and splits the count that way, so that its
     * numbers add up; when it cannot tell, it gives the two counts alone.
     */
    private static String neverReturnedLeak(Run r, EndScopeResponse g, List<String> neverReturned) {
        int running = g.getCallsRunning();
        String who = neverReturned.size() != running ? running + " Go handler(s) of the scope"
                : running == 1 ? "the Go handler of call " + neverReturned.getFirst()
                : "the Go handlers of calls " + String.join(", ", neverReturned);
        String line = String.format(Locale.ROOT, "leak: %s never returned after close(): %d goroutine(s) of scope %s still running %d ms after it",
                who, g.getLive(), r.scopeId, LEAK_BOUND.toMillis());
        if (neverReturned.size() != running || !r.goroutinesStarted.keySet().containsAll(neverReturned)) return line;
        int errgroups = 0;
        for (String id : neverReturned) errgroups += r.goroutinesStarted.get(id);
        String handlers = running == 1 ? "the handler" : "the " + running + " handlers";
        String theirs = running == 1 ? "its errgroup" : "their errgroups";
        int rest = g.getLive() - running;
        if (rest == errgroups) return line + String.format(Locale.ROOT, ": %s and the %d goroutine(s) of %s", handlers, errgroups, theirs);
        if (rest > errgroups) {
            return line + String.format(Locale.ROOT, ": %s, the %d goroutine(s) of %s and %d other(s)", handlers, errgroups, theirs, rest - errgroups);
        }
        // Some goroutines of the errgroups ended (one that failed, one whose own work succeeded).
        return line + String.format(Locale.ROOT, ": %s and %d of the %d goroutine(s) %s started", handlers, Math.max(rest, 0), errgroups, theirs);
    }

    private CaseResult verdict(String name, String title, Leaks leaks, List<Trial> trials, CaseTrials run, double durationMs) {
        Integer goLeft = null, goAtEnd = null;
        int javaLeft = 0, cLeft = 0, cAtClose = 0, infra = 0;
        long outliveMax = 0;
        long outliveSum = 0;
        String problem = run.problem();
        Map<String, Integer> saw = new LinkedHashMap<>();
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            if (t.goLeft() != null) goLeft = goLeft == null ? t.goLeft() : Math.max(goLeft, t.goLeft());
            javaLeft = Math.max(javaLeft, t.javaLeft());
            cLeft = Math.max(cLeft, t.cLeft());
            if (t.goAtEnd() != null) goAtEnd = goAtEnd == null ? t.goAtEnd() : Math.max(goAtEnd, t.goAtEnd());
            cAtClose = Math.max(cAtClose, t.cAtClose());
            infra = Math.max(infra, t.infraThreads());
            outliveMax = Math.max(outliveMax, t.outliveNs());
            outliveSum += t.outliveNs();
            saw.merge(t.javaSaw(), 1, Integer::sum);
        }
        Trial last = trials.getLast();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("trials", trials.size());
        run.putMetrics(metrics);
        metrics.put("go_leftover_goroutines", goLeft);
        metrics.put("java_leftover_threads", javaLeft);
        metrics.put("c_leftover_workers", cLeft);
        metrics.put("go_goroutines_at_end_scope", goAtEnd);
        metrics.put("c_workers_at_close", cAtClose);
        metrics.put("outlive_max_us", outliveMax / 1e3);
        metrics.put("outlive_mean_us", outliveSum / 1e3 / trials.size());
        metrics.put("last_remote_end_vs_close_us", last.lastRemoteEndNs() / 1e3);
        metrics.put("java_new_threads_not_leftovers", infra);
        if (last.peerNativeEndNs() != null) metrics.put("peer_native_last_end_vs_close_us", last.peerNativeEndNs() / 1e3);
        metrics.put("go_goroutines_total_before", last.goTotalBefore());
        metrics.put("go_goroutines_total_after", last.goTotalAfter());

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("leftovers", List.of(
                row("runtime", "go", "leftover", goLeft, "how", "goroutines labelled with the scope id, " + LEAK_BOUND.toMillis() + " ms after close (EndScope)"),
                row("runtime", "java", "leftover", javaLeft, "how", "threads in the scope's containers, in containers made since it opened, new in the root container, or busy in a pool since (JSON thread dump)"),
                row("runtime", "c", "leftover", cLeft, "how", "interop_workers_alive (in the JVM, plus in the Go peer where goroutines start workers), " + LEAK_BOUND.toMillis() + " ms after close")));
        List<Map<String, Object>> callRows = new ArrayList<>();
        for (CallRecord c : last.records()) {
            callRows.add(row("call", c.getCallId(), "rpc", c.getRpc(), "go_end", c.getEnd(),
                    "goroutines", c.getGoroutinesStopped() + "/" + c.getGoroutinesStarted(),
                    "deadline_ms", c.getDeadlineRemainingMs(),
                    "native_stopped_by", c.getNativeWorkersStarted() > 0
                            ? (c.getNativeEndedNs() == 0 ? "not stopped by its goroutine" : c.getNativeStoppedByFlag() ? "its goroutine, by the flag" : "its goroutine, after a join timeout")
                            : last.nativeStoppedBy().getOrDefault(c.getCallId(), "-")));
        }
        details.put("calls", callRows);
        List<Map<String, Object>> observed = new ArrayList<>();
        saw.forEach((k, v) -> observed.add(row("java_saw", k, "count", v)));
        details.put("observed", observed);
        if (!last.javaLeftNames().isEmpty()) details.put("java_leftover_threads", last.javaLeftNames());

        String figures = String.format(Locale.ROOT, "leftovers go %s, java %d, c %d; %s",
                goLeft == null ? "n/a (" + last.goNotCounted() + ")" : goLeft.toString(), javaLeft, cLeft, outliveMax == 0
                        ? "nothing outlived close()" + (last.lastRemoteEndNs() < 0
                                ? String.format(Locale.ROOT, " (last remote child ended %.1f us before it)", -last.lastRemoteEndNs() / 1e3) : "")
                        : String.format(Locale.ROOT, "the last remote child outlived close() by %.1f us (max over %d trial(s))", outliveMax / 1e3, trials.size()));
        testbed.report.Status status;
        String message;
        if (leaks != Leaks.NONE) {
            boolean caught = switch (leaks) {
                case GO -> goLeft != null && goLeft > 0;
                case JAVA -> javaLeft > 0;
                case C -> cLeft > 0;
                case GO_PROCESS -> problem != null && problem.contains(GO_PROCESS_GREW);
                case OUTLIVE -> outliveMax > 0 && problem != null && problem.contains("after close() returned");
                case NONE -> false;
            };
            // Only the leak the variant planted proves the check, not any leftover that happens to be there.
            boolean plantedFound = trials.stream().anyMatch(Trial::plantedFound);
            if (caught && plantedFound) {
                status = testbed.report.Status.EXPECTED_FAILURE;
                message = "caught: " + run.headline();
            } else if (!caught && problem != null && problem.startsWith(CaseTrials.LEAK)) {
                // Something worse than the planted fault (a handler that never returned, where the
                // variant plants one that returns late) hid it: the headline is the worse thing.
                status = testbed.report.Status.FAILED;
                message = problem + "; the fault the broken variant plants (" + leaks.planted
                        + ") did not show, so this run does not prove its check can fail; " + run.stoppedAt();
            } else {
                status = testbed.report.Status.FAILED;
                message = "the broken variant was not caught: " + (caught ? "a leftover was found, but not the one it planted"
                        : leaks == Leaks.OUTLIVE ? "no Go handler returned after close()"
                        : "no " + leaks.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " leftover after close()")
                        + ", so this run does not prove the check can fail" + (problem == null ? "" : " (" + run.headline() + ")");
            }
        } else if (problem == null) {
            status = testbed.report.Status.PASSED;
            message = String.join(", ", saw.keySet()) + "; " + figures;
        } else {
            status = testbed.report.Status.FAILED;
            message = run.headline();
        }
        return new CaseResult(name, title, status, message, durationMs, metrics, details);
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    // ---- scenarios --------------------------------------------------------------------------------

    private void allSucceed(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            for (int k = 0; k < 3; k++) scope.fork(r.stream(r.spec("s" + k, 4).setSucceedAfterMs(20 + 10 * k), "ok", true));
            List<String> results = scope.join().map(Subtask::get).toList();
            if (!results.equals(List.of("s0", "s1", "s2"))) r.problem("join returned " + results + ", want [s0, s1, s2]");
            r.javaSaw = "join returned " + results.size() + " results";
        }
        r.closed();
    }

    private void goGoroutineFails(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4).setFailGoroutine(2).setFailAfterMs(40), "goroutine_failed", true));
            scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s2", 4), "cancelled_by_notice", true));
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + describe(e.getCause());
            expectGoFailure(r, e.getCause(), "s0");
        }
        r.closed();
    }

    private static void expectGoFailure(Run r, Throwable cause, String callId) {
        Status st = Status.fromThrowable(cause);
        ErrorInfo info = errorInfo(cause);
        if (st.getCode() != Status.Code.ABORTED) r.problem("the scope failed with " + st + ", want ABORTED from the Go errgroup");
        if (info == null || !info.getReason().equals("GOROUTINE_FAILED") || !info.getDomain().equals("testbed.go")
                || !callId.equals(info.getMetadataMap().get("call_id"))) {
            r.problem("ErrorInfo " + info + ", want testbed.go/GOROUTINE_FAILED for call " + callId);
        }
    }

    void javaSubtaskFails(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
            scope.fork(() -> {
                r.awaitGoroutines(8);
                throw new IllegalStateException("java subtask failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + describe(e.getCause());
            if (!(e.getCause() instanceof IllegalStateException ise) || !ise.getMessage().equals("java subtask failed on purpose")) {
                r.problem("the scope failed with " + e.getCause() + ", want the Java subtask's IllegalStateException");
            }
        }
        r.closed();
    }

    private void scopeTimeout(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(),
                cfg -> cfg.withName(r.scopeId).withTimeout(SCOPE_TIMEOUT))) {
            scope.fork(r.stream(r.spec("s0", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s1", 4).setNestedGoroutines(2), "cancelled_by_notice", true));
            scope.join();
            r.problem("join returned normally, want TimeoutException");
        } catch (StructuredTaskScope.TimeoutException e) {
            r.javaSaw = "TimeoutException";
        }
        r.closed();
    }

    private void anySuccessful(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>anySuccessfulResultOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4).setSucceedAfterMs(30), "ok", true));
            scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s2", 4), "cancelled_by_notice", true));
            String winner = scope.join();
            if (!"s0".equals(winner)) r.problem("the winner was " + winner + ", want s0");
            r.javaSaw = "join returned the winner " + winner;
        }
        r.closed();
    }

    private void awaitAll(Run r) throws Exception {
        List<Subtask<String>> subtasks = new ArrayList<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAll(), cfg -> cfg.withName(r.scopeId))) {
            subtasks.add(scope.fork(r.stream(r.spec("s0", 4).setSucceedAfterMs(20), "ok", true)));
            subtasks.add(scope.fork(r.stream(r.spec("s1", 4).setFailGoroutine(1).setFailAfterMs(30), "goroutine_failed", true)));
            subtasks.add(scope.fork(r.stream(r.spec("s2", 4).setSucceedAfterMs(60), "ok", true)));
            scope.join();
            List<String> states = subtasks.stream().map(s -> s.state().name()).toList();
            if (!states.equals(List.of("SUCCESS", "FAILED", "SUCCESS"))) r.problem("subtask states " + states + ", want [SUCCESS, FAILED, SUCCESS]");
            if (subtasks.get(1).state() == Subtask.State.FAILED) expectGoFailure(r, subtasks.get(1).exception(), "s1");
            r.javaSaw = "join returned; subtasks " + states;
        }
        r.closed();
    }

    private void ownerInterrupted(Run r) throws Exception {
        CountDownLatch forked = new CountDownLatch(1);
        AtomicReference<String> saw = new AtomicReference<>("owner ended without a verdict");
        Thread owner = Thread.ofVirtual().name("scopes-owner-" + r.scopeId).start(() -> {
            try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 4), "cancelled_by_notice", true));
                scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
                forked.countDown();
                scope.join();
                saw.set("join returned normally");
                r.problem("join returned normally, want InterruptedException");
            } catch (InterruptedException e) {
                saw.set("InterruptedException in join");
            } catch (Exception e) {
                saw.set(e.toString());
                r.problem("the owner saw " + e + ", want InterruptedException");
            }
            r.closed();
        });
        int open = -1;
        try {
            if (!forked.await(ScopeCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the owner did not fork within " + ScopeCalls.CALL_BOUND.toSeconds() + " s");
            }
            r.awaitGoroutines(8);
            // While the scope is open, the dump must see its two subtasks in its container: else
            // the Java leftover count, which looks for that container, would be blind.
            open = JavaThreads.snapshot().inScope(r.scopeId).size();
            if (open != 2) r.problem("the thread dump found " + open + " thread(s) in the open scope's container, want its 2 subtasks");
        } finally {
            // Whatever happened above, the owner is interrupted and joined: never left running.
            owner.interrupt();
            if (!owner.join(ScopeCalls.CALL_BOUND)) {
                throw new IllegalStateException("the interrupted owner did not end within " + ScopeCalls.CALL_BOUND.toSeconds() + " s");
            }
        }
        r.javaSaw = saw.get() + "; the dump saw " + open + " subtasks in the open scope";
    }

    private void nested(Run r) throws Exception {
        nestedScopes(r, spec -> spec, true);
    }

    /**
     * An outer scope holding an inner scope of two streams ({@code inner} shapes each inner
     * stream's spec) and a stream whose goroutine fails: the outer join must throw
     * FailedException for the failing call, and the inner scope's streams end by the notice.
     * With {@code natives} each stream also runs a native worker on a region flag ({@link Run#stream}).
     */
    private void nestedScopes(Run r, java.util.function.UnaryOperator<HoldSpec.Builder> inner, boolean natives) throws Exception {
        try (var outer = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            Callable<String> i0 = r.stream(inner.apply(r.spec("inner0", 2).setNestedGoroutines(2)), "cancelled_by_notice", natives);
            Callable<String> i1 = r.stream(inner.apply(r.spec("inner1", 2).setNestedGoroutines(2)), "cancelled_by_notice", natives);
            outer.fork(() -> {
                try (var innerScope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId + "/inner"))) {
                    innerScope.fork(i0);
                    innerScope.fork(i1);
                    innerScope.join();
                    return "inner";
                }
            });
            outer.fork(r.stream(r.spec("failing", 2).setNestedGoroutines(2).setFailGoroutine(1).setFailAfterMs(60), "goroutine_failed", natives));
            outer.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + describe(e.getCause());
            expectGoFailure(r, e.getCause(), "failing");
        }
        r.closed();
    }

    /**
     * The context cases: three forks call HoldUnary (its errgroup succeeds after
     * {@code succeedAfterMs}; 0: never) with a blocking stub and no deadline of their own. The
     * scope itself is bounded by {@code bound} ({@code Configuration.withTimeout}, which sends
     * nothing to Go): without the owner's Context, nothing else would end a stalled call.
     */
    void contextAcrossForks(Run r, boolean propagate, Duration bound, int succeedAfterMs) throws Exception {
        r.structured = false;
        Context.CancellableContext ctx = Context.current().withDeadline(
                Deadline.after(SCOPE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS), deadlineTimer);
        try {
            ctx.call(() -> {
                try (var scope = StructuredTaskScope.open(Joiner.<HoldResult>allSuccessfulOrThrow(),
                        cfg -> cfg.withName(r.scopeId).withTimeout(bound))) {
                    for (int k = 0; k < 3; k++) {
                        HoldSpec spec = r.spec("f" + k, 2).setSucceedAfterMs(succeedAfterMs).build();
                        r.expectedEnds.put(spec.getCallId(), "ok");
                        Callable<HoldResult> call = () -> r.calls.blocking(r.callScopeId).holdUnary(unary(spec)).getResult();
                        if (propagate) GrpcContextForks.fork(scope, call);
                        else scope.fork(call);
                    }
                    scope.join();
                }
                r.closed();
                return null;
            });
        } finally {
            ctx.cancel(null);
        }
        r.javaSaw = propagate ? "forks ran inside the owner's Context" : "forks ran in the root Context";
        r.recordChecks.add(records -> {
            for (CallRecord c : records) {
                long ms = c.getDeadlineRemainingMs();
                if (propagate && (ms <= 0 || ms > SCOPE_DEADLINE.toMillis())) {
                    r.problem("call " + c.getCallId() + " reached Go with deadline " + ms + " ms, want (0, " + SCOPE_DEADLINE.toMillis() + "]");
                }
                if (!propagate && ms != -1) {
                    r.problem("call " + c.getCallId() + " reached Go with a " + ms + " ms deadline: the owner's Context did cross the fork; docs/SCOPES.md says it does not, update it");
                }
            }
        });
        r.recordChecks.add(records -> {
            long with = records.stream().filter(c -> c.getDeadlineRemainingMs() >= 0).count();
            r.javaSaw += "; Go saw a deadline on " + with + " of " + records.size() + " forks";
        });
    }

    enum Stub { BLOCKING, FUTURE, BLOCKING_V2, BLOCKING_V2_NO_CANCEL }

    /** A subtask blocked in a call of the given stub; a Java sibling fails, so the scope interrupts it. */
    private void interruptCancels(Run r, Stub stub) throws Exception {
        r.structured = false;
        HoldSpec spec = r.spec("blocked", 3).build();
        if (stub != Stub.BLOCKING_V2_NO_CANCEL) r.expectedEnds.put("blocked", "canceled");
        // Planted (the broken variant): the abandoned call's errgroup of 3, its handler not yet returned.
        else r.planted = t -> t.goLeft() != null && t.goLeft() >= 3 && t.records().stream().noneMatch(c -> c.getCallId().equals("blocked"));
        AtomicReference<String> blockedSaw = new AtomicReference<>("-");
        AtomicReference<BlockingClientCall<HoldRequest, HoldResponse>> abandoned = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<Object>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(() -> {
                try {
                    return callBlocked(r, stub, spec, abandoned);
                } catch (Throwable t) {
                    blockedSaw.set(describe(t));
                    throw t;
                }
            });
            scope.fork(() -> {
                r.awaitGoroutines(3);
                throw new IllegalStateException("sibling failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException (" + e.getCause().getMessage() + "); the blocked subtask saw " + blockedSaw.get();
        }
        r.closed();
        if (abandoned.get() != null) {
            r.cleanups.add(() -> {
                abandoned.get().cancel("the broken variant's call, cancelled after the leak check", null);
                awaitNoGoroutines(r.scopeId, Duration.ofSeconds(5));
            });
        }
    }

    private Object callBlocked(Run r, Stub stub, HoldSpec spec, AtomicReference<BlockingClientCall<HoldRequest, HoldResponse>> abandoned)
            throws Exception {
        switch (stub) {
            case BLOCKING -> {
                // grpc-java's blocking unary call cancels the call when its thread is interrupted.
                return r.calls.blocking(r.callScopeId).withDeadlineAfter(ScopeCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS).holdUnary(unary(spec));
            }
            case FUTURE -> {
                var f = r.calls.future(r.callScopeId).holdUnary(unary(spec));
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    f.cancel(true); // the future does not cancel its call because the waiter was interrupted
                    throw e;
                }
            }
            default -> {
                BlockingClientCall<HoldRequest, HoldResponse> call = r.calls.blockingV2(r.callScopeId).hold();
                try {
                    call.write(HoldRequest.newBuilder().setStart(spec).build());
                    HoldResponse started = call.read();
                    if (!started.hasStarted()) throw new IllegalStateException("Hold: first reply " + started + ", want started");
                    return call.read();
                } catch (InterruptedException e) {
                    if (stub == Stub.BLOCKING_V2) {
                        call.cancel("subtask cancelled", e); // BlockingClientCall does not cancel on interrupt by itself
                    } else {
                        abandoned.set(call);
                    }
                    throw e;
                } catch (StatusException e) {
                    throw e;
                }
            }
        }
    }

    private void peerDies(Run r) throws Exception {
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
            try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                for (String id : List.of("s0", "s1")) {
                    HoldSpec spec = r.spec(id, 4).build();
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

    private void unknownScopeId(Run r) throws Exception {
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
        int counted = session.peer().inspect(List.of(r.callScopeId)).getGoroutinesByScopeOrDefault(r.callScopeId, 0);
        if (counted != 0) r.problem(counted + " goroutine(s) counted under the unknown scope id after close()");
        r.javaSaw += "; " + counted + " goroutine(s) counted under the unknown id after close()";
    }

    private void streamReset(Run r) throws Exception {
        r.structured = false;
        ManagedChannel channel = session.peerProcess().channelBuilder().build();
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
            try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                for (String id : List.of("s0", "s1")) {
                    HoldSpec spec = r.spec(id, 4).build();
                    r.expectedEnds.put(id, "canceled");
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
            r.closed();
            resetter.join(ScopeCalls.CALL_BOUND);
            // EndScope goes through the harness's own channel: this one is shut down.
            r.calls = calls;
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void goHandlerLeaks(Run r) throws Exception {
        // Planted: a goroutine of the scope outside the errgroup and the handler, which both ended.
        r.planted = t -> t.goLeft() != null && t.goLeft() >= 1 && t.records().stream()
                .anyMatch(c -> c.getCallId().equals("leaky") && c.getGoroutinesStopped() == c.getGoroutinesStarted());
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("leaky", 2).setSucceedAfterMs(10).setLeakMs(LEAK_MS), "ok", false));
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        // The stray goroutine ends by itself after LEAK_MS; wait for it so nothing outlives the case.
        r.cleanups.add(() -> awaitNoGoroutines(r.scopeId, Duration.ofMillis(LEAK_MS + 2_000)));
    }

    private void goHandlerLeaksUnlabelled(Run r) throws Exception {
        // Planted: exactly one goroutine more in the process, none counted under the scope.
        r.planted = t -> t.goLeft() != null && t.goLeft() == 0 && t.goTotalAfter() - t.goTotalBefore() == 1;
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("unlabelled", 2).setSucceedAfterMs(10).setLeakUnlabelledMs(LEAK_MS), "ok", false));
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        // The stray goroutine ends by itself after LEAK_MS; wait for the process to be back where it was.
        r.cleanups.add(() -> {
            long deadline = System.nanoTime() + Duration.ofMillis(LEAK_MS + 2_000).toNanos();
            while (session.peer().inspect(List.of()).getGoroutinesTotal() > r.goTotalBefore && System.nanoTime() < deadline) sleepQuietly(10);
        });
    }

    void goHandlerIgnoresNotice(Run r) throws Exception {
        // Planted: the deaf call's handler returning after close().
        r.planted = t -> t.problems().stream().anyMatch(p -> p.startsWith("Go handler of call deaf returned "));
        HoldSpec spec = r.spec("deaf", 2).setIgnoreNotice(true).setUnwindMs(UNWIND_MS).build();
        r.expectedEnds.put("deaf", "canceled");
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(() -> HeldStream.hold(r.calls.async(r.scopeId), spec, r::started, DEAF_END_BOUND));
            scope.fork(() -> {
                r.awaitGoroutines(2);
                throw new IllegalStateException("sibling failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException (" + e.getCause().getMessage() + "); the notice was ignored and the stream reset";
        }
        r.closed();
    }

    private void javaSubtaskLeaks(Run r) throws Exception {
        r.planted = t -> t.javaLeftNames().contains("'scopes-stray-" + r.scopeId + "'");
        AtomicReference<Thread> stray = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(10), "ok", false));
            scope.fork(() -> {
                // Not a fork: an unstructured thread the scope does not own and close() does not wait for.
                stray.set(Thread.ofPlatform().daemon().name("scopes-stray-" + r.scopeId).start(() -> {
                    try {
                        Thread.sleep(LEAK_MS);
                    } catch (InterruptedException ignored) {
                        // released by the cleanup
                    }
                }));
                return "started a stray thread";
            });
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        r.cleanups.add(() -> {
            Thread t = stray.get();
            if (t == null) return;
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void javaSubtaskLeaksExecutor(Run r) throws Exception {
        r.planted = t -> t.javaLeftNames().contains("'scopes-leaked-pool-" + r.scopeId + "' in java.util.concurrent.ThreadPoolExecutor@");
        AtomicReference<ExecutorService> leaked = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(10), "ok", false));
            scope.fork(() -> {
                // A pool of its own (a thread container of its own since JDK 21), never shut down.
                ExecutorService pool = Executors.newFixedThreadPool(1, Thread.ofPlatform().daemon().name("scopes-leaked-pool-" + r.scopeId).factory());
                leaked.set(pool);
                pool.submit(() -> {
                    Thread.sleep(LEAK_MS);
                    return null;
                });
                return "left a pool running";
            });
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        r.cleanups.add(() -> {
            ExecutorService pool = leaked.get();
            if (pool == null) return;
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void cSubtaskLeavesWorkers(Run r) throws Exception {
        // Planted: the one worker this scenario starts (its other subtask starts none).
        r.planted = t -> t.cAtClose() == 1 && t.cLeft() == 1;
        AtomicReference<NativeWorkers> left = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(10), "ok", false));
            int flag = r.allocateFlag();
            scope.fork(() -> {
                // Started through FFM on a flag no Go handler will set, and never finished.
                left.set(nativeWorkers(flag));
                return "left a native worker running";
            });
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        r.cleanups.add(() -> {
            if (left.get() != null) left.get().finish(Duration.ZERO);
        });
    }

    /**
     * A case whose goroutines start native workers in the peer through cgo: run as usual when
     * the peer can, else SKIPPED with the peer's reason (the cross-compiled arm64 peer has no cgo).
     */
    CaseResult peerNativeCase(String name, String title, int trials, Leaks leaks, Scenario body) {
        testbed.proto.v1.PeerNativeResponse p;
        try {
            p = calls.peerNative(false);
        } catch (RuntimeException e) {
            return CaseResult.error(name, title, "asking the peer whether it has native workers: " + e.getMessage(), 0);
        }
        if (!p.getAvailable()) {
            return new CaseResult(name, title, testbed.report.Status.SKIPPED, "skipped: the Go peer cannot start native workers: " + p.getReason(), 0, null, null);
        }
        return runCase(name, title, trials, leaks, body);
    }

    private void nestedNativeUnderGoroutine(Run r) throws Exception {
        nestedScopes(r, r::nativeUnderGoroutine, false);
    }

    private void goGoroutineLeavesNativeWorker(Run r) throws Exception {
        // Planted: the one native worker this scenario's goroutine starts in the peer.
        r.planted = t -> r.peerCLeft == 1;
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.nativeUnderGoroutine(r.spec("s0", 2).setNativeLeak(true)), "cancelled_by_notice", false));
            scope.fork(() -> {
                r.awaitGoroutines(3);
                throw new IllegalStateException("java subtask failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + describe(e.getCause());
        }
        r.closed();
        r.cleanups.add(() -> {
            var p = r.calls.peerNative(true);
            if (p.getAlive() != 0) throw new IllegalStateException("the peer still had " + p.getAlive() + " native workers after reaping " + p.getReaped());
        });
    }

    private void awaitNoGoroutines(String scopeId, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (session.peer().inspect(List.of(scopeId)).getGoroutinesByScopeOrDefault(scopeId, 0) > 0) {
            if (System.nanoTime() > deadline) return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static HoldUnaryRequest unary(HoldSpec spec) {
        return HoldUnaryRequest.newBuilder().setSpec(spec).build();
    }

    static ErrorInfo errorInfo(Throwable t) {
        return PeerClient.errorInfo(t).orElse(null);
    }

    static String describe(Throwable t) {
        if (t instanceof io.grpc.StatusRuntimeException || t instanceof StatusException) {
            Status st = Status.fromThrowable(t);
            ErrorInfo info = errorInfo(t);
            return st.getCode() + (info == null ? "" : ", ErrorInfo " + info.getDomain() + "/" + info.getReason());
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
