package testbed.report;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** report.html read back with an HTML parser: the overview's structure, not its looks (the browser check sees those). */
@Timeout(60)
class HtmlReportTest {
    private static final Report REPORT = ReportFixtures.full();
    private static final Document PAGE = Jsoup.parse(HtmlReport.render(REPORT));

    @Test
    void everyCaseHasItsAnchorAndEveryLinkLandsOnOne() {
        for (SuiteResult s : REPORT.suites()) {
            for (CaseResult c : s.cases()) {
                Element e = PAGE.getElementById(s.name() + "." + c.name());
                assertNotNull(e, "no anchor for " + s.name() + "/" + c.name());
                assertEquals("details", e.tagName(), "a case's anchor is its collapsed details");
                assertFalse(e.hasAttr("open"), "details start collapsed");
            }
        }
        for (Element a : PAGE.select("a[href^=#]")) {
            String id = a.attr("href").substring(1);
            assertNotNull(PAGE.getElementById(id), "link to a missing anchor: " + a.attr("href"));
        }
    }

    @Test
    void theLitmusMatrixHasOneCellPerCaseColouredByVerdict() {
        SuiteResult litmus = REPORT.suites().stream().filter(s -> s.name().equals("litmus")).findFirst().orElseThrow();
        Elements cells = PAGE.select("#suite-litmus table.matrix td[data-case]");
        assertEquals(litmus.cases().size(), cells.size(), "one cell per litmus case");
        assertEquals(litmus.cases().stream().map(CaseResult::name).sorted().toList(),
                cells.stream().map(e -> e.attr("data-case")).sorted().toList(), "each case in exactly one cell");
        for (Element td : cells) {
            assertEquals("#litmus." + td.attr("data-case"), td.selectFirst("a").attr("href"), "a click opens the case");
        }
        assertTrue(cell("sb_jc_relaxed").hasClass("v-interesting"));
        assertEquals("0.42%", cell("sb_jc_relaxed").text(), "the interesting outcome's share of samples");
        assertTrue(cell("sb_cc_relaxed").hasClass("v-unseen"));
        assertTrue(cell("sb_jc_sc").hasClass("v-ok"));
        assertTrue(cell("lb_jc_relaxed").hasClass("v-forbidden"));
        assertTrue(cell("lb_jc_relaxed").hasClass("st-FAILED"), "a failed case stands out");
        assertTrue(cell("selfcheck_sb_jc_sc_declared_one_acq_rel").hasClass("xf"), "a caught broken variant is marked as such");
        assertTrue(cell("wrc_jcg_sc").hasClass("st-ERROR"));
        // Rows are tests, columns pairings: the broken variant shares sb_jc_sc's column, not its row.
        Element sc = cell("sb_jc_sc"), broken = cell("selfcheck_sb_jc_sc_declared_one_acq_rel");
        assertEquals(sc.elementSiblingIndex(), broken.elementSiblingIndex());
        assertTrue(sc.parent() != broken.parent());
        // Two, four actors and a guest are separate matrices with their own columns.
        List<String> captions = PAGE.select("#suite-litmus table.matrix caption").eachText();
        assertTrue(captions.stream().anyMatch(t -> t.startsWith("2 actors,")), captions.toString());
        assertTrue(captions.stream().anyMatch(t -> t.startsWith("4 actors,")), captions.toString());
        assertTrue(captions.stream().anyMatch(t -> t.startsWith("2 actors, one a JavaScript guest")), captions.toString());
    }

    private static Element cell(String name) {
        return PAGE.selectFirst("#suite-litmus td[data-case=" + name + "]");
    }

    @Test
    void thePageOpensOnTheVerdictThenTheOverviewThenTheDetails() {
        Element body = PAGE.body();
        assertTrue(body.selectFirst("p.verdict").text().startsWith("Run failed."));
        assertEquals(List.of("litmus/lb_jc_relaxed", "litmus/wrc_jcg_sc"), PAGE.select("ul.failing code").eachText(),
                "the cases that failed the run are named first");
        List<String> sections = PAGE.select("section.suite").eachAttr("id");
        assertEquals(List.of("suite-litmus", "suite-cancellation", "suite-scopes", "suite-counters", "suite-audit"), sections,
                "litmus leads; a suite without a view of its own still has its section");
        String html = PAGE.outerHtml();
        assertTrue(html.indexOf("id=\"suite-audit\"") < html.indexOf("id=\"cases\""), "the overview comes before every case's details");
    }

    @Test
    void chartsAreInlineSvgAndThePageLoadsNothingFromElsewhere() {
        Element plot = PAGE.selectFirst("#cancellation-latency svg");
        assertNotNull(plot, "the cancellation latency plot");
        assertTrue(plot.select("text").eachText().stream().anyMatch(t -> t.contains("java_client_cancel_bidi_goroutines")),
                "the plot names its case");
        assertTrue(PAGE.selectFirst("#cancellation-latency figcaption").text().contains("cancel_before_start"),
                "a case with no cancel latency is named as not drawn");
        assertNotNull(PAGE.selectFirst("#scopes-leftovers svg"));
        assertTrue(PAGE.selectFirst("#scopes-leftovers figcaption").text().contains("go_handler_leaks_goroutine (c)"),
                "an uncounted leftover is said, not drawn as none silently");
        assertNotNull(PAGE.selectFirst("#counters-contributions svg"));
        // SVG ids are per chart: two charts never share a clip path.
        List<String> ids = PAGE.select("svg [id]").eachAttr("id");
        assertEquals(ids.size(), ids.stream().distinct().count(), "duplicate ids in the charts");
        assertTrue(PAGE.select("[src]").isEmpty(), "nothing is loaded: no src attribute");
        assertTrue(PAGE.select("link[href]").isEmpty(), "no style sheet from elsewhere");
    }

    @Test
    void aSuiteNoViewKnowsGetsOneCellPerCaseAndItsTextIsEscaped() {
        assertEquals(List.of("audit_ok", "audit_skipped"), PAGE.select("#suite-audit .grid [data-case]").eachAttr("data-case"));
        String html = HtmlReport.render(REPORT);
        assertFalse(html.contains("fine <b>"), "markup in a title is escaped");
        assertTrue(html.contains("fine &lt;b&gt;"));
    }

    @Test
    void aReportOfNothingButAnAbortedRunStillRenders() {
        Report aborted = Report.of("a", "b", "quick", Map.of(), List.of(new SuiteResult("run", "why it stopped",
                List.of(CaseResult.error("run_aborted", "The run stopped", "no peer", 1)))));
        Document d = Jsoup.parse(HtmlReport.render(aborted));
        assertNotNull(d.getElementById("run.run_aborted"));
        assertEquals(1, d.select("#suite-run [data-case]").size());
    }
}
