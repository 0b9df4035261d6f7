package testbed.cancel;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import testbed.peer.PeerException;
import testbed.peer.PeerSecret;
import testbed.proto.v1.FloorServiceGrpc;
import testbed.proto.v1.OpenFloorRequest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The floor (docs/CANCELLATION.md, "The floor"): the cheapest way this JVM and the Go
 * peer can tell each other anything. 16-byte frames on a plain loopback TCP connection
 * (proto/interop/v1/floor.proto draws them), opened beside the gRPC channel through
 * {@code FloorService.OpenFloor} and shown the run's secret first. On each exchange the
 * calling thread blocks in its read and the peer's goroutine in its own, so that an
 * exchange pays what a cancel pays to wake the other side, and nothing of gRPC's: no
 * HTTP/2, no protobuf, no executor between the socket and the code that answers.
 *
 * <p>One-way figures compare instants of both processes on CLOCK_MONOTONIC, as the cancel
 * latencies do. Not thread-safe: one thread makes all exchanges.
 */
final class FloorProbe implements AutoCloseable {
    static final int FRAME_BYTES = 16;
    static final byte PING = 'P';
    static final byte SEND = 'S';
    /** No read on the floor waits longer; a peer that does not answer within it is an error. */
    static final Duration IO_BOUND = Duration.ofSeconds(5);

    /** One ping: Java's round trip, and Java's write to the peer's read (one way, Java to Go). */
    record Ping(long roundTripNs, long oneWayNs) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private FloorProbe(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a floor to the peer behind {@code channel}, showing it {@code secret}. */
    static FloorProbe open(Channel channel, PeerSecret secret) {
        String address;
        try {
            address = FloorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(IO_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                    .openFloor(OpenFloorRequest.getDefaultInstance()).getAddress();
        } catch (StatusRuntimeException e) {
            throw new PeerException("Go peer OpenFloor failed: " + e.getStatus(), e);
        }
        InetSocketAddress to = loopback(address);
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) IO_BOUND.toMillis());
            s.connect(to, (int) IO_BOUND.toMillis());
            secret.writeBearerLine(Channels.newChannel(s.getOutputStream()));
            FloorProbe f = new FloorProbe(s);
            f.ping(); // the peer closes a connection whose secret it refused: fail here, by name
            return f;
        } catch (IOException | UncheckedIOException e) {
            closeQuietly(s);
            throw new PeerException("the floor connection to " + address + " failed: " + e.getMessage(), e);
        }
    }

    /** {@code host:port} as the peer gives it, refused unless the host is a loopback address. */
    static InetSocketAddress loopback(String address) {
        int colon = address.lastIndexOf(':');
        try {
            InetAddress host = InetAddress.getByName(address.substring(0, colon).replace("[", "").replace("]", ""));
            int port = Integer.parseInt(address.substring(colon + 1));
            if (!host.isLoopbackAddress()) throw new PeerException("the floor address " + address + " is not loopback");
            return new InetSocketAddress(host, port);
        } catch (IOException | RuntimeException e) {
            if (e instanceof PeerException p) throw p;
            throw new PeerException("the floor address '" + address + "' is not host:port", e);
        }
    }

    /** One ping: the peer answers at once with the instant it read it. */
    Ping ping() {
        long sent = System.nanoTime();
        long peerRead = exchange(PING, 0, sent);
        return new Ping(System.nanoTime() - sent, peerRead - sent);
    }

    /**
     * One message the peer starts: it waits {@code pauseMicros}, stamps and writes a frame
     * to this thread, which is blocked in its read by then. Returns the peer's write to this
     * thread's read returning (one way, Go to Java).
     */
    long fromPeer(int pauseMicros) {
        long peerSent = exchange(SEND, pauseMicros, System.nanoTime());
        return System.nanoTime() - peerSent;
    }

    /** Writes one frame and reads the answer; returns the answer's instant. */
    private long exchange(byte op, int pauseMicros, long ns) {
        frame.clear();
        frame.put(op).put((byte) 0).put((byte) 0).put((byte) 0).putInt(pauseMicros).putLong(ns);
        try {
            out.write(frame.array());
            int n = 0;
            while (n < FRAME_BYTES) {
                int r = in.read(frame.array(), n, FRAME_BYTES - n);
                if (r < 0) throw new EOFException("the peer closed the floor connection");
                n += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("floor exchange '" + (char) op + "': " + e.getMessage(), e);
        }
        if (frame.get(0) != op) throw new IllegalStateException("the floor answered op " + frame.get(0) + " to '" + (char) op + "'");
        return frame.getLong(8);
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }
}
