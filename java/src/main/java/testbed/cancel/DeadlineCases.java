package testbed.cancel;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import testbed.peer.PeerClient;
import testbed.proto.v1.CancelServiceGrpc;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;
import testbed.proto.v1.WorkResponse;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static testbed.cancel.TrialChecks.DEADLINE_MS;
import static testbed.cancel.TrialChecks.LEAK_BOUND;
import static testbed.cancel.TrialChecks.joinOrFail;
import static testbed.cancel.TrialChecks.spec;

/**
 * Deadlines (docs/CANCELLATION.md): a short Java deadline on every call shape, the Go
 * handler's own deadline, a deadline met just in time, and a burst of thousands at once.
 * Java sees DEADLINE_EXCEEDED; the Go handler sees deadline_exceeded or, when the client's
 * RST_STREAM wins the race, canceled.
 */
final class DeadlineCases {
    static final int JUST_BEFORE_DEADLINE_MS = 500;
    static final int JUST_BEFORE_COMPLETES_MS = 350;
    static final int SERVER_DEADLINE_MS = 20;

    private final TrialChecks checks;
    private final CancelCalls calls;

    DeadlineCases(TrialChecks checks) {
        this.checks = checks;
        this.calls = checks.calls;
    }

    /** A Java deadline on a unary call whose handler fanned out 4 goroutines; the Go handler may see deadline_exceeded or canceled (a race). */
    Trial javaDeadlineUnaryGoroutines(String id) {
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
        return checks.javaDeadlineTrial(id, startNs[0], TrialChecks.statusOf(end.get()));
    }

    /**
     * A {@value TrialChecks#DEADLINE_MS} ms Java deadline on a client stream whose handler
     * fanned out 4 goroutines and read 3 chunks: Java DEADLINE_EXCEEDED, Go canceled or
     * deadline_exceeded (the race of java_deadline_unary_goroutines). Latency: the Java
     * deadline's instant to the last goroutine ended.
     */
    Trial javaDeadlineClientStreamingGoroutines(String id) {
        long start = System.nanoTime();
        CancelCalls.Collect c = new CancelCalls.Collect(CancelServiceGrpc.newStub(calls.channel()).withInterceptors(PeerClient.scopeHeader(id))
                .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS), spec(id, 4).build(), 3);
        return checks.javaDeadlineTrial(id, start, c.awaitEnd());
    }

    /**
     * A {@value TrialChecks#DEADLINE_MS} ms Java deadline on a bidi stream (Converse) whose
     * handler fanned out 4 goroutines: Java DEADLINE_EXCEEDED, Go canceled or
     * deadline_exceeded (the deadline race). Latency: the Java deadline's instant to the last
     * goroutine ended.
     */
    Trial javaDeadlineBidiGoroutines(String id) {
        var stub = calls.async(id);
        long start = System.nanoTime();
        CancelCalls.Converse c = CancelCalls.Converse.start(stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS),
                spec(id, 4).build());
        return checks.javaDeadlineTrial(id, start, c.awaitEnd());
    }

    /**
     * A unary call with a {@value #JUST_BEFORE_DEADLINE_MS} ms deadline whose work completes
     * by itself after {@value #JUST_BEFORE_COMPLETES_MS} ms: it must end OK, the Go side must
     * have seen no cancel, and its goroutines must all have ended. The latency reported is
     * the margin: the deadline's instant minus the reply's.
     */
    Trial deadlineMetJustBeforeExpiry(String id) {
        var stub = calls.blocking(id);
        long start = System.nanoTime();
        Status js;
        try {
            WorkResponse ignored = stub.withDeadlineAfter(JUST_BEFORE_DEADLINE_MS, TimeUnit.MILLISECONDS)
                    .work(WorkRequest.newBuilder().setSpec(spec(id, 4).setCompleteAfterMs(JUST_BEFORE_COMPLETES_MS)).build());
            js = Status.OK;
        } catch (StatusRuntimeException e) {
            js = e.getStatus();
        }
        long replyNs = System.nanoTime();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.OK) problems.add("Java saw " + js + ", want OK with the work done before the deadline");
        if (!o.getContextError().isEmpty()) problems.add("Go saw '" + o.getContextError() + "', want no cancel");
        if (o.getFirstObservedNs() != 0) problems.add("a Go goroutine saw its context end, want every one to complete by itself");
        long margin = start + TimeUnit.MILLISECONDS.toNanos(JUST_BEFORE_DEADLINE_MS) - replyNs;
        Trial t = checks.finishTrial(id, o, js.getCode().name(), margin, problems);
        boolean completed = o.getContextError().isEmpty() && o.getFirstObservedNs() == 0;
        return (completed ? t.goSaw("completed (no cancel)") : t).measuring("deadline_margin_left");
    }

    /**
     * {@code count} unary calls at once on the one channel, each with its own deadline
     * between 50 and 250 ms, each handler with one goroutine: every call must end
     * DEADLINE_EXCEEDED and no goroutine of the burst may outlive it. Latencies: each call's
     * deadline instant to its last goroutine ending, and apart, to Java's seeing its status.
     */
    Trial thousandsOfSimultaneousDeadlines(String id, int count) {
        var stub = CancelServiceGrpc.newStub(calls.channel()).withInterceptors(PeerClient.scopeHeader(id));
        long[] deadlineNs = new long[count];
        long[] endNs = new long[count];
        Status.Code[] codes = new Status.Code[count];
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int k = i;
            int ms = 50 + ThreadLocalRandom.current().nextInt(201);
            deadlineNs[k] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            stub.withDeadline(Deadline.after(ms, TimeUnit.MILLISECONDS))
                    .work(WorkRequest.newBuilder().setSpec(spec(id + "-" + k, 1)).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(WorkResponse value) {}

                        @Override
                        public void onError(Throwable t) {
                            endNs[k] = System.nanoTime();
                            codes[k] = Status.fromThrowable(t).getCode();
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            endNs[k] = System.nanoTime();
                            codes[k] = Status.Code.OK;
                            done.countDown();
                        }
                    });
        }
        try {
            if (!done.await(CancelCalls.CALL_BOUND.toSeconds() * 3, TimeUnit.SECONDS)) {
                return Trial.saw("-", "-").problem(done.getCount() + " of " + count + " calls had not ended within "
                        + CancelCalls.CALL_BOUND.toSeconds() * 3 + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        List<String> problems = new ArrayList<>();
        int wrong = 0;
        Status.Code firstWrong = null;
        long[] javaLat = new long[count];
        for (int i = 0; i < count; i++) {
            if (codes[i] != Status.Code.DEADLINE_EXCEEDED) {
                wrong++;
                if (firstWrong == null) firstWrong = codes[i];
            }
            javaLat[i] = endNs[i] - deadlineNs[i];
        }
        if (wrong > 0) problems.add(wrong + " of " + count + " calls ended " + firstWrong + " (or other), want DEADLINE_EXCEEDED");
        // What each call's Go handler saw: its context error, and its deadline's instant to its
        // last goroutine ending; a call whose deadline expired before the peer dispatched it has
        // no record.
        Map<String, Integer> goSaw = new TreeMap<>();
        long[] goLat = new long[count];
        int recorded = 0;
        // Work goroutines the handlers' records say had not stopped, and the calls they belong to.
        int workRunning = 0;
        int callsRunning = 0;
        String firstRunning = null;
        for (int i = 0; i < count; i++) {
            Optional<ObserveResponse> o = calls.observeIfStarted(id + "-" + i, Duration.ZERO);
            if (o.isEmpty()) {
                goSaw.merge("never started", 1, Integer::sum);
                continue;
            }
            ObserveResponse r = o.get();
            goSaw.merge(r.getContextError().isEmpty() ? "no cancel" : r.getContextError(), 1, Integer::sum);
            if (!Set.of("deadline_exceeded", "canceled").contains(r.getContextError())) {
                problems.add("call " + i + ": Go saw '" + r.getContextError() + "', want deadline_exceeded or canceled");
            }
            if (r.getGoroutinesStopped() != r.getGoroutinesStarted()) {
                workRunning += r.getGoroutinesStarted() - r.getGoroutinesStopped();
                callsRunning++;
                if (firstRunning == null) firstRunning = "call " + i + ": " + r.getGoroutinesStopped() + " of " + r.getGoroutinesStarted();
            }
            goLat[recorded++] = r.getLastStoppedNs() - deadlineNs[i];
        }
        if (recorded == 0) problems.add("not one of the " + count + " calls reached the Go handler");
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        String notStopped = callsRunning == 0 ? null : String.format(Locale.ROOT,
                "%d call(s) had work goroutines not stopped when their Go handler recorded its end (%d in all; the first, %s stopped)",
                callsRunning, workRunning, firstRunning);
        if (alive > 0 && alive == workRunning + callsRunning) {
            // The peer counts, besides each call's work, one goroutine per call that waits for it (TrialChecks.leakLine).
            problems.add(String.format(Locale.ROOT, "leak: %d goroutine(s) of scope %s still running %d ms after the burst of %d:"
                    + " the %d work goroutine(s) of %d call(s) that had not stopped when their Go handler recorded its end, and the %d that wait for them",
                    alive, id, LEAK_BOUND.toMillis(), count, workRunning, callsRunning, callsRunning));
        } else {
            if (alive > 0) problems.add(String.format(Locale.ROOT, "leak: %d goroutine(s) of scope %s still running %d ms after the burst of %d",
                    alive, id, LEAK_BOUND.toMillis(), count));
            if (notStopped != null) problems.add(notStopped);
        }
        StringBuilder go = new StringBuilder();
        goSaw.forEach((k, v) -> go.append(go.isEmpty() ? "" : ", ").append(k).append(" x").append(v));
        return Trial.saw(wrong == 0 ? "DEADLINE_EXCEEDED on all " + count + " calls" : wrong + " of " + count + " calls not DEADLINE_EXCEEDED",
                        go + (alive == 0 ? "; scope empty" : "; " + alive + " alive"))
                .latencies(Arrays.copyOf(goLat, recorded)).with("deadline_to_java_status", javaLat)
                .leaked(alive).problems(problems);
    }

    /**
     * The Go handler puts a {@value #SERVER_DEADLINE_MS} ms deadline on its own work (Java's is
     * 10 s): Java must see DEADLINE_EXCEEDED from the server, Go deadline_exceeded. Latency:
     * the server deadline's instant to the later of Java seeing the status and the last
     * goroutine ending.
     */
    Trial goServerDeadlineUnaryGoroutines(String id) {
        AtomicReference<Throwable> end = new AtomicReference<>();
        long[] endNs = new long[1];
        Thread caller = Thread.ofVirtual().name("cancel-server-deadline-" + id).start(() -> {
            try {
                calls.blocking(id).withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                        .work(WorkRequest.newBuilder().setSpec(spec(id, 4).setServerDeadlineMs(SERVER_DEADLINE_MS)).build());
            } catch (Throwable t) {
                end.set(t);
            }
            endNs[0] = System.nanoTime();
        });
        joinOrFail(caller, "the Java caller of " + id);
        ObserveResponse o = calls.observe(id);
        Status js = TrialChecks.statusOf(end.get());
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + ", want DEADLINE_EXCEEDED from the server");
        if (!o.getContextError().equals("deadline_exceeded")) problems.add("Go saw '" + o.getContextError() + "', want deadline_exceeded");
        if (o.getServerCancelledNs() == 0) problems.add("the Go record has no server deadline instant");
        return checks.finishTrial(id, o, js.getCode().name(), Math.max(endNs[0], o.getLastStoppedNs()) - o.getServerCancelledNs(), problems);
    }

    /**
     * The Go handler's own {@value #SERVER_DEADLINE_MS} ms deadline on a server stream that
     * ticks every millisecond: the ticks stop, Java's consumer ends DEADLINE_EXCEEDED, Go saw
     * deadline_exceeded. Latency: the deadline's instant to the later of the consumer ending
     * and the last goroutine ending.
     */
    Trial goServerDeadlineServerStreaming(String id) {
        AtomicReference<Throwable> end = new AtomicReference<>();
        long[] endNs = new long[1];
        int[] ticks = new int[1];
        Thread consumer = Thread.ofVirtual().name("cancel-consumer-" + id).start(() -> {
            try {
                Iterator<WorkStreamResponse> it = calls.blocking(id).withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                        .workStream(WorkStreamRequest.newBuilder().setSpec(spec(id, 4).setTickIntervalMs(1).setServerDeadlineMs(SERVER_DEADLINE_MS)).build());
                while (it.hasNext()) {
                    it.next();
                    ticks[0]++;
                }
            } catch (Throwable t) {
                end.set(t);
            }
            endNs[0] = System.nanoTime();
        });
        joinOrFail(consumer, "the Java consumer of " + id);
        ObserveResponse o = calls.observe(id);
        Status js = TrialChecks.statusOf(end.get());
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + " after " + ticks[0] + " ticks, want DEADLINE_EXCEEDED");
        if (ticks[0] == 0) problems.add("no tick arrived before the server's deadline");
        if (!o.getContextError().equals("deadline_exceeded")) problems.add("Go saw '" + o.getContextError() + "', want deadline_exceeded");
        if (o.getServerCancelledNs() == 0) problems.add("the Go record has no server deadline instant");
        return checks.finishTrial(id, o, js.getCode().name() + " after ticks", Math.max(endNs[0], o.getLastStoppedNs()) - o.getServerCancelledNs(), problems);
    }
}
