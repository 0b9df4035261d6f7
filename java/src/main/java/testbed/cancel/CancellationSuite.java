package testbed.cancel;

import testbed.Mode;
import testbed.harness.CaseSpec;
import testbed.harness.CaseTrials;
import testbed.harness.Progress;
import testbed.harness.Session;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.report.CaseResult;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.Map;

import static testbed.cancel.TrialChecks.DEADLINE_MS;
import static testbed.harness.CaseSpec.broken;
import static testbed.harness.CaseSpec.holds;

/**
 * The cancellation suite (docs/CANCELLATION.md): a cancel started by the Java
 * client, a Java deadline, the Go handler or the peer's death must reach every
 * piece of work it owns (Go goroutines of the call, native C workers polling a
 * region cancel flag, Java tasks), each side must see the status the case
 * expects, and the cause must arrive intact when the test bed's cause protocol
 * (docs/PROTOCOL.md) carries it and is reported lost when plain gRPC does.
 *
 * <p>Latencies run from the initiator's cancel to the last piece of work that
 * observed it, on CLOCK_MONOTONIC in both processes ({@link System#nanoTime} is
 * CLOCK_MONOTONIC on Linux; the peer reads it with clock_gettime), and are
 * reported beside the loopback unary round trip measured in the same run
 * ({@link CaseRunner}).
 *
 * <p>This class is the case table: every case's name, title, trials per mode and
 * expectation, and the one method that implements it, named after the case. The
 * broken variants ({@link PlantedLeaks}) are caught by the same checks every case
 * makes, each naming the phrase of the check's message that catches it.
 */
public final class CancellationSuite {
    public static final String NAME = "cancellation";
    public static final String TITLE = "Cancellation across Java, Go and C: statuses, causes, leaks and latency.";
    /** This suite as a run sees it: it runs the cases the settings select, in the settings' mode. */
    public static final Suite SUITE = Suite.of(NAME, TITLE,
            mode -> cases(mode).stream().map(c -> c.spec().name()).toList(),
            (session, settings, progress) -> new CancellationSuite(session, progress).run(settings));

    /**
     * A case as declared: its spec and the method that runs one trial of it, on the suite's
     * topic objects ({@code s -> s.causes::causeInBandJavaToGo}), so that the table exists
     * before any suite does: a run whose filter selects none of it opens no session for it.
     */
    record Case(CaseSpec spec, Function<CancellationSuite, CaseRunner.TrialBody> body) {}

    private final PrintStream progress;
    private final CaseRunner runner;
    private final StreamCancelCases streams;
    private final CauseCases causes;
    private final DeadlineCases deadlines;
    private final NativeWorkerCases nativeWorkers;
    private final FaultCases faults;
    private final StructuredScopeCases scopes;
    private final PlantedLeaks planted;

    public CancellationSuite(Session session, PrintStream progress) {
        int flag = session.cancelFlags(NAME, 1).at(0);
        int slot = session.counterSlots(NAME, 1).at(0);
        CancelCalls calls = new CancelCalls(session.peer().channel(), session.peer());
        TrialChecks checks = new TrialChecks(session, calls);
        this.progress = progress;
        this.runner = new CaseRunner(calls, progress);
        this.streams = new StreamCancelCases(checks);
        this.causes = new CauseCases(checks, streams);
        this.deadlines = new DeadlineCases(checks);
        this.nativeWorkers = new NativeWorkerCases(checks, flag, slot);
        this.faults = new FaultCases(checks);
        this.scopes = new StructuredScopeCases(checks);
        this.planted = new PlantedLeaks(checks, nativeWorkers, scopes);
    }

    /** Every case in {@code mode}, in run order. */
    static List<Case> cases(Mode mode) {
        TrialCount trials = TrialCount.scaled(50);
        TrialCount few = TrialCount.scaled(10);
        TrialCount sparePeer = TrialCount.quickOr(1, 3);
        int burst = mode == Mode.QUICK ? 1_000 : mode == Mode.DEFAULT ? 2_000 : 10_000;
        List<Case> c = new ArrayList<>();
        c.add(new Case(holds("cause_in_band_java_to_go",
                "Java sends the protocol's CancelNotice on a bidi stream; the Go handler's context.Cause holds the cause intact.",
                TrialCount.once()), s -> s.causes::causeInBandJavaToGo));
        c.add(new Case(holds("cause_lost_plain_grpc_java_to_go",
                "Java calls ClientCall.cancel(message, cause) on a bidi stream; the Go handler sees only context.Canceled.",
                TrialCount.once()), s -> s.causes::causeLostPlainGrpcJavaToGo));
        c.add(new Case(holds("cause_error_info_go_to_java",
                "The Go handler cancels a server stream with a cause; Java reads it intact as google.rpc.ErrorInfo.",
                TrialCount.once()), s -> s.causes::causeErrorInfoGoToJava));
        c.add(new Case(holds("cause_lost_plain_grpc_go_to_java",
                "The Go handler cancels with context.WithCancelCause and ends as plain gRPC does; Java gets CANCELLED and no cause.",
                TrialCount.once()), s -> s.causes::causeLostPlainGrpcGoToJava));
        c.add(new Case(holds("java_client_cancel_bidi_goroutines",
                "Java cancels a bidi stream whose handler fanned out 8 goroutines; all end, and how fast.",
                trials), s -> s.streams::javaClientCancelBidiGoroutines));
        c.add(new Case(holds("java_deadline_unary_goroutines",
                "A " + DEADLINE_MS + " ms Java deadline on a unary call whose handler fanned out 4 goroutines; all end.",
                trials), s -> s.deadlines::javaDeadlineUnaryGoroutines));
        c.add(new Case(holds("go_server_cancel_server_streaming",
                "The Go handler cancels its server stream with a cause; its goroutines end, and the Java consumer (the call's listener) learns of it.",
                trials), s -> s.streams::goServerCancelServerStreaming));
        c.add(new Case(holds("native_worker_cancelled_via_go_handler",
                "Java cancels a bidi stream; the Go handler sets a region cancel flag; C workers started through FFM stop.",
                trials), s -> s.nativeWorkers::nativeWorkerCancelledViaGoHandler));
        c.add(new Case(holds("native_worker_cancelled_by_go_server_cancel",
                "The Go handler cancels its server stream; it sets a region cancel flag; C workers started through FFM stop.",
                trials), s -> s.nativeWorkers::nativeWorkerCancelledByGoServerCancel));
        c.add(new Case(holds("native_worker_cancelled_by_java_deadline",
                "A " + DEADLINE_MS + " ms Java deadline on a unary call; the Go handler sets a region cancel flag; C workers stop.",
                trials), s -> s.nativeWorkers::nativeWorkerCancelledByJavaDeadline));
        c.add(new Case(holds("peer_native_worker_cancelled_by_java",
                "Java cancels a bidi stream; the Go handler sets a region cancel flag; C workers the peer started through cgo stop.",
                trials), s -> s.nativeWorkers::peerNativeWorkerCancelledByJava));
        c.add(new Case(holds("peer_native_worker_cancelled_by_go_server_cancel",
                "The Go handler cancels its server stream after 3 ticks; it sets a region cancel flag; C workers the peer started through cgo stop.",
                trials), s -> s.nativeWorkers::peerNativeWorkerCancelledByGoServerCancel));
        c.add(new Case(holds("peer_native_worker_cancelled_by_java_deadline",
                "A " + DEADLINE_MS + " ms Java deadline on a unary call; the Go handler sets a region cancel flag; C workers the peer started through cgo stop.",
                trials), s -> s.nativeWorkers::peerNativeWorkerCancelledByJavaDeadline));
        c.add(new Case(holds("peer_killed_mid_stream",
                "A second peer is killed (SIGKILL) mid-stream; the Java consumer ends with UNAVAILABLE within "
                        + FaultCases.PEER_DEATH_BOUND.toSeconds() + " s.",
                sparePeer), s -> s.faults::peerKilledMidStream));
        c.add(new Case(holds("cancel_before_start",
                "The io.grpc.Context is cancelled before a unary call starts: CANCELLED at once, and no Go handler ever runs.",
                few), s -> s.streams::cancelBeforeStart));
        c.add(new Case(holds("cancel_after_first_message_sent",
                "Java cancels a bidi stream right after its first message: CANCELLED; a Go handler that started stops every goroutine.",
                few), s -> s.streams::cancelAfterFirstMessageSent));
        c.add(new Case(holds("cancel_after_headers_received",
                "Java cancels a server stream the moment its headers arrive, before any message; the Go goroutines all end.",
                trials), s -> s.streams::cancelAfterHeadersReceived));
        c.add(new Case(holds("deadline_met_just_before_expiry",
                "Work that completes after " + DeadlineCases.JUST_BEFORE_COMPLETES_MS + " ms under a " + DeadlineCases.JUST_BEFORE_DEADLINE_MS
                        + " ms deadline ends OK with no cancel on either side; latency is the margin left.",
                TrialCount.scaled(5)), s -> s.deadlines::deadlineMetJustBeforeExpiry));
        c.add(new Case(holds("thousands_of_simultaneous_deadlines",
                burst + " unary calls at once on one channel, deadlines 50 to 250 ms: all DEADLINE_EXCEEDED, no goroutine left.",
                TrialCount.once()), s -> id -> s.deadlines.thousandsOfSimultaneousDeadlines(id, burst)));
        c.add(new Case(holds("java_client_cancel_client_streaming_goroutines",
                "Java cancels a client stream after 3 chunks; the handler's 4 goroutines all end.",
                trials), s -> s.streams::javaClientCancelClientStreamingGoroutines));
        c.add(new Case(holds("java_deadline_client_streaming_goroutines",
                "A " + DEADLINE_MS + " ms Java deadline on a client stream whose handler fanned out 4 goroutines; all end.",
                trials), s -> s.deadlines::javaDeadlineClientStreamingGoroutines));
        c.add(new Case(holds("java_deadline_bidi_goroutines",
                "A " + DEADLINE_MS + " ms Java deadline on a bidi stream whose handler fanned out 4 goroutines; all end.",
                trials), s -> s.deadlines::javaDeadlineBidiGoroutines));
        c.add(new Case(holds("cause_in_band_client_streaming",
                "A CancelNotice on a client stream; the Go handler's context.Cause holds the cause intact.",
                TrialCount.once()), s -> s.causes::causeInBandClientStreaming));
        c.add(new Case(holds("go_server_deadline_unary_goroutines",
                "The Go handler's own " + DeadlineCases.SERVER_DEADLINE_MS + " ms deadline: DEADLINE_EXCEEDED on Java, deadline_exceeded in Go.",
                trials), s -> s.deadlines::goServerDeadlineUnaryGoroutines));
        c.add(new Case(holds("go_server_deadline_server_streaming",
                "The Go handler's own " + DeadlineCases.SERVER_DEADLINE_MS + " ms deadline on a ticking server stream: the Java consumer ends DEADLINE_EXCEEDED.",
                trials), s -> s.deadlines::goServerDeadlineServerStreaming));
        c.add(new Case(holds("connection_cut_mid_stream",
                "A loopback proxy resets the connection under a server stream: UNAVAILABLE on Java, canceled in Go, all goroutines end.",
                few), s -> s.faults::connectionCutMidStream));
        c.add(new Case(holds("malformed_request_clear_status",
                "Request bytes that are no WorkRequest: INTERNAL naming the unmarshalling, within "
                        + FaultCases.BAD_INPUT_BOUND.toSeconds() + " s; the peer still answers.",
                TrialCount.once()), s -> s.faults::malformedRequestClearStatus));
        c.add(new Case(holds("oversized_request_clear_status",
                "A request over the peer's 4 MiB limit: RESOURCE_EXHAUSTED naming the limit; the peer still answers.",
                TrialCount.once()), s -> s.faults::oversizedRequestClearStatus));
        c.add(new Case(holds("java_structured_scope_cancels_streams_and_virtual_threads",
                "A failing StructuredTaskScope subtask cancels two gRPC server streams (8 goroutines) and two virtual-thread work loops.",
                few), s -> s.scopes::javaStructuredScopeCancelsStreamsAndVirtualThreads));
        c.add(new Case(holds("java_structured_scope_cause_in_band",
                "A StructuredTaskScope cancelled by a failing subtask: the stream's owner sends the protocol's cause; Go's context.Cause holds it.",
                few), s -> s.scopes::javaStructuredScopeCauseInBand));
        c.add(new Case(holds("java_structured_scope_cancels_client_stream",
                "A StructuredTaskScope's owner closes it; the subtask owning a client stream is interrupted and cancels it; the handler's 4 goroutines end.",
                few), s -> s.scopes::javaStructuredScopeCancelsClientStream));
        c.add(new Case(holds("native_worker_cancelled_by_peer_death",
                "A spare peer is killed (SIGKILL) under a stream that owns C workers; the Java consumer sees UNAVAILABLE and sets their cancel flag.",
                sparePeer), s -> s.nativeWorkers::nativeWorkerCancelledByPeerDeath));
        c.add(new Case(holds("native_worker_cancelled_by_connection_cut",
                "A loopback proxy resets the connection under a stream that owns C workers; Java sees UNAVAILABLE and sets their cancel flag.",
                few), s -> s.nativeWorkers::nativeWorkerCancelledByConnectionCut));
        c.add(new Case(holds("native_worker_cancelled_by_structured_scope",
                "A StructuredTaskScope's owner closes it; the subtask running C workers is interrupted and sets their cancel flag.",
                few), s -> s.nativeWorkers::nativeWorkerCancelledByStructuredScope));
        c.add(new Case(broken("native_worker_ignores_cancel_flag_leak",
                "Broken variant: C workers started without the cancel flag; the native worker count must name them.",
                NativeWorkerCases.NATIVE_LEAK), s -> s.planted::nativeWorkerIgnoresCancelFlagLeak));
        c.add(new Case(broken("java_task_ignores_interrupt_leak",
                "Broken variant: a StructuredTaskScope's virtual-thread task that ignores the interrupt; the watchdog must name it.",
                TaskWatchdog.JAVA_TASK_LEAK), s -> s.planted::javaTaskIgnoresInterruptLeak));
        c.add(new Case(broken("java_structured_scope_ends_before_owner_cancel",
                "Broken variant: the client stream's subtask cancels its own call, so the scope ends by itself; the owner-cancel check must say so.",
                OwnerCancelledScope.NOT_CANCELLED_BY_OWNER), s -> s.planted::javaStructuredScopeEndsBeforeOwnerCancel));
        c.add(new Case(broken("go_handler_ignores_context_leak",
                "Broken variant: a Go handler that ignores its context; the leak check must name its goroutines.",
                CaseTrials.LEAK), s -> s.planted::goHandlerIgnoresContextLeak));
        return c;
    }

    /** Runs the cases {@code settings} selects by name, in its mode; a case it rejects is skipped, not reported. */
    public SuiteResult run(Suite.Settings settings) {
        List<Case> selected = cases(settings.mode()).stream().filter(c -> settings.cases().test(c.spec().name())).toList();
        List<CaseResult> results = new ArrayList<>();
        if (selected.isEmpty()) return new SuiteResult(NAME, TITLE, results);
        runner.warmUp();
        try (Progress bar = Progress.start(progress, NAME, selected.size(), null)) {
            for (Case c : selected) {
                results.add(runner.run(c.spec(), settings.mode(), c.body().apply(this)));
                bar.advance();
            }
        }
        return new SuiteResult(NAME, TITLE, results);
    }

    /** Runs every case in {@code mode}. */
    public SuiteResult run(Mode mode) {
        return run(Suite.Settings.all(mode));
    }

    /** Runs one case outside the table (a test's), as the table's cases run. */
    CaseResult runCase(CaseSpec spec, Mode mode, CaseRunner.TrialBody body) {
        return runner.run(spec, mode, body);
    }

    // ---- make bench-cancel's trials ----------------------------------------------------------------

    /** Warms the channel and both JITs, as a run does before its first case. */
    void warmUp() {
        runner.warmUp();
    }

    /** A call id no other trial of this suite's session uses. */
    String callId(String name, int i) {
        return runner.callId(name, i);
    }

    /**
     * {@code make bench-cancel}'s Java-to-Go trial, {@code java_client_cancel_bidi_goroutines}'s
     * (Java cancels a bidi stream whose handler fanned out 8 goroutines), with its assertions;
     * the durations of its steps go to {@code steps} (docs/CANCELLATION.md, "Where the time goes").
     */
    Trial javaToGo(String id, Map<String, Long> steps) {
        return streams.javaCancelsBidi(id, 8, false, steps);
    }

    /**
     * {@code make bench-cancel}'s Go-to-Java trial, {@code go_server_cancel_server_streaming}'s
     * (the Go handler cancels its server stream with a cause that a Java consumer reads), with
     * its assertions; the durations of its steps go to {@code steps}.
     */
    Trial goToJava(String id, StreamConsumer consumer, Map<String, Long> steps) {
        return streams.goCancelsServerStream(id, false, consumer, steps);
    }
}
