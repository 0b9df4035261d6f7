package testbed.cancel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import testbed.harness.CaseMethods;
import testbed.Mode;
import testbed.harness.BrokenBuild;
import testbed.harness.CaseSpec;
import testbed.harness.CaseTrials;
import testbed.harness.Expectation;
import testbed.harness.Session;
import testbed.harness.SharedSession;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class CancellationSuiteTest {
    private static Session session;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @RegisterExtension
    static final SharedSession SHARED = new SharedSession();

    @BeforeAll
    static void open() {
        session = SHARED.get();
    }

    @Test
    void quickSuiteHoldsEveryCaseAndCatchesTheIgnoringHandler() {
        SuiteResult r = new CancellationSuite(session, QUIET).run(Mode.QUICK);
        assertEquals(List.of("cause_in_band_java_to_go", "cause_lost_plain_grpc_java_to_go", "cause_error_info_go_to_java",
                        "cause_lost_plain_grpc_go_to_java", "java_client_cancel_bidi_goroutines", "java_deadline_unary_goroutines",
                        "go_server_cancel_server_streaming", "native_worker_cancelled_via_go_handler",
                        "native_worker_cancelled_by_go_server_cancel", "native_worker_cancelled_by_java_deadline",
                        "peer_native_worker_cancelled_by_java", "peer_native_worker_cancelled_by_go_server_cancel",
                        "peer_native_worker_cancelled_by_java_deadline", "peer_killed_mid_stream",
                        "cancel_before_start", "cancel_after_first_message_sent", "cancel_after_headers_received",
                        "deadline_met_just_before_expiry", "thousands_of_simultaneous_deadlines",
                        "java_client_cancel_client_streaming_goroutines", "java_deadline_client_streaming_goroutines",
                        "java_deadline_bidi_goroutines", "cause_in_band_client_streaming", "go_server_deadline_unary_goroutines",
                        "go_server_deadline_server_streaming", "connection_cut_mid_stream", "malformed_request_clear_status",
                        "oversized_request_clear_status", "java_structured_scope_cancels_streams_and_virtual_threads",
                        "java_structured_scope_cause_in_band", "java_structured_scope_cancels_client_stream",
                        "native_worker_cancelled_by_peer_death", "native_worker_cancelled_by_connection_cut",
                        "native_worker_cancelled_by_structured_scope",
                        "native_worker_ignores_cancel_flag_leak", "java_task_ignores_interrupt_leak",
                        "java_structured_scope_ends_before_owner_cancel", "go_handler_ignores_context_leak"),
                r.cases().stream().map(CaseResult::name).toList());
        for (CaseResult c : r.cases()) {
            if (c.name().endsWith("_leak") || c.name().equals("java_structured_scope_ends_before_owner_cancel")) continue;
            assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
            assertEquals(0, c.metrics().get("leaked_goroutines"), c.name());
            if (OTHER_MEASURES.containsKey(c.name())) {
                assertFalse(c.metrics().containsKey("latency_max_us"), c.name() + " reports no cancel-to-last-stop latency");
                assertTrue((Double) c.metrics().get(OTHER_MEASURES.get(c.name()) + "_max_us") > 0, c.name() + " measured " + OTHER_MEASURES.get(c.name()));
            } else {
                assertTrue((Double) c.metrics().get("latency_max_us") > 0, c.name() + " measured a latency");
            }
        }
        CaseResult broken = byName(r, "go_handler_ignores_context_leak");
        assertEquals(Status.EXPECTED_FAILURE, broken.status(), broken.message());
        assertTrue(broken.message().matches("caught: leak: 4 goroutine\\(s\\) of scope go_handler_ignores_context_leak-\\S+ \\(Work\\) still running 5000 ms after the cancel: "
                        + "the 3 work goroutine\\(s\\) that had not stopped when the Go handler recorded its end \\(0 of 3 stopped\\) and the 1 that waits for them; failed at trial 1 of 1"),
                "the leak is named, and its counts add up: " + broken.message());
        CaseResult nativeLeak = byName(r, "native_worker_ignores_cancel_flag_leak");
        assertEquals(Status.EXPECTED_FAILURE, nativeLeak.status(), nativeLeak.message());
        assertTrue(nativeLeak.message().contains("leak: 2 native workers alive after the join"), nativeLeak.message());
        CaseResult task = byName(r, "java_task_ignores_interrupt_leak");
        assertEquals(Status.EXPECTED_FAILURE, task.status(), task.message());
        assertTrue(task.message().matches("caught: leak: 1 Java task\\(s\\) still running .*"), task.message());
        assertTrue(task.message().contains("virtual-thread work subtask 0 ended without seeing the interrupt"), task.message());

        CaseResult selfCancelled = byName(r, "java_structured_scope_ends_before_owner_cancel");
        assertEquals(Status.EXPECTED_FAILURE, selfCancelled.status(), selfCancelled.message());
        assertTrue(selfCancelled.message().startsWith("caught: the scope's join: join returned: the subtasks ended before the owner cancelled the scope, "
                + "want it interrupted and the scope closed by its owner"), selfCancelled.message());

        assertTrue(byName(r, "java_structured_scope_cancels_client_stream").message()
                .contains("java saw scope closed by its owner; CANCELLED; subtask interrupted"), byName(r, "java_structured_scope_cancels_client_stream").message());
        assertTrue(byName(r, "native_worker_cancelled_by_peer_death").message()
                .contains("java saw UNAVAILABLE; flag set by the Java consumer; native workers 0"), byName(r, "native_worker_cancelled_by_peer_death").message());
        assertTrue(byName(r, "native_worker_cancelled_by_connection_cut").message()
                .contains("java saw UNAVAILABLE; flag set by the Java consumer; native workers 0"), byName(r, "native_worker_cancelled_by_connection_cut").message());
        assertTrue(byName(r, "native_worker_cancelled_by_structured_scope").message()
                .contains("java saw scope closed by its owner; subtask interrupted; native workers 0"), byName(r, "native_worker_cancelled_by_structured_scope").message());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> observed = (List<Map<String, Object>>) byName(r, "cause_in_band_java_to_go").details().get("observed");
        assertTrue(observed.stream().anyMatch(m -> m.get("side").equals("go") && m.get("saw").equals("canceled with cause testbed.java/SCOPE_CLOSED")),
                "the Go handler saw the Java cause: " + observed);
        assertTrue(byName(r, "cause_lost_plain_grpc_java_to_go").message().contains("go saw canceled (cause: context canceled)"),
                "plain gRPC loses the cause: " + byName(r, "cause_lost_plain_grpc_java_to_go").message());
        assertTrue(byName(r, "cause_lost_plain_grpc_go_to_java").message().contains("java saw CANCELLED, no cause"));
        assertTrue(byName(r, "cancel_before_start").message().contains("go saw never started"), byName(r, "cancel_before_start").message());
        assertTrue(byName(r, "deadline_met_just_before_expiry").message().contains("java saw OK"));
        CaseResult burst = byName(r, "thousands_of_simultaneous_deadlines");
        assertTrue(burst.message().contains("DEADLINE_EXCEEDED on all 1000 calls"), burst.message());
        assertTrue(burst.message().matches("(?s).*go saw .*(deadline_exceeded|canceled) x\\d+.*"), "the Go side's statuses are counted: " + burst.message());
        assertTrue((Double) burst.metrics().get("deadline_to_java_status_max_us") > 0, "the Java side's figure is reported apart");
        assertTrue(byName(r, "connection_cut_mid_stream").message().contains("java saw UNAVAILABLE"));
        assertTrue(byName(r, "malformed_request_clear_status").message().contains("INTERNAL: grpc: error unmarshalling request"));
        assertTrue(byName(r, "oversized_request_clear_status").message().contains("RESOURCE_EXHAUSTED: grpc: received message larger than max"));
        assertTrue(byName(r, "cause_in_band_client_streaming").message().contains("go saw canceled with cause testbed.java/SCOPE_CLOSED"));
        assertTrue(byName(r, "java_structured_scope_cause_in_band").message().contains("go saw canceled with cause testbed.java/SCOPE_CLOSED"));
        assertEquals(0, session.panama().workersAlive(), "the native-worker case left no worker running");
    }

    @Test
    void aBrokenVariantThatLeaksNothingIsNotCalledCaught() {
        CancellationSuite suite = new CancellationSuite(session, QUIET);
        CaseResult c = suite.runCase(new CaseSpec("no_leak", "a body whose goroutines all end", mode -> 2, Expectation.caughtBy(CaseTrials.LEAK)),
                Mode.QUICK, id -> Trial.saw("CANCELLED", "canceled").latency(1_000));
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("the broken variant was not caught"), c.message());
    }

    /** A broken variant is caught only by the fault it planted: failing for another reason proves nothing about its check. */
    @Test
    void aBrokenVariantThatFailsForAnotherReasonIsNotCalledCaught() {
        CancellationSuite suite = new CancellationSuite(session, QUIET);
        CaseResult c = suite.runCase(CaseSpec.broken("wrong_fault", "a body that fails without the planted leak", CaseTrials.LEAK),
                Mode.QUICK, id -> Trial.saw("OK", "").latency(5).problem("Java saw OK, want CANCELLED"));
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("the broken variant was not caught: it failed, but not with a problem naming 'leak:'"), c.message());
        assertTrue(c.message().endsWith("Java saw OK, want CANCELLED; failed at trial 1 of 1"), c.message());
    }

    @Test
    void aTrialProblemFailsItsCaseAndAFaultIsAnError() {
        CancellationSuite suite = new CancellationSuite(session, QUIET);
        int[] ran = {0};
        CaseResult failed = suite.runCase(CaseSpec.holds("wrong_status", "t", mode -> 5), Mode.QUICK, id -> {
            ran[0]++;
            return id.endsWith("-1") ? Trial.saw("OK", "").latency(5).problem("Java saw OK, want CANCELLED")
                    : Trial.saw("CANCELLED", "canceled").latency(5);
        });
        assertEquals(Status.FAILED, failed.status());
        assertEquals("Java saw OK, want CANCELLED; failed at trial 2 of 5; 3 not run", failed.message());
        assertEquals(2, ran[0], "the case stops at its first failed trial");
        assertEquals(3, failed.metrics().get("trials_not_run"));
        assertEquals(2, failed.metrics().get("failed_at_trial"));
        CaseResult error = suite.runCase(CaseSpec.holds("fault", "t", TrialCount.once()), Mode.QUICK, id -> {
            throw new IllegalStateException("the peer died");
        });
        assertEquals(Status.ERROR, error.status());
        assertEquals("the peer died", error.message());
    }

    /**
     * A build whose goroutines ignore their context: a latency case fails at its first trial,
     * whose one bound (the handler's 2 s stop bound, then the 5 s leak check) is all it costs,
     * and the headline is the leak, its counts adding up: the 8 work goroutines the handler's
     * record counts and the one that waits for them.
     */
    @Test
    void onABrokenBuildACaseFailsAtItsFirstTrialAndSaysWhatLeaked() {
        try (Session broken = BrokenBuild.goroutinesIgnoreTheirContext(QUIET)) {
            CancellationSuite suite = new CancellationSuite(broken, QUIET);
            long t0 = System.nanoTime();
            CaseResult c = suite.runCase(CaseSpec.holds("java_client_cancel_bidi_goroutines", "t", mode -> 10), Mode.QUICK,
                    id -> suite.javaToGo(id, null));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(Status.FAILED, c.status(), c.message());
            assertTrue(c.message().matches("leak: 9 goroutine\\(s\\) of scope java_client_cancel_bidi_goroutines-\\S+ \\(Converse\\) still running 5000 ms after the handler ended: "
                    + "the 8 work goroutine\\(s\\) that had not stopped when the Go handler recorded its end \\(0 of 8 stopped\\) and the 1 that waits for them; "
                    + "failed at trial 1 of 10; 9 not run"), c.message());
            assertEquals(9, c.metrics().get("trials_not_run"));
            assertEquals(1, c.metrics().get("trials"));
            assertTrue(seconds < 20, "one trial's bounds, not ten: " + seconds + " s");
        }
    }

    @Test
    void trialsThatNeverReachTheHandlerAreReplacedAndACaseOfNoneFails() {
        CancellationSuite suite = new CancellationSuite(session, QUIET);
        CaseResult none = suite.runCase(CaseSpec.holds("never_started", "t", mode -> 2), Mode.QUICK,
                id -> Trial.saw("DEADLINE_EXCEEDED", "never started").notExercised());
        assertEquals(Status.FAILED, none.status(), none.message());
        assertEquals("not exercised: only 0 of 2 trial(s) reached the Go handler in 6 attempts", none.message());
        assertFalse(none.metrics().containsKey("latency_p50_us"), "no latency is reported when none was measured");
        int[] n = {0};
        CaseResult some = suite.runCase(CaseSpec.holds("half_started", "t", mode -> 2), Mode.QUICK,
                id -> n[0]++ % 2 == 0 ? Trial.saw("DEADLINE_EXCEEDED", "never started").notExercised()
                        : Trial.saw("DEADLINE_EXCEEDED", "canceled").latency(7_000));
        assertEquals(Status.PASSED, some.status(), some.message());
        assertEquals(2, some.metrics().get("trials"));
        assertEquals(2, some.metrics().get("trials_not_exercised"));
        assertEquals(7.0, some.metrics().get("latency_p50_us"));
    }

    /** The run's --filter: a case the settings reject is neither run nor reported. */
    @Test
    void theSettingsSelectTheCasesThatRun() {
        SuiteResult r = new CancellationSuite(session, QUIET)
                .run(new Suite.Settings(Mode.QUICK, name -> name.equals("cause_in_band_java_to_go")));
        assertEquals(List.of("cause_in_band_java_to_go"), r.cases().stream().map(CaseResult::name).toList());
        assertEquals(Status.PASSED, r.cases().getFirst().status(), r.cases().getFirst().message());
        assertEquals(List.of(), new CancellationSuite(session, QUIET).run(new Suite.Settings(Mode.QUICK, name -> false)).cases());
    }

    /** A case name in the report leads to its one method: the camelCase of the name, in one of the topic classes. */
    @Test
    void everyCaseHasAMethodNamedAfterIt() {
        Set<String> methods = new HashSet<>();
        for (Class<?> topic : List.of(CauseCases.class, StreamCancelCases.class, DeadlineCases.class, NativeWorkerCases.class,
                FaultCases.class, StructuredScopeCases.class, PlantedLeaks.class)) {
            for (Method m : topic.getDeclaredMethods()) {
                if (m.getReturnType() == Trial.class && m.getParameterCount() >= 1 && m.getParameterTypes()[0] == String.class) methods.add(m.getName());
            }
        }
        List<CancellationSuite.Case> cases = CancellationSuite.cases(Mode.QUICK);
        assertEquals(38, cases.size());
        for (CancellationSuite.Case c : cases) {
            String camel = CaseMethods.methodName(c.spec().name());
            assertTrue(methods.contains(camel), c.spec().name() + " has no method " + camel);
        }
    }

    @Test
    void percentilesAreNearestRank() {
        LatencySample s = new LatencySample();
        for (long i = 1; i <= 100; i++) s.add(i * 1_000);
        assertEquals(50_000, s.percentile(50));
        assertEquals(99_000, s.percentile(99));
        assertEquals(100_000, s.max());
        assertEquals(0, new LatencySample().percentile(50));
    }

    /** Cases whose duration is not the cancel-to-last-stop latency, and the measure they report instead. */
    private static final Map<String, String> OTHER_MEASURES = Map.of(
            "cancel_before_start", "java_cancel_to_java_status",
            "deadline_met_just_before_expiry", "deadline_margin_left",
            "malformed_request_clear_status", "request_to_status",
            "oversized_request_clear_status", "request_to_status");

    private static CaseResult byName(SuiteResult r, String name) {
        return r.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
