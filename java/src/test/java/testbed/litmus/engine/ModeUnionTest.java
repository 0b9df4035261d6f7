package testbed.litmus.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.Test;
import testbed.litmus.ArchModel;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.report.CaseResult;
import testbed.report.ReportWriter;
import testbed.report.Status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A test's runs in several JIT modes become one case, judged on the union of their histograms. */
class ModeUnionTest {
    private static final JitMode STRESS = JitMode.c2Stress(9);

    private static LitmusCase named(String name) {
        return CanonicalSuite.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<List<Long>, Long> hist(long... keyValueCount) {
        Map<List<Long>, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValueCount.length; i += 3) m.put(List.of(keyValueCount[i], keyValueCount[i + 1]), keyValueCount[i + 2]);
        return m;
    }

    /** A run's case as a forked JVM reports it: judged alone, stamped with its mode, through JSON as the parent reads it. */
    private static ModeUnion.Run run(JitMode jvm, LitmusCase t, Map<List<Long>, Long> observed, double elapsedMs, double evidenceMs) {
        long samples = observed.values().stream().mapToLong(Long::longValue).sum();
        HistogramVerdict.Judged j = HistogramVerdict.judge(t, new HistogramVerdict.Observed(observed, Map.of(), samples,
                (long) (elapsedMs * 1e6), evidenceMs < 0 ? -1 : (long) (evidenceMs * 1e6), null), EvidenceGoal.of(t));
        Map<String, Object> metrics = new LinkedHashMap<>(j.metrics());
        metrics.put("rounds", samples / 4);
        metrics.put("stride", 4L);
        metrics.put("start_lead_ns", 1000L);
        metrics.put("elapsed_ms", elapsedMs);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("verdict", j.verdict());
        details.put("pairing", t.pairing());
        details.put("observation_expected_here", "expected");
        details.put("histogram", j.histogram());
        details.put("observation", Outcomes.observation(t, observed));
        details.put("actor_runs", List.of(Map.of("actor", "a0", "rounds", samples / 4, "rounds_consumed", samples / 8)));
        details.put("jvm_mode", jvm.label());
        details.put("jvm_verified", "checked " + jvm.label());
        return new ModeUnion.Run(jvm, throughJson(new CaseResult(t.name(), "title", j.status(), j.message(), elapsedMs + 40, metrics, details)));
    }

    private static CaseResult throughJson(CaseResult c) {
        try {
            return ReportWriter.mapper().readValue(ReportWriter.mapper().writeValueAsString(List.of(c)),
                    new TypeReference<List<CaseResult>>() { }).get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModeUnion.Run erred(JitMode jvm, LitmusCase t, String reason) {
        return new ModeUnion.Run(jvm, CaseResult.error(t.name(), "title", reason, 12));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(CaseResult c, String outcome) {
        return ((List<Map<String, Object>>) c.details().get("histogram")).stream()
                .filter(r -> r.get("outcome").equals(outcome)).findFirst().orElseThrow();
    }

    @Test
    void theHistogramsAddUpOutcomeByOutcomeAndEachModeKeepsItsOwn() {
        LitmusCase t = named("sb_jc_relaxed");
        CaseResult c = ModeUnion.of(t, List.of(
                run(JitMode.INTERPRETER, t, hist(0, 1, 100, 1, 0, 50, 1, 1, 10), 100, -1),
                run(JitMode.C2, t, hist(0, 1, 1000, 0, 0, 7), 100, -1)));
        assertEquals(7L, ((Number) row(c, "0, 0").get("count")).longValue());
        assertEquals(1100L, ((Number) row(c, "0, 1").get("count")).longValue());
        assertEquals(50L, ((Number) row(c, "1, 0").get("count")).longValue());
        assertEquals(10L, ((Number) row(c, "1, 1").get("count")).longValue());
        assertEquals(1100.0 / 1167, ((Number) row(c, "0, 1").get("frequency")).doubleValue(), 1e-12);
        assertEquals("c2: 7", row(c, "0, 0").get("seen_in"));
        assertEquals("interpreter: 100, c2: 1,000", row(c, "0, 1").get("seen_in"));
        assertEquals(1167L, ((Number) c.metrics().get("samples")).longValue());
        assertEquals(200.0, ((Number) c.metrics().get("elapsed_ms")).doubleValue());
        assertEquals(291L, ((Number) c.metrics().get("rounds")).longValue());
        // The verdict is the union's: the relaxed outcome only C2 showed is the case's.
        assertEquals(Status.PASSED, c.status());
        assertEquals("interesting_observed", c.details().get("verdict"));
        assertTrue(c.message().startsWith("interesting observed: 7 (0.5998%) in 1,167 samples"), c.message());
        assertTrue(((String) c.details().get("observation")).endsWith(" Sometimes 7 1160"), (String) c.details().get("observation"));
        assertEquals("interpreter, c2", c.details().get("jvm_mode"));
        Map<?, ?> byMode = (Map<?, ?>) c.details().get("histogram_by_jvm_mode");
        assertEquals(List.of("interpreter", "c2"), List.copyOf(byMode.keySet()));
        List<?> interp = (List<?>) byMode.get("interpreter");
        assertEquals(160L, interp.stream().mapToLong(r -> ((Number) ((Map<?, ?>) r).get("count")).longValue()).sum());
        List<?> runs = (List<?>) c.details().get("runs_by_jvm_mode");
        assertEquals("checked c2", ((Map<?, ?>) runs.get(1)).get("jvm_verified"));
        assertEquals(140.0, ((Number) ((Map<?, ?>) runs.get(1)).get("duration_ms")).doubleValue(), "its wall time, start and end included");
        assertEquals(280.0, c.durationMs(), "the case's: its runs' together");
        assertEquals("interpreter", ((Map<?, ?>) ((List<?>) c.details().get("actor_runs")).get(0)).get("jvm_mode"));
        assertFalse(c.details().containsKey("jvm_verified"), "what was verified is per run, not one claim for the case");
    }

    @Test
    void aForbiddenOutcomeNamesTheModesThatShowedIt() {
        LitmusCase t = named("sb_jc_sc");
        CaseResult c = ModeUnion.of(t, List.of(
                run(JitMode.INTERPRETER, t, hist(0, 1, 500, 1, 0, 500), 100, -1),
                run(JitMode.C1, t, hist(0, 1, 500, 0, 0, 3), 100, -1),
                run(JitMode.C2, t, hist(0, 1, 500, 1, 1, 1), 100, -1),
                run(STRESS, t, hist(0, 0, 2, 1, 0, 500), 100, -1)));
        assertEquals(Status.FAILED, c.status());
        assertEquals("forbidden_observed", c.details().get("verdict"));
        assertTrue(c.message().startsWith("forbidden observed: (0, 0) 5 times [c1: 3, c2_stress_9: 2] in 2,506 samples"), c.message());
        assertFalse(c.message().contains("interpreter"), c.message());
        assertEquals(5L, ((Number) c.metrics().get("forbidden")).longValue());
        assertEquals("interpreter, c1, c2, c2_stress_9", c.details().get("jvm_mode"));
    }

    @Test
    void oneModeAloneIsNamedToo() {
        LitmusCase t = named("sb_jc_sc");
        CaseResult c = ModeUnion.of(t, List.of(run(JitMode.C1, t, hist(0, 1, 500, 0, 0, 3), 100, -1)));
        assertTrue(c.message().startsWith("forbidden observed: (0, 0) 3 times [c1: 3] in 503 samples"), c.message());
    }

    @Test
    void aBrokenVariantIsCaughtOnTheUnionWithItsEvidenceTimeSummed() {
        LitmusCase t = named("selfcheck_sb_jc_sc_declared_one_acq_rel");
        // The interpreter looked for its whole bound and saw nothing; C2 caught it in 20 ms.
        CaseResult c = ModeUnion.of(t, List.of(
                run(JitMode.INTERPRETER, t, hist(0, 1, 500), 5000, -1),
                run(JitMode.C2, t, hist(0, 1, 500, 0, 0, 5), 20, 20)));
        assertEquals(Status.EXPECTED_FAILURE, c.status(), c.message());
        assertTrue(c.message().startsWith("caught: forbidden observed: (0, 0) 5 times [c2: 5]"), c.message());
        assertTrue(c.message().endsWith("; evidence: interpreter: 0 of a target 5 in 5,000 ms; c2: target 5 reached in 20 ms"
                + " (bound 5 s in each)"), c.message());
        assertEquals(5L, ((Number) c.metrics().get("evidence_seen")).longValue());
        // The time spent looking, over the modes: each looked until its own target or bound.
        assertEquals(5020.0, ((Number) c.metrics().get("evidence_ms")).doubleValue());
        CaseResult missed = ModeUnion.of(t, List.of(run(JitMode.INTERPRETER, t, hist(0, 1, 500), 5000, -1)));
        assertEquals(Status.FAILED, missed.status());
        assertTrue(missed.message().startsWith("the broken variant was not caught"), missed.message());
        // One mode alone keeps the line litmus-luck reads.
        CaseResult one = ModeUnion.of(t, List.of(run(JitMode.C1, t, hist(0, 0, 6), 30, 12)));
        assertTrue(one.message().endsWith("; evidence: target 5 reached in 12 ms (bound 5 s)"), one.message());
    }

    @Test
    void aModeThatErredMakesTheCaseAnErrorThatNamesIt() {
        LitmusCase t = named("sb_jc_relaxed");
        CaseResult c = ModeUnion.of(t, List.of(
                erred(JitMode.C1, t, "stalled: no round completed in 5000 ms (after 12 rounds)"),
                run(JitMode.C2, t, hist(0, 1, 1000), 100, -1)));
        assertEquals(Status.ERROR, c.status());
        assertTrue(c.message().startsWith("c1: stalled: no round completed"), c.message());
        assertTrue(c.message().contains("; in the other modes: relaxed outcome allowed, not seen here (on " + ArchModel.arch()), c.message());
        assertEquals(1000L, ((Number) c.metrics().get("samples")).longValue());
        assertEquals("c1, c2", c.details().get("jvm_mode"));
        assertEquals(List.of("c2"), List.copyOf(((Map<?, ?>) c.details().get("histogram_by_jvm_mode")).keySet()));
        List<?> runs = (List<?>) c.details().get("runs_by_jvm_mode");
        assertEquals("ERROR", ((Map<?, ?>) runs.get(0)).get("status"));

        CaseResult none = ModeUnion.of(t, List.of(erred(JitMode.C1, t, "JVM sb@c1 exited with code 134 (signal 6) before reporting"),
                erred(JitMode.C2, t, "JVM sb@c2 did not finish within 40 s; killed it")));
        assertEquals(Status.ERROR, none.status());
        assertEquals("c1: JVM sb@c1 exited with code 134 (signal 6) before reporting; c2: JVM sb@c2 did not finish within 40 s; killed it",
                none.message());
    }

    @Test
    void aForbiddenOutcomeStaysTheFindingWhenAnotherModeErred() {
        LitmusCase t = named("sb_jc_sc");
        CaseResult c = ModeUnion.of(t, List.of(run(JitMode.INTERPRETER, t, hist(0, 0, 4, 0, 1, 10), 100, -1),
                erred(STRESS, t, "a0 (java st_ld.volatile.volatile): aborted")));
        assertEquals(Status.FAILED, c.status());
        assertTrue(c.message().startsWith("forbidden observed: (0, 0) 4 times [interpreter: 4]"), c.message());
        assertTrue(c.message().endsWith("; erred in c2_stress_9: a0 (java st_ld.volatile.volatile): aborted"), c.message());
    }

    @Test
    void aTestWithoutAJavaActorRunsOnceAndSaysWhyItsModeDoesNotApply() {
        LitmusCase t = named("sb_cc_relaxed");
        CaseResult c = ModeUnion.of(t, List.of(run(JitMode.C2, t, hist(0, 1, 1000, 0, 0, 9), 100, -1)));
        assertEquals("not_applicable", c.details().get("jvm_mode"));
        assertEquals("no Java actor: the JIT compiles nothing its C and Go actors run, so it runs once (in a c2 JVM)",
                c.details().get("jvm_mode_note"));
        assertFalse(c.details().containsKey("histogram_by_jvm_mode"));
        assertFalse(row(c, "0, 0").containsKey("seen_in"));
        assertTrue(c.message().startsWith("interesting observed: 9 "), c.message());
        CaseResult crashed = ModeUnion.of(t, List.of(erred(JitMode.C2, t, "JVM sb@c2 exited with code 134 (signal 6) before reporting")));
        assertEquals("JVM sb@c2 exited with code 134 (signal 6) before reporting", crashed.message(), "no mode to name");
    }

    @Test
    void eachModesHistogramIsATableWithBarsInTheHtmlReport() {
        LitmusCase t = named("sb_jc_relaxed");
        CaseResult c = ModeUnion.of(t, List.of(run(JitMode.C1, t, hist(0, 1, 100, 0, 0, 3), 100, -1),
                run(STRESS, t, hist(1, 0, 400), 100, -1)));
        String html = testbed.report.HtmlReport.render(testbed.report.Report.of("s", "f", "default", Map.of(),
                List.of(new testbed.report.SuiteResult("litmus", "", List.of(c)))));
        String section = html.substring(html.indexOf("<summary>histogram_by_jvm_mode</summary>"));
        assertTrue(section.startsWith("<summary>histogram_by_jvm_mode</summary>\n<table><tr><th>c1</th><td><table><tr><th>outcome</th>"), section);
        assertTrue(section.contains("<th>c2_stress_9</th><td><table>"), section);
        assertTrue(section.substring(0, section.indexOf("</details>")).contains("class=\"bar\""), "counts drawn as bars");
        assertTrue(html.contains("<td>c1: 3</td>"), "the union's rows say where an outcome was seen");
    }

    @Test
    void anOutcomeKeyReadsBackAsItsValues() {
        assertEquals(List.of(1L, 0L), ModeUnion.outcome("1, 0"));
        assertEquals(List.of(3L, 0L, 2L, 1L), ModeUnion.outcome("3, 0, 2, 1"));
        assertEquals(List.of(2L), ModeUnion.outcome("2"));
    }
}
