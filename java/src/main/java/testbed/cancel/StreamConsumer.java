package testbed.cancel;

import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ClientStreamTracer;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import testbed.peer.PeerClient;
import testbed.proto.v1.CancelServiceGrpc;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two ways a Java client consumes a ticking {@code WorkStream} until the Go handler
 * cancels it, and what each saw (docs/CANCELLATION.md, "Where the time goes").
 *
 * <ul>
 *   <li>{@link #LISTENER}: the consumer is the call's own listener, run by a direct executor on
 *       the transport thread that reads the stream. It does no blocking work (it counts the
 *       ticks, asks for the next one and keeps the end), so the end reaches it as the transport
 *       reads the trailers: no hop to another thread, no exception built on the way.
 *   <li>{@link #BLOCKING_ITERATOR}: a virtual thread iterates the blocking stub. The transport
 *       thread hands the end to it through the stub's executor (an unpark, then a carrier
 *       thread), and the iterator throws it: a {@code StatusRuntimeException} built in {@code
 *       onClose} and another in {@code hasNext}, each with its stack trace.
 * </ul>
 *
 * Every call has the deadline {@link CancelCalls#CALL_BOUND}; {@link #consume} waits for the
 * end at most that long and 2 s more.
 */
enum StreamConsumer {
    LISTENER, BLOCKING_ITERATOR;

    /**
     * What the consumer saw: the status, the cause as ErrorInfo (null: none), the ticks read,
     * and instants: the transport thread reading the trailers, the call's listener getting
     * {@code onClose}, and the consumer ending (for {@link #LISTENER}, its {@code onClose}).
     */
    record End(Status status, ErrorInfo info, int ticks, long trailersNs, long listenerClosedNs, long endNs) {}

    /** Starts {@code req} tagged with scope {@code id}, consumes it to its end, and says what it saw. */
    End consume(CancelCalls calls, String id, WorkStreamRequest req) {
        return this == LISTENER ? listen(calls.channel(), id, req) : iterate(calls, id, req);
    }

    private static End listen(Channel channel, String id, WorkStreamRequest req) {
        Instants at = new Instants();
        CompletableFuture<End> ended = new CompletableFuture<>();
        CallOptions options = CallOptions.DEFAULT
                .withExecutor(Runnable::run)
                .withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                .withStreamTracerFactory(at.tracer());
        ClientCall<WorkStreamRequest, WorkStreamResponse> call = ClientInterceptors.intercept(channel, PeerClient.scopeHeader(id))
                .newCall(CancelServiceGrpc.getWorkStreamMethod(), options);
        call.start(new ClientCall.Listener<>() {
            private int ticks; // the transport thread's own: callbacks of one call never overlap

            @Override
            public void onMessage(WorkStreamResponse tick) {
                ticks++;
                call.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                long now = System.nanoTime();
                ended.complete(new End(status, PeerClient.errorInfo(status, trailers).orElse(null), ticks, at.trailersNs, now, now));
            }
        }, new Metadata());
        call.sendMessage(req);
        call.halfClose();
        call.request(1);
        return CancelCalls.await(ended, "the end of the Java listener's stream " + id);
    }

    private static End iterate(CancelCalls calls, String id, WorkStreamRequest req) {
        Instants at = new Instants();
        Throwable[] thrown = new Throwable[1];
        long[] endNs = new long[1];
        int[] ticks = new int[1];
        Thread consumer = Thread.ofVirtual().name("cancel-consumer-" + id).start(() -> {
            try {
                Iterator<WorkStreamResponse> it = calls.blocking(id).withInterceptors(at)
                        .withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS).workStream(req);
                while (it.hasNext()) {
                    it.next();
                    ticks[0]++;
                }
            } catch (Throwable t) {
                thrown[0] = t;
            }
            endNs[0] = System.nanoTime();
        });
        TrialChecks.joinOrFail(consumer, "the Java consumer of " + id);
        Status status = thrown[0] == null ? Status.OK : Status.fromThrowable(thrown[0]);
        return new End(status, PeerClient.errorInfo(thrown[0]).orElse(null), ticks[0], at.trailersNs, at.closedNs, endNs[0]);
    }

    /**
     * The instants of one call's end: the transport thread reading its trailers ({@link
     * ClientStreamTracer#inboundTrailers}) and the call's listener getting {@code onClose}, on
     * whatever thread the call's executor runs it. As an interceptor, install it on one call only.
     */
    private static final class Instants implements ClientInterceptor {
        private volatile long trailersNs;
        private volatile long closedNs;

        ClientStreamTracer.Factory tracer() {
            return new ClientStreamTracer.Factory() {
                @Override
                public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
                    return new ClientStreamTracer() {
                        @Override
                        public void inboundTrailers(Metadata trailers) {
                            trailersNs = System.nanoTime();
                        }
                    };
                }
            };
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options.withStreamTracerFactory(tracer()))) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            closedNs = System.nanoTime();
                            super.onClose(status, trailers);
                        }
                    }, headers);
                }
            };
        }
    }
}
