package testbed.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The report's pages in headless Chromium; skipped where there is none (make report-check installs it where it may). */
@Timeout(180)
class BrowserCheckTest {

    @Test
    void theReportAndTheComparisonLoadWithoutAConsoleMessage(@TempDir Path dir) throws Exception {
        assumeTrue(BrowserCheck.chromium() != null, "no chromium (Debian package chromium)");
        Report r = ReportFixtures.full();
        ReportWriter.writeAll(r, dir);
        ReportWriter.write(dir.resolve(ReportTool.COMPARE_HTML), CompareHtml.render(Comparison.of("a", r, "b", r)));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = BrowserCheck.run(dir, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        assertTrue(Files.size(dir.resolve("report.png")) > 10_000, "a screenshot of report.html");
        assertTrue(Files.size(dir.resolve("compare.png")) > 1_000, "a screenshot of compare.html");
        assertNoBrowserLeft(dir);
    }

    @Test
    void aPageThatErrsInTheConsoleFailsTheCheck(@TempDir Path dir) throws Exception {
        Path chromium = BrowserCheck.chromium();
        assumeTrue(chromium != null, "no chromium (Debian package chromium)");
        Path page = Files.writeString(dir.resolve("report.html"),
                "<!doctype html><html><head><script>noSuchFunction();</script></head><body>broken</body></html>");
        BrowserCheck.Result r = BrowserCheck.check(chromium, page, dir.resolve("report.png"));
        assertFalse(r.ok(), "a script error must fail the check");
        assertNotNull(r.screenshot());
        assertTrue(r.console().stream().anyMatch(l -> l.contains("noSuchFunction")), r.console().toString());
        assertEquals(1, BrowserCheck.run(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertNoBrowserLeft(dir);
    }

    private static void assertNoBrowserLeft(Path dir) {
        String mark = dir.toAbsolutePath().toString();
        assertTrue(ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine().map(c -> c.contains(mark)).orElse(false)),
                "a browser process is still running");
    }
}
