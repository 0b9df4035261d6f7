package testbed.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static testbed.report.Html.esc;

/**
 * The litmus suite at a glance: one matrix per number of actors (and one for the tests with a
 * JavaScript guest actor), a row per litmus test (shape and access-mode rung, from one litmus
 * file), a column per runtime pairing, and one cell per case, coloured by its verdict and
 * showing the share of samples with an interesting outcome. Every case of the suite is
 * exactly one cell, whatever its details hold: a case without a shape or pairing (one that
 * erred before it ran) gets a row of its own, and so does a broken variant, beside the test
 * it breaks.
 */
final class LitmusMatrix implements SuiteView {

    /** The verdicts of docs/MEMORY_MODEL.md, worst first, with the words the legend uses. */
    enum Verdict {
        FORBIDDEN("forbidden_observed", "forbidden observed"),
        INTERESTING("interesting_observed", "interesting observed"),
        UNSEEN("allowed_not_seen", "allowed, not seen"),
        OK("ok", "nothing to see"),
        NONE("", "no verdict");

        final String key;
        final String words;

        Verdict(String key, String words) {
            this.key = key;
            this.words = words;
        }

        static Verdict of(CaseResult c) {
            String v = Html.text(c.details(), "verdict");
            for (Verdict x : values()) if (x != NONE && x.key.equals(v)) return x;
            return NONE;
        }

        String css() {
            return "v-" + name().toLowerCase(Locale.ROOT);
        }
    }

    private record Row(String label, String sub, String file, Map<String, CaseResult> cells) {}

    private static final class Block {
        final String title;
        final Set<String> columns = new LinkedHashSet<>();
        final Map<String, Row> rows = new LinkedHashMap<>();

        Block(String title) {
            this.title = title;
        }
    }

    @Override
    public void render(StringBuilder h, SuiteResult suite) {
        Map<String, Block> blocks = new LinkedHashMap<>();
        Map<Verdict, Integer> counts = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) counts.put(v, 0);
        for (CaseResult c : suite.cases()) {
            counts.merge(Verdict.of(c), 1, Integer::sum);
            place(blocks, c);
        }
        h.append("<p class=\"legend\">");
        for (Verdict v : Verdict.values()) {
            if (v == Verdict.NONE && counts.get(v) == 0) continue;
            h.append("<span class=\"cell ").append(v.css()).append("\">").append(counts.get(v)).append("</span> ")
             .append(v.words).append(" &nbsp; ");
        }
        h.append("<span class=\"cell xf\">&nbsp;</span> a broken variant, caught as it must be. "
                 + "A cell shows the share of samples with an interesting outcome; a click opens the case.</p>\n");
        h.append("<div class=\"matrices\">\n");
        for (Block b : blocks.values()) table(h, suite.name(), b);
        h.append("</div>\n");
    }

    private static void place(Map<String, Block> blocks, CaseResult c) {
        Map<String, Object> d = c.details();
        List<Map<String, Object>> actors = Html.rows(d, "actors");
        String pairing = Html.text(d, "pairing");
        int arity = !actors.isEmpty() ? actors.size() : pairing.isEmpty() ? 0 : pairing.split("-").length;
        boolean guest = actors.stream().anyMatch(a -> Html.text(a, "runtime").startsWith("js"));
        String title = arity == 0 ? "cases without a pairing"
                : arity + " actors" + (guest ? ", one a JavaScript guest" : "");
        Block b = blocks.computeIfAbsent(title, Block::new);
        String test = Html.text(d, "test");
        String shape = Html.text(d, "shape");
        String rung = Html.text(d, "rung");
        boolean broken = c.name().startsWith("selfcheck_");
        String label = test.isEmpty() ? c.name() : test;
        String sub = String.join(" ", List.of(shape, rung).stream().filter(s -> !s.isEmpty()).toList())
                + (broken ? " broken variant" : "");
        String column = pairing.isEmpty() ? "-" : pairing;
        String base = label + "\u0000" + Html.text(d, "file") + "\u0000" + broken;
        String key = base;
        int n = 1;
        // A second case for an occupied cell (two tests of one file and pairing) starts a row of its own.
        while (b.rows.containsKey(key) && b.rows.get(key).cells().containsKey(column)) key = base + "\u0000" + (++n);
        String rowLabel = n == 1 ? label : label + " (" + n + ")";
        b.columns.add(column);
        b.rows.computeIfAbsent(key, k -> new Row(rowLabel, sub, shortFile(Html.text(d, "file")), new LinkedHashMap<>()))
         .cells().put(column, c);
    }

    /** The litmus file from the repository's litmus/ directory on: the run's absolute checkout path says nothing. */
    static String shortFile(String file) {
        int i = file.lastIndexOf("/litmus/");
        return i < 0 ? file : file.substring(i + 1);
    }

    private static void table(StringBuilder h, String suite, Block b) {
        List<String> cols = new ArrayList<>(b.columns);
        h.append("<table class=\"matrix\"><caption>").append(esc(b.title)).append(", ").append(b.rows.size())
         .append(" tests</caption>\n<tr><th>test</th>");
        for (String c : cols) h.append("<th>").append(esc(c)).append("</th>");
        h.append("</tr>\n");
        for (Row r : b.rows.values()) {
            h.append("<tr><th title=\"").append(esc(r.file())).append("\">").append(esc(r.label()));
            if (!r.sub().isEmpty()) h.append(" <small>").append(esc(r.sub())).append("</small>");
            h.append("</th>");
            for (String col : cols) {
                CaseResult c = r.cells().get(col);
                if (c == null) {
                    h.append("<td></td>");
                } else {
                    cell(h, suite, c);
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void cell(StringBuilder h, String suite, CaseResult c) {
        Verdict v = Verdict.of(c);
        double samples = Html.number(c.metrics(), "samples");
        double interesting = Html.number(c.metrics(), "interesting");
        double forbidden = Html.number(c.metrics(), "forbidden");
        String text = switch (c.status()) {
            case ERROR -> "error";
            case SKIPPED -> "skipped";
            default -> v == Verdict.FORBIDDEN && forbidden > 0 ? "forbidden " + Html.format((long) forbidden)
                    : samples > 0 && interesting >= 0 && v != Verdict.OK ? Html.percent(interesting / samples)
                    : "";
        };
        String css = "cell " + v.css() + (c.status() == Status.EXPECTED_FAILURE ? " xf" : "")
                + (c.status().failsRun() || c.status() == Status.SKIPPED ? " st-" + c.status().name() : "");
        String tip = c.name() + ": " + Html.word(c.status()) + ", " + v.words
                + (samples > 0 ? String.format(Locale.ROOT, "; %,.0f interesting of %,.0f samples", Math.max(0, interesting), samples) : "")
                + "; " + c.message();
        h.append("<td class=\"").append(css).append("\" data-case=\"").append(esc(c.name())).append("\" title=\"").append(esc(tip)).append("\">")
         .append(Html.link(suite, c.name(), text.isEmpty() ? "&nbsp;" : esc(text))).append("</td>");
    }
}
