package testbed.report;

import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

import java.awt.Color;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static testbed.report.Html.esc;

/**
 * How fast cancels arrived: per case, a box plot of its cancel-to-last-stop latency beside
 * one of the loopback gRPC round trip measured right before each of its trials, on one
 * logarithmic axis in microseconds. Box: p25 to p75, the line in it the median, whiskers
 * from the fastest to the slowest trial. A latency row written before those quantiles were
 * (p50, p99 and max only) draws a box of the median alone and whiskers up to the max.
 */
final class CancellationPlot implements SuiteView {
    static final String LATENCY = "cancel_to_last_stop";
    static final String RTT = "loopback_unary_rtt";
    private static final String LATENCY_SERIES = "cancel to last stop";
    private static final String RTT_SERIES = "loopback round trip (same trials)";

    @Override
    public void render(StringBuilder h, SuiteResult suite) {
        DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        List<String> without = new ArrayList<>();
        int drawn = 0;
        for (CaseResult c : suite.cases()) {
            Map<String, Object> latency = measure(c, LATENCY);
            if (latency == null) {
                without.add(Html.link(suite.name(), c.name(), "<code>" + esc(c.name()) + "</code>"));
                continue;
            }
            data.add(box(latency), LATENCY_SERIES, c.name());
            Map<String, Object> rtt = measure(c, RTT);
            if (rtt != null) data.add(box(rtt), RTT_SERIES, c.name());
            drawn++;
        }
        if (drawn == 0) {
            new StatusGrid().render(h, suite);
            return;
        }
        LogAxis axis = new LogAxis("microseconds, log scale (box: p25 to p75 and median; whiskers: fastest to slowest trial)");
        axis.setBase(10);
        axis.setSmallestValue(1);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        // Ticks at the powers of ten, minor ones between: fractional powers read as noise.
        axis.setAutoTickUnitSelection(false);
        axis.setTickUnit(new NumberTickUnit(1.0));
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        BoxAndWhiskerRenderer r = new BoxAndWhiskerRenderer();
        r.setMeanVisible(false);
        r.setFillBox(true);
        r.setItemMargin(0.05);
        r.setMaximumBarWidth(0.45);
        r.setSeriesPaint(0, new Color(0x3B6FB6));
        r.setSeriesPaint(1, new Color(0xBBBBBB));
        r.setSeriesOutlinePaint(0, new Color(0x1F3F6B));
        r.setSeriesOutlinePaint(1, new Color(0x777777));
        r.setUseOutlinePaintForWhiskers(true);
        var chart = Charts.chart(Charts.plot(data, axis, r), true);
        int rows = data.getColumnCount() * 2;
        h.append("<figure class=\"chart\" id=\"cancellation-latency\">")
         .append(Charts.svg(chart, Charts.WIDTH, Charts.height(rows), "cancellation-latency"))
         .append("<figcaption>Cancel latency per case: the initiator's cancel to the last piece of work that saw it, "
                 + "in both processes on CLOCK_MONOTONIC, beside the loopback round trip sampled with the same trials.")
         .append(without.isEmpty() ? "" : " Not drawn (they measure no cancel-to-last-stop latency): " + String.join(", ", without) + ".")
         .append("</figcaption></figure>\n");
    }

    /** The latency row of {@code measure}, or null when the case has none. */
    static Map<String, Object> measure(CaseResult c, String measure) {
        for (Map<String, Object> row : Html.rows(c.details(), "latency")) {
            if (measure.equals(row.get("measure")) && row.get("p50_us") instanceof Number) return row;
        }
        return null;
    }

    private static BoxAndWhiskerItem box(Map<String, Object> row) {
        double p50 = Html.number(row, "p50_us");
        double max = or(Html.number(row, "max_us"), p50);
        double min = or(Html.number(row, "min_us"), p50);
        double q1 = or(Html.number(row, "p25_us"), p50);
        double q3 = or(Html.number(row, "p75_us"), p50);
        return new BoxAndWhiskerItem(null, p50, q1, q3, min, max, min, max, List.of());
    }

    private static double or(double v, double otherwise) {
        return Double.isNaN(v) ? otherwise : v;
    }
}
