package testbed.cancel;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import testbed.peer.PeerClient;
import testbed.peer.PeerException;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.CancelNotice;
import testbed.proto.v1.CancelServiceGrpc;
import testbed.proto.v1.CollectRequest;
import testbed.proto.v1.CollectResponse;
import testbed.proto.v1.ConverseRequest;
import testbed.proto.v1.ConverseResponse;
import testbed.proto.v1.EchoRequest;
import testbed.proto.v1.ObserveRequest;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkSpec;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The harness's side of {@code interop.v1.CancelService}: calls tagged with their
 * scope id, the two ways a Java client cancels a stream (plain gRPC and the test
 * bed's in-band {@link CancelNotice}), and the look-ups a case makes afterwards.
 * Every call has a deadline, so a dead peer is an error within a bound.
 */
final class CancelCalls {
    /** No call outlives this, whatever the case does. */
    static final Duration CALL_BOUND = Duration.ofSeconds(10);

    private final Channel channel;
    private final PeerClient peer;

    CancelCalls(Channel channel, PeerClient peer) {
        this.channel = channel;
        this.peer = peer;
    }

    /** An async stub whose calls carry {@code scopeId} and end after {@link #CALL_BOUND}. */
    CancelServiceGrpc.CancelServiceStub async(String scopeId) {
        return CancelServiceGrpc.newStub(channel).withInterceptors(PeerClient.scopeHeader(scopeId))
                .withDeadlineAfter(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@link #async}, its callbacks run on the channel's transport thread, queued behind the
     * task running there ({@code PeerClient.transportExecutor}, {@link testbed.peer.TransportThread}):
     * for calls whose callbacks do not block. A cancel from the client then reaches the wire
     * before its own listener hears of it, and wakes no other thread first.
     */
    CancelServiceGrpc.CancelServiceStub asyncOnTransport(String scopeId) {
        if (channel != peer.channel()) throw new IllegalStateException("the transport thread is the peer client's channel's, not this channel's");
        return async(scopeId).withExecutor(peer.transportExecutor());
    }

    /** A blocking stub whose calls carry {@code scopeId}; the caller sets the deadline. */
    CancelServiceGrpc.CancelServiceBlockingStub blocking(String scopeId) {
        return CancelServiceGrpc.newBlockingStub(channel).withInterceptors(PeerClient.scopeHeader(scopeId));
    }

    /** One unary Echo round trip in nanoseconds. */
    long echoNanos() {
        long t0 = System.nanoTime();
        try {
            CancelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .echo(EchoRequest.newBuilder().setSentNs(t0).build());
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer Echo failed: " + e.getStatus(), e);
        }
        return System.nanoTime() - t0;
    }

    /** The longest a bounded wait ({@link #observe}, {@link #goroutinesAfter}) took since {@link #resetWaits}. */
    private long maxWaitNs;

    void resetWaits() {
        maxWaitNs = 0;
    }

    /** The longest wait for a condition since {@link #resetWaits}, in nanoseconds: the margin a bound had. */
    long maxWaitNs() {
        return maxWaitNs;
    }

    private void waited(long t0) {
        maxWaitNs = Math.max(maxWaitNs, System.nanoTime() - t0);
    }

    /**
     * What the Go handler of {@code callId} saw; waits for its work to end up to {@link
     * #OBSERVE_BOUND} (a generous bound: a loaded machine may need seconds; the time taken
     * is kept for {@link #maxWaitNs}).
     */
    ObserveResponse observe(String callId) {
        long t0 = System.nanoTime();
        try {
            ObserveResponse r = observeOnce(callId);
            if (!r.getFound()) {
                throw new PeerException("no record of call " + callId + ": its Go handler never ran, or its work had not ended "
                        + OBSERVE_BOUND.toSeconds() + " s after the cancel");
            }
            return r;
        } finally {
            waited(t0);
        }
    }

    /** One Observe call: the peer waits up to OBSERVE_BOUND for the call's record. */
    private ObserveResponse observeOnce(String callId) {
        try {
            return CancelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(OBSERVE_BOUND.toMillis() + 3_000, TimeUnit.MILLISECONDS)
                    .observe(ObserveRequest.newBuilder().setCallId(callId).setWaitMs((int) OBSERVE_BOUND.toMillis()).build());
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer Observe failed: " + e.getStatus(), e);
        }
    }

    /**
     * The record of {@code callId} if the handler ever recorded one, polled for up to
     * {@code settle}: empty when the handler never started its work (a call cancelled
     * before the peer ran it).
     */
    Optional<ObserveResponse> observeIfStarted(String callId, Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            ObserveResponse r = observeOnce(callId);
            if (r.getFound()) return Optional.of(r);
            if (System.nanoTime() > deadline) return Optional.empty();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** The channel the calls go over. */
    Channel channel() {
        return channel;
    }

    /** The longest Observe waits for a call's work to end; the peer's own limit. */
    static final Duration OBSERVE_BOUND = Duration.ofSeconds(10);

    /**
     * Polls the peer until no goroutine is tagged with {@code scopeId} or {@code bound}
     * passes; returns the number still running (0: every goroutine of the call ended).
     */
    int goroutinesAfter(String scopeId, Duration bound) {
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        try {
            while (true) {
                int n = peer.inspect(List.of(scopeId)).getGoroutinesByScopeOrDefault(scopeId, 0);
                if (n == 0 || System.nanoTime() > deadline) return n;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return n;
                }
            }
        } finally {
            waited(t0);
        }
    }

    /** A started Converse call: the work runs in the peer once {@link #awaitFirstTick} returns. */
    static final class Converse {
        private final CompletableFuture<ConverseResponse> firstTick = new CompletableFuture<>();
        private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        private volatile ClientCallStreamObserver<ConverseRequest> requests;

        static Converse start(CancelServiceGrpc.CancelServiceStub stub, WorkSpec spec) {
            Converse c = new Converse();
            var observer = new ClientResponseObserver<ConverseRequest, ConverseResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<ConverseRequest> r) {
                    c.requests = r;
                }

                @Override
                public void onNext(ConverseResponse v) {
                    c.firstTick.complete(v);
                }

                @Override
                public void onError(Throwable t) {
                    c.firstTick.completeExceptionally(t);
                    c.ended.complete(t);
                }

                @Override
                public void onCompleted() {
                    c.firstTick.completeExceptionally(new IllegalStateException("Converse ended without a tick"));
                    c.ended.complete(null);
                }
            };
            stub.converse(observer).onNext(ConverseRequest.newBuilder().setStart(spec).build());
            return c;
        }

        void awaitFirstTick() {
            await(firstTick, "the first Converse tick");
        }

        /** The protocol's cancel: the notice with {@code cause}, then the half-close. */
        void sendNotice(CancelCause cause, long cancelledAtNs) {
            requests.onNext(ConverseRequest.newBuilder()
                    .setCancel(CancelNotice.newBuilder().setCause(cause).setCancelledAtNs(cancelledAtNs)).build());
            requests.onCompleted();
        }

        /** Plain gRPC's cancel: {@code ClientCall.cancel(message, cause)}. */
        void cancelPlain(String message, Throwable cause) {
            requests.cancel(message, cause);
        }

        /** The call's end as the Java client saw it: OK is {@link Status#OK}. */
        Status awaitEnd() {
            Throwable t = await(ended, "the end of the Converse call");
            return t == null ? Status.OK : Status.fromThrowable(t);
        }

        /**
         * Waits for the call's end (at most {@link #CALL_BOUND}) and lets an interrupt through,
         * so that a task that owns the call can react to its scope's cancellation.
         */
        void awaitEndInterruptibly() throws InterruptedException {
            try {
                ended.get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the Converse call did not end within " + CALL_BOUND.toSeconds() + " s", e);
            }
        }

        Throwable endError() {
            return ended.getNow(null);
        }
    }

    /**
     * A Java virtual thread consuming a ticking {@code WorkStream} (blocking stub, deadline
     * {@link #CALL_BOUND}): {@link #awaitFirstTick} returns once the stream ticked, and {@code
     * onEnd} runs on the consumer's thread as soon as the stream has ended, however it ended.
     */
    static final class TickConsumer {
        private final CompletableFuture<Void> firstTick = new CompletableFuture<>();
        private final AtomicReference<Throwable> end = new AtomicReference<>();
        private volatile long endNs;
        private final Thread thread;

        TickConsumer(CancelCalls calls, String id, WorkStreamRequest req, Runnable onEnd) {
            thread = Thread.ofVirtual().name("cancel-consumer-" + id).start(() -> {
                try {
                    Iterator<WorkStreamResponse> it = calls.blocking(id)
                            .withDeadlineAfter(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS).workStream(req);
                    while (it.hasNext()) {
                        it.next();
                        firstTick.complete(null);
                    }
                } catch (Throwable t) {
                    end.set(t);
                }
                endNs = System.nanoTime();
                try {
                    onEnd.run();
                } finally {
                    firstTick.complete(null);
                }
            });
        }

        /** Waits (bounded) for the first tick, or for the stream's end if it never ticked. */
        void awaitFirstTick(String what) {
            await(firstTick, what);
        }

        /**
         * Whether the consumer ended within {@code bound}. If not, it is interrupted and given
         * up to {@link #CALL_BOUND} more (its call's deadline ends it by then in any case), so
         * that its end-of-stream work never runs after the trial that started it.
         */
        boolean join(Duration bound) {
            try {
                if (thread.join(bound)) return true;
                thread.interrupt();
                thread.join(CALL_BOUND);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the Java consumer");
            }
            return false;
        }

        /** How the stream ended for Java (after {@link #join}); OK is {@link Status#OK}. */
        Status status() {
            return end.get() == null ? Status.OK : Status.fromThrowable(end.get());
        }

        /** The instant the stream ended for Java. */
        long endNs() {
            return endNs;
        }
    }

    /**
     * A started {@code Collect} call (client streaming) with its start and {@code chunks} chunks
     * sent: {@code requests} cancels it or sends more, {@code ended} completes with its error
     * (null: it ended OK).
     */
    static final class Collect {
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        volatile ClientCallStreamObserver<CollectRequest> requests;

        Collect(CancelServiceGrpc.CancelServiceStub stub, WorkSpec spec, int chunks) {
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
            for (int i = 0; i < chunks; i++) out.onNext(CollectRequest.newBuilder().setChunk(ByteString.copyFrom(new byte[64])).build());
        }

        /** Waits (bounded) for the call's end; OK is {@link Status#OK}. */
        Status awaitEnd() {
            Throwable t = await(ended, "the end of the Collect call");
            return t == null ? Status.OK : Status.fromThrowable(t);
        }
    }

    /** Whether {@code echoed} holds {@code cause} intact: reason, domain and metadata. */
    static boolean sameCause(ErrorInfo echoed, testbed.proto.v1.CancelCause cause) {
        return echoed != null && echoed.getReason().equals(cause.getReason()) && echoed.getDomain().equals(cause.getDomain())
                && echoed.getMetadataMap().equals(cause.getMetadataMap());
    }


    static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(CALL_BOUND.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + Status.fromThrowable(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no " + what + " within " + (CALL_BOUND.toSeconds() + 2) + " s");
        }
    }
}
