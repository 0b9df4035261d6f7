package testbed.report;

/**
 * The view at the top of a suite's section of report.html: the one picture that answers the
 * suite's question. A suite without a view of its own gets {@link StatusGrid}, so a new suite
 * appears in the overview with no code here.
 */
interface SuiteView {
    /** Appends the view's HTML; every case it shows links to its details by {@link Html#anchor}. */
    void render(StringBuilder h, SuiteResult suite);

    static SuiteView of(String suite) {
        return switch (suite) {
            case "litmus" -> new LitmusMatrix();
            case "cancellation" -> new CancellationPlot();
            case "scopes" -> new ScopesChart();
            case "counters" -> new CountersChart();
            default -> new StatusGrid();
        };
    }
}
