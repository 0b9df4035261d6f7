package testbed.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts: JFreeChart plots drawn onto JFreeSVG's Graphics2D, so each is an
 * inline {@code <svg>} that needs no script, font or file from elsewhere. One look for all of
 * them (white plot, no shadows or gradients, the legend on top), one colour per runtime, and
 * ids prefixed per chart so that several on one page never share a clip path.
 */
final class Charts {
    static {
        // Charts are drawn in the run's JVM, which has no display; AWT must not look for one.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    static final int WIDTH = 1000;
    /** Pixels per category row of a horizontal chart, and what its axes and legend take. */
    static final int ROW = 18;
    static final int FRAME = 90;

    /** Runtimes in the order and colours every chart uses; an unknown one is grey. */
    private static final Map<String, Color> RUNTIME = Map.ofEntries(
            Map.entry("java", new Color(0xE07B00)), Map.entry("java_plain", new Color(0xF2B366)),
            Map.entry("c", new Color(0x4D4D4D)), Map.entry("c_ffm", new Color(0x4D4D4D)), Map.entry("c_jnr", new Color(0x9A9A9A)),
            Map.entry("go", new Color(0x00A0B0)));
    private static final Color GUEST = new Color(0x7B5EA7);
    static final Color LOST = new Color(0xC0262D);

    private Charts() {}

    static Color runtime(String name) {
        if (name.startsWith("js")) return GUEST;
        return RUNTIME.getOrDefault(name.toLowerCase(Locale.ROOT), new Color(0xB0B0B0));
    }

    /** The chart as an inline {@code <svg>} of {@code width} x {@code height}, scaled down by CSS on a narrow page. */
    static String svg(JFreeChart chart, int width, int height, String id) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setDefsKeyPrefix(id + "-");
        // One decimal is a tenth of a pixel; JFreeSVG's default writes every double in full.
        g.setGeomDoubleConverter(Charts::decimal);
        g.setTransformDoubleConverter(Charts::decimal);
        chart.draw(g, new Rectangle(width, height));
        return g.getSVGElement(id, true, new ViewBox(0, 0, width, height), null, null) + "\n";
    }

    private static String decimal(double d) {
        long tenths = Math.round(d * 10);
        return tenths % 10 == 0 ? Long.toString(tenths / 10) : Double.toString(tenths / 10.0);
    }

    /** The height of a horizontal chart of {@code rows} category rows. */
    static int height(int rows) {
        return FRAME + ROW * Math.max(1, rows);
    }

    /** A chart with the report's look around {@code plot}. */
    static JFreeChart chart(org.jfree.chart.plot.Plot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(null, LABEL, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        // Room on the right for the last tick label of a value axis, which is centred on its tick.
        chart.setPadding(new org.jfree.chart.ui.RectangleInsets(2, 2, 2, 24));
        LegendTitle l = chart.getLegend();
        if (l != null) {
            l.setPosition(RectangleEdge.TOP);
            l.setFrame(BlockBorder.NONE);
            l.setItemFont(LABEL);
        }
        return chart;
    }

    /** A horizontal bar plot of {@code data} (rows are series, columns categories), stacked or side by side. */
    static CategoryPlot bars(DefaultCategoryDataset data, String valueLabel, boolean stacked, List<Color> colours) {
        BarRenderer r = stacked ? new StackedBarRenderer() : new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        r.setItemMargin(0.0);
        r.setMaximumBarWidth(0.8);
        for (int i = 0; i < colours.size(); i++) r.setSeriesPaint(i, colours.get(i));
        NumberAxis value = new NumberAxis(valueLabel);
        return plot(data, value, r);
    }

    /** A horizontal category plot with the report's look: categories down the left, values along the bottom. */
    static CategoryPlot plot(org.jfree.data.category.CategoryDataset data, ValueAxis value, org.jfree.chart.renderer.category.CategoryItemRenderer r) {
        CategoryAxis cats = categoryAxis();
        value.setLabelFont(LABEL);
        value.setTickLabelFont(TICK);
        CategoryPlot p = new CategoryPlot(data, cats, value, r);
        p.setOrientation(PlotOrientation.HORIZONTAL);
        p.setBackgroundPaint(Color.WHITE);
        p.setOutlineVisible(false);
        p.setRangeGridlinePaint(new Color(0xDDDDDD));
        p.setRangeGridlineStroke(new java.awt.BasicStroke(0.5f));
        return p;
    }

    /** The category axis of every chart: one row per case, labels up to half the width. */
    private static CategoryAxis categoryAxis() {
        CategoryAxis cats = new CategoryAxis();
        cats.setTickLabelFont(TICK);
        cats.setMaximumCategoryLabelWidthRatio(0.5f);
        cats.setCategoryMargin(0.15);
        cats.setLowerMargin(0.01);
        cats.setUpperMargin(0.01);
        return cats;
    }

    /** Plots side by side that share their categories (one row per case), each with its own value axis. */
    static CombinedDomainCategoryPlot sideBySide(CategoryPlot... plots) {
        CategoryAxis cats = categoryAxis();
        CombinedDomainCategoryPlot c = new CombinedDomainCategoryPlot(cats);
        c.setOrientation(PlotOrientation.HORIZONTAL);
        c.setGap(16);
        for (int i = 0; i < plots.length; i++) c.add(plots[i], i == 0 ? 3 : 2);
        return c;
    }
}
