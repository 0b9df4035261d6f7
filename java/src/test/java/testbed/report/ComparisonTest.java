package testbed.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * make compare on a fixture: compare-a.json holds cases of every suite from one quick run on
 * x86_64; compare-b.json is the same file with one edit, the status of
 * cancellation/java_client_cancel_bidi_goroutines (PASSED to FAILED) and the summary's counts.
 */
@Timeout(60)
class ComparisonTest {
    static final Path DIR = Path.of(System.getProperty("user.dir"), "java", "src", "test", "resources", "testbed", "report");
    static final Path A = DIR.resolve("compare-a.json");
    static final Path B = DIR.resolve("compare-b.json");
    static final String EDITED = "cancellation/java_client_cancel_bidi_goroutines";

    private record Run(int exit, String out, String err) {}

    private static Run tool(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = ReportTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theFixtureDiffersInExactlyTheOneEditedVerdict() {
        Report a = ReportTool.read(A), b = ReportTool.read(B);
        List<String> differ = new ArrayList<>();
        for (int s = 0; s < a.suites().size(); s++) {
            for (int c = 0; c < a.suites().get(s).cases().size(); c++) {
                CaseResult ca = a.suites().get(s).cases().get(c), cb = b.suites().get(s).cases().get(c);
                if (!ca.equals(cb)) differ.add(a.suites().get(s).name() + "/" + ca.name());
            }
        }
        assertEquals(List.of(EDITED), differ);
    }

    @Test
    void compareFlagsExactlyTheEditedVerdict(@TempDir Path out) throws Exception {
        Run r = tool("compare", A.toString(), B.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(EDITED + " "), r.out());
        assertTrue(r.out().contains("verdict changed: passed -> failed"), r.out());

        JsonNode j = ReportWriter.mapper().readTree(out.resolve(ReportTool.COMPARE_JSON).toFile());
        assertEquals(Comparison.SCHEMA, j.get("schema").asText());
        assertEquals(1, j.at("/summary/flagged").asInt());
        assertEquals(1, j.at("/summary/verdict_changed").asInt());
        assertEquals(0, j.at("/summary/relaxed_one_side").asInt());
        assertEquals(0, j.at("/summary/latency_ratio").asInt());
        List<String> flagged = new ArrayList<>();
        for (JsonNode c : j.get("cases")) {
            if (!c.get("flags").isEmpty()) flagged.add(c.get("suite").asText() + "/" + c.get("case").asText() + " " + c.get("flags"));
        }
        assertEquals(List.of(EDITED + " [\"verdict_changed\"]"), flagged);

        Document page = Jsoup.parse(out.resolve(ReportTool.COMPARE_HTML).toFile());
        assertEquals(List.of(EDITED), page.select("table.compare tr.flagged[data-case]").eachAttr("data-case").stream().distinct().toList());
        assertTrue(page.selectFirst("p.verdict").text().startsWith("1 of "), page.selectFirst("p.verdict").text());
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void aRunComparedWithItselfFlagsNothing() {
        Report a = ReportTool.read(A);
        Comparison c = Comparison.of("a", a, "a", a);
        assertTrue(c.flagged().isEmpty(), c.flagged().toString());
        assertTrue(c.rows().size() > 10, "every case is a row");
    }

    @Test
    void aRelaxedOutcomeOnOneSideALatencyBeyondTwiceAndACaseOnOneSideAreFlagged() {
        Report a = Report.of("a", "b", "quick", Map.of("arch", "amd64"), List.of(
                new SuiteResult("litmus", "", List.of(ReportFixtures.litmus("mp_jc_relaxed", "MP+relaxed", "MP", "relaxed", "J-C",
                        "allowed_not_seen", Status.PASSED, 1000, 0, 0))),
                new SuiteResult("cancellation", "", List.of(latency("twice", 100), latency("more_than_twice", 100), latency("gone", 1)))));
        Report b = Report.of("a", "b", "quick", Map.of("arch", "arm64"), List.of(
                new SuiteResult("litmus", "", List.of(ReportFixtures.litmus("mp_jc_relaxed", "MP+relaxed", "MP", "relaxed", "J-C",
                        "allowed_not_seen", Status.PASSED, 1000, 3, 0))),
                new SuiteResult("cancellation", "", List.of(latency("twice", 200), latency("more_than_twice", 201), latency("new", 1))),
                new SuiteResult("scopes", "", List.of(latency("only_b_ran_scopes", 1)))));
        Comparison c = Comparison.of("x86.json", a, "arm.json", b);
        Map<String, List<Comparison.Flag>> flags = new java.util.LinkedHashMap<>();
        for (Comparison.Row r : c.flagged()) flags.put(r.suite() + "/" + r.name(), r.flags());
        assertEquals(Map.of(
                "litmus/mp_jc_relaxed", List.of(Comparison.Flag.RELAXED_ONE_SIDE),
                "cancellation/more_than_twice", List.of(Comparison.Flag.LATENCY_RATIO),
                "cancellation/gone", List.of(Comparison.Flag.ONLY_ONE_SIDE),
                "cancellation/new", List.of(Comparison.Flag.ONLY_ONE_SIDE)), flags, "twice exactly is not beyond 2x");
        assertEquals(List.of("scopes"), c.oneSided(), "a suite one run did not run is said once, its cases not flagged");
        String html = CompareHtml.render(c);
        assertTrue(html.contains("0.30%"), "both interesting shares are shown");
        assertFalse(html.contains("NaN"));
    }

    private static CaseResult latency(String name, double p50) {
        return new CaseResult(name, "", Status.PASSED, "", 1, Map.of("latency_p50_us", p50, "latency_p99_us", p50 * 3), Map.of());
    }

    @Test
    void aMissingOrMalformedReportIsNamedWithItsProblemAndExitsTwo(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.json");
        Run r = tool("compare", missing.toString(), B.toString(), dir.toString());
        assertEquals(2, r.exit());
        assertEquals("error: " + missing + ": no such file", r.err().strip());

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\n  \"schema\": \"interop-testbed/report/v1\",\n  \"suites\": [ {\n");
        r = tool("compare", A.toString(), broken.toString(), dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: " + broken + ": not valid JSON at line "), r.err());

        Path other = Files.writeString(dir.resolve("other.json"), "{\"name\": \"something else\"}");
        r = tool("compare", other.toString(), B.toString(), dir.toString());
        assertEquals("error: " + other + ": not a report.json: no \"schema\"", r.err().strip());

        Path noStatus = Files.writeString(dir.resolve("nostatus.json"),
                "{\"schema\": \"interop-testbed/report/v1\", \"suites\": [{\"name\": \"s\", \"cases\": [{\"name\": \"c\"}]}]}");
        r = tool("compare", noStatus.toString(), B.toString(), dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: " + noStatus + ": not a report.json: at suites[0].cases[0]: "), r.err());

        assertFalse(Files.exists(dir.resolve(ReportTool.COMPARE_HTML)), "nothing is written for a bad input");
        assertEquals(2, tool("compare", A.toString()).exit(), "usage");
    }
}
