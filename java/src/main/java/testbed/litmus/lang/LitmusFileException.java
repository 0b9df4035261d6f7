package testbed.litmus.lang;

import java.nio.file.Path;

/**
 * A litmus file refused before anything runs: what is wrong and where, printed as
 * {@code FILE:LINE:COL: reason}, the way compilers report, so editors can jump to it.
 */
public final class LitmusFileException extends IllegalArgumentException {
    private final Path file;
    private final Position at;
    private final String reason;

    public LitmusFileException(Path file, Position at, String reason) {
        super(file + ":" + at + ": " + reason);
        this.file = file;
        this.at = at;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public Position at() {
        return at;
    }

    /** The reason alone, without the file and position. */
    public String reason() {
        return reason;
    }
}
