package testbed.cancel;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import testbed.harness.Session;
import testbed.peer.PeerProcess;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * What every cancellation case shares: the bounds, the causes, a call's {@link WorkSpec},
 * and the checks every trial makes once its call ended ({@link #finishTrial}: the leak check
 * and the stopped check), so that each case's method holds only what is its own.
 */
final class TrialChecks {
    /**
     * Every goroutine of a call must have ended within this long after the call's work
     * observed the cancel. The check returns as soon as none is left, so the bound is
     * generous for a loaded machine (a 1 s bound was once missed under load); the time it
     * took is reported as {@code bound_wait_max_ms}.
     */
    static final Duration LEAK_BOUND = Duration.ofSeconds(5);
    /** The deadline, in milliseconds, of every case of a short Java deadline. */
    static final int DEADLINE_MS = 20;
    /** How long a call cancelled before it reached the peer is watched for a handler that starts late. */
    static final Duration NEVER_STARTED_SETTLE = Duration.ofMillis(100);

    static final CancelCause JAVA_CAUSE = CancelCause.newBuilder()
            .setReason("SCOPE_CLOSED").setDomain("testbed.java").build();
    static final CancelCause GO_CAUSE = CancelCause.newBuilder()
            .setReason("QUOTA_SPENT").setDomain("testbed.go").build();

    final Session session;
    final CancelCalls calls;

    TrialChecks(Session session, CancelCalls calls) {
        this.session = session;
        this.calls = calls;
    }

    /** The work of call {@code id}: its call id (also its scope id) and {@code goroutines} goroutines. */
    static WorkSpec.Builder spec(String id, int goroutines) {
        return WorkSpec.newBuilder().setCallId(id).setGoroutines(goroutines);
    }

    /** {@link #JAVA_CAUSE} naming call {@code id}, as a case sends it. */
    static CancelCause javaCause(String id) {
        return JAVA_CAUSE.toBuilder().putMetadata("call_id", id).build();
    }

    /** {@link #GO_CAUSE} naming call {@code id}, as the Go handler cancels with it. */
    static CancelCause goCause(String id) {
        return GO_CAUSE.toBuilder().putMetadata("call_id", id).build();
    }

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
        return Trial.saw(javaSaw, goSaw).latency(latencyNs).leaked(leaked).problems(problems);
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

    /**
     * A short deadline may expire before the Go handler runs at all (on a loaded machine the
     * call's stream can be reset before the peer dispatches it): an accepted outcome of a
     * deadline case, counted as "never started", provided Java saw DEADLINE_EXCEEDED and no
     * goroutine of the call exists. It carries no latency and does not exercise the case: the
     * case runs another trial in its place (bounded; {@link CaseRunner}).
     */
    Trial deadlineBeforeHandler(String id, Status js) {
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + " and no Go handler ran, want DEADLINE_EXCEEDED");
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        if (alive > 0) problems.add("leak: " + alive + " goroutine(s) of scope " + id + " without a handler record");
        return Trial.saw(js.getCode().name(), "never started (the deadline expired first)").leaked(alive).problems(problems).notExercised();
    }

    /**
     * The end of every {@value #DEADLINE_MS} ms Java-deadline trial, whatever the call's shape:
     * the call started at {@code startNs} and Java saw {@code js}. A handler that never ran is
     * {@link #deadlineBeforeHandler}; otherwise asserts Java DEADLINE_EXCEEDED and Go
     * deadline_exceeded or canceled (the race), with the latency from the deadline's instant to
     * the last goroutine ended.
     */
    Trial javaDeadlineTrial(String id, long startNs, Status js) {
        Optional<ObserveResponse> started = calls.observeIfStarted(id, NEVER_STARTED_SETTLE);
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

    /** Waits until the peer counts {@code n} goroutines of scope {@code id} (at most {@link CancelCalls#CALL_BOUND}). */
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

    /**
     * Runs {@code body} with a loopback proxy in front of the session's peer and calls over a
     * channel of their own through it, carrying the peer's secret (the proxy only relays
     * bytes); both are closed after.
     */
    Trial throughProxy(BiFunction<LoopbackProxy, CancelCalls, Trial> body) {
        PeerProcess peer = session.peerProcess();
        try (LoopbackProxy proxy = new LoopbackProxy(peer.target())) {
            ManagedChannel through = NettyChannelBuilder.forTarget(proxy.target()).usePlaintext()
                    .intercept(peer.secret().interceptor()).build();
            try {
                return body.apply(proxy, new CancelCalls(through, null));
            } finally {
                through.shutdownNow();
                try {
                    through.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Joins {@code t} within {@link CancelCalls#CALL_BOUND} and 2 s, else interrupts it and throws. */
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

    /** The Go record's cause, or that it holds none and what context.Cause said instead. */
    static String describe(ObserveResponse o) {
        return o.hasCause() ? text(o.getCause()) : "no cause ('" + o.getCauseText() + "')";
    }

    static String text(CancelCause c) {
        return c.getDomain() + "/" + c.getReason() + c.getMetadataMap();
    }

    /** A status that a caught throwable stands for, OK when there was none. */
    static Status statusOf(Throwable t) {
        return t == null ? Status.OK : Status.fromThrowable(t);
    }
}
