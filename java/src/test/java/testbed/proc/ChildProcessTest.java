package testbed.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A child that ends, fails, overruns its bound (with a child of its own) or cannot start. */
@Timeout(60)
class ChildProcessTest {

    @TempDir
    Path dir;

    @Test
    void aProgramThatExitsZeroGivesItsOutputDirectoryAndEnvironment() throws Exception {
        ChildProcess.Result r = ChildProcess.of("sh", "-c", "pwd; echo \"$GREETING\"; echo oops >&2; cat")
                .directory(dir).env(Map.of("GREETING", "hello")).stdin("fed\n".getBytes(StandardCharsets.UTF_8))
                .bound(Duration.ofSeconds(20)).run();
        assertEquals(0, r.exitCode());
        assertFalse(r.timedOut());
        assertEquals(dir.toRealPath() + "\nhello\nfed\n", r.out());
        assertEquals("oops\n", r.err());
        assertEquals(List.of("sh", "-c", "pwd; echo \"$GREETING\"; echo oops >&2; cat"), r.command());
    }

    @Test
    void aProgramThatFailsGivesItsExitCodeAndMergedOutput() throws Exception {
        ChildProcess.Result r = ChildProcess.of("sh", "-c", "echo one; echo two >&2; exit 3").mergeStderr()
                .env(java.util.Collections.singletonMap("HOME", null)).bound(Duration.ofSeconds(20)).run();
        assertEquals(3, r.exitCode());
        assertFalse(r.timedOut());
        assertEquals("one\ntwo\n", r.out());
        assertArrayEquals(new byte[0], r.stderr());
    }

    @Test
    void onlyTheLastBytesAreKept() throws Exception {
        ChildProcess.Result r = ChildProcess.of("sh", "-c", "echo 0123456789").keepLast(4)
                .bound(Duration.ofSeconds(20)).run();
        assertEquals("789\n", r.out());
    }

    @Test
    void linesReachTheConsumerAsWritten() throws Exception {
        List<String> seen = new ArrayList<>();
        ChildProcess.Result r = ChildProcess.of("sh", "-c", "echo a; echo b >&2").lines(l -> {
            synchronized (seen) {
                seen.add(l);
            }
        }).bound(Duration.ofSeconds(20)).run();
        assertEquals(0, r.exitCode());
        synchronized (seen) {
            assertEquals(List.of("a", "b"), seen);
        }
    }

    @Test
    void outputAndErrorLinesCanReachTwoConsumersApart() throws Exception {
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> err = java.util.Collections.synchronizedList(new ArrayList<>());
        ChildProcess.Result r = ChildProcess.of("sh", "-c", "echo a; echo b >&2; echo c; exit 4").lines(out::add, err::add)
                .bound(Duration.ofSeconds(20)).run();
        assertEquals(4, r.exitCode());
        assertEquals(List.of("a", "c"), out);
        assertEquals(List.of("b"), err);
    }

    @Test
    void aProgramThatOverrunsItsBoundIsKilledWithItsChild() throws Exception {
        long t0 = System.nanoTime();
        ChildProcess.Result r = ChildProcess.of("sh", "-c", "sleep 60 & echo $$ $!; sleep 60")
                .bound(Duration.ofMillis(1500)).run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(r.timedOut());
        assertEquals(-1, r.exitCode());
        assertTrue(seconds < 12, "killed at the bound, not later: " + seconds + " s");
        assertTrue(r.elapsed().toMillis() >= 1500, r.elapsed().toString());
        for (String pid : r.out().strip().split(" ")) {
            assertFalse(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false),
                    "process " + pid + " (the shell or its background sleep) is gone");
        }
    }

    @Test
    void aProgramThatCannotStartIsNamed() {
        Path missing = dir.resolve("no-such-program");
        ChildProcess.StartFailed e = assertThrows(ChildProcess.StartFailed.class,
                () -> ChildProcess.of(missing.toString(), "--flag").bound(Duration.ofSeconds(5)).run());
        assertTrue(e.getMessage().startsWith("cannot start " + missing + " --flag: "), e.getMessage());
        assertFalse(e.reason().isEmpty());
    }
}
