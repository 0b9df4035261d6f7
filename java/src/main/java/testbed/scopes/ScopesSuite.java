package testbed.scopes;

import io.grpc.ManagedChannel;
import testbed.Mode;
import testbed.ffi.NativeWorkers;
import testbed.harness.CaseSpec;
import testbed.harness.CaseTrials;
import testbed.harness.Expectation;
import testbed.harness.Progress;
import testbed.harness.Session;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.harness.Verdict;
import testbed.proto.v1.PeerNativeResponse;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The scope suite (docs/SCOPES.md): a Java {@code StructuredTaskScope} whose subtasks
 * hold gRPC streams, behind each a Go errgroup, and native C workers. The promise checked
 * in every scenario: when {@code join()} has returned and the scope has closed, everything
 * the scope caused has ended in every runtime, and the report says how long after
 * {@code close()} returned the last remote child ended.
 *
 * <p>This class holds the case table ({@link #CASES}) and runs it; each case is one method
 * named after it, in a file per topic ({@link Joiners}, {@link NestedScopes},
 * {@link ContextAcrossForks}, {@link Interrupts}, {@link Faults}, {@link PlantedLeaks}), on a
 * trial's context ({@link Run}). After every trial the leftovers are counted in each runtime
 * ({@link Leftovers}): Go, the goroutines the peer still counts under the scope id
 * {@link Leftovers#LEAK_BOUND} after close() (EndScope); Java, the threads still in the scope's
 * thread containers and the threads started since the scope opened ({@link JavaThreads}, from
 * a JSON thread dump that includes virtual threads); C, the shim's live worker count.
 */
public final class ScopesSuite {
    public static final String NAME = "scopes";
    public static final String TITLE = "Structured-scope lifetimes across Java, Go and C: leftovers per runtime and time outliving close().";
    /** This suite as a run sees it. */
    public static final Suite SUITE = Suite.of(NAME, TITLE, mode -> ScopesSuite.CASES.stream().map(c -> c.spec().name()).toList(),
            (session, settings, progress) -> new ScopesSuite(session, progress).run(settings));

    /** A subtask's native workers must stop on the Go side's flag within this long once its call ended. */
    static final Duration NATIVE_BOUND = Duration.ofSeconds(1);
    /** How many region cancel flags this suite claims: one per native subtask of a scenario. */
    static final int FLAG_COUNT = 16;
    /** The broken Go handler's stray goroutine sleeps this long, well past Leftovers.LEAK_BOUND. */
    static final int LEAK_MS = 2_500;
    /** The deaf handler's goroutines take this long to return once reset; its subtask waits DEAF_END_BOUND for the end. */
    static final int UNWIND_MS = 200;
    static final Duration DEAF_END_BOUND = Duration.ofMillis(300);
    /** The deadline the context cases attach around the scope. */
    static final Duration SCOPE_DEADLINE = Duration.ofSeconds(5);
    static final Duration SCOPE_TIMEOUT = Duration.ofMillis(150);

    /** One trial of a case: the body of the case's one method. */
    @FunctionalInterface
    interface Scenario {
        void run(Run r) throws Exception;
    }

    /**
     * A case as this suite declares it: its spec, its one method, and whether it needs a peer
     * whose goroutines can start native workers (cgo): without one it is SKIPPED, saying why.
     */
    record ScopeCase(CaseSpec spec, Scenario scenario, boolean needsPeerNatives) {
        static ScopeCase of(CaseSpec spec, Scenario scenario) {
            return new ScopeCase(spec, scenario, false);
        }

        static ScopeCase onPeerNatives(CaseSpec spec, Scenario scenario) {
            return new ScopeCase(spec, scenario, true);
        }
    }

    /** Three trials in the default mode, one in quick, thirty in tough. */
    private static final TrialCount REPEATED = TrialCount.scaled(3);
    private static final TrialCount ONCE = TrialCount.once();

    /**
     * Every case, in run order. A broken variant's expectation names the leftover it plants:
     * a catch is that leftover in the trial's problem, never any leftover that happens to be there.
     */
    static final List<ScopeCase> CASES = List.of(
            ScopeCase.of(CaseSpec.holds("all_succeed", "Three subtasks' streams, each a Go errgroup of 4 and a native worker, all succeed; nothing outlives close().",
                    REPEATED), Joiners::allSucceed),
            ScopeCase.of(CaseSpec.holds("go_goroutine_fails", "One Go goroutine fails: its errgroup cancels its siblings, ABORTED with ErrorInfo fails the Java scope, which cancels the other streams.",
                    REPEATED), Joiners::goGoroutineFails),
            ScopeCase.of(CaseSpec.holds("java_subtask_fails", "A Java subtask throws; the scope cancels the subtasks holding streams; their Go errgroups and native workers end.",
                    REPEATED), Joiners::javaSubtaskFails),
            ScopeCase.of(CaseSpec.holds("scope_timeout", "Configuration.withTimeout(" + SCOPE_TIMEOUT.toMillis() + " ms) expires; join throws TimeoutException; every stream is cancelled.",
                    REPEATED), Joiners::scopeTimeout),
            ScopeCase.of(CaseSpec.holds("any_successful", "anySuccessfulResultOrThrow: the first result wins; the losers are cancelled in Go and in C.",
                    REPEATED), Joiners::anySuccessful),
            ScopeCase.of(CaseSpec.holds("await_all", "awaitAll: one Go errgroup fails, two succeed; nothing is cancelled; each subtask keeps its outcome.",
                    REPEATED), Joiners::awaitAll),
            ScopeCase.of(CaseSpec.holds("owner_interrupted", "The scope's owner is interrupted in join(); close() cancels every stream.",
                    REPEATED), Interrupts::ownerInterrupted),
            ScopeCase.of(CaseSpec.holds("nested", "A scope inside a subtask, errgroups inside errgroups, native workers the Go handlers' flags stop; a Go failure unwinds them all.",
                    REPEATED), NestedScopes::nested),
            ScopeCase.onPeerNatives(CaseSpec.holds("nested_native_under_goroutine", "A scope inside a subtask; in Go an errgroup inside the handler and a native worker started by a goroutine (cgo) that stops and joins it when the errgroup's context ends; a Go failure unwinds them all.",
                    REPEATED), NestedScopes::nestedNativeUnderGoroutine),
            ScopeCase.of(CaseSpec.holds("context_lost_across_forks", "A gRPC Context deadline attached around the scope does not reach the forks' calls (grpc-java's Context is a ThreadLocal).",
                    ONCE), ContextAcrossForks::contextLostAcrossForks),
            ScopeCase.of(CaseSpec.holds("context_propagated_across_forks", "GrpcContextForks.fork: the deadline set when the scope opens reaches Go as grpc-timeout on every fork.",
                    REPEATED), ContextAcrossForks::contextPropagatedAcrossForks),
            ScopeCase.of(CaseSpec.holds("interrupt_cancels_blocking_stub", "A subtask blocked in a blocking-stub unary call is interrupted by the scope; grpc-java cancels the call; the Go errgroup ends.",
                    REPEATED), Interrupts::interruptCancelsBlockingStub),
            ScopeCase.of(CaseSpec.holds("interrupt_cancels_async_stub", "A subtask waiting on a future-stub call cancels it when interrupted; the Go errgroup ends.",
                    REPEATED), Interrupts::interruptCancelsAsyncStub),
            ScopeCase.of(CaseSpec.holds("interrupt_cancels_blocking_v2", "A subtask blocked in BlockingClientCall.read cancels the call itself when interrupted; the Go errgroup ends.",
                    REPEATED), Interrupts::interruptCancelsBlockingV2),
            ScopeCase.of(CaseSpec.holds("peer_dies", "The peer is killed mid-scope: the subtasks end with UNAVAILABLE, the scope fails, nothing hangs; counts are still taken.",
                    ONCE), Faults::peerDies),
            ScopeCase.of(CaseSpec.holds("unknown_scope_id", "Subtasks call with a scope id the peer does not know: FAILED_PRECONDITION naming it ends the scope; no hang.",
                    ONCE), Faults::unknownScopeId),
            ScopeCase.of(CaseSpec.holds("stream_reset", "The subtasks' channel is shut down mid-scope, resetting every stream; the scope fails with UNAVAILABLE; Go errgroups unwind.",
                    ONCE), Faults::streamReset),
            ScopeCase.of(new CaseSpec("go_handler_leaks_goroutine", "Broken variant: a Go handler leaves a goroutine running after its stream ended; the Go count must name it.",
                    ONCE, Expectation.caughtWhen("a goroutine of the scope still running after call leaky's handler and errgroup ended",
                            PlantedLeaks::strayGoroutineShown)), PlantedLeaks::goHandlerLeaksGoroutine),
            ScopeCase.of(new CaseSpec("go_handler_leaks_unlabelled_goroutine", "Broken variant: a Go handler leaves behind a goroutine without the scope's label; the scope's count cannot see it, the process total must.",
                    ONCE, Expectation.caughtWhen("exactly one goroutine more in the Go process, none under the scope's label",
                            PlantedLeaks::unlabelledGoroutineShown)), PlantedLeaks::goHandlerLeaksUnlabelledGoroutine),
            ScopeCase.of(CaseSpec.broken("java_subtask_leaks_thread", "Broken variant: a Java subtask starts a thread it does not own; the thread dump must name it.",
                    "'scopes-stray-java_subtask_leaks_thread-"), PlantedLeaks::javaSubtaskLeaksThread),
            ScopeCase.of(new CaseSpec("java_subtask_leaks_executor", "Broken variant: a Java subtask makes a thread pool and leaves a task running in it; the thread dump must name the pool's thread.",
                    ONCE, Expectation.caughtWhen("the thread 'scopes-leaked-pool-...' left running in its ThreadPoolExecutor",
                            PlantedLeaks::poolThreadShown)), PlantedLeaks::javaSubtaskLeaksExecutor),
            ScopeCase.of(new CaseSpec("c_subtask_leaves_workers", "Broken variant: a Java subtask starts native workers and returns without ending them; the shim's live count must find them after close().",
                    ONCE, Expectation.caughtWhen("the one native worker the subtask started, running at close() and alive after the bound",
                            PlantedLeaks::nativeWorkerShown)), PlantedLeaks::cSubtaskLeavesWorkers),
            ScopeCase.onPeerNatives(CaseSpec.broken("go_goroutine_leaves_native_worker", "Broken variant: a Go goroutine starts a native worker in the peer (cgo) and returns without stopping it; the peer's live worker count must find it after close().",
                    "(1 in the Go peer, started by a goroutine)"), PlantedLeaks::goGoroutineLeavesNativeWorker),
            ScopeCase.of(CaseSpec.broken("go_handler_ignores_notice", "Broken variant: a Go handler ignores the cancel notice and unwinds slowly; the subtask resets its stream after "
                    + DEAF_END_BOUND.toMillis() + " ms, and the check that no handler returns after close() must catch it.",
                    "Go handler of call deaf returned "), PlantedLeaks::goHandlerIgnoresNotice),
            ScopeCase.of(new CaseSpec("blocking_v2_interrupt_alone_leaks", "Broken variant: a BlockingClientCall left alone on interrupt keeps its Go errgroup running after close(); the Go count must name it.",
                    ONCE, Expectation.caughtWhen("the abandoned call's handler not returned and its errgroup's 3 goroutines still running",
                            Interrupts::abandonedCallShown)), Interrupts::blockingV2InterruptAloneLeaks));

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

    Session session() {
        return session;
    }

    /** The harness's own calls on the session's peer. */
    ScopeCalls calls() {
        return calls;
    }

    /** The region index of this suite's {@code i}-th cancel flag. */
    int flag(int i) {
        if (i >= FLAG_COUNT) throw new IllegalStateException("more than " + FLAG_COUNT + " native subtasks in one scenario");
        return flags.at(i);
    }

    /** One C worker started through FFM, waiting for region cancel flag {@code flag}, which the Go handler of its call sets. */
    NativeWorkers nativeWorkers(int flag) {
        return NativeWorkers.start(session.panama(), session.region().counterSlot(gateSlot), session.region().cancelFlag(flag), 1,
                NativeWorkers.Work.WAITING, true);
    }

    /** Runs the cases {@code settings} selects by name, in table order, in its mode; a case not selected is not reported. */
    public SuiteResult run(Suite.Settings settings) {
        List<ScopeCase> plan = CASES.stream().filter(c -> settings.cases().test(c.spec().name())).toList();
        List<CaseResult> cases = new ArrayList<>();
        if (plan.isEmpty()) return new SuiteResult(NAME, TITLE, cases);
        deadlineTimer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("scopes-deadline-timer").factory());
        deadlineTimer.prestartAllCoreThreads();
        ManagedChannel eventLoopHolder = null;
        try {
            eventLoopHolder = warmUpEventLoops();
            try (Progress bar = Progress.start(progress, NAME, plan.size(), null)) {
                for (ScopeCase c : plan) {
                    cases.add(c.needsPeerNatives() ? peerNativeCase(c.spec(), settings.mode(), c.scenario())
                            : runCase(c.spec(), settings.mode(), c.scenario()));
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

    // ---- the procedure every case shares ----------------------------------------------------------

    /**
     * Runs the trials {@code spec} plans in {@code mode}; never throws: a fault becomes an ERROR
     * case. The case stops at its first trial that found a problem ({@link CaseTrials}: "failed
     * at trial K of N; M not run"), and {@link Verdict#of} judges that problem against the
     * spec's expectation: a case that holds passes when no trial found one; a broken variant is
     * an EXPECTED_FAILURE only when the problem is the leftover it planted.
     */
    CaseResult runCase(CaseSpec spec, Mode mode, Scenario body) {
        int trials = spec.trialsIn(mode);
        progress.printf(Locale.ROOT, "  scopes/%s: %d trial(s)%n", spec.name(), trials);
        long t0 = System.nanoTime();
        List<Trial> done = new ArrayList<>();
        CaseTrials run = new CaseTrials(trials);
        for (int i = 0; run.more(); i++) {
            String which = String.format(Locale.ROOT, "trial %d of %d: ", i + 1, trials);
            Trial t;
            try {
                t = trial(spec.name() + "-" + nonce + "-" + i, body);
            } catch (Exception e) {
                return Verdict.error(which + faultText(e)).result(spec, ms(t0), Map.of(), Map.of());
            }
            done.add(t);
            if (t.fault != null) {
                // The scenario broke, but its counts were taken: the case is an ERROR that still reports them.
                Leftovers.Figures f = Leftovers.figures(done, run);
                return Verdict.error(which + faultText(t.fault) + "; counts taken after the fault: " + Leftovers.countsAfterFault(t))
                        .result(spec, ms(t0), f.metrics(), f.details());
            }
            run.record(true, t.problems);
        }
        Leftovers.Figures f = Leftovers.figures(done, run);
        return Verdict.of(spec.expectation(), run.headline(), f.line()).result(spec, ms(t0), f.metrics(), f.details());
    }

    /**
     * A case whose goroutines start native workers in the peer through cgo: run as usual when
     * the peer can, else SKIPPED with the peer's reason (the cross-compiled arm64 peer has no cgo).
     */
    CaseResult peerNativeCase(CaseSpec spec, Mode mode, Scenario body) {
        PeerNativeResponse p;
        try {
            p = calls.peerNative(false);
        } catch (RuntimeException e) {
            return Verdict.error("asking the peer whether it has native workers: " + e.getMessage()).result(spec, 0, Map.of(), Map.of());
        }
        if (!p.getAvailable()) {
            return new Verdict(Status.SKIPPED, "skipped: the Go peer cannot start native workers: " + p.getReason()).result(spec, 0, null, null);
        }
        return runCase(spec, mode, body);
    }

    private static String faultText(Throwable e) {
        StringBuilder m = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable s : e.getSuppressed()) m.append("; the clean-up failed too: ").append(s.getMessage() == null ? s.toString() : s.getMessage());
        return m.toString();
    }

    /** One trial: opens the scope id, takes the "before" counts, runs {@code body}, counts the leftovers, then runs its clean-ups. */
    private Trial trial(String scopeId, Scenario body) throws Exception {
        calls.begin(scopeId);
        JavaThreads before = JavaThreads.snapshot();
        Run r = new Run(this, scopeId);
        r.goTotalBefore = session.peer().inspect(List.of()).getGoroutinesTotal();
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
            return Leftovers.measure(r, before, fault);
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

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
