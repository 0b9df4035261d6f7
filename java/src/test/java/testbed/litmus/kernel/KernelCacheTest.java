package testbed.litmus.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KernelCacheTest {
    @TempDir
    Path dir;

    private Path entry(String name, long minutesAgo) throws IOException {
        Path e = Files.createDirectories(dir.resolve(name));
        Files.writeString(e.resolve("interop-peer"), name);
        Files.setLastModifiedTime(e, FileTime.fromMillis(System.currentTimeMillis() - minutesAgo * 60_000));
        return e;
    }

    private List<String> left() throws IOException {
        try (Stream<Path> l = Files.list(dir)) {
            return l.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theEntryInUseAndTheMostRecentOthersStayAndTheRestGo() throws IOException {
        entry("a", 500);
        entry("b", 400);
        Path c = entry("c", 600); // the oldest, but the one found now
        entry("d", 100);
        entry("e", 200);
        Files.createDirectories(dir.resolve(".building-x")); // a build in progress, older than all
        Files.setLastModifiedTime(dir.resolve(".building-x"), FileTime.fromMillis(0));

        KernelCache.keepRecent(c, 3);

        assertEquals(List.of(".building-x", "c", "d", "e"), left());
    }

    @Test
    void anEntryUsedWithinTheHourStaysBeyondTheCount() throws IOException {
        Path a = entry("a", 300);
        entry("b", 20); // another run's peer, handed to JVMs it is still forking
        entry("c", 30);
        entry("d", 400);
        KernelCache.keepRecent(a, 2);
        assertEquals(List.of("a", "b", "c"), left());
    }

    @Test
    void fewerEntriesThanKeptRemovesNothing() throws IOException {
        Path a = entry("a", 5);
        entry("b", 1);
        KernelCache.keepRecent(a, 4);
        assertEquals(List.of("a", "b"), left());
        assertThrows(IllegalArgumentException.class, () -> KernelCache.keepRecent(a, 0));
    }
}
