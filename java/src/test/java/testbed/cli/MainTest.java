package testbed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anUnknownCommandOrOptionIsAUsageError() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("Unmatched argument at index 0: 'frobnicate'"), err());
        assertEquals(2, run("run", "--colour", "red"));
        assertTrue(err().contains("Unknown options: '--colour', 'red'"), err());
        assertEquals(2, run("run", "--mode"));
        assertTrue(err().contains("Missing required parameter for option '--mode' (MODE)"), err());
        assertEquals(2, run("litmus-group", "--test", "sb_jc_relaxed"), "the forked group's main is not a command");
    }

    @Test
    void aWrongModeIsRefusedNamingTheModes() {
        assertEquals(2, run("run", "--mode", "fast"));
        assertTrue(err().contains("Invalid value for option '--mode': unknown mode 'fast': use quick, default or tough"), err());
        assertEquals(2, run("bench", "atomic", "--mode", "fast"));
        assertEquals(2, run("litmus", "--file", "x.litmus", "--mode", "fast"));
        assertTrue(out().isEmpty(), "nothing ran: " + out());
    }

    @Test
    void aWrongSuiteIsRefusedNamingEverySuite() {
        assertEquals(2, run("run", "--suite", "nope"));
        assertTrue(err().contains("Invalid value for option '--suite': unknown suite 'nope'; the suites are "
                + String.join(", ", SuiteRegistry.names())), err());
    }

    @Test
    void aMalformedFilterIsRefusedBeforeAnythingRuns() {
        assertEquals(2, run("run", "--filter", "sb_(", "--suite", "contract"));
        assertTrue(err().contains("Invalid value for option '--filter'") && err().contains("sb_("), err());
    }

    @Test
    void aFilterThatMatchesNoCaseIsAnErrorNotAGreenRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // The contract suite needs no peer: with no peer binary to be found, the run still gets as
        // far as judging the filter (a session opened for nothing would fail first, naming the binary).
        String peer = System.getProperty("testbed.peer.bin");
        System.setProperty("testbed.peer.bin", dir.resolve("no-peer-here").toString());
        try {
            assertEquals(2, run("run", "--suite", "contract", "--filter", "no_such_case", "--report", dir.toString()));
        } finally {
            if (peer == null) System.clearProperty("testbed.peer.bin");
            else System.setProperty("testbed.peer.bin", peer);
        }
        assertTrue(err().contains("no case matches --filter 'no_such_case' in suite contract"), err());
        assertFalse(err().contains("no-peer-here"), err());
    }

    @Test
    void aWrongValueOfTheOtherOptionsIsRefused() {
        assertEquals(2, run("litmus-model", "--file", "x.litmus", "--runtimes", "java,cobol"));
        assertTrue(err().contains("no runtime 'cobol' (known: java, c, go, js_view, js_host)"), err());
        assertEquals(2, run("bench", "cancel", "--reference", "nope"));
        assertTrue(err().contains("unknown reference 'nope'; the references are blocking-iterator"), err());
        assertEquals(2, run("bench", "litmus", "--reps", "1"));
        assertTrue(err().contains("Missing required option: '--jcstress-cp=CLASSPATH'"), err());
        assertEquals(2, run("bench", "litmus", "--jcstress-cp", "x.jar", "--reps", "0"));
        assertTrue(err().contains("--reps must be at least 1"), err());
        assertEquals(2, run("litmus"));
        assertTrue(err().contains("Missing required option: '--file=FILE.litmus'"), err());
    }

    @Test
    void mainsHelpListsEveryCommand() {
        assertEquals(0, run("--help"));
        for (String command : List.of("run", "litmus", "litmus-model", "bench", "hold")) {
            assertTrue(out().matches("(?s).*\n  " + command + " .*"), command + " in " + out());
        }
        assertTrue(!out().contains("litmus-group"), out());
        assertTrue(out().contains("Exit codes: 0 every case passed"), out());
        assertTrue(err().isEmpty(), err());
    }

    @Test
    void noCommandPrintsTheUsageAndIsAUsageError() {
        assertEquals(2, run());
        assertTrue(out().contains("Usage: interop-testbed"), out());
    }

    /** Every command's help names its options, and the values an option takes where there is a list of them. */
    @Test
    void everyCommandsHelpNamesItsOptions() {
        Map<List<String>, List<String>> options = new LinkedHashMap<>();
        options.put(List.of("run"), List.of("--mode", "--report", "--suite", "--filter", "quick, default, tough",
                String.join(", ", SuiteRegistry.names())));
        options.put(List.of("litmus"), List.of("--file", "--runtimes", "--mode", "--report", "java, c, go, js_view, js_host"));
        options.put(List.of("litmus-model"), List.of("--file", "--runtimes"));
        options.put(List.of("hold"), List.of("--help"));
        options.put(List.of("bench"), List.of("atomic", "litmus", "cancel"));
        options.put(List.of("bench", "atomic"), List.of("--mode", "--report"));
        options.put(List.of("bench", "litmus"), List.of("--jcstress-cp", "--java", "--work", "--reps", "--run-ms",
                "--jcstress-timeout-s", "--report"));
        options.put(List.of("bench", "cancel"), List.of("--mode", "--report", "--reference", "blocking-iterator"));
        for (Map.Entry<List<String>, List<String>> e : options.entrySet()) {
            out.reset();
            List<String> args = new java.util.ArrayList<>(e.getKey());
            args.add("--help");
            assertEquals(0, run(args.toArray(String[]::new)), args.toString());
            assertTrue(out().startsWith("Usage: interop-testbed " + String.join(" ", e.getKey())), out());
            String words = out().replaceAll("\\s+", " "); // picocli wraps long lines
            for (String option : e.getValue()) assertTrue(words.contains(option), args + " names " + option + ": " + out());
        }
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
