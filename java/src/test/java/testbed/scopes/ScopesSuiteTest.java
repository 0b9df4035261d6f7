package testbed.scopes;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import testbed.ffi.NativeWorkers;
import testbed.Mode;
import testbed.harness.BrokenBuild;
import testbed.harness.CaseSpec;
import testbed.harness.Expectation;
import testbed.harness.Session;
import testbed.harness.SharedSession;
import testbed.harness.Suite;
import testbed.harness.Verdict;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.StructuredTaskScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ScopesSuiteTest {
    private static Session session;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static final List<String> BROKEN = List.of("go_handler_leaks_goroutine", "go_handler_leaks_unlabelled_goroutine", "java_subtask_leaks_thread", "java_subtask_leaks_executor", "c_subtask_leaves_workers", "go_handler_ignores_notice",
            "blocking_v2_interrupt_alone_leaks", "go_goroutine_leaves_native_worker");

    @RegisterExtension
    static final SharedSession SHARED = new SharedSession();

    @BeforeAll
    static void open() {
        session = SHARED.get();
    }

    @Test
    void quickSuiteHoldsEveryScenarioAndCatchesEveryBrokenVariant() {
        SuiteResult r = new ScopesSuite(session, QUIET).run(Suite.Settings.all(Mode.QUICK));
        assertEquals(List.of("all_succeed", "go_goroutine_fails", "java_subtask_fails", "scope_timeout", "any_successful",
                        "await_all", "owner_interrupted", "nested", "nested_native_under_goroutine", "context_lost_across_forks", "context_propagated_across_forks",
                        "interrupt_cancels_blocking_stub", "interrupt_cancels_async_stub", "interrupt_cancels_blocking_v2",
                        "peer_dies", "unknown_scope_id", "stream_reset",
                        "go_handler_leaks_goroutine", "go_handler_leaks_unlabelled_goroutine", "java_subtask_leaks_thread", "java_subtask_leaks_executor", "c_subtask_leaves_workers", "go_goroutine_leaves_native_worker",
                        "go_handler_ignores_notice", "blocking_v2_interrupt_alone_leaks"),
                r.cases().stream().map(CaseResult::name).toList());
        ScopeCalls peer = new ScopeCalls(session.peer().channel());
        var peerNative = peer.peerNative(false);
        if (!peerNative.getAvailable()) {
            // A peer without cgo (the arm64 build): the native-under-goroutine cases say so, they do not fail.
            for (String name : List.of("nested_native_under_goroutine", "go_goroutine_leaves_native_worker")) {
                assertEquals(Status.SKIPPED, byName(r, name).status(), name);
                assertTrue(byName(r, name).message().contains("without cgo"), byName(r, name).message());
            }
        } else {
            CaseResult nn = byName(r, "nested_native_under_goroutine");
            assertEquals(Status.PASSED, nn.status(), nn.message());
            // The goroutines' native workers ended, were counted, and their end is in the outlive figure.
            Double nativeEnd = (Double) nn.metrics().get("peer_native_last_end_vs_close_us");
            assertNotNull(nativeEnd, "the native workers' end was recorded: " + nn.metrics());
            assertTrue(nativeEnd <= (Double) nn.metrics().get("last_remote_end_vs_close_us"), nn.metrics().toString());
            assertTrue(nativeEnd <= 0, "structured: the goroutines joined their workers before close() returned: " + nn.metrics());
            @SuppressWarnings("unchecked")
            var rows = (List<Map<String, Object>>) nn.details().get("calls");
            assertEquals(2, rows.stream().filter(row -> "its goroutine, by the flag".equals(row.get("native_stopped_by"))).count(), rows.toString());
            CaseResult nLeak = byName(r, "go_goroutine_leaves_native_worker");
            assertEquals(Status.EXPECTED_FAILURE, nLeak.status(), nLeak.message());
            assertTrue(nLeak.message().matches("caught: leak: 1 native worker\\(s\\) alive 1000 ms after close\\(\\) \\(1 in the Go peer, started by a goroutine\\)"
                    + "; 1 native worker\\(s\\) still running when close\\(\\) returned \\(1 in the Go peer\\).*; failed at trial 1 of 1"), nLeak.message());
            assertEquals(0, nLeak.metrics().get("go_leftover_goroutines"), "the goroutine itself ended: only the C count sees the leak");
        }
        assertEquals(0, peer.peerNative(false).getAlive(), "no native worker is left in the peer");
        for (CaseResult c : r.cases()) {
            if (BROKEN.contains(c.name()) || c.status() == Status.SKIPPED) continue;
            assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
            if (List.of("peer_dies", "unknown_scope_id").contains(c.name())) {
                assertNull(c.metrics().get("go_leftover_goroutines"), c.name() + ": no call of the scope could be counted: n/a, not 0");
                assertTrue(c.message().contains("leftovers go n/a ("), c.message());
            } else {
                assertEquals(0, c.metrics().get("go_leftover_goroutines"), c.name());
            }
            assertEquals(0, c.metrics().get("java_leftover_threads"), c.name());
            assertEquals(0, c.metrics().get("c_leftover_workers"), c.name());
            assertTrue(c.metrics().containsKey("outlive_max_us"), c.name());
        }
        assertEquals(Status.EXPECTED_FAILURE, byName(r, "go_handler_leaks_goroutine").status());
        assertTrue(byName(r, "go_handler_leaks_goroutine").message().matches(
                "caught: leak: [1-9]\\d* goroutine\\(s\\) of scope go_handler_leaks_goroutine-.* still running 1000 ms after close\\(\\).*; failed at trial 1 of 1"),
                byName(r, "go_handler_leaks_goroutine").message());
        assertEquals(Status.EXPECTED_FAILURE, byName(r, "java_subtask_leaks_thread").status());
        assertTrue(byName(r, "java_subtask_leaks_thread").message().matches(
                "caught: leak: 1 Java thread\\(s\\) outlived the scope: #\\d+ 'scopes-stray-java_subtask_leaks_thread-.*' in <root>; failed at trial 1 of 1"),
                byName(r, "java_subtask_leaks_thread").message());
        CaseResult unlabelled = byName(r, "go_handler_leaks_unlabelled_goroutine");
        assertEquals(Status.EXPECTED_FAILURE, unlabelled.status(), unlabelled.message());
        assertEquals(0, unlabelled.metrics().get("go_leftover_goroutines"), "the scope's count cannot see it");
        assertTrue(unlabelled.message().matches("caught: " + Leftovers.GO_PROCESS_GREW + ": 1 goroutine\\(s\\) more than before the scope opened .*"),
                unlabelled.message());
        CaseResult pool = byName(r, "java_subtask_leaks_executor");
        assertEquals(Status.EXPECTED_FAILURE, pool.status(), pool.message());
        assertTrue(pool.message().matches(
                "caught: leak: 1 Java thread\\(s\\) outlived the scope: #\\d+ 'scopes-leaked-pool-java_subtask_leaks_executor-.*' in java\\.util\\.concurrent\\.ThreadPoolExecutor@.*; failed at trial 1 of 1"),
                pool.message());
        CaseResult cLeak = byName(r, "c_subtask_leaves_workers");
        assertEquals(Status.EXPECTED_FAILURE, cLeak.status(), cLeak.message());
        assertTrue(cLeak.message().matches("caught: leak: 1 native worker\\(s\\) alive 1000 ms after close\\(\\); 1 native worker\\(s\\) still running when close\\(\\) returned.*; failed at trial 1 of 1"),
                cLeak.message());
        assertEquals(1, cLeak.metrics().get("c_workers_at_close"));
        assertEquals(Status.EXPECTED_FAILURE, byName(r, "blocking_v2_interrupt_alone_leaks").status(), byName(r, "blocking_v2_interrupt_alone_leaks").message());
        CaseResult deaf = byName(r, "go_handler_ignores_notice");
        assertEquals(Status.EXPECTED_FAILURE, deaf.status(), deaf.message());
        assertTrue(deaf.message().matches("caught: Go handler of call deaf returned \\d+\\.\\d us after close\\(\\) returned; failed at trial 1 of 1"), deaf.message());
        assertTrue((Double) deaf.metrics().get("outlive_max_us") >= ScopesSuite.UNWIND_MS * 1e3 * 0.5, "outlived by about the unwind: " + deaf.metrics());
        assertEquals(0, deaf.metrics().get("go_leftover_goroutines"), "a slow unwind is not a leak: it ends within the bound");

        assertTrue(byName(r, "context_lost_across_forks").message().contains("Go saw a deadline on 0 of 3 forks"),
                byName(r, "context_lost_across_forks").message());
        assertTrue(byName(r, "context_propagated_across_forks").message().contains("Go saw a deadline on 3 of 3 forks"),
                byName(r, "context_propagated_across_forks").message());
        var killed = java.util.regex.Pattern.compile("the doomed peer counted (\\d+) goroutines of the scope just before the kill")
                .matcher(byName(r, "peer_dies").message());
        assertTrue(killed.find() && Integer.parseInt(killed.group(1)) >= 8, "the errgroups' 8 at least, handlers' own besides: " + byName(r, "peer_dies").message());
        assertTrue(byName(r, "go_goroutine_fails").message().startsWith("FailedException: ABORTED, ErrorInfo testbed.go/GOROUTINE_FAILED"));
        // The structured cancel (cause protocol, then waiting for the call's end): every Go handler
        // returned before close() did, which the case asserts; the signed figure says by how much.
        for (String name : List.of("all_succeed", "go_goroutine_fails", "java_subtask_fails", "scope_timeout", "any_successful", "nested")) {
            assertTrue((Double) byName(r, name).metrics().get("last_remote_end_vs_close_us") <= 0
                            || (Integer) byName(r, name).metrics().get("go_goroutines_at_end_scope") > 0,
                    name + ": a positive figure can only come from gRPC's own goroutine of a call, counted at EndScope");
        }
        // Nothing the suite started is still counted by the peer under any of its scope ids.
        var byScope = session.peer().inspect(List.of()).getGoroutinesByScopeMap();
        for (CaseResult c : r.cases()) {
            assertTrue(byScope.keySet().stream().noneMatch(id -> id.startsWith(c.name() + "-")), "goroutines left by " + c.name() + ": " + byScope);
        }
        assertEquals(0, session.panama().workersAlive());
    }

    /** --filter: the suite runs only the cases the settings select, and reports no other. */
    @Test
    void onlyTheCasesTheSettingsSelectRun() {
        SuiteResult one = new ScopesSuite(session, QUIET).run(new Suite.Settings(Mode.QUICK, name -> name.equals("unknown_scope_id")));
        assertEquals(List.of("unknown_scope_id"), one.cases().stream().map(CaseResult::name).toList());
        assertEquals(Status.PASSED, one.cases().getFirst().status(), one.cases().getFirst().message());
        SuiteResult none = new ScopesSuite(session, QUIET).run(new Suite.Settings(Mode.QUICK, name -> false));
        assertTrue(none.cases().isEmpty(), none.cases().toString());
    }

    @Test
    void aBrokenVariantThatLeaksNothingIsNotCalledCaught() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        CaseResult c = suite.runCase(asBroken("no_leak", "go_handler_leaks_goroutine"), Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(5), "ok", true));
                scope.join();
            }
            r.closed();
        });
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith(Verdict.NOT_CAUGHT + "leftovers go 0, java 0, c 0;"), c.message());

        CaseResult outlive = suite.runCase(asBroken("no_outlive", "go_handler_ignores_notice"), Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(5), "ok", false));
                scope.join();
            }
            r.closed();
        });
        assertEquals(Status.FAILED, outlive.status(), outlive.message());
        assertTrue(outlive.message().startsWith(Verdict.NOT_CAUGHT) && outlive.message().contains("nothing outlived close()"), outlive.message());
    }

    /**
     * A fork made after the scope was cancelled never runs: it must expect nothing of Go or C
     * (the race a descheduled owner would hit in go_goroutine_fails), made here on purpose.
     */
    @Test
    void aForkThatNeverRanExpectsNothing() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        CaseResult late = suite.runCase(holds("late_fork", 1), Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                var failed = scope.fork(() -> {
                    throw new IllegalStateException("failed at once");
                });
                while (failed.state() == StructuredTaskScope.Subtask.State.UNAVAILABLE) Thread.sleep(1);
                var never = scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(5), "ok", true));
                try {
                    scope.join();
                } catch (StructuredTaskScope.FailedException expected) {
                    r.javaSaw = "FailedException; the late fork is " + never.state();
                }
            }
            r.closed();
        });
        assertEquals(Status.PASSED, late.status(), late.message());
        assertTrue(late.message().startsWith("FailedException; the late fork is UNAVAILABLE"), late.message());
    }

    /** A stalled peer cannot hang the context case: its scope is bounded though its calls carry no deadline. */
    @Test
    void aStalledCallWithoutDeadlineEndsAtTheScopesBound() throws Exception {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        suite.deadlineTimer = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        suite.deadlineTimer.prestartAllCoreThreads();
        try {
            long t0 = System.nanoTime();
            CaseResult stalled = suite.runCase(holds("stalled", 1), Mode.QUICK,
                    r -> ContextAcrossForks.contextAcrossForks(r, false, Duration.ofMillis(300), 0));
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "ended well before the 10 s call bound");
            assertEquals(Status.ERROR, stalled.status(), stalled.message());
            assertTrue(stalled.message().contains("TimeoutException"), stalled.message());
        } finally {
            suite.deadlineTimer.shutdownNow();
        }
        assertTrue(session.peer().inspect(List.of()).getGoroutinesByScopeMap().keySet().stream().noneMatch(id -> id.startsWith("stalled-")),
                "the interrupted blocking calls were cancelled in Go");
    }

    /** Native workers that end after close() but within the bound: not a leak, but the case fails and the outlive time shows it. */
    @Test
    void nativeWorkersEndingAfterCloseAreReportedAndFailTheCase() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        Thread[] stopper = new Thread[1];
        CaseResult late = suite.runCase(holds("c_late", 1), Mode.QUICK, r -> {
            NativeWorkers[] nw = new NativeWorkers[1];
            int flag = r.allocateFlag();
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(() -> {
                    nw[0] = suite.nativeWorkers(flag);
                    return "started";
                });
                scope.join();
            }
            r.closed();
            stopper[0] = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                    // stop now
                }
                nw[0].finish(Duration.ZERO);
            });
        });
        try {
            stopper[0].join(5_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(Status.FAILED, late.status(), late.message());
        assertTrue(late.message().contains("1 native worker(s) still running when close() returned"), late.message());
        assertEquals(0, late.metrics().get("c_leftover_workers"), "ended within the bound: not a leftover");
        assertTrue((Double) late.metrics().get("outlive_max_us") >= 100_000, "the outlive time counts the native workers: " + late.metrics());
        assertEquals(0, session.panama().workersAlive());
    }

    /** A broken variant whose run shows a leftover, but not the one it planted, is not called caught. */
    @Test
    void aLeftoverThatIsNotThePlantedOneDoesNotCount() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        Thread[] other = new Thread[1];
        CaseSpec plantsAThread = new CaseSpec("other_leftover", "t", m -> 1, Expectation.caughtBy("'the-planted-thread'"));
        CaseResult c = suite.runCase(plantsAThread, Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(() -> {
                    other[0] = Thread.ofPlatform().name("some-other-thread").start(() -> {
                        try {
                            Thread.sleep(1_500);
                        } catch (InterruptedException ignored) {
                            // released below
                        }
                    });
                    return "x";
                });
                scope.join();
            }
            r.closed();
            r.cleanups.add(() -> other[0].interrupt());
        });
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith(Verdict.NOT_CAUGHT + "it failed, but not with a problem naming ''the-planted-thread''"), c.message());
        assertTrue(c.message().contains("leak: 1 Java thread(s) outlived the scope: #") && c.message().contains("'some-other-thread'"),
                "the leftover it found is still said: " + c.message());
    }

    /** A check on the Go records (a context case's deadlines, a goroutine's native worker) fails the case like any other problem. */
    @Test
    void aRecordCheckThatFailsFailsTheCase() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        CaseResult c = suite.runCase(holds("record_check", 1), Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(5), "ok", false));
                scope.join();
            }
            r.closed();
            r.recordChecks.add(records -> r.problem("the records of " + records.size() + " call(s) failed a check on purpose"));
        });
        assertEquals(Status.FAILED, c.status(), c.message());
        assertEquals("the records of 1 call(s) failed a check on purpose; failed at trial 1 of 1", c.message());
    }

    @Test
    void aScenarioStopsAtItsFirstFailedTrial() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        int[] ran = {0};
        CaseResult c = suite.runCase(holds("wrong_end_thrice", 3), Mode.QUICK, r -> {
            ran[0]++;
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(5), "goroutine_failed", false));
                scope.join();
            }
            r.closed();
        });
        assertEquals(Status.FAILED, c.status(), c.message());
        assertEquals("Go call s0 ended ok (), want goroutine_failed; failed at trial 1 of 3; 2 not run", c.message());
        assertEquals(1, ran[0], "no trial runs after the first failed one");
        assertEquals(1, c.metrics().get("trials"));
        assertEquals(2, c.metrics().get("trials_not_run"));
        assertEquals(1, c.metrics().get("failed_at_trial"));
    }

    /**
     * A build whose goroutines ignore their context: their errgroups never end, so neither do
     * the handlers waiting for them. The headline says so and names what the peer still counts
     * (each handler and its errgroup's goroutines, adding up to the count), and the scenario
     * stops at its first trial.
     */
    @Test
    void onABrokenBuildAScenarioFailsAtItsFirstTrialOnTheHandlersThatNeverReturned() {
        try (Session broken = BrokenBuild.goroutinesIgnoreTheirContext(QUIET)) {
            ScopesSuite suite = new ScopesSuite(broken, QUIET);
            long t0 = System.nanoTime();
            CaseResult c = suite.runCase(holds("java_subtask_fails", 3), Mode.QUICK, Joiners::javaSubtaskFails);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(Status.FAILED, c.status(), c.message());
            assertTrue(c.message().matches("leak: the Go handlers of calls s0, s1 never returned after close\\(\\): 10 goroutine\\(s\\) of scope "
                    + "java_subtask_fails-\\S+ still running 1000 ms after it: the 2 handlers and the 8 goroutine\\(s\\) of their errgroups; .*"
                    + "; failed at trial 1 of 3; 2 not run"), c.message());
            assertFalse(c.message().contains("no Go record of call"), "a handler that never returned files no record, and the leak says why: " + c.message());
            assertEquals(2, c.metrics().get("trials_not_run"));
            assertTrue(seconds < 15, "one trial's bounds, not three: " + seconds + " s");
        }
        assertEquals(0, session.panama().workersAlive(), "the subtasks stopped their native workers themselves");
    }

    /**
     * The broken variant that plants a handler returning late, on a build whose handlers never
     * return: not called caught (the check it exists for did not fail), and not reported as if
     * nothing had happened either: its headline is the worse leak.
     */
    @Test
    void onABrokenBuildAVariantThatMisbehavesWorseSaysSo() {
        try (Session broken = BrokenBuild.goroutinesIgnoreTheirContext(QUIET)) {
            ScopesSuite suite = new ScopesSuite(broken, QUIET);
            CaseResult deaf = suite.runCase(spec("go_handler_ignores_notice"), Mode.QUICK, PlantedLeaks::goHandlerIgnoresNotice);
            assertEquals(Status.FAILED, deaf.status(), "a worse fault does not prove the variant's check: " + deaf.message());
            assertTrue(deaf.message().matches(java.util.regex.Pattern.quote(Verdict.NOT_CAUGHT + "it failed, but not with a problem naming 'Go handler of call deaf returned '"
                    + ", so this run does not prove the check can fail: ")
                    + "leak: the Go handler of call deaf never returned after close\\(\\): 3 goroutine\\(s\\) of scope "
                    + "go_handler_ignores_notice-\\S+ still running 1000 ms after it: the handler and the 2 goroutine\\(s\\) of its errgroup; .*"
                    + "; failed at trial 1 of 1"), deaf.message());
        }
    }

    @Test
    void aWrongGoEndFailsTheCaseAndAFaultIsAnError() {
        ScopesSuite suite = new ScopesSuite(session, QUIET);
        CaseResult failed = suite.runCase(holds("wrong_end", 1), Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(5), "goroutine_failed", false));
                scope.join();
            }
            r.closed();
        });
        assertEquals(Status.FAILED, failed.status());
        assertEquals("Go call s0 ended ok (), want goroutine_failed; failed at trial 1 of 1", failed.message());

        CaseResult error = suite.runCase(holds("fault", 1), Mode.QUICK, r -> {
            throw new IllegalStateException("the peer died");
        });
        assertEquals(Status.ERROR, error.status());
        assertEquals("trial 1 of 1: the peer died; counts taken after the fault: leftovers go 0, java 0, c 0", error.message());
        assertEquals(0, error.metrics().get("go_leftover_goroutines"), "the counts are still taken and reported");

        // A scenario that breaks while its subtask holds a stream: the counts taken after the fault see it end.
        CaseResult midway = suite.runCase(holds("fault_midway", 1), Mode.QUICK, r -> {
            try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 2), null, true));
                r.awaitGoroutines(2);
                throw new IllegalStateException("the scenario broke with the scope open");
            }
        });
        assertEquals(Status.ERROR, midway.status());
        // (close() without join() also says so, suppressed into the fault, after cancelling and waiting for the subtask.)
        assertTrue(midway.message().startsWith("trial 1 of 1: the scenario broke with the scope open")
                && midway.message().endsWith("counts taken after the fault: leftovers go 0, java 0, c 0"), midway.message());

        CaseResult both = suite.runCase(holds("fault_and_cleanup", 1), Mode.QUICK, r -> {
            r.cleanups.add(() -> {
                throw new IllegalStateException("the clean-up broke");
            });
            throw new IllegalStateException("the scenario broke");
        });
        assertEquals(Status.ERROR, both.status());
        assertTrue(both.message().startsWith("trial 1 of 1: the scenario broke; the clean-up failed too: the clean-up broke; counts taken after the fault"), both.message());

        CaseResult unclosed = suite.runCase(holds("unclosed", 1), Mode.QUICK, r -> { });
        assertEquals(Status.ERROR, unclosed.status());
        assertTrue(unclosed.message().contains("did not record when close() returned"), unclosed.message());
    }

    /** An interrupted HeldStream reports the interrupt, and how the call really ended rides along with it. */
    @Test
    void anInterruptedHoldCarriesTheCallsRealEnd() throws Exception {
        ScopeCalls calls = new ScopeCalls(session.peer().channel());
        String id = "held-interrupt-" + System.nanoTime();
        calls.begin(id);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> caught = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                HeldStream.hold(calls.async(id), testbed.proto.v1.HoldSpec.newBuilder().setCallId("h").setGoroutines(2).build(), s -> started.countDown());
            } catch (Throwable e) {
                caught.set(e);
            }
        });
        try {
            assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
            t.interrupt();
            assertTrue(t.join(Duration.ofSeconds(10)));
        } finally {
            calls.end(id, Duration.ofSeconds(1));
        }
        assertTrue(caught.get() instanceof InterruptedException, String.valueOf(caught.get()));
        assertEquals(1, caught.get().getSuppressed().length, "the call's end rides along");
        io.grpc.Status st = io.grpc.Status.fromThrowable(caught.get().getSuppressed()[0]);
        assertEquals(io.grpc.Status.Code.CANCELLED, st.getCode(), st.toString());
        assertEquals("SCOPE_CANCELLED", ScopeCalls.errorInfo(caught.get().getSuppressed()[0]).getReason());
    }

    /** A case that holds, of {@code trials} trials in every mode. */
    private static CaseSpec holds(String name, int trials) {
        return new CaseSpec(name, "t", m -> trials, Expectation.HOLDS);
    }

    /** The suite's own spec of case {@code name}. */
    private static CaseSpec spec(String name) {
        return ScopesSuite.CASES.stream().map(ScopesSuite.ScopeCase::spec).filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** A case named {@code name} that must be caught as the suite's broken variant {@code variant} is. */
    private static CaseSpec asBroken(String name, String variant) {
        return new CaseSpec(name, "t", m -> 1, spec(variant).expectation());
    }

    private static CaseResult byName(SuiteResult r, String name) {
        return r.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
