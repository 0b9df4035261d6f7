package testbed.scopes;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.CancelNotice;
import testbed.proto.v1.HoldRequest;
import testbed.proto.v1.HoldResponse;
import testbed.proto.v1.HoldSpec;
import testbed.proto.v1.HoldStarted;
import testbed.proto.v1.ScopeServiceGrpc;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A subtask's {@code Hold} stream whose end is structured across the wire: when the
 * subtask is cancelled (its thread interrupted), it does not just reset the stream; it
 * sends the cause protocol's {@link CancelNotice} and waits, bounded by {@link #END_BOUND},
 * for the call to end, which the Go handler does only after every goroutine of its
 * errgroup has ended and its region flag is set. So when the subtask returns, the Go
 * work it owned has ended, and a scope's {@code close()} cannot return before it.
 */
final class HeldStream {
    /** A cancelled subtask waits this long for the peer to end its call, then resets the stream. */
    static final Duration END_BOUND = Duration.ofSeconds(2);

    static final CancelCause SCOPE_CANCELLED = CancelCause.newBuilder()
            .setReason("SCOPE_CANCELLED").setDomain("testbed.java").build();

    private final CompletableFuture<HoldStarted> started = new CompletableFuture<>();
    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<HoldRequest> requests;
    private boolean halfClosed;

    private HeldStream() {}

    /**
     * Runs {@code spec} on a {@code Hold} stream of {@code stub} until the call ends.
     * Returns the call id when the errgroup succeeded; throws the call's status as a
     * {@link StatusRuntimeException} when it ended otherwise; when interrupted, cancels
     * the call as the class comment says and throws {@link InterruptedException}.
     * {@code onStarted} runs, on a gRPC thread, when the handler's started reply arrives.
     */
    static String hold(ScopeServiceGrpc.ScopeServiceStub stub, HoldSpec spec, Consumer<HoldStarted> onStarted)
            throws InterruptedException {
        return hold(stub, spec, onStarted, END_BOUND);
    }

    /** {@link #hold(ScopeServiceGrpc.ScopeServiceStub, HoldSpec, Consumer)} waiting at most {@code endBound} for the end after a notice. */
    static String hold(ScopeServiceGrpc.ScopeServiceStub stub, HoldSpec spec, Consumer<HoldStarted> onStarted, Duration endBound)
            throws InterruptedException {
        HeldStream h = new HeldStream();
        var observer = new ClientResponseObserver<HoldRequest, HoldResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<HoldRequest> r) {
                h.requests = r;
            }

            @Override
            public void onNext(HoldResponse v) {
                if (v.hasStarted()) {
                    // Here, not after the wait below: a subtask cancelled while the reply is on
                    // its way still learns that its handler started.
                    onStarted.accept(v.getStarted());
                    h.started.complete(v.getStarted());
                }
                // The handler waits for this half-close before it returns, so that its reader
                // goroutine has ended with it (scope.proto, Hold).
                if (v.hasResult()) h.halfClose();
            }

            @Override
            public void onError(Throwable t) {
                h.started.completeExceptionally(t);
                h.ended.complete(t);
            }

            @Override
            public void onCompleted() {
                h.started.completeExceptionally(new IllegalStateException("Hold ended without a start reply"));
                h.ended.complete(null);
            }
        };
        stub.hold(observer).onNext(HoldRequest.newBuilder().setStart(spec).build());
        try {
            h.waitFor(h.started);
            Throwable end = h.waitFor(h.ended);
            if (end != null) throw asStatus(end);
            return spec.getCallId();
        } catch (ExecutionException e) {
            throw asStatus(e.getCause());
        } catch (InterruptedException e) {
            // The interrupt is what the subtask reports; how the call really ended travels with it.
            Throwable end = h.cancelStructured(endBound);
            if (end != null) e.addSuppressed(end);
            throw e;
        }
    }

    /** Waits for {@code f}, bounded; on the bound, cancels the call (so nothing is left running) and throws. */
    private <T> T waitFor(CompletableFuture<T> f) throws InterruptedException, ExecutionException {
        try {
            return f.get(ScopeCalls.CALL_BOUND.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String why = "Hold call: no reply within " + (ScopeCalls.CALL_BOUND.toSeconds() + 2) + " s";
            requests.cancel(why, null);
            throw new IllegalStateException(why + "; the call was cancelled");
        }
    }

    /** Half-closes the request side once; later attempts (the call ended, or already half-closed) do nothing. */
    private synchronized void halfClose() {
        if (halfClosed) return;
        halfClosed = true;
        try {
            requests.onCompleted();
        } catch (RuntimeException alreadyEnded) {
            // the call ended meanwhile: nothing left to close
        }
    }

    /**
     * Sends the notice, half-closes, waits (uninterruptibly, bounded) for the end; resets the
     * stream if it does not come. Returns how the call ended: its status as an exception, or
     * an {@link IllegalStateException} saying it was reset; null when it ended with success.
     */
    private Throwable cancelStructured(Duration endBound) {
        synchronized (this) {
            if (!halfClosed) {
                try {
                    requests.onNext(HoldRequest.newBuilder().setCancel(CancelNotice.newBuilder()
                            .setCause(SCOPE_CANCELLED).setCancelledAtNs(System.nanoTime())).build());
                } catch (RuntimeException alreadyEnded) {
                    // the call ended (or was reset) while the notice was on its way: nothing left to cancel
                }
            }
        }
        halfClose();
        long deadline = System.nanoTime() + endBound.toNanos();
        boolean interrupted = false;
        while (!ended.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String why = "the peer did not end the call within " + endBound.toMillis() + " ms of the cancel notice";
                requests.cancel(why, null);
                if (interrupted) Thread.currentThread().interrupt();
                return new IllegalStateException(why + "; the stream was reset");
            }
            try {
                ended.get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // loop: isDone or the deadline decides
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable end = ended.getNow(null);
        return end == null ? null : asStatus(end);
    }

    private static StatusRuntimeException asStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) return s;
        return Status.fromThrowable(t).asRuntimeException();
    }
}
