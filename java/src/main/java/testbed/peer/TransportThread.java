package testbed.peer;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that reads and writes a channel's frames (a Netty event loop of the
 * channel's own: epoll where Netty has it, else NIO), and that thread as an {@link Executor}
 * for a call's callbacks.
 *
 * <p>A callback given to {@link #executor()} runs on the transport thread, queued behind the
 * task running there, never inside it as with a direct executor, and without waking any other
 * thread. That matters for a callback the transport's own work causes: when a client cancels,
 * grpc-java reports the close to the call's listener before it writes the {@code RST_STREAM};
 * on the channel's default executor that report wakes a pool thread first, on a direct
 * executor the listener runs first; here it runs once the frame is written
 * (docs/CANCELLATION.md, "Where the time goes"). Callbacks on it must not block: they hold
 * up every call on the channel.
 */
public final class TransportThread implements AutoCloseable {
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final boolean epoll;

    public TransportThread(String name) {
        this.epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
    }

    /** {@code builder}, its channel served by this thread. */
    public NettyChannelBuilder serve(NettyChannelBuilder builder) {
        return builder.eventLoopGroup(group).channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    }

    /** This thread as an executor for a call's callbacks, as the class describes. */
    public Executor executor() {
        return loop;
    }

    /** Stops the thread (at most 5 s); call it once its channel has terminated. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
