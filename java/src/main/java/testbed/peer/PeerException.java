package testbed.peer;

/** The Go peer could not be started, reached or stopped; the message names the problem in one line. */
public final class PeerException extends RuntimeException {
    public PeerException(String message) {
        super(message);
    }

    public PeerException(String message, Throwable cause) {
        super(message, cause);
    }
}
