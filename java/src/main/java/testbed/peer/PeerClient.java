package testbed.peer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import testbed.proto.v1.AddCountersRequest;
import testbed.proto.v1.AddCountersResponse;
import testbed.proto.v1.HelloRequest;
import testbed.proto.v1.HelloResponse;
import testbed.proto.v1.InspectRequest;
import testbed.proto.v1.InspectResponse;
import testbed.proto.v1.PeerServiceGrpc;
import testbed.proto.v1.RunLitmusActorRequest;
import testbed.proto.v1.RunLitmusActorResponse;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The harness's side of the control channel to the Go peer. Every call carries a
 * deadline, so a peer that hangs or dies turns into a {@link PeerException}
 * within a bound, never a hang.
 */
public final class PeerClient implements AutoCloseable {
    /** Metadata key whose value tags the goroutines a call starts in the peer. */
    public static final Metadata.Key<String> SCOPE_ID =
            Metadata.Key.of("x-interop-scope-id", Metadata.ASCII_STRING_MARSHALLER);

    private static final Duration SHORT_CALL = Duration.ofSeconds(10);

    private final TransportThread transport;
    private final ManagedChannel channel;
    private final PeerServiceGrpc.PeerServiceBlockingStub stub;

    /**
     * A client of {@code peer} over a channel of its own, served by a transport thread of its
     * own, that carries the peer's secret on every call.
     */
    public PeerClient(PeerProcess peer) {
        this.transport = new TransportThread("peer-transport-" + peer.pid());
        this.channel = transport.serve(peer.channelBuilder()).build();
        this.stub = PeerServiceGrpc.newBlockingStub(channel);
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** The channel's transport thread as an executor for callbacks that do not block ({@link TransportThread}). */
    public java.util.concurrent.Executor transportExecutor() {
        return transport.executor();
    }

    public HelloResponse hello() {
        HelloRequest req = HelloRequest.newBuilder()
                .setHarnessVersion(testbed.Version.VERSION)
                .setHarnessArch(goArch())
                .setHarnessPid(ProcessHandle.current().pid())
                .build();
        return call("Hello", () -> stub.withDeadlineAfter(SHORT_CALL.toMillis(), TimeUnit.MILLISECONDS).hello(req));
    }

    /** An interceptor that tags every call with {@code scopeId} ({@link #SCOPE_ID}). */
    public static ClientInterceptor scopeHeader(String scopeId) {
        Metadata md = new Metadata();
        md.put(SCOPE_ID, scopeId);
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    /** The google.rpc.ErrorInfo in the status details of {@code t} (StatusProto.fromThrowable), if any. */
    public static Optional<ErrorInfo> errorInfo(Throwable t) {
        return errorInfo(t == null ? null : StatusProto.fromThrowable(t));
    }

    /** The google.rpc.ErrorInfo in the status details a call ended with (StatusProto.fromStatusAndTrailers), if any. */
    public static Optional<ErrorInfo> errorInfo(io.grpc.Status status, Metadata trailers) {
        return errorInfo(status == null ? null : StatusProto.fromStatusAndTrailers(status, trailers));
    }

    private static Optional<ErrorInfo> errorInfo(com.google.rpc.Status s) {
        if (s == null) return Optional.empty();
        for (var any : s.getDetailsList()) {
            if (any.is(ErrorInfo.class)) {
                try {
                    return Optional.of(any.unpack(ErrorInfo.class));
                } catch (InvalidProtocolBufferException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    public InspectResponse inspect(List<String> scopeIds) {
        InspectRequest req = InspectRequest.newBuilder().addAllScopeIds(scopeIds).build();
        return call("Inspect", () -> stub.withDeadlineAfter(SHORT_CALL.toMillis(), TimeUnit.MILLISECONDS).inspect(req));
    }

    /** Runs AddCounters, tagged with {@code scopeId} when it is not null, within {@code deadline}. */
    public AddCountersResponse addCounters(AddCountersRequest req, String scopeId, Duration deadline) {
        PeerServiceGrpc.PeerServiceBlockingStub s = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (scopeId != null) s = s.withInterceptors(scopeHeader(scopeId));
        PeerServiceGrpc.PeerServiceBlockingStub bound = s;
        return call("AddCounters", () -> bound.addCounters(req));
    }

    /** Runs one litmus actor in the peer; returns when the actor leaves, or fails after {@code deadline}. */
    public RunLitmusActorResponse runLitmusActor(RunLitmusActorRequest req, Duration deadline) {
        return call("RunLitmusActor", () -> stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).runLitmusActor(req));
    }

    private static <T> T call(String rpc, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer " + rpc + " failed: " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " (" + e.getStatus().getDescription() + ")"), e);
        }
    }

    /** This machine's architecture in Go's spelling, so both sides compare like with like. */
    public static String goArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            transport.close();
        }
    }
}
