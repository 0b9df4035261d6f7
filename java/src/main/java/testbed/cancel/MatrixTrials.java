package testbed.cancel;

import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import testbed.cancel.CancellationSuite.Trial;
import testbed.ffi.NativeWorkers;
import testbed.harness.CaseTrials;
import testbed.peer.PeerClient;
import testbed.peer.PeerProcess;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.CancelNotice;
import testbed.proto.v1.CancelServiceGrpc;
import testbed.proto.v1.CollectRequest;
import testbed.proto.v1.CollectResponse;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;
import testbed.proto.v1.WorkResponse;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static testbed.cancel.CancellationSuite.LEAK_BOUND;
import static testbed.cancel.CancellationSuite.joinOrFail;
import static testbed.cancel.CancellationSuite.spec;

/**
 * The cancellation matrix beyond the first slice (docs/CANCELLATION.md): the cases grpc's
 * interop document leaves as TODO, the client-streaming shape, the Go handler's own
 * deadline, a cut connection, bad input, and a Java StructuredTaskScope whose failing
 * subtask cancels gRPC streams and virtual-thread work. One method per case; each returns
 * a {@link Trial} with the statuses both sides saw and the problems found.
 */
final class MatrixTrials {
    /** How long a call cancelled before it reached the peer is watched for a handler that starts late. */
    static final Duration NEVER_STARTED_SETTLE = Duration.ofMillis(100);
    static final int JUST_BEFORE_DEADLINE_MS = 500;
    static final int JUST_BEFORE_COMPLETES_MS = 350;
    static final int SERVER_DEADLINE_MS = 20;
    /** The Go peer's default limit on a received message (grpc-go's 4 MiB). */
    static final int PEER_MAX_RECEIVE = 4 * 1024 * 1024;
    /** Any status for bad input must reach Java within this long. */
    static final Duration BAD_INPUT_BOUND = Duration.ofSeconds(5);

    private final CancellationSuite suite;
    private final CancelCalls calls;
    private final PeerProcess peer;

    MatrixTrials(CancellationSuite suite, CancelCalls calls, PeerProcess peer) {
        this.suite = suite;
        this.calls = calls;
        this.peer = peer;
    }

    // ---- grpc's TODO cases ---------------------------------------------------------------------

    /** The io.grpc.Context is cancelled before the call starts: the call never reaches the peer. */
    Trial cancelBeforeStart(String id) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        long t0 = System.nanoTime();
        ctx.cancel(new CancellationException("SCOPE_CLOSED by testbed.java"));
        AtomicReference<Throwable> end = new AtomicReference<>();
        ctx.run(() -> {
            try {
                calls.blocking(id).withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                        .work(WorkRequest.newBuilder().setSpec(spec(id, 2)).build());
            } catch (Throwable t) {
                end.set(t);
            }
        });
        long endNs = System.nanoTime();
        Status js = end.get() == null ? Status.OK : Status.fromThrowable(end.get());
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        Optional<ObserveResponse> o = calls.observeIfStarted(id, NEVER_STARTED_SETTLE);
        if (o.isPresent()) problems.add("the Go handler ran (" + o.get().getContextError() + ") for a call cancelled before it started");
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        if (alive > 0) problems.add("leak: " + alive + " goroutine(s) of scope " + id);
        return new Trial(js.getCode().name(), o.isPresent() ? "ran" : "never started", endNs - t0, alive,
                CaseTrials.line(problems)).measuring("java_cancel_to_java_status");
    }

    /**
     * Java cancels a bidi stream right after its first message reached the Go handler (the
     * handler's 4 goroutines show in Inspect), without reading any reply. The handler must
     * have seen canceled and stopped every goroutine. Latency: the cancel to the last goroutine
     * ended.
     */
    Trial cancelAfterFirstMessage(String id) {
        CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec(id, 4).build());
        suite.awaitGoroutines(id, 4);
        long t0 = System.nanoTime();
        c.cancelPlain("cancelled after the first message", null);
        Status js = c.awaitEnd();
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ObserveResponse r = calls.observe(id);
        if (!r.getContextError().equals("canceled")) problems.add("Go saw '" + r.getContextError() + "', want canceled");
        return suite.finishTrial(id, r, js.getCode().name(), r.getLastStoppedNs() - t0, problems);
    }

    /**
     * The Go handler sends its response headers and no message; Java cancels the call the
     * moment the headers arrive (ClientCall.Listener.onHeaders).
     */
    Trial cancelAfterHeaders(String id) {
        var channel = ClientInterceptors.intercept(calls.channel(), PeerClient.scopeHeader(id));
        ClientCall<WorkStreamRequest, WorkStreamResponse> call = channel.newCall(CancelServiceGrpc.getWorkStreamMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS));
        AtomicLong cancelNs = new AtomicLong();
        AtomicInteger messages = new AtomicInteger();
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onHeaders(Metadata headers) {
                cancelNs.set(System.nanoTime());
                call.cancel("cancelled after the headers", null);
            }

            @Override
            public void onMessage(WorkStreamResponse message) {
                messages.incrementAndGet();
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.sendMessage(WorkStreamRequest.newBuilder().setSpec(spec(id, 4).setHeadersOnly(true)).build());
        call.halfClose();
        call.request(1);
        Status js = CancelCalls.await(closed, "the end of the call cancelled after its headers");
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (cancelNs.get() == 0) problems.add("the headers never arrived");
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        if (messages.get() != 0) problems.add("Java received " + messages.get() + " message(s), want none");
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        return suite.finishTrial(id, o, js.getCode().name() + " after headers, 0 messages", o.getLastStoppedNs() - cancelNs.get(), problems);
    }

    /**
     * A unary call with a {@value #JUST_BEFORE_DEADLINE_MS} ms deadline whose work completes
     * by itself after {@value #JUST_BEFORE_COMPLETES_MS} ms: it must end OK, the Go side must
     * have seen no cancel, and its goroutines must all have ended. The latency reported is
     * the margin: the deadline's instant minus the reply's.
     */
    Trial deadlineMetJustBefore(String id) {
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
        Trial t = suite.finishTrial(id, o, js.getCode().name(), margin, problems);
        String goSaw = o.getContextError().isEmpty() && o.getFirstObservedNs() == 0 ? "completed (no cancel)" : t.goSaw();
        return new Trial(t.javaSaw(), goSaw, t.latencyNs(), t.leakedGoroutines(), t.problem()).measuring("deadline_margin_left");
    }

    /**
     * {@code calls} unary calls at once on the one channel, each with its own deadline
     * between 50 and 250 ms, each handler with one goroutine: every call must end
     * DEADLINE_EXCEEDED and no goroutine of the burst may outlive it. Latencies: each call's
     * deadline instant to Java's seeing its status.
     */
    Trial simultaneousDeadlines(String id, int count) {
        var stub = CancelServiceGrpc.newStub(calls.channel()).withInterceptors(PeerClient.scopeHeader(id));
        long[] deadlineNs = new long[count];
        long[] endNs = new long[count];
        Status.Code[] codes = new Status.Code[count];
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int k = i;
            int ms = 50 + ThreadLocalRandom.current().nextInt(201);
            deadlineNs[k] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            stub.withDeadline(io.grpc.Deadline.after(ms, TimeUnit.MILLISECONDS))
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
                return new Trial("-", "-", Long.MIN_VALUE, 0, done.getCount() + " of " + count + " calls had not ended within "
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
        Map<String, Integer> goSaw = new java.util.TreeMap<>();
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
            // The peer counts, besides each call's work, one goroutine per call that waits for it (CancellationSuite.leakLine).
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
        return new Trial(wrong == 0 ? "DEADLINE_EXCEEDED on all " + count + " calls" : wrong + " of " + count + " calls not DEADLINE_EXCEEDED",
                go + (alive == 0 ? "; scope empty" : "; " + alive + " alive"), Long.MIN_VALUE, alive,
                CaseTrials.line(problems), Arrays.copyOf(goLat, recorded))
                .with("deadline_to_java_status", javaLat);
    }

    // ---- client streaming ----------------------------------------------------------------------

    /** A started Collect call (client streaming) with its chunks sent. */
    private static final class Collect {
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        volatile ClientCallStreamObserver<CollectRequest> requests;

        Collect(CancelServiceGrpc.CancelServiceStub stub, testbed.proto.v1.WorkSpec spec, int chunks) {
            StreamObserver<CollectRequest> out = stub.collect(new ClientResponseObserver<CollectRequest, CollectResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<CollectRequest> r) {
                    requests = r;
                }

                @Override
                public void onNext(CollectResponse value) {}

                @Override
                public void onError(Throwable t) {
                    ended.complete(t);
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                }
            });
            out.onNext(CollectRequest.newBuilder().setStart(spec).build());
            for (int i = 0; i < chunks; i++) out.onNext(CollectRequest.newBuilder().setChunk(com.google.protobuf.ByteString.copyFrom(new byte[64])).build());
        }

        Status awaitEnd() {
            Throwable t = CancelCalls.await(ended, "the end of the Collect call");
            return t == null ? Status.OK : Status.fromThrowable(t);
        }
    }

    /** Java cancels a client stream (plain gRPC) after its handler fanned out 4 goroutines and 3 chunks went out. */
    Trial clientStreamingCancel(String id) {
        Collect c = new Collect(calls.async(id), spec(id, 4).build(), 3);
        suite.awaitGoroutines(id, 4);
        long t0 = System.nanoTime();
        c.requests.cancel("java client cancelled", null);
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        return suite.finishTrial(id, o, js.getCode().name(), o.getLastStoppedNs() - t0, problems);
    }

    /** The cause protocol on a client stream: a CancelNotice after 3 chunks; the Go handler's context.Cause holds it. */
    Trial clientStreamingInBandCause(String id) {
        CancelCause cause = CancellationSuite.JAVA_CAUSE.toBuilder().putMetadata("call_id", id).build();
        Collect c = new Collect(calls.async(id), spec(id, 4).build(), 3);
        suite.awaitGoroutines(id, 4);
        long t0 = System.nanoTime();
        c.requests.onNext(CollectRequest.newBuilder().setCancel(CancelNotice.newBuilder().setCause(cause).setCancelledAtNs(t0)).build());
        c.requests.onCompleted();
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ErrorInfo echoed = PeerClient.errorInfo(c.ended.getNow(null)).orElse(null);
        if (!CancelCalls.sameCause(echoed, cause)) problems.add("Java's status details hold " + echoed + ", want the cause " + CancellationSuite.text(cause) + " echoed intact");
        if (!o.getCause().equals(cause)) problems.add("Go's context.Cause holds " + CancellationSuite.describe(o) + ", want " + CancellationSuite.text(cause));
        return suite.finishTrial(id, o, js.getCode() + ", ErrorInfo " + (echoed == null ? "none" : echoed.getReason()), o.getLastStoppedNs() - t0, problems);
    }

    /**
     * A {@value CancellationSuite#DEADLINE_MS} ms Java deadline on a client stream whose
     * handler fanned out 4 goroutines and read 3 chunks: Java DEADLINE_EXCEEDED, Go
     * canceled or deadline_exceeded (the race of java_deadline_unary_goroutines).
     * Latency: the Java deadline's instant to the last goroutine ended.
     */
    Trial clientStreamingDeadline(String id) {
        long start = System.nanoTime();
        Collect c = new Collect(CancelServiceGrpc.newStub(calls.channel()).withInterceptors(PeerClient.scopeHeader(id))
                .withDeadlineAfter(CancellationSuite.DEADLINE_MS, TimeUnit.MILLISECONDS), spec(id, 4).build(), 3);
        return suite.javaDeadlineTrial(id, start, c.awaitEnd());
    }

    /**
     * A {@value CancellationSuite#DEADLINE_MS} ms Java deadline on a bidi stream (Converse)
     * whose handler fanned out 4 goroutines: Java DEADLINE_EXCEEDED, Go canceled or
     * deadline_exceeded (the deadline race). Latency: the Java deadline's instant to the last
     * goroutine ended.
     */
    Trial bidiDeadline(String id) {
        var stub = calls.async(id);
        long start = System.nanoTime();
        CancelCalls.Converse c = CancelCalls.Converse.start(stub.withDeadlineAfter(CancellationSuite.DEADLINE_MS, TimeUnit.MILLISECONDS),
                spec(id, 4).build());
        return suite.javaDeadlineTrial(id, start, c.awaitEnd());
    }

    // ---- the Go handler's own deadline ------------------------------------------------------------

    /**
     * The Go handler's own {@value #SERVER_DEADLINE_MS} ms deadline on a server stream that
     * ticks every millisecond: the ticks stop, Java's consumer ends DEADLINE_EXCEEDED, Go saw
     * deadline_exceeded. Latency: the deadline's instant to the later of the consumer ending
     * and the last goroutine ending.
     */
    Trial goServerDeadlineStream(String id) {
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
        Status js = end.get() == null ? Status.OK : Status.fromThrowable(end.get());
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + " after " + ticks[0] + " ticks, want DEADLINE_EXCEEDED");
        if (ticks[0] == 0) problems.add("no tick arrived before the server's deadline");
        if (!o.getContextError().equals("deadline_exceeded")) problems.add("Go saw '" + o.getContextError() + "', want deadline_exceeded");
        if (o.getServerCancelledNs() == 0) problems.add("the Go record has no server deadline instant");
        return suite.finishTrial(id, o, js.getCode().name() + " after ticks", Math.max(endNs[0], o.getLastStoppedNs()) - o.getServerCancelledNs(), problems);
    }

    /**
     * The Go handler puts a {@value #SERVER_DEADLINE_MS} ms deadline on its own work (Java's is
     * 10 s): Java must see DEADLINE_EXCEEDED from the server, Go deadline_exceeded. Latency:
     * the server deadline's instant to the later of Java seeing the status and the last
     * goroutine ending.
     */
    Trial goServerDeadline(String id) {
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
        Status js = end.get() == null ? Status.OK : Status.fromThrowable(end.get());
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.DEADLINE_EXCEEDED) problems.add("Java saw " + js + ", want DEADLINE_EXCEEDED from the server");
        if (!o.getContextError().equals("deadline_exceeded")) problems.add("Go saw '" + o.getContextError() + "', want deadline_exceeded");
        if (o.getServerCancelledNs() == 0) problems.add("the Go record has no server deadline instant");
        return suite.finishTrial(id, o, js.getCode().name(), Math.max(endNs[0], o.getLastStoppedNs()) - o.getServerCancelledNs(), problems);
    }

    // ---- the connection cut ---------------------------------------------------------------------

    /**
     * A server stream runs through a TCP proxy on loopback; after the first tick the proxy
     * resets both connections. Java must end with UNAVAILABLE, the Go handler must see its
     * context end (canceled) and stop every goroutine. Latency: the cut to the later of the
     * Java consumer ending and the last goroutine ending.
     */
    Trial connectionCut(String id) {
        return throughProxy((proxy, viaProxy) -> {
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec(id, 4).setTickIntervalMs(1)).build();
            CancelCalls.TickConsumer consumer = new CancelCalls.TickConsumer(viaProxy, id, req, () -> {});
            consumer.awaitFirstTick("the first tick through the proxy");
            long t0 = System.nanoTime();
            proxy.cut();
            List<String> problems = new ArrayList<>();
            if (!consumer.join(CancelCalls.CALL_BOUND.plusSeconds(2))) {
                problems.add("the Java consumer still running " + (CancelCalls.CALL_BOUND.toSeconds() + 2) + " s after the cut");
            }
            ObserveResponse o = calls.observe(id);
            Status js = consumer.status();
            if (js.getCode() != Status.Code.UNAVAILABLE) problems.add("Java saw " + js + ", want UNAVAILABLE");
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
            return suite.finishTrial(id, o, js.getCode().name(), Math.max(consumer.endNs(), o.getLastStoppedNs()) - t0, problems);
        });
    }

    /**
     * Native workers owned by a ticking stream that runs through the loopback proxy; the proxy
     * resets the connection after the first tick, the Java consumer sees the stream fail and
     * sets the workers' cancel flag. Asserts Java UNAVAILABLE, the flag set by Java, the workers
     * joined within the bound and none alive, and (the peer lives on) the Go handler's context
     * canceled with every goroutine stopped. Latency: the cut to the later of the join and the
     * last goroutine ended.
     */
    Trial nativeWorkersConnectionCut(String id) {
        return throughProxy((proxy, viaProxy) -> {
            List<String> problems = new ArrayList<>();
            CancellationSuite.StreamOwnedWorkers w = suite.nativeWorkersOwnedByStream(id, viaProxy, proxy::cut, Status.Code.UNAVAILABLE, problems);
            ObserveResponse o = calls.observe(id);
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
            return suite.finishTrial(id, o, w.describe(),
                    w.joinedNs() == Long.MIN_VALUE ? Long.MIN_VALUE : Math.max(w.joinedNs(), o.getLastStoppedNs()) - w.t0Ns(), problems);
        });
    }

    /**
     * Runs {@code body} with a loopback proxy in front of the peer and calls over a channel of
     * their own through it, carrying the peer's secret (the proxy only relays bytes); both are
     * closed after.
     */
    private Trial throughProxy(java.util.function.BiFunction<LoopbackProxy, CancelCalls, Trial> body) {
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

    // ---- bad input ------------------------------------------------------------------------------

    /**
     * A valid WorkRequest for {@code id} followed by bytes that make the whole no protobuf
     * message: field 1 with wire type 7, which does not exist. Were it parsed anyway, the Go
     * handler would run for {@code id} and leave a record.
     */
    static byte[] malformed(String id) {
        byte[] valid = WorkRequest.newBuilder().setSpec(spec(id, 1)).build().toByteArray();
        byte[] out = java.util.Arrays.copyOf(valid, valid.length + 3);
        out[valid.length] = 0x0F;
        out[valid.length + 1] = 0x01;
        out[valid.length + 2] = 0x02;
        return out;
    }

    /**
     * A valid WorkRequest for {@code id} padded with an unknown length-delimited field (number
     * 15) to {@code size} bytes or more: within the 4 MiB limit the Go handler would run for
     * {@code id} (protobuf skips unknown fields).
     */
    static byte[] oversized(String id, int size) {
        var out = new java.io.ByteArrayOutputStream(size + 64);
        try {
            var cos = com.google.protobuf.CodedOutputStream.newInstance(out);
            WorkRequest.newBuilder().setSpec(spec(id, 1)).build().writeTo(cos);
            cos.writeByteArray(15, new byte[size]);
            cos.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static MethodDescriptor<byte[], byte[]> rawWork() {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(CancelServiceGrpc.getWorkMethod().getFullMethodName())
                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /**
     * A unary Work call whose request bytes are not a WorkRequest: Java must get INTERNAL with
     * a message that names the unmarshalling, within {@link #BAD_INPUT_BOUND}, no handler may
     * have run, and the peer must still answer.
     */
    Trial malformedRequest(String id) {
        return badInput(id, malformed(id), Status.Code.INTERNAL, "unmarshal", "INTERNAL naming the unmarshalling");
    }

    /**
     * A WorkRequest larger than the peer's 4 MiB receive limit (padded to 5 MiB with an unknown
     * field): Java must get RESOURCE_EXHAUSTED naming the limit, within {@link #BAD_INPUT_BOUND},
     * no handler may have run, and the peer must still answer.
     */
    Trial oversizedRequest(String id) {
        return badInput(id, oversized(id, PEER_MAX_RECEIVE + 1024 * 1024), Status.Code.RESOURCE_EXHAUSTED, "larger than max",
                "RESOURCE_EXHAUSTED naming the size limit");
    }

    /** Sends {@code bytes} as a Work request; the status must be {@code want} naming {@code words}, and no handler may run for {@code id}. */
    Trial badInput(String id, byte[] bytes, Status.Code want, String words, String wanted) {
        long t0 = System.nanoTime();
        Status js;
        try {
            ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(calls.channel(), PeerClient.scopeHeader(id)), rawWork(),
                    CallOptions.DEFAULT.withDeadlineAfter(BAD_INPUT_BOUND.toMillis(), TimeUnit.MILLISECONDS), bytes);
            js = Status.OK;
        } catch (StatusRuntimeException e) {
            js = e.getStatus();
        }
        long latencyNs = System.nanoTime() - t0;
        List<String> problems = new ArrayList<>();
        if (js.getCode() != want || js.getDescription() == null || !js.getDescription().contains(words)) {
            problems.add("Java saw " + js + ", want " + wanted);
        }
        if (latencyNs > BAD_INPUT_BOUND.toNanos()) problems.add("the status took " + latencyNs / 1_000_000 + " ms, bound " + BAD_INPUT_BOUND.toMillis());
        Optional<ObserveResponse> ran = calls.observeIfStarted(id, NEVER_STARTED_SETTLE);
        ran.ifPresent(o -> problems.add("a Go handler ran for the bad request (" + o.getRpc() + ", context '" + o.getContextError() + "')"));
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        if (alive > 0) problems.add("leak: " + alive + " goroutine(s) of scope " + id + " after a bad request");
        String peer;
        try {
            calls.echoNanos();
            peer = "peer still answers";
        } catch (RuntimeException e) {
            problems.add("the peer no longer answers after the bad input: " + e.getMessage());
            peer = "peer does not answer";
        }
        String saw = js.getCode().name() + (js.getDescription() == null ? "" : ": " + firstWords(js.getDescription()));
        return new Trial(saw, (ran.isPresent() ? "a handler ran" : "no handler ran") + "; " + peer, latencyNs, alive,
                CaseTrials.line(problems)).measuring("request_to_status");
    }

    private static String firstWords(String s) {
        String t = s.replaceAll("[0-9]+", "N");
        return t.length() > 60 ? t.substring(0, 60) + "..." : t;
    }

    // ---- a Java StructuredTaskScope -------------------------------------------------------------

    /**
     * The cause protocol from a StructuredTaskScope: a subtask owns a Converse stream (4
     * goroutines) and, when the scope's cancellation interrupts it, sends a CancelNotice with
     * cause {@code testbed.java/SCOPE_CLOSED} before the call ends; a sibling subtask fails
     * once the stream ticks. Asserts the Go handler's context.Cause holds that cause intact,
     * Java got it echoed as ErrorInfo, every goroutine stopped. Latency: the sibling's throw
     * to the last goroutine ended.
     */
    Trial structuredScopeCause(String id) {
        CancelCause cause = CancellationSuite.JAVA_CAUSE.toBuilder().putMetadata("call_id", id).build();
        CountDownLatch ticking = new CountDownLatch(1);
        AtomicLong thrownNs = new AtomicLong();
        AtomicReference<CancelCalls.Converse> owned = new AtomicReference<>();
        AtomicReference<String> ownerSaw = new AtomicReference<>("owner never ran");
        try (var scope = StructuredTaskScope.open()) {
            scope.fork(() -> {
                CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec(id, 4).build());
                owned.set(c);
                c.awaitFirstTick();
                ticking.countDown();
                try {
                    c.awaitEndInterruptibly();
                    ownerSaw.set("the call ended before the scope was cancelled");
                } catch (InterruptedException e) {
                    c.sendNotice(cause, System.nanoTime());
                    c.awaitEnd();
                    ownerSaw.set("interrupted; sent the notice");
                }
                return null;
            });
            scope.fork(() -> {
                if (!ticking.await(CancelCalls.CALL_BOUND.toSeconds(), TimeUnit.SECONDS)) throw new IllegalStateException("the stream never ticked");
                thrownNs.set(System.nanoTime());
                throw new IllegalStateException("SCOPE_CLOSED: a subtask failed");
            });
            try {
                scope.join();
            } catch (StructuredTaskScope.FailedException expected) {
                // the sibling's failure is what cancels the scope
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        List<String> problems = new ArrayList<>();
        if (!ownerSaw.get().startsWith("interrupted")) problems.add("the stream's owner: " + ownerSaw.get());
        CancelCalls.Converse c = owned.get();
        if (c == null) return new Trial("-", "-", Long.MIN_VALUE, 0, "the stream's owner never started its call");
        Status js = c.awaitEnd();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ErrorInfo echoed = PeerClient.errorInfo(c.endError()).orElse(null);
        if (!CancelCalls.sameCause(echoed, cause)) problems.add("Java's status details hold " + echoed + ", want the cause " + CancellationSuite.text(cause) + " echoed intact");
        ObserveResponse o = calls.observe(id);
        if (!o.getCause().equals(cause)) problems.add("Go's context.Cause holds " + CancellationSuite.describe(o) + ", want " + CancellationSuite.text(cause));
        return suite.finishTrial(id, o, js.getCode() + ", ErrorInfo " + (echoed == null ? "none" : echoed.getReason()),
                thrownNs.get() == 0 ? Long.MIN_VALUE : o.getLastStoppedNs() - thrownNs.get(), problems);
    }

    /** What a virtual-thread work subtask saw: whether it ended on the interrupt, and when it ended. */
    record JavaWork(boolean interrupted, long endNs) {}

    /** Java tasks must end within this long after the scope was cancelled; the watchdog then releases them. */
    static final Duration JAVA_TASK_BOUND = LEAK_BOUND;
    /** What the watchdog reports when a Java task outlived {@link #JAVA_TASK_BOUND}; the broken variant must show it. */
    static final String JAVA_TASK_LEAK = "Java task(s) still running";

    Trial structuredScope(String id) {
        return structuredScope(id, false);
    }

    /**
     * Enforces {@link #JAVA_TASK_BOUND} on a scope's Java tasks: once {@link #cancelled} is
     * called it waits for every task to call {@link #taskEnded}, at most that bound; tasks
     * still running then are counted as leaked and released ({@link #released} turns true),
     * since the scope's close would otherwise wait for them without end. {@link #finish} names
     * the leak.
     */
    static final class TaskWatchdog {
        private final CountDownLatch cancelled = new CountDownLatch(1);
        private final CountDownLatch done;
        private final java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        private final AtomicLong leaked = new AtomicLong();
        private final AtomicLong started = new AtomicLong();
        private final int tasks;
        private final Thread thread;

        TaskWatchdog(String id, int tasks) {
            this.tasks = tasks;
            done = new CountDownLatch(tasks);
            thread = Thread.ofVirtual().name("cancel-scope-watchdog-" + id).start(() -> {
                try {
                    cancelled.await(CancelCalls.CALL_BOUND.toSeconds() + 1, TimeUnit.SECONDS);
                    if (!done.await(JAVA_TASK_BOUND.toMillis(), TimeUnit.MILLISECONDS)) leaked.set(done.getCount());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    release.set(true);
                }
            });
        }

        /** The scope was cancelled: the bound starts now. */
        void cancelled() {
            cancelled.countDown();
        }

        /** A task began to run (so that one that never ran is not counted as still running). */
        void taskStarted() {
            started.incrementAndGet();
        }

        void taskEnded() {
            done.countDown();
        }

        /** Whether a task still running should give up: the watchdog's bound passed, or the scope is closed. */
        boolean released() {
            return release.get();
        }

        void release() {
            release.set(true);
        }

        /** After the scope closed: ends the watchdog and adds the leak, if any, to {@code problems}. */
        void finish(List<String> problems) {
            cancelled.countDown();
            release.set(true);
            joinOrFail(thread, "the scope's watchdog");
            long neverRan = Math.max(0, tasks - started.get());
            long running = leaked.get() - Math.min(leaked.get(), neverRan);
            if (running > 0) {
                problems.add("leak: " + running + " " + JAVA_TASK_LEAK + " " + JAVA_TASK_BOUND.toMillis()
                        + " ms after the scope was cancelled (released by the watchdog)");
            }
            if (neverRan > 0) problems.add(neverRan + " Java task(s) of the scope never ran");
        }
    }

    /** How a scope that its owner cancelled ended: the instant the owner began to close it (0: never) and what its join did. */
    record OwnerClosed(long cancelNs, String joinSaw) {
        boolean byOwner() {
            return joinSaw.equals(OWNER_INTERRUPTED);
        }
    }

    static final String OWNER_INTERRUPTED = "join interrupted; the owner closed the scope";

    /**
     * A StructuredTaskScope cancelled by its owner: an owner thread opens the scope, forks
     * {@code subtasks} and joins. Once {@code ready} is counted down (the subtasks' work runs)
     * or {@link CancelCalls#CALL_BOUND} passed, this thread interrupts the owner in its join,
     * which throws InterruptedException; the owner then leaves the scope before join completed,
     * so its close cancels the scope (it interrupts every unfinished subtask) and waits for the
     * subtasks to end. {@code dog} is told of the cancel when the owner begins to close.
     * Returns once the scope is closed.
     */
    OwnerClosed cancelledByOwner(String id, List<java.util.concurrent.Callable<Void>> subtasks, CountDownLatch ready, TaskWatchdog dog) {
        AtomicLong cancelNs = new AtomicLong();
        AtomicReference<String> joinSaw = new AtomicReference<>("the owner never joined");
        CountDownLatch joining = new CountDownLatch(1);
        Thread owner = Thread.ofVirtual().name("cancel-scope-owner-" + id).start(() -> {
            try (var scope = StructuredTaskScope.<Void>open()) {
                for (var task : subtasks) scope.fork(task);
                joining.countDown();
                try {
                    scope.join();
                    joinSaw.set("join returned: the subtasks ended before the owner cancelled the scope");
                } catch (InterruptedException e) {
                    cancelNs.set(System.nanoTime());
                    dog.cancelled();
                    joinSaw.set(OWNER_INTERRUPTED);
                } catch (StructuredTaskScope.FailedException e) {
                    joinSaw.set("join failed: " + e.getCause());
                }
            } finally {
                joining.countDown();
                ready.countDown(); // a scope that ended by itself: the trial need not wait for its subtasks to be ready
                dog.cancelled();
            }
        });
        try {
            joining.await();
            if (!ready.await(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                joinSaw.compareAndSet("the owner never joined", "the subtasks were not ready within " + CancelCalls.CALL_BOUND.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        owner.interrupt();
        joinOrFail(owner, "the scope's owner of " + id);
        return new OwnerClosed(cancelNs.get(), joinSaw.get());
    }

    /**
     * A StructuredTaskScope owning a client stream: its one subtask opens a Collect call (4
     * goroutines, 3 chunks) and waits for its end; the scope's owner cancels the scope (its join
     * is interrupted and it closes the scope), whose cancellation interrupts the subtask, which
     * cancels its call (plain gRPC: an async call does not follow its thread's interrupt).
     * Asserts the owner's close is what ended the scope, the subtask saw the interrupt and ended
     * within {@link #JAVA_TASK_BOUND} ({@link TaskWatchdog}), Java CANCELLED, Go canceled, every
     * goroutine stopped. Latency: the owner's close to the later of the last goroutine and the
     * subtask ending.
     */
    Trial structuredScopeClientStream(String id) {
        return structuredScopeClientStream(id, false);
    }

    /** What the owner-cancel check reports when a scope ended by itself; the broken variant must show it. */
    static final String NOT_CANCELLED_BY_OWNER = "want it interrupted and the scope closed by its owner";

    /**
     * As {@link #structuredScopeClientStream(String)}; with {@code selfCancel} (the broken
     * variant) the subtask cancels its own call and returns without waiting for the scope's
     * cancellation, so the scope ends by itself before its owner cancels it: the statuses still
     * read CANCELLED and canceled, and the owner-cancel check (with the subtask's own, which
     * finds no interrupt) tells that the case did not exercise the scope.
     */
    Trial structuredScopeClientStream(String id, boolean selfCancel) {
        CountDownLatch ready = new CountDownLatch(1);
        TaskWatchdog dog = new TaskWatchdog(id, 1);
        AtomicReference<Collect> owned = new AtomicReference<>();
        AtomicReference<JavaWork> subtask = new AtomicReference<>();
        AtomicReference<String> subtaskSaw = new AtomicReference<>("the subtask never ran");
        OwnerClosed closed = cancelledByOwner(id, List.of(() -> {
            dog.taskStarted();
            boolean interrupted = false;
            try {
                Collect c = new Collect(calls.async(id), spec(id, 4).build(), 3);
                owned.set(c);
                suite.awaitGoroutines(id, 4);
                if (selfCancel) {
                    c.requests.cancel("the subtask cancelled its own call", null);
                    c.awaitEnd();
                    subtaskSaw.set("cancelled its own call and returned");
                    return null; // the owner's finally counts `ready` once the scope has ended by itself
                }
                ready.countDown();
                try {
                    c.ended.get(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    subtaskSaw.set("the call ended before the scope was cancelled");
                } catch (InterruptedException e) {
                    interrupted = true;
                    c.requests.cancel("the scope was cancelled", e);
                    c.awaitEnd();
                    subtaskSaw.set("interrupted; cancelled its call");
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    subtaskSaw.set("the call did not end within " + CancelCalls.CALL_BOUND.toSeconds() + " s and no interrupt came");
                }
            } finally {
                subtask.set(new JavaWork(interrupted, System.nanoTime()));
                dog.taskEnded();
            }
            return null;
        }), ready, dog);
        List<String> problems = new ArrayList<>();
        if (!closed.byOwner()) problems.add("the scope's join: " + closed.joinSaw() + ", " + NOT_CANCELLED_BY_OWNER);
        dog.finish(problems);
        JavaWork w = subtask.get();
        if (w == null || !w.interrupted()) problems.add("the stream's subtask: " + subtaskSaw.get() + ", want it interrupted by the scope's cancellation");
        Collect c = owned.get();
        if (c == null) return new Trial("-", "-", Long.MIN_VALUE, 0, "the subtask never started its Collect call; " + String.join("; ", CaseTrials.worstFirst(problems)));
        Status js = c.awaitEnd();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ObserveResponse o = calls.observe(id);
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        long last = Math.max(o.getLastStoppedNs(), w == null ? 0 : w.endNs());
        return suite.finishTrial(id, o, "scope closed by its owner; " + js.getCode() + "; subtask " + (w != null && w.interrupted() ? "interrupted" : "not interrupted"),
                closed.cancelNs() == 0 ? Long.MIN_VALUE : last - closed.cancelNs(), problems);
    }

    /**
     * A StructuredTaskScope subtask runs two C workers (through FFM, on the session region's
     * cancel flag) and waits; the scope's owner cancels the scope, whose cancellation interrupts
     * the subtask, which sets the flag and joins the workers (at most {@link
     * CancellationSuite#NATIVE_JOIN_BOUND}). Asserts the owner's close ended the scope, the
     * subtask saw the interrupt and ended within {@link #JAVA_TASK_BOUND}, the workers were
     * joined and none is alive. Latency: the owner's close to the later of the join and the
     * subtask ending. No gRPC call is involved: the chain is Java scope to C.
     */
    Trial nativeWorkersStructuredScope(String id) {
        CountDownLatch ready = new CountDownLatch(1);
        TaskWatchdog dog = new TaskWatchdog(id, 1);
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<JavaWork> subtask = new AtomicReference<>();
        AtomicLong joinedNs = new AtomicLong(Long.MIN_VALUE);
        AtomicInteger alive = new AtomicInteger(-1);
        OwnerClosed closed = cancelledByOwner(id, List.of(() -> {
            dog.taskStarted();
            boolean interrupted = false;
            try (NativeWorkers workers = suite.nativeWorkers(false)) {
                ready.countDown();
                try {
                    Thread.sleep(CancelCalls.CALL_BOUND);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                workers.setFlag();
                joinedNs.set(workers.join(CancellationSuite.NATIVE_JOIN_BOUND, problems));
                alive.set(suite.nativeAliveCheck(problems));
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
        long latency = closed.cancelNs() == 0 || joinedNs.get() == Long.MIN_VALUE || w == null ? Long.MIN_VALUE
                : Math.max(joinedNs.get(), w.endNs()) - closed.cancelNs();
        return new Trial("scope closed by its owner; subtask " + (w != null && w.interrupted() ? "interrupted" : "not interrupted")
                + "; native workers " + alive.get(), "no Go call", latency, 0, all.isEmpty() ? null : String.join("; ", all));
    }

    /**
     * A StructuredTaskScope forks two subtasks that consume Go server streams (4 goroutines
     * each), two virtual-thread work loops, and one subtask that fails once both streams tick.
     * The failure cancels the scope: its threads are interrupted, which cancels each blocking
     * gRPC call (grpc-java cancels the call of an interrupted blocking iterator). Asserts: join
     * reports the failure; both calls end CANCELLED on Java and canceled in Go with every
     * goroutine stopped; both work loops saw the interrupt and ended within {@link
     * #JAVA_TASK_BOUND}. A watchdog thread enforces that bound: a task still running then is
     * named as a leak and released (the scope's close would otherwise wait for it without
     * end). With {@code ignoringTask} (the broken variant) the first work loop ignores the
     * interrupt. Latency: the failing subtask's throw to the last of the goroutines and Java
     * tasks ending.
     */
    Trial structuredScope(String id, boolean ignoringTask) {
        String[] ids = {id + "-a", id + "-b"};
        CountDownLatch ticking = new CountDownLatch(ids.length);
        AtomicLong thrownNs = new AtomicLong();
        TaskWatchdog dog = new TaskWatchdog(id, 2);
        // Subtasks that complete after the scope was cancelled are not tracked by it (their
        // state is UNAVAILABLE), so each subtask leaves what it saw here.
        var streamEnds = new java.util.concurrent.atomic.AtomicReferenceArray<Status>(ids.length);
        var workEnds = new java.util.concurrent.atomic.AtomicReferenceArray<JavaWork>(2);
        String joinSaw;
        try (var scope = StructuredTaskScope.open()) {
            for (int i = 0; i < ids.length; i++) {
                String sid = ids[i];
                int k = i;
                scope.fork(() -> {
                    try {
                        Iterator<WorkStreamResponse> it = calls.blocking(sid)
                                .withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                                .workStream(WorkStreamRequest.newBuilder().setSpec(spec(sid, 4).setTickIntervalMs(1)).build());
                        boolean first = true;
                        while (it.hasNext()) {
                            it.next();
                            if (first) ticking.countDown();
                            first = false;
                        }
                        streamEnds.set(k, Status.OK);
                    } catch (StatusRuntimeException e) {
                        streamEnds.set(k, e.getStatus());
                    }
                    return null;
                });
            }
            for (int i = 0; i < 2; i++) {
                boolean ignores = ignoringTask && i == 0;
                int k = i;
                scope.fork(() -> {
                    dog.taskStarted();
                    boolean sawInterrupt = false;
                    while (!dog.released()) {
                        if (!ignores && Thread.currentThread().isInterrupted()) {
                            sawInterrupt = true;
                            break;
                        }
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            if (!ignores) {
                                sawInterrupt = true;
                                break;
                            }
                        }
                    }
                    workEnds.set(k, new JavaWork(sawInterrupt, System.nanoTime()));
                    dog.taskEnded();
                    return null;
                });
            }
            scope.fork(() -> {
                try {
                    if (!ticking.await(CancelCalls.CALL_BOUND.toSeconds(), TimeUnit.SECONDS)) throw new IllegalStateException("streams never ticked");
                    thrownNs.set(System.nanoTime());
                    throw new IllegalStateException("SCOPE_CLOSED: a subtask failed");
                } finally {
                    dog.cancelled();
                }
            });
            try {
                scope.join();
                joinSaw = "join returned normally";
            } catch (StructuredTaskScope.FailedException e) {
                joinSaw = "FailedException: " + e.getCause().getMessage();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            dog.cancelled();
            dog.release();
        }
        // The scope is closed: every subtask's thread has ended.
        List<String> problems = new ArrayList<>();
        if (!joinSaw.contains("SCOPE_CLOSED")) problems.add("the scope's join: " + joinSaw + ", want the subtask's failure");
        dog.finish(problems);
        long last = 0;
        int leaked = 0;
        List<String> goSaw = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            Status st = streamEnds.get(i);
            if (st == null || st.getCode() != Status.Code.CANCELLED) {
                problems.add("stream " + ids[i] + ": Java saw " + (st == null ? "no end" : st) + ", want CANCELLED");
            }
            ObserveResponse o = calls.observe(ids[i]);
            goSaw.add(o.getContextError());
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "' for " + ids[i] + ", want canceled");
            Trial t = suite.finishTrial(ids[i], o, "", 0, new ArrayList<>());
            if (t.problem() != null) problems.add(t.problem());
            leaked += t.leakedGoroutines();
            last = Math.max(last, o.getLastStoppedNs());
        }
        int interrupted = 0;
        for (int i = 0; i < workEnds.length(); i++) {
            JavaWork w = workEnds.get(i);
            if (w == null) {
                problems.add("virtual-thread work subtask " + i + " never ended");
            } else if (!w.interrupted()) {
                problems.add("virtual-thread work subtask " + i + " ended without seeing the interrupt");
            } else {
                interrupted++;
                last = Math.max(last, w.endNs());
            }
        }
        List<String> javaStreams = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) javaStreams.add(streamEnds.get(i) == null ? "no end" : streamEnds.get(i).getCode().name());
        return new Trial("scope failed; streams " + String.join(",", javaStreams) + "; " + interrupted + " of 2 virtual threads ended on the interrupt",
                "streams " + String.join(",", goSaw),
                thrownNs.get() == 0 ? Long.MIN_VALUE : last - thrownNs.get(), leaked, CaseTrials.line(problems));
    }
}
