package testbed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * A peer that maps a corrupt region refuses it, and the run stops; the report the run
     * leaves says so as an ERROR case, and no earlier run's green report survives it.
     */
    @Test
    void anAbortedRunReplacesTheLastReportWithOneThatSaysWhy(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        Files.createDirectories(report);
        Files.writeString(report.resolve("junit.xml"), "<testsuites name=\"interop-testbed\" tests=\"373\" failures=\"0\" errors=\"0\" skipped=\"0\">\n</testsuites>\n");
        Files.writeString(report.resolve("report.html"), "<html>green</html>");
        // The real peer, handed a region whose first bytes a fault has overwritten.
        Path corrupting = dir.resolve("peer-with-corrupt-region");
        Files.writeString(corrupting, "#!/bin/sh\n"
                + "printf 'CORRUPT!' | dd of=\"$2\" bs=1 seek=0 conv=notrunc 2>/dev/null\n"
                + "exec '" + System.getProperty("testbed.peer.bin") + "' \"$@\"\n");
        assertTrue(corrupting.toFile().setExecutable(true));
        String saved = System.getProperty("testbed.peer.bin");
        System.setProperty("testbed.peer.bin", corrupting.toString());
        try {
            assertEquals(2, run("run", "--suite", "counters", "--mode", "quick", "--report", report.toString()));
        } finally {
            System.setProperty("testbed.peer.bin", saved);
        }
        String junit = Files.readString(report.resolve("junit.xml"));
        assertTrue(junit.contains("tests=\"1\" failures=\"0\" errors=\"1\""), junit);
        assertTrue(junit.contains("run_aborted"), junit);
        assertTrue(junit.contains("region"), "the reason names the region: " + junit);
        assertTrue(Files.readString(report.resolve("report.json")).contains("\"status\" : \"ERROR\""));
        assertTrue(Files.readString(report.resolve("report.html")).contains("run_aborted"));
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
