package testbed.cancel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of one target, whose {@link #cut} closes every
 * connection at once: the connection cut of the cancellation matrix, as a network
 * failure looks to both ends (the peer sees its transport close, the client a reset).
 */
final class LoopbackProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** @param target {@code 127.0.0.1:PORT} */
    LoopbackProxy(String target) {
        int colon = target.lastIndexOf(':');
        this.target = new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        try {
            // 127.0.0.1 itself, not getLoopbackAddress(), which may be ::1: target() names it.
            listener = new ServerSocket(0, 16, InetAddress.getByAddress(new byte[]{127, 0, 0, 1}));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback for the proxy: " + e.getMessage(), e);
        }
        acceptor = Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    /** The proxy's own target, {@code 127.0.0.1:PORT}. */
    String target() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // the listener was closed: cut or close
            }
            sockets.add(client);
            Socket upstream;
            try {
                upstream = new Socket(target.getAddress(), target.getPort());
            } catch (IOException e) {
                // The target refused: this client's connection ends (the client sees it close),
                // and the proxy goes on accepting.
                closeQuietly(client);
                sockets.remove(client);
                continue;
            }
            sockets.add(upstream);
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                // a socket already closed: the pumps below end at once
            }
            Thread.ofVirtual().start(() -> pump(client, upstream));
            Thread.ofVirtual().start(() -> pump(upstream, client));
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side or the cut closed a socket: this direction ends
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Closes the listener and resets every connection through the proxy (RST, not FIN), at once. */
    void cut() {
        closeQuietly(listener);
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed
            }
            closeQuietly(s);
        }
    }

    @Override
    public void close() {
        cut();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort: the socket may already be closed
        }
    }
}
