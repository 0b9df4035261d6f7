package testbed.cancel.interop;

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
    private final ClientInterceptor[] extra;

    JavaInteropClient(String target, ClientInterceptor... extra) {
        this.target = target;
        this.extra = extra;
        setUp();
    }

    @Override
    protected ManagedChannelBuilder<?> createChannelBuilder() {
        return NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(MAX_MESSAGE_SIZE);
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
