package testbed.cancel;

import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import testbed.peer.PeerClient;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.CancelServiceGrpc;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static testbed.cancel.TrialChecks.LEAK_BOUND;
import static testbed.cancel.TrialChecks.describe;
import static testbed.cancel.TrialChecks.spec;
import static testbed.cancel.TrialChecks.text;

/**
 * The cases where one side cancels a stream plainly (docs/CANCELLATION.md): Java cancels a
 * bidi or a client stream, the Go handler cancels its server stream, and grpc's interop
 * document's TODO cases (cancel before the call starts, after its first message, after its
 * headers). The two first ones are also {@code make bench-cancel}'s trials, which take the
 * durations of their steps.
 */
final class StreamCancelCases {
    /** The steps of a Java-to-Go cancel: to the first goroutine that saw its context end, then to the last one ending. */
    static final String JAVA_CANCEL_TO_FIRST_GOROUTINE = "java_cancel_to_first_goroutine_saw_done";
    static final String FIRST_TO_LAST_GOROUTINE = "first_to_last_goroutine_ended";

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

    private final TrialChecks checks;
    private final CancelCalls calls;

    StreamCancelCases(TrialChecks checks) {
        this.checks = checks;
        this.calls = checks.calls;
    }

    /** Java cancels a bidi stream whose handler fanned out 8 goroutines; all must end. */
    Trial javaClientCancelBidiGoroutines(String id) {
        return javaCancelsBidi(id, 8, false, null);
    }

    /**
     * Java to Go with plain gRPC: ClientCall.cancel(message, cause) on a bidi stream whose
     * handler fanned out {@code goroutines}. With {@code causeCase} the trial asserts that the
     * cause is lost (the documented behaviour) and fails if it arrived. The durations of its
     * steps go to {@code steps} (null: none).
     */
    Trial javaCancelsBidi(String id, int goroutines, boolean causeCase, Map<String, Long> steps) {
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
        return checks.finishTrial(id, o, javaSaw, o.getLastStoppedNs() - t0, problems);
    }

    /** The Go handler cancels its server stream with a cause; the Java consumer (the call's listener) learns of it. */
    Trial goServerCancelServerStreaming(String id) {
        return goCancelsServerStream(id, false, StreamConsumer.LISTENER, null);
    }

    /**
     * Go to Java: the handler cancels its stream after 3 ticks with {@link TrialChecks#GO_CAUSE};
     * {@code consumer} reads it. With {@code plain} the handler ends as plain gRPC would, and
     * the trial asserts that Java got no cause; otherwise that Java read the cause intact as
     * ErrorInfo. The durations of its steps go to {@code steps} (null: none).
     */
    Trial goCancelsServerStream(String id, boolean plain, StreamConsumer consumer, Map<String, Long> steps) {
        CancelCause cause = TrialChecks.goCause(id);
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
        return checks.finishTrial(id, o, javaSaw, latency, problems);
    }

    /** Java cancels a client stream (plain gRPC) after its handler fanned out 4 goroutines and 3 chunks went out. */
    Trial javaClientCancelClientStreamingGoroutines(String id) {
        CancelCalls.Collect c = new CancelCalls.Collect(calls.async(id), spec(id, 4).build(), 3);
        checks.awaitGoroutines(id, 4);
        long t0 = System.nanoTime();
        c.requests.cancel("java client cancelled", null);
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        return checks.finishTrial(id, o, js.getCode().name(), o.getLastStoppedNs() - t0, problems);
    }

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
        Status js = TrialChecks.statusOf(end.get());
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        Optional<ObserveResponse> o = calls.observeIfStarted(id, TrialChecks.NEVER_STARTED_SETTLE);
        if (o.isPresent()) problems.add("the Go handler ran (" + o.get().getContextError() + ") for a call cancelled before it started");
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        if (alive > 0) problems.add("leak: " + alive + " goroutine(s) of scope " + id);
        return Trial.saw(js.getCode().name(), o.isPresent() ? "ran" : "never started")
                .latency(endNs - t0).measuring("java_cancel_to_java_status").leaked(alive).problems(problems);
    }

    /**
     * Java cancels a bidi stream right after its first message reached the Go handler (the
     * handler's 4 goroutines show in Inspect), without reading any reply. The handler must
     * have seen canceled and stopped every goroutine. Latency: the cancel to the last goroutine
     * ended.
     */
    Trial cancelAfterFirstMessageSent(String id) {
        CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec(id, 4).build());
        checks.awaitGoroutines(id, 4);
        long t0 = System.nanoTime();
        c.cancelPlain("cancelled after the first message", null);
        Status js = c.awaitEnd();
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ObserveResponse r = calls.observe(id);
        if (!r.getContextError().equals("canceled")) problems.add("Go saw '" + r.getContextError() + "', want canceled");
        return checks.finishTrial(id, r, js.getCode().name(), r.getLastStoppedNs() - t0, problems);
    }

    /**
     * The Go handler sends its response headers and no message; Java cancels the call the
     * moment the headers arrive (ClientCall.Listener.onHeaders).
     */
    Trial cancelAfterHeadersReceived(String id) {
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
        return checks.finishTrial(id, o, js.getCode().name() + " after headers, 0 messages", o.getLastStoppedNs() - cancelNs.get(), problems);
    }
}
