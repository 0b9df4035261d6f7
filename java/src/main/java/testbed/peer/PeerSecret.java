package testbed.peer;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The per-run secret that keeps the Go peer to the harness that started it
 * (docs/PROTOCOL.md, "Authentication"). The peer listens on loopback, where any local
 * process could reach it; it serves only calls that carry
 * {@code authorization: Bearer <secret>}, and refuses the others with
 * {@code UNAUTHENTICATED} before their handlers run.
 *
 * <p>The secret is {@link #BYTES} bytes from {@link SecureRandom}, written as lowercase
 * hex. {@link PeerProcess} hands it to the peer as the first line of the peer's stdin,
 * a pipe only this JVM holds: never as an argument or an environment variable, which
 * {@code ps} and {@code /proc} show. {@link #toString()} does not show it.
 */
public final class PeerSecret {
    /** The metadata key that carries the secret. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The secret's length before hex encoding; the peer accepts exactly this. */
    static final int BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String hex;

    private PeerSecret(String hex) {
        this.hex = hex;
    }

    /** A fresh secret. */
    public static PeerSecret generate() {
        byte[] b = new byte[BYTES];
        RANDOM.nextBytes(b);
        return new PeerSecret(HexFormat.of().formatHex(b));
    }

    /** The line the peer reads first from its stdin. */
    String stdinLine() {
        return hex + "\n";
    }

    /**
     * An interceptor that sends the secret on every call. Every channel to the peer
     * installs it ({@code ManagedChannelBuilder.intercept}), including a channel that
     * reaches the peer through a proxy.
     */
    public ClientInterceptor interceptor() {
        Metadata md = new Metadata();
        md.put(AUTHORIZATION, "Bearer " + hex);
        return MetadataUtils.newAttachHeadersInterceptor(md);
    }

    /**
     * Writes the line a connection to one of the peer's endpoints that are not gRPC (the
     * floor, docs/CANCELLATION.md) must open with: the value {@link #AUTHORIZATION} carries,
     * {@code Bearer <secret>}, and a newline.
     */
    public void writeBearerLine(WritableByteChannel out) throws IOException {
        ByteBuffer line = ByteBuffer.wrap(("Bearer " + hex + "\n").getBytes(StandardCharsets.US_ASCII));
        while (line.hasRemaining()) out.write(line);
    }

    /** True when {@code text} contains this secret: for tests that a message does not leak it. */
    public boolean appearsIn(String text) {
        return text != null && text.contains(hex);
    }

    @Override
    public String toString() {
        return "PeerSecret(redacted)";
    }
}
