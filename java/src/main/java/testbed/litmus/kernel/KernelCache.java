package testbed.litmus.kernel;

import testbed.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where generated kernels and what they compile to are kept: {@code build/litmus-kernels} under
 * the working directory, or the directory the property {@value #PROPERTY} names. Every entry is
 * named by a hash of what produced it (the generated source and the toolchain's version), so an
 * entry that exists is current and a second run compiles nothing.
 *
 * <p>A toolchain whose entries are large (a Go peer is some 18 MB) keeps only its most recently
 * used ones ({@link #keepRecent}); an entry in use is marked so each time it is found.
 */
public final class KernelCache {

    /** System property naming the cache directory. */
    public static final String PROPERTY = "testbed.kernel.cache";

    private KernelCache() {}

    /** The cache's root directory (not created). */
    public static Path root() {
        return Path.of(System.getProperty(PROPERTY, "build/litmus-kernels")).toAbsolutePath();
    }

    /** The directory of one toolchain's entries, e.g. {@code c} or {@code go}; created if missing. */
    public static Path dir(String toolchain) {
        Path d = root().resolve(toolchain);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the kernel cache " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    /**
     * Moves {@code built} to {@code entry} atomically, so a reader sees a whole entry or none,
     * also when two runs build the same entry at once.
     */
    public static void publish(Path built, Path entry) throws IOException {
        Files.move(built, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * How recently an entry must have been used to be kept whatever else: a run hands its peer to
     * JVMs it forks during the next minutes, and another run beside it must not take it away.
     */
    static final java.time.Duration IN_USE = java.time.Duration.ofHours(1);

    /**
     * Marks {@code entry} (a file or a directory of its toolchain's directory) as used now, then
     * removes the least recently used entries of that directory beyond the {@code keep} most
     * recent, {@code entry} always among those kept, and none used within {@link #IN_USE}. A
     * build in progress (a name starting with a dot) is never removed. A process already running
     * a removed entry is unharmed (its file lives on until it ends); a removal that fails leaves
     * the entry for the next run to remove.
     */
    public static void keepRecent(Path entry, int keep) {
        if (keep < 1) throw new IllegalArgumentException("keep at least the entry in use, not " + keep);
        Path dir = entry.getParent();
        try {
            Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
            List<Path> entries;
            try (Stream<Path> list = Files.list(dir)) {
                entries = new ArrayList<>(list.filter(p -> !p.getFileName().toString().startsWith(".")).toList());
            }
            entries.removeIf(p -> p.getFileName().equals(entry.getFileName()));
            entries.sort(Comparator.comparing(KernelCache::lastUsed).reversed());
            FileTime inUse = FileTime.fromMillis(System.currentTimeMillis() - IN_USE.toMillis());
            for (Path old : entries.subList(Math.min(keep - 1, entries.size()), entries.size())) {
                if (lastUsed(old).compareTo(inUse) < 0) FileTrees.delete(old);
            }
        } catch (IOException e) {
            // Only space is at stake: the entries stay until a later run removes them.
        }
    }

    private static FileTime lastUsed(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
