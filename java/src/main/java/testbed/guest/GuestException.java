package testbed.guest;

/** A guest actor that could not run: the message is the guest's or the engine's own. */
public final class GuestException extends RuntimeException {
    public GuestException(String message, Throwable cause) {
        super(message, cause);
    }
}
