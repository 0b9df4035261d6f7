package testbed.report;

import org.jfree.data.category.DefaultCategoryDataset;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The counters (and the guest's counter cases) at a glance: per case, the increments each
 * runtime says it contributed, stacked, beside the updates that were lost. A correct case has
 * no bar on the right; a broken variant or a known hazard must have one.
 */
final class CountersChart implements SuiteView {
    @Override
    public void render(StringBuilder h, SuiteResult suite) {
        DefaultCategoryDataset contributed = new DefaultCategoryDataset();
        DefaultCategoryDataset lost = new DefaultCategoryDataset();
        Set<String> runtimes = new LinkedHashSet<>();
        for (CaseResult c : suite.cases()) {
            for (Map<String, Object> row : Html.rows(c.details(), "contributions")) runtimes.add(Html.text(row, "runtime"));
        }
        if (runtimes.isEmpty()) {
            new StatusGrid().render(h, suite);
            return;
        }
        for (CaseResult c : suite.cases()) {
            Map<String, Number> byRuntime = new java.util.HashMap<>();
            for (Map<String, Object> row : Html.rows(c.details(), "contributions")) {
                if (row.get("increments") instanceof Number n) byRuntime.merge(Html.text(row, "runtime"), n.doubleValue(), (a, b) -> a.doubleValue() + b.doubleValue());
            }
            for (String rt : runtimes) contributed.addValue(byRuntime.getOrDefault(rt, 0), rt, c.name());
            double n = Html.number(c.metrics(), "lost_updates");
            lost.addValue(Double.isNaN(n) ? 0 : n, "lost updates", c.name());
        }
        var left = Charts.bars(contributed, "increments contributed, by runtime", true, runtimes.stream().map(Charts::runtime).toList());
        var right = Charts.bars(lost, "updates lost", false, List.of(Charts.LOST));
        var chart = Charts.chart(Charts.sideBySide(left, right), true);
        h.append("<figure class=\"chart\" id=\"counters-contributions\">")
         .append(Charts.svg(chart, Charts.WIDTH, Charts.height(suite.cases().size()) + 30, "counters-contributions"))
         .append("<figcaption>Per case: what each runtime added to the shared slots, and the updates lost. "
                 + "Only a broken variant or a known hazard may lose any.</figcaption></figure>\n");
    }
}
