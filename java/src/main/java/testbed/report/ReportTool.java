package testbed.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The report's own commands, run on report.json files without a run:
 * <pre>
 *   compare A.json B.json DIR   write DIR/compare.html and DIR/compare.json (make compare)
 *   render  REPORT.json DIR     write DIR/report.html (and junit.xml) again from a report.json
 * </pre>
 * Exit status: 0 written (differences flagged or not: they are findings, not faults), 2 usage,
 * or an input that is missing or is not a report.json, named with its problem.
 */
public final class ReportTool {
    public static final String COMPARE_HTML = "compare.html";
    public static final String COMPARE_JSON = "compare.json";
    /** Flagged cases printed on the terminal; compare.html has them all. */
    static final int PRINTED = 40;

    private ReportTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 4 && args[0].equals("compare")) return compare(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), out);
            if (args.length == 3 && args[0].equals("render")) return render(Path.of(args[1]), Path.of(args[2]), out);
            err.println("usage: ReportTool compare A.json B.json DIR | render REPORT.json DIR");
            return 2;
        } catch (BadReport e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: cannot write: " + e.getMessage());
            return 2;
        }
    }

    static int compare(Path a, Path b, Path dir, PrintStream out) throws IOException {
        Report ra = read(a), rb = read(b);
        long t0 = System.nanoTime();
        Comparison c = Comparison.of(a.toString(), ra, b.toString(), rb);
        Files.createDirectories(dir);
        ReportWriter.write(dir.resolve(COMPARE_JSON), ReportWriter.mapper().writeValueAsString(c.toJson()));
        ReportWriter.write(dir.resolve(COMPARE_HTML), CompareHtml.render(c));
        out.printf(Locale.ROOT, "compare: A %s (%s, %s mode), B %s (%s, %s mode): %d cases, %d flagged%n",
                a, c.a().arch(), c.a().mode(), b, c.b().arch(), c.b().mode(), c.rows().size(), c.flagged().size());
        if (!c.oneSided().isEmpty()) out.println("  suites in one run only (their cases are not flagged): " + String.join(", ", c.oneSided()));
        List<Comparison.Row> flagged = c.flagged();
        for (Comparison.Row r : flagged.subList(0, Math.min(flagged.size(), PRINTED))) {
            out.printf(Locale.ROOT, "  %-56s %s%n", r.suite() + "/" + r.name(),
                    String.join("; ", r.flags().stream().map(f -> f.words + detail(f, r)).toList()));
        }
        if (flagged.size() > PRINTED) out.printf(Locale.ROOT, "  ... and %d more in %s%n", flagged.size() - PRINTED, COMPARE_HTML);
        out.printf(Locale.ROOT, "compare: %s and %s written in %.0f ms%n", dir.resolve(COMPARE_HTML), COMPARE_JSON, (System.nanoTime() - t0) / 1e6);
        return 0;
    }

    private static String detail(Comparison.Flag f, Comparison.Row r) {
        return switch (f) {
            case VERDICT_CHANGED -> ": " + r.a().verdictText() + " -> " + r.b().verdictText();
            case RELAXED_ONE_SIDE -> ": " + Html.percent(r.a().interestingShare()) + " -> " + Html.percent(r.b().interestingShare());
            case LATENCY_RATIO -> String.format(Locale.ROOT, ": p50 %,.0f us -> %,.0f us", r.a().latencyP50Us(), r.b().latencyP50Us());
            case ONLY_ONE_SIDE -> r.a() == null ? ": in B only" : ": in A only";
        };
    }

    static int render(Path json, Path dir, PrintStream out) throws IOException {
        Report r = read(json);
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        String html = HtmlReport.render(r);
        ReportWriter.write(dir.resolve(ReportWriter.HTML), html);
        ReportWriter.write(dir.resolve(ReportWriter.JUNIT), JunitXmlReport.render(r));
        out.printf(Locale.ROOT, "render: %s, %,d bytes, in %.0f ms%n", dir.resolve(ReportWriter.HTML), html.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                (System.nanoTime() - t0) / 1e6);
        return 0;
    }

    /** A report.json the commands cannot use: the message names the file and what is wrong with it. */
    static final class BadReport extends RuntimeException {
        BadReport(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    /** Where in the file a mapping failed, as a path a person can follow: {@code suites[2].cases[0].status}. */
    private static String where(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
            else if (ref.getIndex() >= 0) b.append('[').append(ref.getIndex()).append(']');
        }
        return b.isEmpty() ? "the top level" : b.toString();
    }

    /** Reads {@code file} as a report.json of this schema, or throws {@link BadReport} naming the file and the problem. */
    static Report read(Path file) {
        if (!Files.exists(file)) throw new BadReport(file, "no such file");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) throw new BadReport(file, "not a readable file");
        JsonNode tree;
        try {
            tree = ReportWriter.mapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new BadReport(file, "not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadReport(file, "cannot read: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) throw new BadReport(file, "not a report.json: the top level is not an object");
        String schema = tree.path("schema").asText("");
        if (!schema.equals(Report.SCHEMA)) {
            throw new BadReport(file, schema.isEmpty() ? "not a report.json: no \"schema\"" : "schema '" + schema + "', this reads " + Report.SCHEMA);
        }
        if (!tree.path("suites").isArray()) throw new BadReport(file, "not a report.json: \"suites\" is not a list");
        try {
            // A field added by a later version of the same schema is no reason to refuse the file.
            return ReportWriter.mapper().readerFor(Report.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(tree);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            // A record's own check (a case without a status) says more than Jackson's wrapping of it.
            String why = e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getOriginalMessage();
            throw new BadReport(file, "not a report.json: at " + where(e) + ": " + why);
        } catch (IOException e) {
            throw new BadReport(file, "not a report.json: " + e.getMessage());
        }
    }
}
