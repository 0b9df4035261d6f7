package testbed.report;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static testbed.report.Html.esc;

/**
 * compare.html: the two runs' machines side by side, then the flagged cases, then every
 * case per suite, collapsed. Each case row has an id ({@code suite.case}), so a flagged row
 * and its place in the full list are one search apart.
 */
public final class CompareHtml {
    private CompareHtml() {}

    public static String render(Comparison c) {
        StringBuilder h = new StringBuilder(1 << 16);
        HtmlReport.head(h, "interop-testbed: two runs compared");
        h.append("<h1>Two runs compared</h1>\n");
        List<Comparison.Row> flagged = c.flagged();
        h.append("<p class=\"verdict\">").append(flagged.isEmpty()
                ? "<b class=\"st PASSED\">No differences flagged</b>"
                : "<b class=\"st FAILED\">" + flagged.size() + " of " + c.rows().size() + " cases differ</b>");
        h.append(" <small>(");
        StringBuilder parts = new StringBuilder();
        c.counts().forEach((f, n) -> parts.append(parts.isEmpty() ? "" : ", ").append(n).append(' ').append(f.words));
        h.append(esc(parts.toString())).append(")</small></p>\n");
        if (!c.oneSided().isEmpty()) {
            h.append("<p>Suites in one run only (their cases are listed, not flagged): ").append(esc(String.join(", ", c.oneSided()))).append(".</p>\n");
        }
        runs(h, c);
        h.append("<h2 id=\"flagged\">Flagged</h2>\n");
        if (flagged.isEmpty()) h.append("<p>Nothing: the same verdicts, relaxed outcomes on both sides or neither, latencies within ")
                .append(Html.format(Comparison.LATENCY_RATIO)).append("x.</p>\n");
        else table(h, flagged, false);
        h.append("<h2 id=\"cases\">Every case</h2>\n");
        Map<String, List<Comparison.Row>> bySuite = new LinkedHashMap<>();
        for (Comparison.Row r : c.rows()) bySuite.computeIfAbsent(r.suite(), k -> new java.util.ArrayList<>()).add(r);
        bySuite.forEach((suite, rows) -> {
            long n = rows.stream().filter(r -> !r.flags().isEmpty()).count();
            h.append("<details class=\"suite-cases\"><summary><b>").append(esc(suite)).append("</b>: ").append(rows.size())
             .append(" cases, ").append(n).append(" flagged</summary>\n");
            table(h, rows, true);
            h.append("</details>\n");
        });
        return h.append("</body></html>\n").toString();
    }

    /** The two runs' files and hosts, a row per host field; a field that differs is marked. */
    private static void runs(StringBuilder h, Comparison c) {
        h.append("<table class=\"runs\"><tr><th></th><th>A</th><th>B</th></tr>\n");
        row(h, "file", c.a().file(), c.b().file(), false);
        row(h, "mode", c.a().mode(), c.b().mode(), true);
        row(h, "started", c.a().startedAt(), c.b().startedAt(), false);
        Set<String> keys = new LinkedHashSet<>(c.a().host().keySet());
        keys.addAll(c.b().host().keySet());
        for (String k : keys) {
            row(h, k, Html.format(c.a().host().get(k)), Html.format(c.b().host().get(k)), true);
        }
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String a, String b, boolean mark) {
        boolean differs = mark && !Objects.equals(a, b);
        h.append("<tr").append(differs ? " class=\"flagged\"" : "").append("><th>").append(esc(key)).append("</th><td>")
         .append(esc(a)).append("</td><td>").append(esc(b)).append("</td></tr>\n");
    }

    private static void table(StringBuilder h, List<Comparison.Row> rows, boolean withIds) {
        h.append("<table class=\"compare\"><tr><th>case</th><th>A verdict</th><th>B verdict</th><th>A interesting</th>"
                 + "<th>B interesting</th><th>A latency p50 / p99 (us)</th><th>B latency p50 / p99 (us)</th><th>flags</th></tr>\n");
        for (Comparison.Row r : rows) {
            h.append("<tr").append(r.flags().isEmpty() ? "" : " class=\"flagged\"");
            if (withIds) h.append(" id=\"").append(esc(Html.anchor(r.suite(), r.name()))).append('"');
            h.append(" data-case=\"").append(esc(r.suite() + "/" + r.name())).append("\"><td><code>")
             .append(esc(r.suite() + "/" + r.name())).append("</code></td>");
            h.append("<td>").append(verdict(r.a())).append("</td><td>").append(verdict(r.b())).append("</td>");
            h.append("<td class=\"n\">").append(share(r.a())).append("</td><td class=\"n\">").append(share(r.b())).append("</td>");
            h.append("<td class=\"n\">").append(latency(r.a())).append("</td><td class=\"n\">").append(latency(r.b())).append("</td>");
            h.append("<td class=\"flag\">").append(esc(String.join("; ", r.flags().stream().map(f -> f.words).toList()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String verdict(Comparison.Side s) {
        if (s == null) return "<i>not run</i>";
        return "<span class=\"st " + s.status().name() + "\">" + esc(s.verdictText()) + "</span>";
    }

    private static String share(Comparison.Side s) {
        return s == null || Double.isNaN(s.interestingShare()) ? "" : Html.percent(s.interestingShare());
    }

    private static String latency(Comparison.Side s) {
        if (s == null || Double.isNaN(s.latencyP50Us())) return "";
        return Double.isNaN(s.latencyP99Us()) ? String.format(Locale.ROOT, "%,.0f", s.latencyP50Us())
                : String.format(Locale.ROOT, "%,.0f / %,.0f", s.latencyP50Us(), s.latencyP99Us());
    }
}
