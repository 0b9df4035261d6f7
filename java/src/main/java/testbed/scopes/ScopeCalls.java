package testbed.scopes;

import com.google.rpc.ErrorInfo;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import testbed.peer.PeerClient;
import testbed.peer.PeerException;
import testbed.proto.v1.BeginScopeRequest;
import testbed.proto.v1.EndScopeRequest;
import testbed.proto.v1.EndScopeResponse;
import testbed.proto.v1.HoldSpec;
import testbed.proto.v1.HoldUnaryRequest;
import testbed.proto.v1.PeerNativeRequest;
import testbed.proto.v1.PeerNativeResponse;
import testbed.proto.v1.ScopeServiceGrpc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The harness's side of {@code interop.v1.ScopeService} on one channel: opening and
 * ending a scope id, and stubs whose calls carry a scope id as {@code x-interop-scope-id}.
 * Every call the harness makes itself has a deadline.
 */
public final class ScopeCalls {
    /** No call of a scope outlives this, whatever the scenario does. */
    static final Duration CALL_BOUND = Duration.ofSeconds(10);

    private final Channel channel;

    public ScopeCalls(Channel channel) {
        this.channel = channel;
    }

    /** Opens {@code scopeId} on the peer; a peer that had it open already is an error. */
    void begin(String scopeId) {
        try {
            boolean opened = ScopeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .beginScope(BeginScopeRequest.newBuilder().setScopeId(scopeId).build()).getOpened();
            if (!opened) throw new IllegalStateException("scope id " + scopeId + " was already open on the peer");
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer BeginScope failed: " + e.getStatus(), e);
        }
    }

    /** Ends {@code scopeId}: the peer waits up to {@code wait} for its goroutines and returns its records. */
    EndScopeResponse end(String scopeId, Duration wait) {
        try {
            return ScopeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(wait.toMillis() + 5_000, TimeUnit.MILLISECONDS)
                    .endScope(EndScopeRequest.newBuilder().setScopeId(scopeId).setWaitMs((int) wait.toMillis()).build());
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer EndScope failed: " + e.getStatus(), e);
        }
    }

    /**
     * The native workers alive in the peer's process (started by goroutines through cgo) and
     * whether the peer can start any; with {@code reap}, the peer first stops and joins the
     * groups a broken goroutine left running.
     */
    PeerNativeResponse peerNative(boolean reap) {
        try {
            return ScopeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .peerNative(PeerNativeRequest.newBuilder().setReap(reap).build());
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer PeerNative failed: " + e.getStatus(), e);
        }
    }

    /** An async stub whose calls carry {@code scopeId} and end after {@link #CALL_BOUND}. */
    ScopeServiceGrpc.ScopeServiceStub async(String scopeId) {
        return ScopeServiceGrpc.newStub(channel).withInterceptors(PeerClient.scopeHeader(scopeId))
                .withDeadlineAfter(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A blocking stub whose calls carry {@code scopeId}; no deadline of its own. */
    ScopeServiceGrpc.ScopeServiceBlockingStub blocking(String scopeId) {
        return ScopeServiceGrpc.newBlockingStub(channel).withInterceptors(PeerClient.scopeHeader(scopeId));
    }

    /** A future stub whose calls carry {@code scopeId} and end after {@link #CALL_BOUND}. */
    ScopeServiceGrpc.ScopeServiceFutureStub future(String scopeId) {
        return ScopeServiceGrpc.newFutureStub(channel).withInterceptors(PeerClient.scopeHeader(scopeId))
                .withDeadlineAfter(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A V2 blocking stub ({@code BlockingClientCall}) whose calls carry {@code scopeId} and end after {@link #CALL_BOUND}. */
    ScopeServiceGrpc.ScopeServiceBlockingV2Stub blockingV2(String scopeId) {
        return ScopeServiceGrpc.newBlockingV2Stub(channel).withInterceptors(PeerClient.scopeHeader(scopeId))
                .withDeadlineAfter(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A HoldUnary request running {@code spec}. */
    static HoldUnaryRequest unary(HoldSpec spec) {
        return HoldUnaryRequest.newBuilder().setSpec(spec).build();
    }

    /** The {@code google.rpc.ErrorInfo} a failed call carries; null when it carries none. */
    static ErrorInfo errorInfo(Throwable t) {
        return PeerClient.errorInfo(t).orElse(null);
    }

    /** How a call (or a subtask) failed, in a few words: the gRPC code and ErrorInfo, or the exception's class and message. */
    static String describe(Throwable t) {
        if (t instanceof StatusRuntimeException || t instanceof StatusException) {
            Status st = Status.fromThrowable(t);
            ErrorInfo info = errorInfo(t);
            return st.getCode() + (info == null ? "" : ", ErrorInfo " + info.getDomain() + "/" + info.getReason());
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
    }
}
