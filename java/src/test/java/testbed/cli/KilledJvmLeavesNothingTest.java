package testbed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM that is killed with SIGKILL in the middle of a session leaves no Go peer
 * and no region file behind: the peer sees its stdin close, exits, and unlinks
 * the region on its way out.
 */
@Timeout(90)
class KilledJvmLeavesNothingTest {

    @Test
    void sigkilledHarnessLeavesNoPeerAndNoRegion() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-preview", "--enable-native-access=ALL-UNNAMED"));
        for (String prop : List.of("testbed.native.lib", "testbed.peer.bin", "testbed.layout")) {
            cmd.add("-D" + prop + "=" + System.getProperty(prop));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "hold"));
        Process harness = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long peerPid;
        Path region;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(harness.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the harness printed nothing before exiting");
            Matcher m = Pattern.compile("HOLDING peer_pid=(\\d+) region=(\\S+)").matcher(line);
            assertTrue(m.matches(), line);
            peerPid = Long.parseLong(m.group(1));
            region = Path.of(m.group(2));
            assertTrue(ProcessHandle.of(peerPid).map(ProcessHandle::isAlive).orElse(false), "peer alive while held");
            assertTrue(Files.exists(region), "region exists while held");
        } finally {
            harness.destroyForcibly(); // SIGKILL: no shutdown hooks run
            assertTrue(harness.waitFor(20, TimeUnit.SECONDS));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline
                && (ProcessHandle.of(peerPid).map(ProcessHandle::isAlive).orElse(false) || Files.exists(region))) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(peerPid).map(ProcessHandle::isAlive).orElse(false), "the Go peer outlived its JVM");
        assertFalse(Files.exists(region), "the region file outlived its JVM: " + region);
    }
}
