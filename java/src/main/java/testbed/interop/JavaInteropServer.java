package testbed.interop;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.testing.integration.AbstractInteropTest;
import io.grpc.testing.integration.TestServiceImpl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * grpc-java's interop server ({@link TestServiceImpl} with its interceptors, as its own
 * TestServiceServer serves it) on a free loopback port, in this JVM. The broken variant
 * leaves out the interceptors that echo the custom metadata back.
 */
final class JavaInteropServer implements AutoCloseable {
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("interop-server-", 0).factory());
    private final Server server;

    JavaInteropServer(boolean echoMetadata) {
        TestServiceImpl impl = new TestServiceImpl(executor);
        var service = echoMetadata ? ServerInterceptors.intercept(impl, TestServiceImpl.interceptors())
                : ServerInterceptors.intercept(impl, List.of());
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .maxInboundMessageSize(AbstractInteropTest.MAX_MESSAGE_SIZE)
                    .addService(service)
                    .build().start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot start grpc-java's interop server on loopback: " + e.getMessage(), e);
        }
    }

    /** The server's address as a gRPC target, {@code 127.0.0.1:PORT}. */
    String target() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
    }
}
