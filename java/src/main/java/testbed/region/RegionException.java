package testbed.region;

import java.nio.file.Path;

/** A region file that cannot be created, opened or used; the message names the file and the problem. */
public final class RegionException extends RuntimeException {

    private final Path path;

    public RegionException(Path path, String problem) {
        super("region " + path + ": " + problem);
        this.path = path;
    }

    public RegionException(Path path, String problem, Throwable cause) {
        super("region " + path + ": " + problem, cause);
        this.path = path;
    }

    /** The region file the problem is about. */
    public Path path() {
        return path;
    }
}
