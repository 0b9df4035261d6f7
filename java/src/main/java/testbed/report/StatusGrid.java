package testbed.report;

import static testbed.report.Html.esc;

/**
 * The view of a suite that has none of its own: one cell per case, coloured by its status,
 * each a link to the case; the cases that fail the run are named beneath with their messages.
 */
final class StatusGrid implements SuiteView {
    @Override
    public void render(StringBuilder h, SuiteResult suite) {
        h.append("<div class=\"grid\">");
        for (CaseResult c : suite.cases()) {
            h.append("<span class=\"cell st-").append(c.status().name()).append("\" data-case=\"").append(esc(c.name()))
             .append("\" title=\"").append(esc(c.name() + ": " + Html.word(c.status()) + "; " + c.message())).append("\">")
             .append(Html.link(suite.name(), c.name(), esc(c.name()))).append("</span>");
        }
        h.append("</div>\n");
    }
}
