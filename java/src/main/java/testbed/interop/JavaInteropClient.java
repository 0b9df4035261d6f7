package testbed.interop;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.testing.integration.AbstractInteropTest;

/**
 * grpc-java's interop client (io.grpc:grpc-interop-testing's {@link AbstractInteropTest},
 * the class its own TestServiceClient drives) over a plaintext loopback channel to
 * {@code target}. It starts no server of its own: {@link #getServerBuilder()} stays null.
 */
final class JavaInteropClient extends AbstractInteropTest implements AutoCloseable {
    private final String target;
    private final ClientInterceptor onChannel;
    private final ClientInterceptor[] extra;

    /**
     * @param onChannel an interceptor for every call on the channel, the Go peer's secret
     *                  (null for none); installed on the channel itself, so that the stubs
     *                  a case builds on {@code channel} carry it too
     * @param extra     interceptors for the client's test stubs only
     */
    JavaInteropClient(String target, ClientInterceptor onChannel, ClientInterceptor... extra) {
        this.target = target;
        this.onChannel = onChannel;
        this.extra = extra;
        setUp();
    }

    @Override
    protected ManagedChannelBuilder<?> createChannelBuilder() {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(MAX_MESSAGE_SIZE);
        return onChannel == null ? b : b.intercept(onChannel);
    }

    @Override
    protected ClientInterceptor[] getAdditionalInterceptors() {
        return extra.length == 0 ? null : extra;
    }

    /** Census is not on the class path; the cases run here record no metrics. */
    @Override
    protected boolean metricsExpected() {
        return false;
    }

    /** Shuts the client's channel down from another thread, failing any call in progress. */
    void shutdownNow() {
        if (channel != null) channel.shutdownNow();
    }

    @Override
    public void close() {
        tearDown();
    }
}
