package testbed.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes report.json, report.html and junit.xml into one directory, and the console summary. */
public final class ReportWriter {
    public static final String JSON = "report.json";
    public static final String HTML = "report.html";
    public static final String JUNIT = "junit.xml";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private ReportWriter() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes the three renderings; each file is written whole to a temp name and then moved into place. */
    public static void writeAll(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve(JSON), MAPPER.writeValueAsString(report));
        write(dir.resolve(HTML), HtmlReport.render(report));
        write(dir.resolve(JUNIT), JunitXmlReport.render(report));
    }

    /**
     * Removes the three renderings a previous run left in {@code dir}, so that no report
     * outlives the run that wrote it: a run that cannot write its own leaves none.
     */
    public static void clear(Path dir) throws IOException {
        for (String name : java.util.List.of(JSON, HTML, JUNIT)) Files.deleteIfExists(dir.resolve(name));
    }

    public static Report readJson(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), Report.class);
    }

    /** Writes {@code text} whole to a temp name beside {@code file}, then moves it into place. */
    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** One line per case ("PASS  suite/case  message"), then a closing count line. */
    public static void printSummary(Report report, PrintStream out) {
        out.println();
        out.println("==> results (" + report.mode() + " mode)");
        for (SuiteResult suite : report.suites()) {
            for (CaseResult c : suite.cases()) {
                out.printf(Locale.ROOT, "  %s  %-44s %s%n", c.status().label(), suite.name() + "/" + c.name(), c.message());
            }
        }
        var s = report.summary();
        out.printf(Locale.ROOT, "%d cases: %d passed, %d failed, %d errors, %d expected failures, %d skipped%n",
                s.get("cases"), s.get("passed"), s.get("failed"), s.get("error"), s.get("expected_failure"), s.get("skipped"));
    }
}
