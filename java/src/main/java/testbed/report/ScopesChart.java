package testbed.report;

import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What outlived a scope: per scenario, the leftovers each runtime had after {@code close()}
 * (the most over its trials, stacked by runtime) beside how long the last remote child
 * outlived {@code close()}, in milliseconds. A leftover count the harness could not take
 * ("n/a": the peer was killed) is drawn as none and said under the chart.
 */
final class ScopesChart implements SuiteView {
    @Override
    public void render(StringBuilder h, SuiteResult suite) {
        DefaultCategoryDataset leftovers = new DefaultCategoryDataset();
        DefaultCategoryDataset outlive = new DefaultCategoryDataset();
        Set<String> runtimes = new LinkedHashSet<>();
        List<String> uncounted = new ArrayList<>();
        for (CaseResult c : suite.cases()) {
            List<Map<String, Object>> rows = Html.rows(c.details(), "leftovers");
            for (Map<String, Object> row : rows) runtimes.add(Html.text(row, "runtime"));
        }
        if (runtimes.isEmpty()) {
            new StatusGrid().render(h, suite);
            return;
        }
        for (CaseResult c : suite.cases()) {
            Map<String, Object> byRuntime = new java.util.HashMap<>();
            for (Map<String, Object> row : Html.rows(c.details(), "leftovers")) byRuntime.put(Html.text(row, "runtime"), row.get("leftover"));
            for (String rt : runtimes) {
                Object n = byRuntime.get(rt);
                if (n != null && !(n instanceof Number)) uncounted.add(c.name() + " (" + rt + ")");
                leftovers.addValue(n instanceof Number x ? x : 0, rt, c.name());
            }
            double us = Html.number(c.metrics(), "outlive_max_us");
            outlive.addValue(Double.isNaN(us) ? 0 : us / 1e3, "outlived close() by (max over trials)", c.name());
        }
        List<Color> colours = runtimes.stream().map(Charts::runtime).toList();
        var left = Charts.bars(leftovers, "leftovers after close()", true, colours);
        left.getRangeAxis().setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        var right = Charts.bars(outlive, "ms", false, List.of(new Color(0x8C6BB1)));
        var chart = Charts.chart(Charts.sideBySide(left, right), true);
        h.append("<figure class=\"chart\" id=\"scopes-leftovers\">")
         .append(Charts.svg(chart, Charts.WIDTH, Charts.height(suite.cases().size()), "scopes-leftovers"))
         .append("<figcaption>Per scenario: Java threads, Go goroutines and C workers left after the scope closed, "
                 + "and how long its last remote child outlived close(). A broken variant must show its leak.")
         .append(uncounted.isEmpty() ? "" : " Not counted (n/a): " + Html.esc(String.join(", ", uncounted)) + ".")
         .append("</figcaption></figure>\n");
    }
}
