package testbed.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static testbed.report.Html.esc;
import static testbed.report.Html.format;

/**
 * Every case's figures, drawn generically so that a suite needs no HTML of its own: a list
 * of objects becomes a table (columns in first-seen order) whose numeric {@code count}
 * column is also drawn as a bar on a square-root scale (a histogram's rare outcomes stay
 * visible beside its common ones); a map becomes a key/value table; metrics and scalar
 * details share one key/value table. Each case is one collapsed {@code <details>} whose id
 * is {@link Html#anchor}, and whose summary line is its status, name and message.
 */
final class CaseDetails {
    private CaseDetails() {}

    static void render(StringBuilder h, SuiteResult s) {
        for (CaseResult c : s.cases()) {
            h.append("<details class=\"case\" id=\"").append(esc(Html.anchor(s.name(), c.name()))).append("\"><summary>")
             .append("<span class=\"st ").append(c.status().name()).append("\">").append(Html.word(c.status())).append("</span> <code>")
             .append(esc(c.name())).append("</code> ").append(esc(c.message())).append("</summary>\n");
            if (!c.title().isEmpty()) h.append("<p>").append(esc(c.title())).append("</p>\n");
            Map<String, Object> flat = new LinkedHashMap<>(c.metrics());
            flat.put("duration_ms", c.durationMs());
            for (Map.Entry<String, Object> e : c.details().entrySet()) {
                if (!(e.getValue() instanceof List<?>) && !(e.getValue() instanceof Map<?, ?>)) flat.put(e.getKey(), e.getValue());
            }
            keyValues(h, flat);
            for (Map.Entry<String, Object> e : c.details().entrySet()) {
                if (!(e.getValue() instanceof List<?>) && !(e.getValue() instanceof Map<?, ?>)) continue;
                h.append("<details open><summary>").append(esc(e.getKey())).append("</summary>\n");
                value(h, e.getValue());
                h.append("</details>\n");
            }
            h.append("</details>\n");
        }
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
                h.append(cell instanceof Number ? "<td class=\"n\">" : "<td>").append(esc(format(cell))).append("</td>");
            }
            if (max > 0) {
                double n = m.get("count") instanceof Number num ? num.doubleValue() : 0;
                int px = n <= 0 ? 0 : Math.max(1, (int) Math.round(240 * Math.sqrt(n / max)));
                h.append("<td><span class=\"bar\" style=\"width:").append(px).append("px\"></span></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    static void keyValues(StringBuilder h, Map<?, ?> m) {
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
}
