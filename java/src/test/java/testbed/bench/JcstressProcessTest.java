package testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound on a jcstress run: a jcstress that hangs with a fork running is killed at the
 * bound, fork included, and the run says it timed out.
 */
@Timeout(60)
class JcstressProcessTest {

    @TempDir
    Path work;

    @Test
    void aHangingRunIsKilledWithItsForks() throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        JcstressProcess.Outcome o = JcstressProcess.run(java, System.getProperty("java.class.path"),
                FakeJcstressMain.class.getName(), List.of("-m", "quick"), "-Xmx64m", work, Duration.ofMillis(2500),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertTrue(o.timedOut(), "the fake never exits by itself");
        assertTrue(seconds < 15, "killed at the bound, not later: " + seconds + " s");
        Optional<String> forkLine = o.lines().stream().filter(l -> l.startsWith("fork pid ")).findFirst();
        assertTrue(forkLine.isPresent(), "the fake started its fork before the bound: " + o.lines());
        long forkPid = Long.parseLong(forkLine.get().substring("fork pid ".length()).trim());
        assertFalse(ProcessHandle.of(forkPid).map(ProcessHandle::isAlive).orElse(false), "the fork " + forkPid + " is gone");
        assertEquals(List.of(), JcstressProcess.marked(o.mark()), "no process carries the run's mark");
        assertTrue(o.command().contains("-jvmArgs"), o.command().toString());
        assertTrue(o.log().toFile().isFile(), "the output was kept");
    }
}
