package testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a directory with everything under it, written once. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code root} and everything under it (nothing if it is gone). A file that a process
     * still running wrote or removed while the walk ran (a browser's profile) is met by walking
     * again, up to three times, before the failure is thrown.
     */
    public static void delete(Path root) throws IOException {
        for (int attempt = 1; Files.exists(root); attempt++) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (UncheckedIOException | DirectoryNotEmptyException e) {
                if (attempt == 3) throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            }
        }
    }

    /** {@link #delete}, for a tree whose leftovers harm nothing (a build or temporary directory): a failure is ignored. */
    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException ignored) {
            // Left for the next clean-up (or `make clean`); nothing reads it.
        }
    }
}
