package testbed.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders the report as one self-contained HTML page (no scripts, no external assets).
 *
 * <p>Case details are drawn generically, so later suites need no HTML code of their
 * own: a list of objects becomes a table (columns in first-seen order), and a
 * numeric {@code count} column in it is drawn as a horizontal bar scaled to the
 * largest count of that table; that is how histograms appear. Scalars become a
 * key/value list.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(Report r) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
         .append("<title>interop-testbed report</title>\n<style>\n")
         .append("body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}\n")
         .append("table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\n")
         .append("th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
         .append(".PASSED{color:#176617}.FAILED,.ERROR{color:#b00020;font-weight:bold}.EXPECTED_FAILURE{color:#8a5a00}.SKIPPED{color:#777}\n")
         .append(".bar{display:inline-block;height:.8em;background:#4a7bd0;vertical-align:middle}\n")
         .append("details{margin:.3em 0 .8em 1em}code{background:#f5f5f5;padding:0 .2em}\n")
         .append("</style></head><body>\n");
        h.append("<h1>interop-testbed report</h1>\n");
        h.append("<p>").append(r.passed() ? "<b class=\"PASSED\">Run passed.</b>" : "<b class=\"FAILED\">Run failed.</b>")
         .append(" Mode <code>").append(esc(r.mode())).append("</code>, started ").append(esc(r.startedAt()))
         .append(", finished ").append(esc(r.finishedAt())).append(".</p>\n");
        h.append("<h2>Machine</h2>\n");
        keyValues(h, r.host());
        h.append("<h2>Summary</h2>\n");
        keyValues(h, new java.util.LinkedHashMap<>(r.summary()));
        for (SuiteResult s : r.suites()) {
            h.append("<h2>Suite <code>").append(esc(s.name())).append("</code></h2>\n");
            if (!s.description().isEmpty()) h.append("<p>").append(esc(s.description())).append("</p>\n");
            h.append("<table><tr><th>verdict</th><th>case</th><th>what it checks</th><th>result</th><th>ms</th></tr>\n");
            for (CaseResult c : s.cases()) {
                h.append("<tr><td class=\"").append(c.status().name()).append("\">").append(c.status().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                 .append("</td><td><a href=\"#").append(esc(s.name() + "." + c.name())).append("\"><code>").append(esc(c.name())).append("</code></a></td><td>")
                 .append(esc(c.title())).append("</td><td>").append(esc(c.message())).append("</td><td class=\"num\">")
                 .append(String.format(Locale.ROOT, "%.0f", c.durationMs())).append("</td></tr>\n");
            }
            h.append("</table>\n");
            for (CaseResult c : s.cases()) {
                h.append("<h3 id=\"").append(esc(s.name() + "." + c.name())).append("\"><code>").append(esc(c.name()))
                 .append("</code> <span class=\"").append(c.status().name()).append("\">")
                 .append(c.status().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append("</span></h3>\n");
                h.append("<p>").append(esc(c.title())).append("<br>").append(esc(c.message())).append("</p>\n");
                // Metrics and scalar details share one table; lists and maps get a section each.
                Map<String, Object> flat = new java.util.LinkedHashMap<>(c.metrics());
                for (Map.Entry<String, Object> e : c.details().entrySet()) {
                    if (!(e.getValue() instanceof List<?>) && !(e.getValue() instanceof Map<?, ?>)) flat.put(e.getKey(), e.getValue());
                }
                if (!flat.isEmpty()) keyValues(h, flat);
                for (Map.Entry<String, Object> e : c.details().entrySet()) {
                    if (!(e.getValue() instanceof List<?>) && !(e.getValue() instanceof Map<?, ?>)) continue;
                    h.append("<details open><summary>").append(esc(e.getKey())).append("</summary>\n");
                    value(h, e.getValue());
                    h.append("</details>\n");
                }
            }
        }
        h.append("<p><small>Rendered from report.json (schema ").append(esc(r.schema())).append("); see docs/REPORT.md.</small></p>\n");
        return h.append("</body></html>\n").toString();
    }

    private static void value(StringBuilder h, Object v) {
        if (v instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(o -> o instanceof Map)) {
            table(h, list);
        } else if (v instanceof Map<?, ?> m) {
            keyValues(h, m);
        } else {
            h.append("<p>").append(esc(format(v))).append("</p>\n");
        }
    }

    private static void table(StringBuilder h, List<?> rows) {
        Set<String> cols = new LinkedHashSet<>();
        double max = 0;
        for (Object o : rows) {
            Map<?, ?> m = (Map<?, ?>) o;
            m.keySet().forEach(k -> cols.add(String.valueOf(k)));
            if (m.get("count") instanceof Number n) max = Math.max(max, n.doubleValue());
        }
        List<String> columns = new ArrayList<>(cols);
        h.append("<table><tr>");
        for (String c : columns) h.append("<th>").append(esc(c)).append("</th>");
        if (max > 0) h.append("<th></th>");
        h.append("</tr>\n");
        for (Object o : rows) {
            Map<?, ?> m = (Map<?, ?>) o;
            h.append("<tr>");
            for (String c : columns) {
                Object cell = m.get(c);
                h.append(cell instanceof Number ? "<td class=\"num\">" : "<td>").append(esc(format(cell))).append("</td>");
            }
            if (max > 0) {
                double n = m.get("count") instanceof Number num ? num.doubleValue() : 0;
                // Square-root scale keeps rare outcomes (the interesting ones) visible beside common ones.
                int px = n <= 0 ? 0 : Math.max(1, (int) Math.round(240 * Math.sqrt(n / max)));
                h.append("<td><span class=\"bar\" style=\"width:").append(px).append("px\"></span></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void keyValues(StringBuilder h, Map<?, ?> m) {
        h.append("<table>");
        for (Map.Entry<?, ?> e : m.entrySet()) {
            h.append("<tr><th>").append(esc(String.valueOf(e.getKey()))).append("</th><td>");
            Object v = e.getValue();
            if (v instanceof Map<?, ?> || (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map)) value(h, v);
            else h.append(esc(format(v)));
            h.append("</td></tr>");
        }
        h.append("</table>\n");
    }

    static String format(Object v) {
        if (v == null) return "";
        if (v instanceof Double d || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            return Math.abs(x) >= 100 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.3g", x);
        }
        if (v instanceof Long || v instanceof Integer) return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        return String.valueOf(v);
    }

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
