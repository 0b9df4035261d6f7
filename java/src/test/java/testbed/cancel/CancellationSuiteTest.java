package testbed.cancel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.harness.Session;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class CancellationSuiteTest {
    private static Session session;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @BeforeAll
    static void open() {
        session = Session.openDefault(QUIET);
    }

    @AfterAll
    static void close() {
        var region = session.region().path();
        session.close();
        assertFalse(Files.exists(region), "closing the session removes the region file");
        assertEquals(0, session.panama().workersAlive(), "no native worker outlives the suite");
    }

    @Test
    void quickSuiteHoldsEveryCaseAndCatchesTheIgnoringHandler() {
        SuiteResult r = new CancellationSuite(session, QUIET).run(Mode.QUICK);
        assertEquals(List.of("cause_in_band_java_to_go", "cause_lost_plain_grpc_java_to_go", "cause_error_info_go_to_java",
                        "cause_lost_plain_grpc_go_to_java", "java_client_cancel_bidi_goroutines", "java_deadline_unary_goroutines",
                        "go_server_cancel_server_streaming", "native_worker_cancelled_via_go_handler",
                        "native_worker_cancelled_by_go_server_cancel", "native_worker_cancelled_by_java_deadline",
                        "peer_native_worker_cancelled_by_java", "peer_killed_mid_stream",
                        "cancel_before_start", "cancel_after_first_message_sent", "cancel_after_headers_received",
                        "deadline_met_just_before_expiry", "thousands_of_simultaneous_deadlines",
                        "java_client_cancel_client_streaming_goroutines", "java_deadline_client_streaming_goroutines",
                        "cause_in_band_client_streaming", "go_server_deadline_unary_goroutines",
                        "go_server_deadline_server_streaming", "connection_cut_mid_stream", "malformed_request_clear_status",
                        "oversized_request_clear_status", "java_structured_scope_cancels_streams_and_virtual_threads",
                        "java_structured_scope_cause_in_band",
                        "go_handler_ignores_context_leak"),
                r.cases().stream().map(CaseResult::name).toList());
        for (CaseResult c : r.cases().subList(0, r.cases().size() - 1)) {
            assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
            assertEquals(0, c.metrics().get("leaked_goroutines"), c.name());
            assertTrue((Double) c.metrics().get("latency_max_us") > 0, c.name() + " measured a latency");
        }
        CaseResult broken = r.cases().getLast();
        assertEquals(Status.EXPECTED_FAILURE, broken.status(), broken.message());
        assertTrue(broken.message().matches("caught: trial 0: leak: [1-9]\\d* goroutine\\(s\\) of scope go_handler_ignores_context_leak-.*"),
                "the leak is named: " + broken.message());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> observed = (List<Map<String, Object>>) byName(r, "cause_in_band_java_to_go").details().get("observed");
        assertTrue(observed.stream().anyMatch(m -> m.get("side").equals("go") && m.get("saw").equals("canceled with cause testbed.java/SCOPE_CLOSED")),
                "the Go handler saw the Java cause: " + observed);
        assertTrue(byName(r, "cause_lost_plain_grpc_java_to_go").message().contains("go saw canceled (cause: context canceled)"),
                "plain gRPC loses the cause: " + byName(r, "cause_lost_plain_grpc_java_to_go").message());
        assertTrue(byName(r, "cause_lost_plain_grpc_go_to_java").message().contains("java saw CANCELLED, no cause"));
        assertTrue(byName(r, "cancel_before_start").message().contains("go saw never started"), byName(r, "cancel_before_start").message());
        assertTrue(byName(r, "deadline_met_just_before_expiry").message().contains("java saw OK"));
        assertTrue(byName(r, "thousands_of_simultaneous_deadlines").message().contains("DEADLINE_EXCEEDED on all 1000 calls"));
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
        CaseResult c = suite.runCase("no_leak", "a body whose goroutines all end", 2, true,
                id -> CancellationSuite.Trial.ok("CANCELLED", "canceled", 1_000));
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("the broken variant was not caught"), c.message());
    }

    @Test
    void aTrialProblemFailsItsCaseAndAFaultIsAnError() {
        CancellationSuite suite = new CancellationSuite(session, QUIET);
        CaseResult failed = suite.runCase("wrong_status", "t", 3, false,
                id -> id.endsWith("-1") ? new CancellationSuite.Trial("OK", "", 5, 0, "Java saw OK, want CANCELLED")
                        : CancellationSuite.Trial.ok("CANCELLED", "canceled", 5));
        assertEquals(Status.FAILED, failed.status());
        assertEquals("trial 1: Java saw OK, want CANCELLED", failed.message());
        CaseResult error = suite.runCase("fault", "t", 1, false, id -> {
            throw new IllegalStateException("the peer died");
        });
        assertEquals(Status.ERROR, error.status());
        assertEquals("the peer died", error.message());
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

    private static CaseResult byName(SuiteResult r, String name) {
        return r.cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
