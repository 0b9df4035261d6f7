package testbed.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ReportWriterTest {

    private static Report sample() {
        List<CaseResult> cases = List.of(
                new CaseResult("ok_case", "works", Status.PASSED, "exact", 1.5, Map.of("n", 4L),
                        Map.of("histogram", List.of(Map.of("outcome", "0, 0", "count", 10L), Map.of("outcome", "1, 1", "count", 990L)))),
                new CaseResult("bad_case", "breaks <b>", Status.FAILED, "slot off by 3 & \"more\"", 2, Map.of(), Map.of()),
                CaseResult.error("err_case", "cannot run", "peer died", 3),
                new CaseResult("broken_variant", "must fail", Status.EXPECTED_FAILURE, "caught: 5 lost", 4, Map.of(), Map.of()),
                new CaseResult("skipped_case", "not here", Status.SKIPPED, "no qemu", 0, Map.of(), Map.of()));
        return Report.of("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "quick",
                Map.of("arch", "amd64"), List.of(new SuiteResult("demo", "a demo suite", cases)));
    }

    @Test
    void summaryCountsEveryStatusAndFailsRunOnFailureOrError() {
        Report r = sample();
        assertEquals(5, r.summary().get("cases"));
        assertEquals(1, r.summary().get("passed"));
        assertEquals(1, r.summary().get("failed"));
        assertEquals(1, r.summary().get("error"));
        assertEquals(1, r.summary().get("expected_failure"));
        assertEquals(1, r.summary().get("skipped"));
        assertFalse(r.passed());

        Report good = Report.of("a", "b", "quick", Map.of(), List.of(new SuiteResult("s", "", List.of(
                new CaseResult("x", "", Status.PASSED, "", 0, null, null),
                new CaseResult("y", "", Status.EXPECTED_FAILURE, "", 0, null, null)))));
        assertTrue(good.passed(), "an expected failure must not fail the run");
    }

    @Test
    void jsonRoundTripsAndAllThreeFilesAreWritten(@TempDir Path dir) throws Exception {
        Report r = sample();
        ReportWriter.writeAll(r, dir);
        Report back = ReportWriter.readJson(dir.resolve(ReportWriter.JSON));
        assertEquals(r.schema(), back.schema());
        assertEquals(r.summary(), back.summary());
        assertEquals(r.suites().get(0).cases().get(1).message(), back.suites().get(0).cases().get(1).message());
        assertEquals(Status.EXPECTED_FAILURE, back.suites().get(0).cases().get(3).status());
        assertTrue(Files.size(dir.resolve(ReportWriter.HTML)) > 0);
        assertTrue(Files.size(dir.resolve(ReportWriter.JUNIT)) > 0);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void junitXmlMapsStatusesAndEscapes() {
        String x = JunitXmlReport.render(sample());
        assertTrue(x.contains("tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"1\""), x);
        assertTrue(x.contains("<failure message=\"slot off by 3 &amp; &quot;more&quot;\"/>"), x);
        assertTrue(x.contains("<error message=\"peer died\"/>"), x);
        assertTrue(x.contains("expected failure: caught: 5 lost"), x);
        assertTrue(x.contains("classname=\"interop.demo\" name=\"ok_case\""), x);
    }

    @Test
    void htmlEscapesTextAndDrawsCountsAsBars() {
        String h = HtmlReport.render(sample());
        assertFalse(h.contains("breaks <b>"), "markup in titles must be escaped");
        assertTrue(h.contains("breaks &lt;b&gt;"));
        assertTrue(h.contains("class=\"bar\""), "a count column is drawn as bars");
        assertTrue(h.contains("Run failed."));
    }

    @Test
    void consoleSummaryHasOneLinePerCase() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ReportWriter.printSummary(sample(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("PASS   demo/ok_case"), out);
        assertTrue(out.contains("FAIL   demo/bad_case"), out);
        assertTrue(out.contains("XFAIL  demo/broken_variant"), out);
        assertTrue(out.contains("5 cases: 1 passed, 1 failed, 1 errors, 1 expected failures, 1 skipped"), out);
    }
}
