package testbed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void unknownCommandModeOptionAndSuiteAreUsageErrors() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
        assertEquals(2, run("run", "--mode", "fast"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown mode 'fast': use quick, default or tough"));
        assertEquals(2, run("run", "--colour", "red"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--colour'"));
        assertEquals(2, run("run", "--suite", "nope"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown suite 'nope'"));
        assertEquals(2, run("run", "--mode"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("option --mode needs a value"));
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: interop-testbed run"));
    }

    @Test
    void missingPeerBinaryIsOneClearLineNotAStackTrace() {
        String saved = System.getProperty("testbed.peer.bin");
        System.setProperty("testbed.peer.bin", "/nonexistent/interop-peer");
        try {
            assertEquals(2, run("run", "--mode", "quick", "--report", System.getProperty("java.io.tmpdir") + "/itb-main-test"));
            String e = err.toString(StandardCharsets.UTF_8);
            assertTrue(e.contains("error: Go peer binary not found at /nonexistent/interop-peer: run `make peer`"), e);
            assertTrue(!e.contains("\tat "), "no stack trace: " + e);
        } finally {
            System.setProperty("testbed.peer.bin", saved);
        }
    }
}
