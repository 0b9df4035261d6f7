package testbed.cancel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class LoopbackProxyTest {
    private static final InetAddress V4 = loopbackV4();

    private static InetAddress loopbackV4() {
        try {
            return InetAddress.getByAddress(new byte[]{127, 0, 0, 1});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads until end of stream or reset; true when the connection ended without data. */
    private static boolean endsEmpty(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        try (InputStream in = s.getInputStream()) {
            return in.read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Test
    void aRefusedUpstreamClosesThatClientAndTheProxyGoesOnAccepting() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, V4)) {
            port = probe.getLocalPort();
        }
        try (LoopbackProxy proxy = new LoopbackProxy("127.0.0.1:" + port)) {
            assertTrue(proxy.target().startsWith("127.0.0.1:"), proxy.target());
            int proxyPort = Integer.parseInt(proxy.target().substring(proxy.target().lastIndexOf(':') + 1));
            try (Socket refused = new Socket(V4, proxyPort)) {
                assertTrue(endsEmpty(refused), "the client of a refused upstream sees its connection end");
            }
            try (ServerSocket upstream = new ServerSocket(port, 1, V4);
                 Socket client = new Socket(V4, proxyPort)) {
                client.getOutputStream().write(42);
                client.getOutputStream().flush();
                try (Socket accepted = upstream.accept()) {
                    accepted.setSoTimeout(5_000);
                    assertEquals(42, accepted.getInputStream().read(), "the proxy still accepts and forwards after a refusal");
                }
            }
        }
    }
}
