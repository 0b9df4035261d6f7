package testbed.report;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static testbed.report.Html.esc;

/**
 * Renders the report as one self-contained HTML page: its charts are inline SVG and its one
 * script only opens the case a link points at, so the page works offline and from a CI
 * artifact. The page opens on the answer: whether the run passed and which cases failed it,
 * then one view per suite ({@link SuiteView}: the litmus matrix, the cancellation latency
 * plot, what outlived the scopes, the counters), then every case's figures, collapsed
 * ({@link CaseDetails}), then the machine.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** Suites whose view leads the overview, in this order; any other suite follows in the report's order. */
    static final List<String> LEADING = List.of("litmus", "cancellation", "scopes", "counters");

    public static String render(Report r) {
        StringBuilder h = new StringBuilder(1 << 20);
        head(h, "interop-testbed report");
        h.append("<h1>interop-testbed report</h1>\n");
        verdict(h, r);
        List<SuiteResult> order = overviewOrder(r.suites());
        h.append("<nav>");
        for (SuiteResult s : order) {
            h.append("<a href=\"#suite-").append(esc(s.name())).append("\">").append(esc(s.name())).append("</a> ");
        }
        h.append("· <a href=\"#cases\">every case</a> · <a href=\"#machine\">machine</a></nav>\n");
        // The charts' first use in a JVM (AWT's fonts, JFreeChart's classes) takes most of a
        // second; the details do not need them, so the two are drawn at once.
        CompletableFuture<String> overview = CompletableFuture.supplyAsync(() -> overview(order));
        StringBuilder details = new StringBuilder(1 << 20);
        details.append("<h2 id=\"cases\">Every case</h2>\n");
        for (SuiteResult s : r.suites()) {
            details.append("<details class=\"suite-cases\" id=\"cases-").append(esc(s.name())).append("\"><summary><b>")
             .append(esc(s.name())).append("</b>: ").append(s.cases().size()).append(" cases</summary>\n");
            CaseDetails.render(details, s);
            details.append("</details>\n");
        }
        try {
            h.append(overview.join()).append(details);
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
        h.append("<h2 id=\"machine\">Machine</h2>\n");
        CaseDetails.keyValues(h, r.host());
        h.append("<p><small>Rendered from report.json (schema ").append(esc(r.schema())).append("); see docs/REPORT.md.</small></p>\n");
        return h.append("</body></html>\n").toString();
    }

    /** Each suite's section: its counts, its description and its view. */
    private static String overview(List<SuiteResult> order) {
        StringBuilder h = new StringBuilder(1 << 18);
        for (SuiteResult s : order) {
            h.append("<section class=\"suite\" id=\"suite-").append(esc(s.name())).append("\"><h2>").append(esc(s.name())).append(' ');
            counts(h, s.cases());
            h.append("</h2>\n");
            if (!s.description().isEmpty()) h.append("<p class=\"desc\">").append(esc(s.description())).append("</p>\n");
            SuiteView.of(s.name()).render(h, s);
            h.append("</section>\n");
        }
        return h.toString();
    }

    /** The run's verdict in one line, then the cases that failed it, each a link. */
    private static void verdict(StringBuilder h, Report r) {
        h.append("<p class=\"verdict\">").append(r.passed() ? "<b class=\"st PASSED\">Run passed.</b> " : "<b class=\"st FAILED\">Run failed.</b> ");
        counts(h, r.suites().stream().flatMap(s -> s.cases().stream()).toList());
        h.append("</p>\n<p class=\"run\">Mode <code>").append(esc(r.mode())).append("</code> on ")
         .append(esc(String.valueOf(r.host().getOrDefault("arch", "?")))).append(", ")
         .append(esc(String.valueOf(r.host().getOrDefault("cpus", "?")))).append(" cpus; started ")
         .append(esc(r.startedAt())).append(took(r)).append(".</p>\n");
        List<String> failing = new ArrayList<>();
        for (SuiteResult s : r.suites()) {
            for (CaseResult c : s.cases()) {
                if (!c.status().failsRun()) continue;
                failing.add("<li><span class=\"st " + c.status().name() + "\">" + Html.word(c.status()) + "</span> "
                        + Html.link(s.name(), c.name(), "<code>" + esc(s.name() + "/" + c.name()) + "</code>") + " " + esc(c.message()) + "</li>");
            }
        }
        if (!failing.isEmpty()) h.append("<ul class=\"failing\">").append(String.join("\n", failing)).append("</ul>\n");
    }

    private static String took(Report r) {
        try {
            Duration d = Duration.between(Instant.parse(r.startedAt()), Instant.parse(r.finishedAt()));
            return String.format(Locale.ROOT, ", took %d min %02d s", d.toMinutes(), d.toSecondsPart());
        } catch (DateTimeParseException | NullPointerException e) {
            return ", finished " + esc(r.finishedAt());
        }
    }

    /** "N passed, N expected failures, ..." for the statuses that occur, each coloured. */
    private static void counts(StringBuilder h, List<CaseResult> cases) {
        Map<Status, Integer> n = new java.util.EnumMap<>(Status.class);
        for (CaseResult c : cases) n.merge(c.status(), 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Status, Integer> e : n.entrySet()) {
            parts.add("<span class=\"st " + e.getKey().name() + "\">" + e.getValue() + " " + Html.word(e.getKey()) + "</span>");
        }
        h.append("<small class=\"counts\">").append(cases.size()).append(" cases: ").append(String.join(", ", parts)).append("</small>");
    }

    static List<SuiteResult> overviewOrder(List<SuiteResult> suites) {
        List<SuiteResult> out = new ArrayList<>();
        for (String name : LEADING) suites.stream().filter(s -> s.name().equals(name)).forEach(out::add);
        suites.stream().filter(s -> !LEADING.contains(s.name())).forEach(out::add);
        return out;
    }

    /** The document's head, its style sheet and the one script: a link to a case opens the collapsed details it is in. */
    static void head(StringBuilder h, String title) {
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title)).append("</title>\n<style>\n")
         .append("body{font:13px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}h1{font-size:1.5em;margin:.2em 0}\n")
         .append("h2{font-size:1.2em;margin:1.2em 0 .3em;border-bottom:1px solid #ddd}h2 small{font-weight:normal;font-size:.75em}\n")
         .append("table{border-collapse:collapse;margin:.3em 0 .8em}td,th{border:1px solid #ccc;padding:.1em .4em;text-align:left;vertical-align:top}\n")
         .append("th{background:#f3f3f3;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}code{background:#f5f5f5;padding:0 .2em}\n")
         .append(".st.PASSED{color:#176617}.st.FAILED,.st.ERROR{color:#b00020;font-weight:bold}.st.EXPECTED_FAILURE{color:#8a5a00}.st.SKIPPED{color:#777}\n")
         .append(".verdict{font-size:1.25em;margin:.2em 0}.run,.desc{color:#555;margin:.2em 0}nav{margin:.5em 0}nav a{margin-right:.5em}\n")
         .append(".bar{display:inline-block;height:.8em;background:#4a7bd0;vertical-align:middle}\n")
         .append(".matrices{display:flex;flex-wrap:wrap;gap:0 2em;align-items:flex-start}caption{text-align:left;font-weight:600;padding:.2em 0}\n")
         .append("table.matrix th{font-size:11px;white-space:nowrap}table.matrix th small{color:#777;font-weight:normal}\n")
         .append("table.matrix td,table.matrix th{padding:0 .3em;line-height:1.2}table.matrix td{min-width:3.6em}td.cell{text-align:center;font-size:11px}\n")
         .append(".cell a{display:block;color:inherit;text-decoration:none;padding:0 .3em}\n")
         .append(".v-forbidden{background:#d7301f;color:#fff}.v-interesting{background:#f99d3e}.v-unseen{background:#fff0b3}")
         .append(".v-ok{background:#d5ecd0}.v-none{background:#e4e4e4}\n")
         .append(".xf{background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.5) 4px 8px)}\n")
         .append("td.st-FAILED,td.st-ERROR{outline:2px solid #000;outline-offset:-2px}td.st-SKIPPED{background:#e4e4e4;color:#777}\n")
         .append("span.cell{display:inline-block;min-width:2em;text-align:center;font-size:11px;border:1px solid #ccc}.legend span.cell{padding:0 .3em}\n")
         .append(".grid{display:flex;flex-wrap:wrap;gap:2px}.grid span.cell{padding:.1em .2em}.grid .st-PASSED{background:#d5ecd0}\n")
         .append(".grid .st-EXPECTED_FAILURE{background:#fbd9a5}.grid .st-FAILED,.grid .st-ERROR{background:#d7301f;color:#fff}.grid .st-SKIPPED{background:#e4e4e4}\n")
         .append("figure.chart{margin:.4em 0}figure.chart svg{max-width:100%;height:auto}figcaption{color:#555;max-width:72em}\n")
         .append("details.suite-cases{margin:.3em 0}details.case{margin:.1em 0 .1em 1em}details.case>summary{cursor:pointer}\n")
         .append("details.case[open]{border-left:3px solid #ccc;padding-left:.5em}details details{margin-left:1em}\n")
         .append("td.flag{color:#b00020;font-weight:600}tr.flagged td{background:#fff4f0}\n")
         .append("</style>\n<script>\n")
         .append("function openTarget(){var id=decodeURIComponent(location.hash.slice(1));var e=id&&document.getElementById(id);")
         .append("if(!e)return;for(var p=e;p;p=p.parentElement){if(p.tagName==='DETAILS')p.open=true;}e.scrollIntoView();}\n")
         .append("addEventListener('hashchange',openTarget);addEventListener('DOMContentLoaded',openTarget);\n")
         .append("</script></head><body>\n");
    }
}
