package testbed.cancel;

import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import testbed.Mode;
import testbed.ffi.AtomicShim;
import testbed.ffi.NativeWorkers;
import testbed.harness.CaseTrials;
import testbed.harness.Progress;
import testbed.harness.Session;
import testbed.peer.PeerClient;
import testbed.peer.PeerProcess;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;
import testbed.proto.v1.WorkSpec;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;
import testbed.region.Region;
import testbed.report.CaseResult;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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
 * reported beside the loopback unary round trip measured in the same run.
 *
 * <p>The broken variant is a Go handler that ignores its context; the same leak
 * check every case makes must name its goroutines.
 */
public final class CancellationSuite {
    public static final String NAME = "cancellation";
    public static final String TITLE = "Cancellation across Java, Go and C: statuses, causes, leaks and latency.";
    /** This suite as a run sees it. */
    public static final testbed.harness.Suite SUITE = testbed.harness.Suite.of(NAME, TITLE,
            (session, settings, progress) -> new CancellationSuite(session, progress).run(settings.mode()));

    /**
     * Every goroutine of a call must have ended within this long after the call's work
     * observed the cancel. The check returns as soon as none is left, so the bound is
     * generous for a loaded machine (a 1 s bound was once missed under load); the time it
     * took is reported as {@code bound_wait_max_ms}.
     */
    static final Duration LEAK_BOUND = Duration.ofSeconds(5);
    /** Native workers must have been joined within this long after the cancel. */
    static final Duration NATIVE_JOIN_BOUND = Duration.ofSeconds(10);
    /** The peer's death must reach the Java side within this long. */
    static final Duration PEER_DEATH_BOUND = Duration.ofSeconds(5);
    /** The broken handler's goroutines sleep this long, well past {@link #LEAK_BOUND}, then end. */
    static final int IGNORE_CONTEXT_MS = 7_000;
    static final int DEADLINE_MS = 20;
    /** Unary round trips before the first case, and beside each trial of every case. */
    static final int WARM_UP_ECHOES = 300;
    static final int ECHOES_PER_TRIAL = 5;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Session session;
    private final CancelCalls calls;
    private final PrintStream progress;
    private final String nonce = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    /** The region cancel flag and counter slot the native-worker cases use, claimed from the session. */
    private final int nativeFlag;
    private final int nativeSlot;

    public CancellationSuite(Session session, PrintStream progress) {
        this.session = session;
        this.nativeFlag = session.cancelFlags(NAME, 1).at(0);
        this.nativeSlot = session.counterSlots(NAME, 1).at(0);
        this.calls = new CancelCalls(session.peer().channel(), session.peer());
        this.progress = progress;
    }

    /**
     * What one trial saw; {@code problem} is null when every assertion held. A trial that
     * measures many durations (one per call of a burst) gives them all in {@code latenciesNs},
     * which then stands for {@code latencyNs}; {@code Long.MIN_VALUE} means none. {@code
     * measure} names what the duration is: {@link #CANCEL_TO_LAST_STOP} (the initiator's cancel
     * to the last piece of work observing it, the only one reported as "latency") or another
     * measure reported under its own name. A trial that is not {@code exercised} never reached
     * the case's subject (a deadline that expired before the Go handler ran) and does not count
     * towards the case's trials. {@code others} holds further named measures of the trial
     * (null: none).
     */
    record Trial(String javaSaw, String goSaw, long latencyNs, int leakedGoroutines, String problem, long[] latenciesNs,
                 boolean exercised, String measure, Map<String, long[]> others) {
        Trial(String javaSaw, String goSaw, long latencyNs, int leakedGoroutines, String problem, long[] latenciesNs) {
            this(javaSaw, goSaw, latencyNs, leakedGoroutines, problem, latenciesNs, true, CANCEL_TO_LAST_STOP, null);
        }

        Trial(String javaSaw, String goSaw, long latencyNs, int leakedGoroutines, String problem) {
            this(javaSaw, goSaw, latencyNs, leakedGoroutines, problem, null);
        }

        static Trial ok(String javaSaw, String goSaw, long latencyNs) {
            return new Trial(javaSaw, goSaw, latencyNs, 0, null);
        }

        /** This trial, counted as not exercising its case. */
        Trial notExercised() {
            return new Trial(javaSaw, goSaw, latencyNs, leakedGoroutines, problem, latenciesNs, false, measure, others);
        }

        /** This trial, its duration(s) being {@code m} rather than the cancel-to-last-stop latency. */
        Trial measuring(String m) {
            return new Trial(javaSaw, goSaw, latencyNs, leakedGoroutines, problem, latenciesNs, exercised, m, others);
        }

        /** This trial with a further measure {@code m}. */
        Trial with(String m, long[] ns) {
            Map<String, long[]> o = others == null ? new LinkedHashMap<>() : new LinkedHashMap<>(others);
            o.put(m, ns);
            return new Trial(javaSaw, goSaw, latencyNs, leakedGoroutines, problem, latenciesNs, exercised, measure, o);
        }
    }

    /** The measure every case's "latency" is: the initiator's cancel to the last piece of work that observed it. */
    static final String CANCEL_TO_LAST_STOP = "cancel_to_last_stop";
    /** A case whose trials may not reach the Go handler runs at most this many times its trials. */
    static final int ATTEMPTS_PER_TRIAL = 3;

    @FunctionalInterface
    interface TrialBody {
        Trial run(String callId);
    }

    public SuiteResult run(Mode mode) {
        int trials = (int) mode.scale(50);
        warmUp();

        List<CaseResult> cases = new ArrayList<>();
        // The cases in run order, built before the first runs so that progress can count them.
        List<Supplier<CaseResult>> plan = new ArrayList<>();
        plan.add(() -> runCase("cause_in_band_java_to_go",
                "Java sends the protocol's CancelNotice on a bidi stream; the Go handler's context.Cause holds the cause intact.",
                1, false, this::inBandCause));
        plan.add(() -> runCase("cause_lost_plain_grpc_java_to_go",
                "Java calls ClientCall.cancel(message, cause) on a bidi stream; the Go handler sees only context.Canceled.",
                1, false, id -> plainCancel(id, 2, true)));
        plan.add(() -> runCase("cause_error_info_go_to_java",
                "The Go handler cancels a server stream with a cause; Java reads it intact as google.rpc.ErrorInfo.",
                1, false, id -> serverCancel(id, false)));
        plan.add(() -> runCase("cause_lost_plain_grpc_go_to_java",
                "The Go handler cancels with context.WithCancelCause and ends as plain gRPC does; Java gets CANCELLED and no cause.",
                1, false, id -> serverCancel(id, true)));
        plan.add(() -> runCase("java_client_cancel_bidi_goroutines",
                "Java cancels a bidi stream whose handler fanned out 8 goroutines; all end, and how fast.",
                trials, false, id -> plainCancel(id, 8, false)));
        plan.add(() -> runCase("java_deadline_unary_goroutines",
                "A " + DEADLINE_MS + " ms Java deadline on a unary call whose handler fanned out 4 goroutines; all end.",
                trials, false, this::deadlineUnary));
        plan.add(() -> runCase("go_server_cancel_server_streaming",
                "The Go handler cancels its server stream with a cause; its goroutines end, and the Java consumer (the call's listener) learns of it.",
                trials, false, id -> serverCancel(id, false, StreamConsumer.LISTENER, null)));
        plan.add(() -> runCase("native_worker_cancelled_via_go_handler",
                "Java cancels a bidi stream; the Go handler sets a region cancel flag; C workers started through FFM stop.",
                trials, false, this::nativeWorkers));
        plan.add(() -> runCase("native_worker_cancelled_by_go_server_cancel",
                "The Go handler cancels its server stream; it sets a region cancel flag; C workers started through FFM stop.",
                trials, false, this::nativeWorkersServerCancel));
        plan.add(() -> runCase("native_worker_cancelled_by_java_deadline",
                "A " + DEADLINE_MS + " ms Java deadline on a unary call; the Go handler sets a region cancel flag; C workers stop.",
                trials, false, this::nativeWorkersJavaDeadline));
        plan.add(() -> runCase("peer_native_worker_cancelled_by_java",
                "Java cancels a bidi stream; the Go handler sets a region cancel flag; C workers the peer started through cgo stop.",
                trials, false, this::peerNativeWorkers));
        plan.add(() -> runCase("peer_native_worker_cancelled_by_go_server_cancel",
                "The Go handler cancels its server stream after 3 ticks; it sets a region cancel flag; C workers the peer started through cgo stop.",
                trials, false, this::peerNativeWorkersServerCancel));
        plan.add(() -> runCase("peer_native_worker_cancelled_by_java_deadline",
                "A " + DEADLINE_MS + " ms Java deadline on a unary call; the Go handler sets a region cancel flag; C workers the peer started through cgo stop.",
                trials, false, this::peerNativeWorkersJavaDeadline));
        plan.add(() -> runCase("peer_killed_mid_stream",
                "A second peer is killed (SIGKILL) mid-stream; the Java consumer ends with UNAVAILABLE within "
                        + PEER_DEATH_BOUND.toSeconds() + " s.",
                mode == Mode.QUICK ? 1 : 3, false, this::peerKilled));
        int few = (int) mode.scale(10);
        MatrixTrials m = new MatrixTrials(this, calls, session.peerProcess());
        plan.add(() -> runCase("cancel_before_start",
                "The io.grpc.Context is cancelled before a unary call starts: CANCELLED at once, and no Go handler ever runs.",
                few, false, m::cancelBeforeStart));
        plan.add(() -> runCase("cancel_after_first_message_sent",
                "Java cancels a bidi stream right after its first message: CANCELLED; a Go handler that started stops every goroutine.",
                few, false, m::cancelAfterFirstMessage));
        plan.add(() -> runCase("cancel_after_headers_received",
                "Java cancels a server stream the moment its headers arrive, before any message; the Go goroutines all end.",
                trials, false, m::cancelAfterHeaders));
        plan.add(() -> runCase("deadline_met_just_before_expiry",
                "Work that completes after " + MatrixTrials.JUST_BEFORE_COMPLETES_MS + " ms under a " + MatrixTrials.JUST_BEFORE_DEADLINE_MS
                        + " ms deadline ends OK with no cancel on either side; latency is the margin left.",
                (int) mode.scale(5), false, m::deadlineMetJustBefore));
        int burst = mode == Mode.QUICK ? 1_000 : mode == Mode.DEFAULT ? 2_000 : 10_000;
        plan.add(() -> runCase("thousands_of_simultaneous_deadlines",
                burst + " unary calls at once on one channel, deadlines 50 to 250 ms: all DEADLINE_EXCEEDED, no goroutine left.",
                1, false, id -> m.simultaneousDeadlines(id, burst)));
        plan.add(() -> runCase("java_client_cancel_client_streaming_goroutines",
                "Java cancels a client stream after 3 chunks; the handler's 4 goroutines all end.",
                trials, false, m::clientStreamingCancel));
        plan.add(() -> runCase("java_deadline_client_streaming_goroutines",
                "A " + DEADLINE_MS + " ms Java deadline on a client stream whose handler fanned out 4 goroutines; all end.",
                trials, false, m::clientStreamingDeadline));
        plan.add(() -> runCase("java_deadline_bidi_goroutines",
                "A " + DEADLINE_MS + " ms Java deadline on a bidi stream whose handler fanned out 4 goroutines; all end.",
                trials, false, m::bidiDeadline));
        plan.add(() -> runCase("cause_in_band_client_streaming",
                "A CancelNotice on a client stream; the Go handler's context.Cause holds the cause intact.",
                1, false, m::clientStreamingInBandCause));
        plan.add(() -> runCase("go_server_deadline_unary_goroutines",
                "The Go handler's own " + MatrixTrials.SERVER_DEADLINE_MS + " ms deadline: DEADLINE_EXCEEDED on Java, deadline_exceeded in Go.",
                trials, false, m::goServerDeadline));
        plan.add(() -> runCase("go_server_deadline_server_streaming",
                "The Go handler's own " + MatrixTrials.SERVER_DEADLINE_MS + " ms deadline on a ticking server stream: the Java consumer ends DEADLINE_EXCEEDED.",
                trials, false, m::goServerDeadlineStream));
        plan.add(() -> runCase("connection_cut_mid_stream",
                "A loopback proxy resets the connection under a server stream: UNAVAILABLE on Java, canceled in Go, all goroutines end.",
                few, false, m::connectionCut));
        plan.add(() -> runCase("malformed_request_clear_status",
                "Request bytes that are no WorkRequest: INTERNAL naming the unmarshalling, within "
                        + MatrixTrials.BAD_INPUT_BOUND.toSeconds() + " s; the peer still answers.",
                1, false, m::malformedRequest));
        plan.add(() -> runCase("oversized_request_clear_status",
                "A request over the peer's 4 MiB limit: RESOURCE_EXHAUSTED naming the limit; the peer still answers.",
                1, false, m::oversizedRequest));
        plan.add(() -> runCase("java_structured_scope_cancels_streams_and_virtual_threads",
                "A failing StructuredTaskScope subtask cancels two gRPC server streams (8 goroutines) and two virtual-thread work loops.",
                few, false, m::structuredScope));
        plan.add(() -> runCase("java_structured_scope_cause_in_band",
                "A StructuredTaskScope cancelled by a failing subtask: the stream's owner sends the protocol's cause; Go's context.Cause holds it.",
                few, false, m::structuredScopeCause));
        plan.add(() -> runCase("java_structured_scope_cancels_client_stream",
                "A StructuredTaskScope's owner closes it; the subtask owning a client stream is interrupted and cancels it; the handler's 4 goroutines end.",
                few, false, m::structuredScopeClientStream));
        plan.add(() -> runCase("native_worker_cancelled_by_peer_death",
                "A spare peer is killed (SIGKILL) under a stream that owns C workers; the Java consumer sees UNAVAILABLE and sets their cancel flag.",
                mode == Mode.QUICK ? 1 : 3, false, this::nativeWorkersPeerDeath));
        plan.add(() -> runCase("native_worker_cancelled_by_connection_cut",
                "A loopback proxy resets the connection under a stream that owns C workers; Java sees UNAVAILABLE and sets their cancel flag.",
                few, false, m::nativeWorkersConnectionCut));
        plan.add(() -> runCase("native_worker_cancelled_by_structured_scope",
                "A StructuredTaskScope's owner closes it; the subtask running C workers is interrupted and sets their cancel flag.",
                few, false, m::nativeWorkersStructuredScope));
        plan.add(() -> runCase("native_worker_ignores_cancel_flag_leak",
                "Broken variant: C workers started without the cancel flag; the native worker count must name them.",
                1, NATIVE_LEAK, id -> nativeWorkers(id, true, BROKEN_NATIVE_JOIN_BOUND)));
        plan.add(() -> runCase("java_task_ignores_interrupt_leak",
                "Broken variant: a StructuredTaskScope's virtual-thread task that ignores the interrupt; the watchdog must name it.",
                1, MatrixTrials.JAVA_TASK_LEAK, id -> m.structuredScope(id, true)));
        plan.add(() -> runCase("java_structured_scope_ends_before_owner_cancel",
                "Broken variant: the client stream's subtask cancels its own call, so the scope ends by itself; the owner-cancel check must say so.",
                1, MatrixTrials.NOT_CANCELLED_BY_OWNER, id -> m.structuredScopeClientStream(id, true)));
        plan.add(() -> runCase("go_handler_ignores_context_leak",
                "Broken variant: a Go handler that ignores its context; the leak check must name its goroutines.",
                1, true, this::ignoringHandler));
        try (Progress bar = Progress.start(progress, NAME, plan.size(), null)) {
            for (Supplier<CaseResult> c : plan) {
                cases.add(c.get());
                bar.advance();
            }
        }
        return new SuiteResult(NAME, TITLE, cases);
    }

    /**
     * Cold, a unary round trip is several times slower than warm: warms the channel and both
     * JITs, so that the round trip sampled beside each case's trials ({@link #runCase}) is the
     * warm one.
     */
    void warmUp() {
        LatencySample warm = new LatencySample();
        for (int i = 0; i < WARM_UP_ECHOES; i++) warm.add(calls.echoNanos());
        progress.printf(Locale.ROOT, "  cancellation: %d warm-up round trips, the last 50 p50 %.1f us%n",
                WARM_UP_ECHOES, warm.tailPercentile(50, 50) / 1e3);
    }

    /**
     * {@code make bench-cancel}'s Java-to-Go trial, {@code java_client_cancel_bidi_goroutines}'s
     * (Java cancels a bidi stream whose handler fanned out 8 goroutines), with its assertions;
     * the durations of its steps go to {@code steps} (docs/CANCELLATION.md, "Where the time goes").
     */
    Trial javaToGo(String id, Map<String, Long> steps) {
        return plainCancel(id, 8, false, steps);
    }

    /**
     * {@code make bench-cancel}'s Go-to-Java trial, {@code go_server_cancel_server_streaming}'s
     * (the Go handler cancels its server stream with a cause that a Java consumer reads), with
     * its assertions; the durations of its steps go to {@code steps}.
     */
    Trial goToJava(String id, StreamConsumer consumer, Map<String, Long> steps) {
        return serverCancel(id, false, consumer, steps);
    }

    /** A call id no other trial of this suite's session uses. */
    String callId(String name, int i) {
        return name + "-" + nonce + "-" + i;
    }

    /** A broken variant of the leak check: caught when a trial's problem names a leak. */
    static final String LEAK = "leak:";

    CaseResult runCase(String name, String title, int trials, boolean brokenVariant, TrialBody body) {
        return runCase(name, title, trials, brokenVariant ? LEAK : null, body);
    }

    /**
     * Runs {@code trials} trials of one case; never throws: a fault becomes an ERROR case.
     * Trials that did not exercise the case ({@link Trial#exercised}) are counted apart and
     * replaced, up to {@value #ATTEMPTS_PER_TRIAL} attempts per trial; a case that could not
     * gather its trials fails as "not exercised". The case stops at its first trial that found
     * a problem ({@link CaseTrials}: "failed at trial K of N; M not run"). A normal case
     * ({@code caughtBy} null) passes when every trial held. A broken variant is an
     * EXPECTED_FAILURE when that trial's problem contains {@code caughtBy}, FAILED when no
     * trial found a problem (the check is unproven), and ERROR when it failed for another reason.
     */
    CaseResult runCase(String name, String title, int trials, String caughtBy, TrialBody body) {
        progress.printf(Locale.ROOT, "  cancellation/%s: %d trial(s)%n", name, trials);
        long t0 = System.nanoTime();
        Map<String, LatencySample> measures = new LinkedHashMap<>();
        LatencySample rtt = new LatencySample();
        Map<String, Integer> seen = new LinkedHashMap<>();
        CaseTrials run = new CaseTrials(trials);
        int leaked = 0;
        int exercised = 0;
        int attempts = 0;
        calls.resetWaits();
        try {
            while (run.more() && attempts < trials * ATTEMPTS_PER_TRIAL) {
                int i = attempts++;
                for (int e = 0; e < ECHOES_PER_TRIAL; e++) rtt.add(calls.echoNanos());
                Trial t = body.run(callId(name, i));
                seen.merge("java\u0000" + t.javaSaw(), 1, Integer::sum);
                seen.merge("go\u0000" + t.goSaw(), 1, Integer::sum);
                if (t.exercised()) exercised++;
                LatencySample m = measures.computeIfAbsent(t.measure(), k -> new LatencySample());
                if (t.latenciesNs() != null) {
                    for (long ns : t.latenciesNs()) m.add(ns);
                } else if (t.latencyNs() != Long.MIN_VALUE) {
                    m.add(t.latencyNs());
                }
                if (t.others() != null) {
                    t.others().forEach((k, ns) -> {
                        LatencySample o = measures.computeIfAbsent(k, x -> new LatencySample());
                        for (long n : ns) o.add(n);
                    });
                }
                leaked = Math.max(leaked, t.leakedGoroutines());
                run.record(t.exercised(), t.problem() == null ? List.of() : List.of(t.problem()));
            }
        } catch (RuntimeException e) {
            return CaseResult.error(name, title, e.getMessage() == null ? e.toString() : e.getMessage(), ms(t0));
        }
        String problem = run.headline();
        if (problem == null && exercised < trials) {
            problem = String.format(Locale.ROOT, "not exercised: only %d of %d trial(s) reached the Go handler in %d attempts",
                    exercised, trials, attempts);
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("trials", exercised);
        metrics.put("trials_not_exercised", attempts - exercised);
        run.putMetrics(metrics);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> figureParts = new ArrayList<>();
        measures.forEach((measure, sample) -> {
            if (sample.count() == 0) return;
            String prefix = measure.equals(CANCEL_TO_LAST_STOP) ? "latency" : measure;
            metrics.put(prefix + "_p50_us", sample.percentile(50) / 1e3);
            metrics.put(prefix + "_p99_us", sample.percentile(99) / 1e3);
            metrics.put(prefix + "_max_us", sample.max() / 1e3);
            rows.add(sample.row(measure));
            figureParts.add(String.format(Locale.ROOT, "%s p50 %.1f us, p99 %.1f us, max %.1f us over %d",
                    prefix, sample.percentile(50) / 1e3, sample.percentile(99) / 1e3, sample.max() / 1e3, sample.count()));
        });
        metrics.put("rtt_p50_us", rtt.percentile(50) / 1e3);
        metrics.put("rtt_p99_us", rtt.percentile(99) / 1e3);
        metrics.put("leaked_goroutines", leaked);
        metrics.put("bound_wait_max_ms", calls.maxWaitNs() / 1e6);
        rows.add(rtt.row("loopback_unary_rtt"));
        List<Map<String, Object>> observed = new ArrayList<>();
        seen.forEach((k, count) -> {
            String[] parts = k.split("\u0000", 2);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("side", parts[0]);
            row.put("saw", parts[1]);
            row.put("count", count);
            observed.add(row);
        });
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("observed", observed);
        details.put("latency", rows);

        String figures = (figureParts.isEmpty() ? "no duration measured" : String.join("; ", figureParts))
                + String.format(Locale.ROOT, " (rtt p50 %.1f us)", rtt.percentile(50) / 1e3)
                + (attempts > exercised ? "; " + (attempts - exercised) + " attempt(s) never reached the Go handler" : "");
        testbed.report.Status status;
        String message;
        if (caughtBy != null) {
            if (run.failed() && run.problem().contains(caughtBy)) {
                status = testbed.report.Status.EXPECTED_FAILURE;
                message = "caught: " + problem;
            } else if (problem == null) {
                status = testbed.report.Status.FAILED;
                message = "the broken variant was not caught: no trial found '" + caughtBy + "', so this run does not prove the check can fail";
            } else {
                status = testbed.report.Status.ERROR;
                message = "the broken variant failed, but not with '" + caughtBy + "': " + problem;
            }
        } else if (problem == null) {
            status = testbed.report.Status.PASSED;
            message = summary(observed) + "; " + figures;
        } else {
            status = testbed.report.Status.FAILED;
            message = problem;
        }
        return new CaseResult(name, title, status, message, ms(t0), metrics, details);
    }

    // ---- trial bodies ----------------------------------------------------------------------------

    static final CancelCause JAVA_CAUSE = CancelCause.newBuilder()
            .setReason("SCOPE_CLOSED").setDomain("testbed.java").build();
    static final CancelCause GO_CAUSE = CancelCause.newBuilder()
            .setReason("QUOTA_SPENT").setDomain("testbed.go").build();

    static WorkSpec.Builder spec(String id, int goroutines) {
        return WorkSpec.newBuilder().setCallId(id).setGoroutines(goroutines);
    }

    /** Java to Go with the protocol: CancelNotice, then the Go side's cause and the echoed ErrorInfo. */
    private Trial inBandCause(String id) {
        CancelCause cause = JAVA_CAUSE.toBuilder().putMetadata("call_id", id).build();
        CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec(id, 4).build());
        c.awaitFirstTick();
        long t0 = System.nanoTime();
        c.sendNotice(cause, t0);
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ErrorInfo echoed = PeerClient.errorInfo(c.endError()).orElse(null);
        if (!CancelCalls.sameCause(echoed, cause)) {
            problems.add("Java's status details hold " + echoed + ", want the cause " + text(cause) + " echoed intact as ErrorInfo");
        }
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        if (!o.getCause().equals(cause)) problems.add("Go's context.Cause holds " + describe(o) + ", want " + text(cause));
        return finishTrial(id, o, js.getCode() + ", ErrorInfo " + (echoed == null ? "none" : echoed.getReason()),
                o.getLastStoppedNs() - t0, problems);
    }

    /**
     * Java to Go with plain gRPC: ClientCall.cancel(message, cause). With {@code causeCase}
     * the trial asserts that the cause is lost (the documented behaviour) and fails if it arrived.
     */
    Trial plainCancel(String id, int goroutines, boolean causeCase) {
        return plainCancel(id, goroutines, causeCase, null);
    }

    /** {@link #plainCancel(String, int, boolean)}, putting the durations of its steps into {@code steps} (null: none). */
    private Trial plainCancel(String id, int goroutines, boolean causeCase, Map<String, Long> steps) {
        // The call's callbacks only complete futures: they run on the transport thread, after
        // the RST_STREAM of the cancel is written (CancelCalls.asyncOnTransport).
        CancelCalls.Converse c = CancelCalls.Converse.start(calls.asyncOnTransport(id), spec(id, goroutines).build());
        c.awaitFirstTick();
        // The cause exists before the cancel starts: filling in its stack trace is the
        // application's work, not the cancel's (tens of microseconds on a cold path).
        CancellationException cause = new CancellationException("SCOPE_CLOSED by testbed.java");
        long t0 = System.nanoTime();
        c.cancelPlain("java client cancelled", cause);
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        boolean causeArrived = o.hasCause() || o.getCauseText().contains("SCOPE_CLOSED");
        if (causeCase && causeArrived) {
            problems.add("plain gRPC carried the cause to Go (" + describe(o) + "): docs/PROTOCOL.md says it cannot; update it");
        }
        String javaSaw = js.getCode() + (js.getCause() == null ? "" : " (cause kept locally: " + js.getCause().getMessage() + ")");
        if (steps != null) {
            steps.put(JAVA_CANCEL_TO_FIRST_GOROUTINE, o.getFirstObservedNs() - t0);
            steps.put(FIRST_TO_LAST_GOROUTINE, o.getLastStoppedNs() - o.getFirstObservedNs());
        }
        return finishTrial(id, o, javaSaw, o.getLastStoppedNs() - t0, problems);
    }

    /** The steps of a Java-to-Go cancel: to the first goroutine that saw its context end, then to the last one ending. */
    static final String JAVA_CANCEL_TO_FIRST_GOROUTINE = "java_cancel_to_first_goroutine_saw_done";
    static final String FIRST_TO_LAST_GOROUTINE = "first_to_last_goroutine_ended";

    /**
     * Go to Java: the handler cancels its stream after 3 ticks with {@link #GO_CAUSE}; a Java
     * consumer (a virtual thread on the blocking stub) reads it. With {@code plain} the handler
     * ends as plain gRPC would, and the trial asserts that Java got no cause.
     */
    private Trial serverCancel(String id, boolean plain) {
        return serverCancel(id, plain, StreamConsumer.BLOCKING_ITERATOR, null);
    }

    /**
     * {@link #serverCancel(String, boolean)} with the stream read by {@code consumer}, putting
     * the durations of its steps into {@code steps} (null: none).
     */
    Trial serverCancel(String id, boolean plain, StreamConsumer consumer, Map<String, Long> steps) {
        CancelCause cause = GO_CAUSE.toBuilder().putMetadata("call_id", id).build();
        WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec(id, 4)
                .setServerCancelAfter(3).setServerCause(cause).setPlainStatus(plain)).build();
        StreamConsumer.End end = consumer.consume(calls, id, req);
        ObserveResponse o = calls.observe(id);
        Status js = end.status();
        ErrorInfo info = end.info();
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + " after " + end.ticks() + " ticks, want CANCELLED");
        if (end.ticks() != 3) problems.add("Java received " + end.ticks() + " ticks, want 3");
        if (plain && info != null) {
            problems.add("Java received ErrorInfo " + info.getReason() + " from a plain status: docs/PROTOCOL.md says plain gRPC drops it");
        }
        if (!plain && !CancelCalls.sameCause(info, cause)) {
            problems.add("Java read ErrorInfo " + info + ", want " + text(cause));
        }
        if (o.getServerCancelledNs() == 0 || !o.getCause().equals(cause)) problems.add("Go record " + describe(o) + ", want its own cancel with the cause");
        String javaSaw = js.getCode() + ", " + (info == null ? "no cause" : "ErrorInfo " + info.getDomain() + "/" + info.getReason());
        long latency = Math.max(end.endNs(), o.getLastStoppedNs()) - o.getServerCancelledNs();
        if (steps != null) {
            steps.put(GO_CANCEL_TO_LAST_GOROUTINE, o.getLastStoppedNs() - o.getServerCancelledNs());
            steps.put(LAST_GOROUTINE_TO_HANDLER_END, o.getHandlerEndNs() - o.getLastStoppedNs());
            steps.put(HANDLER_END_TO_JAVA_TRAILERS, end.trailersNs() - o.getHandlerEndNs());
            steps.put(TRAILERS_TO_LISTENER_CLOSED, end.listenerClosedNs() - end.trailersNs());
            if (consumer == StreamConsumer.BLOCKING_ITERATOR) steps.put(LISTENER_CLOSED_TO_CONSUMER_END, end.endNs() - end.listenerClosedNs());
        }
        return finishTrial(id, o, javaSaw, latency, problems);
    }

    /**
     * The steps of a Go-to-Java cancel: the Go handler's cancel to its last goroutine ending;
     * to the handler's end (its record written, the status about to go to grpc-go); to Java's
     * transport thread reading the trailers; to the call's listener getting {@code onClose}
     * (for a {@link StreamConsumer#LISTENER}, the consumer's end); for a {@link
     * StreamConsumer#BLOCKING_ITERATOR}, to the consumer's thread ending.
     */
    static final String GO_CANCEL_TO_LAST_GOROUTINE = "go_cancel_to_last_goroutine_ended";
    static final String LAST_GOROUTINE_TO_HANDLER_END = "last_goroutine_to_go_handler_end";
    static final String HANDLER_END_TO_JAVA_TRAILERS = "go_handler_end_to_java_transport_read_trailers";
    static final String TRAILERS_TO_LISTENER_CLOSED = "java_trailers_to_listener_closed";
    static final String LISTENER_CLOSED_TO_CONSUMER_END = "listener_closed_to_consumer_thread_ended";

    /** A Java deadline on a unary call; the Go handler may see deadline_exceeded or canceled (a race). */
    private Trial deadlineUnary(String id) {
        AtomicReference<Throwable> end = new AtomicReference<>();
        long[] startNs = new long[1];
        Thread caller = Thread.ofVirtual().name("cancel-deadline-" + id).start(() -> {
            var stub = calls.blocking(id);
            startNs[0] = System.nanoTime();
            try {
                stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).work(WorkRequest.newBuilder().setSpec(spec(id, 4)).build());
            } catch (Throwable t) {
                end.set(t);
            }
        });
        joinOrFail(caller, "the Java caller of " + id);
        return javaDeadlineTrial(id, startNs[0], end.get() == null ? Status.OK : Status.fromThrowable(end.get()));
    }

    /**
     * The end of every {@value #DEADLINE_MS} ms Java-deadline trial, whatever the call's shape:
     * the call started at {@code startNs} and Java saw {@code js}. A handler that never ran is
     * {@link #deadlineBeforeHandler}; otherwise asserts Java DEADLINE_EXCEEDED and Go
     * deadline_exceeded or canceled (the race), with the latency from the deadline's instant to
     * the last goroutine ended.
     */
    Trial javaDeadlineTrial(String id, long startNs, Status js) {
        Optional<ObserveResponse> started = calls.observeIfStarted(id, MatrixTrials.NEVER_STARTED_SETTLE);
        if (started.isEmpty()) return deadlineBeforeHandler(id, js);
        ObserveResponse o = started.get();
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + ", want DEADLINE_EXCEEDED");
        if (!Set.of("deadline_exceeded", "canceled").contains(o.getContextError())) {
            problems.add("Go saw '" + o.getContextError() + "', want deadline_exceeded or canceled");
        }
        long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        return finishTrial(id, o, js.getCode().name(), o.getLastStoppedNs() - deadlineNs, problems);
    }

    /**
     * C workers started through FFM poll a region cancel flag; Java cancels a bidi stream
     * whose Go handler sets that flag when its work observes the cancel. The latency ends
     * when the workers have been joined (an upper bound of their observing the flag).
     */
    private Trial nativeWorkers(String id) {
        return nativeWorkers(id, false, NATIVE_JOIN_BOUND);
    }

    /** What the native-worker check reports when workers outlived their join; the broken variant must show it. */
    static final String NATIVE_LEAK = "native workers alive after the join";
    /** The broken variant's join bound: its workers never stop by themselves, so the full bound would only cost time. */
    static final Duration BROKEN_NATIVE_JOIN_BOUND = Duration.ofSeconds(1);

    /**
     * As {@link #nativeWorkers(String)}; with {@code ignoresFlag} (the broken variant) the C
     * workers are started without the cancel flag's address, so they never see the cancel and
     * the worker count must name them. They are stopped and joined afterwards in any case.
     */
    private Trial nativeWorkers(String id, boolean ignoresFlag, Duration joinBound) {
        List<String> problems = new ArrayList<>();
        try (NativeWorkers workers = nativeWorkers(ignoresFlag)) {
            CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id),
                    spec(id, 2).setRegionCancelFlag(nativeFlag + 1).build());
            c.awaitFirstTick();
            long t0 = System.nanoTime();
            c.cancelPlain("java client cancelled", null);
            long joinedNs = workers.join(joinBound, problems);
            Status js = c.awaitEnd();
            ObserveResponse o = calls.observe(id);
            if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
            if (o.getRegionFlagSetNs() == 0) problems.add("the Go handler did not set region cancel flag " + nativeFlag);
            int alive = nativeAliveCheck(problems);
            return finishTrial(id, o, js.getCode() + "; native workers " + alive,
                    joinedNs == Long.MIN_VALUE ? Long.MIN_VALUE : Math.max(joinedNs, o.getLastStoppedNs()) - t0, problems);
        }
    }

    /**
     * Two C worker threads started through FFM that poll this suite's region cancel flag
     * (cleared first) and count on its slot; with {@code ignoresFlag} (the broken variant) they
     * are started without the flag's address. Closing them stops and joins workers a trial
     * left running and clears the flag, so none outlives its trial.
     */
    NativeWorkers nativeWorkers(boolean ignoresFlag) {
        return NativeWorkers.start(session.panama(), session.region().counterSlot(nativeSlot), session.region().cancelFlag(nativeFlag),
                2, NativeWorkers.Work.COUNTING, !ignoresFlag);
    }

    /** The native worker threads alive in this process: any is a leak ({@link #NATIVE_LEAK}). */
    int nativeAliveCheck(List<String> problems) {
        int alive = session.panama().workersAlive();
        if (alive != 0) problems.add("leak: " + alive + " " + NATIVE_LEAK);
        return alive;
    }

    /**
     * A short deadline may expire before the Go handler runs at all (on a loaded machine the
     * call's stream can be reset before the peer dispatches it): an accepted outcome of a
     * deadline case, counted as "never started", provided Java saw DEADLINE_EXCEEDED and no
     * goroutine of the call exists. It carries no latency and does not exercise the case: the
     * case runs another trial in its place (bounded; {@link #runCase}).
     */
    Trial deadlineBeforeHandler(String id, Status js) {
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + " and no Go handler ran, want DEADLINE_EXCEEDED");
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        if (alive > 0) problems.add("leak: " + alive + " goroutine(s) of scope " + id + " without a handler record");
        return new Trial(js.getCode().name(), "never started (the deadline expired first)", Long.MIN_VALUE, alive,
                CaseTrials.line(problems)).notExercised();
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
    private Trial nativeWorkersUnder(String id, Status.Code javaWant, Set<String> goWant,
                                     java.util.function.Function<WorkSpec.Builder, Initiated> initiator) {
        List<String> problems = new ArrayList<>();
        try (NativeWorkers workers = nativeWorkers(false)) {
            AtomicReference<Initiated> ended = new AtomicReference<>();
            AtomicReference<Boolean> neverStarted = new AtomicReference<>(false);
            AtomicReference<RuntimeException> fault = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().name("cancel-native-" + id).start(() -> {
                try {
                    Initiated end = initiator.apply(spec(id, 2).setRegionCancelFlag(nativeFlag + 1));
                    ended.set(end);
                    if (javaWant == Status.Code.DEADLINE_EXCEEDED && calls.observeIfStarted(id, MatrixTrials.NEVER_STARTED_SETTLE).isEmpty()) {
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
            if (neverStarted.get()) return deadlineBeforeHandler(id, end.javaSaw());
            ObserveResponse o = calls.observe(id);
            if (end.javaSaw().getCode() != javaWant) problems.add("Java saw " + end.javaSaw() + ", want " + javaWant);
            if (!goWant.contains(o.getContextError())) problems.add("Go saw '" + o.getContextError() + "', want " + goWant);
            if (o.getRegionFlagSetNs() == 0) problems.add("the Go handler did not set region cancel flag " + nativeFlag);
            int alive = nativeAliveCheck(problems);
            long t0 = end.t0Ns() != 0 ? end.t0Ns() : o.getServerCancelledNs();
            return finishTrial(id, o, end.javaSaw().getCode() + "; native workers " + alive,
                    joinedNs == Long.MIN_VALUE ? Long.MIN_VALUE : Math.max(joinedNs, o.getLastStoppedNs()) - t0, problems);
        }
    }

    /** The Go handler cancels its server stream (with a cause) after 3 ticks; C workers stop through the flag. */
    private Trial nativeWorkersServerCancel(String id) {
        return nativeWorkersUnder(id, Status.Code.CANCELLED, Set.of("canceled"), goServerCancel(id));
    }

    /** A {@value #DEADLINE_MS} ms Java deadline on a unary call; C workers stop through the flag. */
    private Trial nativeWorkersJavaDeadline(String id) {
        return nativeWorkersUnder(id, Status.Code.DEADLINE_EXCEEDED, Set.of("canceled", "deadline_exceeded"), javaDeadline(id));
    }

    /** An initiator: a server stream whose Go handler cancels it (with a cause) after 3 ticks; the instant is the handler's. */
    private java.util.function.Function<WorkSpec.Builder, Initiated> goServerCancel(String id) {
        return spec -> {
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec.setServerCancelAfter(3)
                    .setServerCause(GO_CAUSE.toBuilder().putMetadata("call_id", id))).build();
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

    /** An initiator: a unary call with a {@value #DEADLINE_MS} ms Java deadline; the instant is the deadline's. */
    private java.util.function.Function<WorkSpec.Builder, Initiated> javaDeadline(String id) {
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
     * The peer's own native workers: the Go handler starts 2 C worker threads through cgo (the
     * shim's workers, linked into the peer) polling region cancel flag 0, and sets that flag as
     * its work observes Java's cancel. The handler joins them before it records its end.
     */
    private Trial peerNativeWorkers(String id) {
        return peerNativeWorkersUnder(id, Status.Code.CANCELLED, Set.of("canceled"), spec -> {
            CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec.build());
            c.awaitFirstTick();
            long t0 = System.nanoTime();
            c.cancelPlain("java client cancelled", null);
            return new Initiated(c.awaitEnd(), t0);
        });
    }

    /** The peer's own native workers under the Go handler's cancel of its server stream. */
    private Trial peerNativeWorkersServerCancel(String id) {
        return peerNativeWorkersUnder(id, Status.Code.CANCELLED, Set.of("canceled"), goServerCancel(id));
    }

    /** The peer's own native workers under a {@value #DEADLINE_MS} ms Java deadline on a unary call. */
    private Trial peerNativeWorkersJavaDeadline(String id) {
        return peerNativeWorkersUnder(id, Status.Code.DEADLINE_EXCEEDED, Set.of("canceled", "deadline_exceeded"), javaDeadline(id));
    }

    /**
     * The peer's own native workers (2, through cgo, polling region cancel flag 0) under the call
     * {@code initiator} makes and ends: asserts Java's status, the Go context error, that the
     * peer started both workers, set the flag and joined them with none alive; the latency runs
     * from the initiator's instant (the handler's own cancel when it gives none) to the later of
     * the peer's join and the last goroutine's stop. A deadline that expired before the handler
     * ran started no worker: such a trial does not exercise the case.
     */
    private Trial peerNativeWorkersUnder(String id, Status.Code javaWant, Set<String> goWant,
                                         java.util.function.Function<WorkSpec.Builder, Initiated> initiator) {
        MemorySegment flag = session.region().cancelFlag(nativeFlag);
        LONG.setVolatile(flag, 0L, 0L);
        try {
            Initiated end = initiator.apply(spec(id, 2).setRegionCancelFlag(nativeFlag + 1).setPeerNativeWorkers(2));
            Optional<ObserveResponse> started = javaWant == Status.Code.DEADLINE_EXCEEDED
                    ? calls.observeIfStarted(id, MatrixTrials.NEVER_STARTED_SETTLE) : Optional.of(calls.observe(id));
            if (started.isEmpty()) return deadlineBeforeHandler(id, end.javaSaw());
            ObserveResponse o = started.get();
            List<String> problems = new ArrayList<>();
            if (end.javaSaw().getCode() != javaWant) problems.add("Java saw " + end.javaSaw() + ", want " + javaWant);
            if (!goWant.contains(o.getContextError())) problems.add("Go saw '" + o.getContextError() + "', want " + goWant);
            if (o.getPeerNativeStarted() != 2) problems.add("the peer started " + o.getPeerNativeStarted() + " native workers, want 2");
            if (!o.getPeerNativeProblem().isEmpty()) problems.add("the peer's native workers: " + o.getPeerNativeProblem());
            if (o.getPeerNativeAliveAfter() != 0) problems.add(o.getPeerNativeAliveAfter() + " native workers alive in the peer after the join");
            if (o.getRegionFlagSetNs() == 0) problems.add("the Go handler did not set region cancel flag " + nativeFlag);
            long t0 = end.t0Ns() != 0 ? end.t0Ns() : o.getServerCancelledNs();
            return finishTrial(id, o, end.javaSaw().getCode() + "; peer native workers " + o.getPeerNativeAliveAfter(),
                    Math.max(o.getPeerNativeJoinedNs(), o.getLastStoppedNs()) - t0, problems);
        } finally {
            LONG.setVolatile(flag, 0L, 0L);
        }
    }

    /** A second peer on a region of its own is killed while a Java virtual thread consumes its stream. */
    private Trial peerKilled(String id) {
        try (SparePeer spare = new SparePeer()) {
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec(id, 4).setTickIntervalMs(1)).build();
            CancelCalls.TickConsumer consumer = new CancelCalls.TickConsumer(spare.calls, id, req, () -> {});
            consumer.awaitFirstTick("the first tick from the peer to be killed");
            long t0 = System.nanoTime();
            spare.process.killNow();
            List<String> problems = new ArrayList<>();
            boolean ended = consumer.join(PEER_DEATH_BOUND);
            if (!ended) problems.add("the Java consumer still running " + PEER_DEATH_BOUND.toSeconds() + " s after the peer died");
            Status js = consumer.status();
            if (ended && js.getCode() != Status.Code.UNAVAILABLE) problems.add("Java saw " + js + ", want UNAVAILABLE");
            if (spare.process.isAlive()) problems.add("the killed peer is still alive");
            return new Trial(js.getCode().name(), "killed (SIGKILL)", ended ? consumer.endNs() - t0 : Long.MIN_VALUE, 0,
                    CaseTrials.line(problems));
        }
    }

    /**
     * Native workers owned by a ticking stream on a spare peer, which is killed mid-stream: the
     * Java consumer sees the stream fail and sets the workers' cancel flag. The peer's own
     * record dies with it, so the Java side is all there is to assert.
     */
    private Trial nativeWorkersPeerDeath(String id) {
        try (SparePeer spare = new SparePeer()) {
            List<String> problems = new ArrayList<>();
            StreamOwnedWorkers w = nativeWorkersOwnedByStream(id, spare.calls, spare.process::killNow, Status.Code.UNAVAILABLE, problems);
            if (spare.process.isAlive()) problems.add("the killed peer is still alive");
            return new Trial(w.describe(), "killed (SIGKILL)",
                    w.joinedNs() == Long.MIN_VALUE ? Long.MIN_VALUE : Math.max(w.joinedNs(), w.consumerEndNs()) - w.t0Ns(), 0,
                    CaseTrials.line(problems));
        }
    }

    /**
     * What a trial of {@link #nativeWorkersOwnedByStream} saw: Java's status, the disruption's
     * instant, the workers' join ({@code Long.MIN_VALUE}: still running after the bound), the
     * Java consumer's end, the workers alive after the join, and whether the consumer set the flag.
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
    StreamOwnedWorkers nativeWorkersOwnedByStream(String id, CancelCalls via, Runnable disrupt, Status.Code javaWant, List<String> problems) {
        try (NativeWorkers workers = nativeWorkers(false)) {
            java.util.concurrent.atomic.AtomicBoolean flagSet = new java.util.concurrent.atomic.AtomicBoolean();
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
            int alive = nativeAliveCheck(problems);
            return new StreamOwnedWorkers(js, t0, joinedNs, consumer.endNs(), alive, flagSet.get());
        }
    }

    /** A second peer on a region of its own, for a case that kills it: closing removes the peer, its channel and its region. */
    static final class SparePeer implements AutoCloseable {
        final Region region;
        final PeerProcess process;
        final PeerClient client;
        final CancelCalls calls;

        SparePeer() {
            region = Region.create();
            PeerProcess p = null;
            try {
                p = PeerProcess.start(PeerProcess.defaultBinary(), region.path());
                client = new PeerClient(p);
            } catch (RuntimeException e) {
                if (p != null) p.close();
                region.close();
                throw e;
            }
            process = p;
            calls = new CancelCalls(client.channel(), client);
        }

        @Override
        public void close() {
            try {
                client.close();
            } finally {
                try {
                    process.close();
                } finally {
                    region.close();
                }
            }
        }
    }

    /**
     * The broken variant: Java cancels a unary call (io.grpc.Context cancellation) whose
     * handler's goroutines ignore their context; the leak check must name them. The trial
     * then waits for them to end by themselves, so nothing outlives the case.
     */
    private Trial ignoringHandler(String id) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        AtomicReference<Throwable> end = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().name("cancel-ignored-" + id).start(() -> ctx.run(() -> {
            try {
                calls.blocking(id).withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                        .work(WorkRequest.newBuilder().setSpec(spec(id, 3).setIgnoreContext(true).setIgnoreContextMs(IGNORE_CONTEXT_MS)).build());
            } catch (Throwable t) {
                end.set(t);
            }
        }));
        awaitGoroutines(id, 3);
        long t0 = System.nanoTime();
        ctx.cancel(new CancellationException("SCOPE_CLOSED by testbed.java"));
        joinOrFail(caller, "the Java caller of " + id);
        Status js = end.get() == null ? Status.OK : Status.fromThrowable(end.get());
        int leaked = calls.goroutinesAfter(id, LEAK_BOUND);
        ObserveResponse o = calls.observe(id); // the broken goroutines end after IGNORE_CONTEXT_MS
        List<String> problems = new ArrayList<>();
        if (leaked > 0) problems.add(leakLine(id, o, leaked, LEAK_BOUND.toMillis() + " ms after the cancel"));
        else stoppedCheck(o, problems);
        int left = calls.goroutinesAfter(id, LEAK_BOUND);
        if (left > 0) problems.add(left + " goroutine(s) of scope " + id + " did not end even after the broken handler's sleep");
        return new Trial(js.getCode().name(), o.getContextError() + " (ignored)", o.getLastStoppedNs() == 0 ? Long.MIN_VALUE : o.getLastStoppedNs() - t0, leaked,
                CaseTrials.line(problems));
    }

    // ---- shared checks ----------------------------------------------------------------------------

    /**
     * The checks every trial makes once the Go handler has recorded its end: none of the
     * call's goroutines is alive {@link #LEAK_BOUND} later (else a leak, {@link #leakLine}),
     * and every goroutine it started had stopped when it recorded its end.
     */
    Trial finishTrial(String id, ObserveResponse o, String javaSaw, long latencyNs, List<String> problems) {
        int leaked = calls.goroutinesAfter(id, LEAK_BOUND);
        if (leaked > 0) problems.add(leakLine(id, o, leaked, LEAK_BOUND.toMillis() + " ms after the handler ended"));
        else stoppedCheck(o, problems);
        String goSaw = o.getContextError() + (o.hasCause() ? " with cause " + o.getCause().getDomain() + "/" + o.getCause().getReason()
                : " (cause: " + o.getCauseText() + ")");
        return new Trial(javaSaw, goSaw, latencyNs, leaked, CaseTrials.line(problems));
    }

    /**
     * The leak of a call whose scope the peer still counts {@code leaked} goroutines of,
     * {@code after} its handler ended or its cancel. The peer counts every goroutine labelled
     * with the call's scope: the work's, which the handler's record counts as started and
     * stopped, and one of the handler's own that waits for the work to end
     * (go-peer/internal/cancel, {@code begin}) and so runs as long as any of it does. The line
     * splits the count that way, so that the numbers in it add up; when they cannot (some work
     * stopped between the record and the count), it gives both counts with their moments.
     */
    static String leakLine(String id, ObserveResponse o, int leaked, String after) {
        int started = o.getGoroutinesStarted();
        int stopped = o.getGoroutinesStopped();
        int running = started - stopped;
        String head = String.format(Locale.ROOT, "leak: %d goroutine(s) of scope %s (%s) still running %s", leaked, id, o.getRpc(), after);
        if (running > 0 && leaked == running + 1) {
            return head + String.format(Locale.ROOT, ": the %d work goroutine(s) that had not stopped when the Go handler recorded its end"
                    + " (%d of %d stopped) and the 1 that waits for them", running, stopped, started);
        }
        if (running == 0) {
            return head + String.format(Locale.ROOT, ", though all %d work goroutine(s) had stopped when the Go handler recorded its end:"
                    + " goroutines started outside its work", started);
        }
        return head + String.format(Locale.ROOT, "; %d of %d work goroutine(s) had stopped when the Go handler recorded its end", stopped, started);
    }

    /**
     * The Go handler records its end once its goroutines stopped or its stop bound (2 s after
     * its context ended) passed, whichever is first; a goroutine still running then shows here.
     */
    static void stoppedCheck(ObserveResponse o, List<String> problems) {
        if (o.getGoroutinesStopped() != o.getGoroutinesStarted()) {
            problems.add(o.getGoroutinesStopped() + " of " + o.getGoroutinesStarted() + " goroutines stopped when the Go handler recorded its end");
        }
    }

    void awaitGoroutines(String id, int n) {
        long deadline = System.nanoTime() + CancelCalls.CALL_BOUND.toNanos();
        while (session.peer().inspect(List.of(id)).getGoroutinesByScopeOrDefault(id, 0) < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the handler of " + id + " never started its " + n + " goroutines");
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    static void joinOrFail(Thread t, String what) {
        try {
            if (!t.join(CancelCalls.CALL_BOUND.plusSeconds(2))) {
                t.interrupt();
                throw new IllegalStateException(what + " did not end within " + (CancelCalls.CALL_BOUND.toSeconds() + 2) + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what);
        }
    }

    static String describe(ObserveResponse o) {
        return o.hasCause() ? text(o.getCause()) : "no cause ('" + o.getCauseText() + "')";
    }

    static String text(CancelCause c) {
        return c.getDomain() + "/" + c.getReason() + c.getMetadataMap();
    }

    private static String summary(List<Map<String, Object>> observed) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> r : observed) parts.add(r.get("side") + " saw " + r.get("saw") + " x" + r.get("count"));
        return String.join(", ", parts);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
