package testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.bench.LitmusBenchFigures.AnchorFigures;
import testbed.bench.LitmusBenchFigures.Comparison;
import testbed.bench.LitmusBenchFigures.Verdict;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.report.CaseResult;
import testbed.report.Status;

/**
 * make bench-litmus without running anything: the jcstress parser on a recorded run of
 * jcstress 0.16 (its console output for two of our jcstress tests, captured with the bench's
 * own options), and the ratio and goal logic, including that a figure below its goal is
 * printed as such.
 */
@Timeout(30)
class LitmusBenchTest {

    static final Path FIXTURE = Path.of(System.getProperty("user.dir"), "java", "src", "test", "resources", "testbed", "bench",
            "jcstress-0.16-quick.txt");
    static final String SB = "testbed.jcstress.StoreBuffering.ReleaseAcquire";
    static final String MP = "testbed.jcstress.MessagePassing.Volatile";

    static JcstressOutput recorded() throws IOException {
        return JcstressOutput.parse(Files.readAllLines(FIXTURE, StandardCharsets.UTF_8));
    }

    @Test
    void theRecordedRunIsReadForkByFork() throws IOException {
        JcstressOutput out = recorded();
        assertEquals("quick", out.preset());
        assertEquals(5, out.iterations());
        assertEquals(200, out.iterationMillis());
        assertEquals(1.0, out.samplingSeconds());
        assertEquals(6, out.runs().size(), out.runs().toString());

        List<JcstressOutput.Run> sb = out.require(SB);
        assertEquals(List.of(1, 3, 2), sb.stream().map(JcstressOutput.Run::fork).toList(), "forks in the order printed");
        JcstressOutput.Run first = sb.get(0);
        assertEquals("OK", first.status());
        assertEquals("unified across all actors", first.compilation());
        assertTrue(first.jvmArgs().contains("-XX:-TieredCompilation"), first.jvmArgs());
        assertEquals(4, first.rows().size());
        assertEquals(16_907_028L + 11_360_044 + 25_715_803 + 376, first.samples());
        assertEquals(16_907_028L, first.interesting());
        assertEquals(0, first.forbidden());
        assertEquals("0, 0", first.rows().get(0).outcome());
        assertTrue(first.rows().get(0).description().startsWith("Both loads missed"), first.rows().get(0).description());

        JcstressOutput.Run mp = out.require(MP).get(0);
        assertEquals(22_340_412L + 4_531 + 0 + 18_828_068, mp.samples());
        assertEquals(0, mp.interesting(), "MP volatile names no interesting outcome");
        assertEquals(List.of("Acceptable", "Acceptable", "Forbidden", "Acceptable"),
                mp.rows().stream().map(JcstressOutput.Row::expect).toList());

        // The closing summary: the forks added up, "across all configurations".
        assertEquals(Set.of(SB, MP), out.totals().keySet());
        assertEquals(sb.stream().mapToLong(JcstressOutput.Run::samples).sum(),
                out.totals().get(SB).stream().mapToLong(JcstressOutput.Row::samples).sum());
        assertThrows(IllegalArgumentException.class, () -> out.require("testbed.jcstress.Missing"));
    }

    @Test
    void jcstressRatesAreTheMedianForkOverTheTimeItSampled() throws IOException {
        AnchorFigures a = AnchorFigures.of(recorded(), SB);
        assertEquals(3, a.forks().size());
        // Forks: 53.98 M, 63.83 M and 57.72 M samples in 1 s each; (0,0) 16.9 M, 25.5 M and 26.5 M.
        assertEquals(26_540_461L + 16_329_664 + 14_850_085 + 641, a.samplesPerSecond(), 1e-6);
        assertEquals(25_540_887.0, a.interestingPerSecond(), 1e-6);
        assertEquals("OK", a.status());
    }

    @Test
    void overlapIsEveryOutcomeNoSerialExecutionGives() throws IOException {
        assertEquals(Set.of("0, 1", "1, 0"), Anchor.serialOutcomes(Anchor.SB_SC));
        assertEquals(Set.of("0, 1", "1, 0"), Anchor.serialOutcomes(Anchor.SB_PLAIN));
        assertEquals(Set.of("0, 0", "1, 1"), Anchor.serialOutcomes(Anchor.MP_SC), "reader: flag y into r1, data x into r2");

        JcstressOutput out = recorded();
        // SB: the relaxed (0, 0) and the interleaved (1, 1) of the first fork; MP: its (0, 1) only.
        JcstressOutput.Run sb = out.require(SB).get(0);
        assertEquals(16_907_028L + 376, AnchorFigures.overlap(sb, Anchor.serialOutcomes(Anchor.SB_ACQ_REL)));
        JcstressOutput.Run mp = out.require(MP).get(0);
        assertEquals(4_531L, AnchorFigures.overlap(mp, Anchor.serialOutcomes(Anchor.MP_SC)));
        // A wrong serial set (SB's for MP) counts the serial outcomes too, and differs.
        assertEquals(22_340_412L + 18_828_068, AnchorFigures.overlap(mp, Anchor.serialOutcomes(Anchor.SB_SC)));

        AnchorFigures a = AnchorFigures.of(out, MP, Anchor.serialOutcomes(Anchor.MP_SC));
        double[] perFork = out.require(MP).stream().mapToDouble(r -> AnchorFigures.overlap(r, Set.of("0, 0", "1, 1"))).sorted().toArray();
        assertEquals(perFork[1], a.overlapPerSecond(), 1e-6, "the median fork over its 1 s");
        assertTrue(Double.isNaN(AnchorFigures.of(out, MP).overlapPerSecond()), "no serial set, no figure");
        // Forks that sampled 2 s (5 x 400 ms): per second is half the count.
        JcstressOutput longer = new JcstressOutput("quick", 5, 400, out.runs(), Map.of());
        assertEquals(perFork[1] / 2, AnchorFigures.of(longer, MP, Anchor.serialOutcomes(Anchor.MP_SC)).overlapPerSecond(), 1e-6);
    }

    private static JcstressOutput.Run mpRun(String test, int fork, long interesting, long delivered) {
        return new JcstressOutput.Run(test, "OK", "unified across all actors", "[]", fork, List.of(
                new JcstressOutput.Row("0, 0", 1_000_000, "Acceptable", ""),
                new JcstressOutput.Row("1, 0", interesting, JcstressOutput.INTERESTING, ""),
                new JcstressOutput.Row("1, 1", delivered, "Acceptable", "")));
    }

    /**
     * The probe line of a jcstress output with one fork of the anchor (2,001,000 samples of two
     * outcomes besides {@code fieldsInteresting}) and, unless {@code segmentInteresting} is
     * negative, one of its segment probe (1 M of each besides its interesting samples).
     */
    /** One fork of MP (interesting "1, 0") or SB (interesting "0, 0") with 1 M samples and {@code last} of its two others. */
    private static JcstressOutput.Run run(Anchor a, String test, long interesting, long last) {
        if (a.shape == testbed.litmus.Shape.MP) return mpRun(test, 1, interesting, last);
        return new JcstressOutput.Run(test, "OK", "unified across all actors", "[]", 1, List.of(
                new JcstressOutput.Row("0, 0", interesting, JcstressOutput.INTERESTING, ""),
                new JcstressOutput.Row("0, 1", 1_000_000, "Acceptable", ""),
                new JcstressOutput.Row("1, 0", last, "Acceptable", "")));
    }

    private static String probeLine(Anchor a, long fieldsInteresting, long segmentInteresting) {
        List<JcstressOutput.Run> runs = new java.util.ArrayList<>(List.of(run(a, a.jcstressTest, fieldsInteresting, 1_001_000)));
        if (segmentInteresting >= 0) runs.add(run(a, Anchor.SEGMENT_PROBES.get(a), segmentInteresting, 1_000_000));
        JcstressOutput out = new JcstressOutput("quick", 5, 200, runs, Map.of());
        return LitmusBenchFigures.segmentLine(out, a, AnchorFigures.of(out, a.jcstressTest));
    }

    @Test
    void theSegmentProbesSayWhatJcstressFindsOnSegmentMemory() {
        // Fields: 1,000 in 2,002,000 samples; segment: none in 2,000,000, where about 999 were due.
        String line = probeLine(Anchor.MP_PLAIN, 1_000, 0);
        assertTrue(line.startsWith("jcstress on segment memory: MP plain "), line);
        assertTrue(line.contains("0 interesting in 2,000,000 samples (0/s); on plain fields: 1,000 in 2,002,000 (1.0 K/s)"), line);
        assertTrue(line.contains("999 at the fields' rate): jcstress found the outcome on fields and not on segment memory"), line);
        // Found on the segment too: no claim.
        assertFalse(probeLine(Anchor.MP_PLAIN, 1_000, 3).contains("and not on segment memory"));
        // Not run: said so.
        assertTrue(probeLine(Anchor.MP_PLAIN, 1_000, -1).contains("did not run"));

        // SB's probe: found more often on the segment than on fields, said with both rates and no claim.
        String sb = probeLine(Anchor.SB_PLAIN, 2_000_000, 8_000_000);
        assertTrue(sb.startsWith("jcstress on segment memory: SB plain "), sb);
        assertTrue(sb.contains("(8.00 M/s); on plain fields: 2,000,000 in 4,001,000 (2.00 M/s)"), sb);
        assertFalse(sb.contains("and not on segment memory"), sb);
    }

    @Test
    void repetitionsMergeIntoOneOutputWhoseSummariesAddUp() throws IOException {
        JcstressOutput one = recorded();
        JcstressOutput two = LitmusBenchFigures.merge(List.of(one, one));
        assertEquals(2 * one.runs().size(), two.runs().size());
        assertEquals(6, two.require(SB).size(), "three forks from each repetition");
        long once = one.totals().get(SB).stream().mapToLong(JcstressOutput.Row::samples).sum();
        assertEquals(2 * once, two.totals().get(SB).stream().mapToLong(JcstressOutput.Row::samples).sum());
        JcstressOutput other = new JcstressOutput("quick", 5, 100, List.of(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> LitmusBenchFigures.merge(List.of(one, other)));
        assertThrows(IllegalArgumentException.class, () -> LitmusBenchFigures.merge(List.of()));
    }

    @Test
    void coreToCoreLineFlagsARoundTripThatMovedMoreThanTwofold() {
        assertTrue(LitmusBenchReport.coreToCoreLine(List.of(70.0, 80.0, 350.0)).contains("changed more than twofold"));
        assertFalse(LitmusBenchReport.coreToCoreLine(List.of(70.0, 80.0, 90.0)).contains("changed"));
        assertTrue(LitmusBenchReport.coreToCoreLine(List.of(Double.NaN)).contains("not measured"));
    }

    @Test
    void textThatIsNotJcstressOutputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JcstressOutput.parse(List.of("Error: Could not find or load main class org.openjdk.jcstress.Main")));
        assertTrue(e.getMessage().contains("Iterations per fork"), e.getMessage());
    }

    @Test
    void splitCompilationNamesEachActorsCompiler() {
        JcstressOutput out = JcstressOutput.parse(List.of(
                "    Iterations per fork: 5",
                "    Time per iteration: 200 ms",
                ".......... [OK] testbed.jcstress.StoreBuffering.ReleaseAcquire",
                "  Compilation: split",
                "    first: C2",
                "    second: Interpreter",
                "  JVM args: []",
                "  Fork: #1",
                "  RESULT    SAMPLES     FREQ       EXPECT  DESCRIPTION",
                "    0, 0      5,628    0.06%  Interesting  Both loads missed",
                "    1, 1     16,057    0.18%   Acceptable  Both stores were visible",
                ""));
        JcstressOutput.Run r = out.require(SB).get(0);
        assertEquals("split (first: C2, second: Interpreter)", r.compilation());
        assertEquals("", r.jvmArgs());
        assertEquals(21_685, r.samples());
        assertEquals(5_628, r.interesting());
    }

    @Test
    void aFigureBelowItsGoalIsReportedBelowGoal() {
        Comparison below = Comparison.of(40e6, 54e6, Anchor.goal("J-J"));
        assertEquals(Verdict.BELOW, below.verdict());
        assertEquals("0.74x below goal", below.cell());

        Comparison half = Comparison.of(27e6, 54e6, Anchor.goal("C-G"));
        assertEquals(Verdict.MEETS, half.verdict(), "exactly half meets the 0.5x goal");
        assertEquals("0.50x", half.cell());
        assertEquals(Verdict.BELOW, Comparison.of(26.9e6, 54e6, Anchor.goal("J-C")).verdict());
        assertEquals(Verdict.BELOW, Comparison.of(0, 5.3e6, Anchor.goal("J-J")).verdict(), "none found is 0x, below goal");

        assertEquals(Verdict.NO_ANCHOR, Comparison.of(1e6, 0, 1.0).verdict(), "jcstress found none: no ratio");
        assertEquals("n/a", Comparison.of(0, 0, 1.0).cell());
        assertEquals(Verdict.NO_FIGURE, Comparison.of(Double.NaN, 54e6, 1.0).verdict());
        assertEquals(1.0, Anchor.goal("J-J"));
        assertEquals(0.5, Anchor.goal("C-C"));
    }

    @Test
    void rowsTakeTheMedianAndATestThatErredHasNoFigure() {
        AnchorFigures sb = anchor(2.5e6, 1.25e6);
        LitmusBenchFigures.Row ok = LitmusBenchFigures.row(Anchor.SB_ACQ_REL, "J-J", "sb_jj_acq_rel",
                List.of(rep(3e6, 1e6, 0.08e6), rep(1e6, 0.2e6, 0.01e6), rep(2e6, 0.5e6, 0.05e6)), sb);
        assertEquals(2e6, ok.samplesPerSecond());
        assertEquals(0.5e6, ok.interestingPerSecond());
        assertEquals(Verdict.BELOW, ok.samples().verdict(), "2.0 M/s against 2.5 M/s at goal 1.0x");
        assertEquals(Verdict.BELOW, ok.interesting().verdict());
        assertEquals(0.05e6, ok.overlapPerSecond());
        assertEquals(0.5, ok.overlapRatio(), 1e-9, "0.05 M/s against jcstress's 0.1 M/s");
        assertFalse(ok.failed());

        LitmusBenchFigures.Row mixed = LitmusBenchFigures.row(Anchor.SB_ACQ_REL, "J-C", "sb_jc_acq_rel",
                List.of(rep(3e6, 1e6), rep(1.3e6, 0.7e6), rep(2e6, 0.5e6)), sb);
        assertEquals(Verdict.MEETS, mixed.samples().verdict(), "2.0 M/s against 2.5 M/s at goal 0.5x");

        CaseResult erred = CaseResult.error("sb_jj_acq_rel", "", "stalled", 1);
        LitmusBenchFigures.Row bad = LitmusBenchFigures.row(Anchor.SB_ACQ_REL, "J-J", "sb_jj_acq_rel", List.of(rep(3e6, 1e6), erred, rep(2e6, 1e6)), sb);
        assertTrue(bad.failed());
        assertEquals(Verdict.NO_FIGURE, bad.samples().verdict());
        assertTrue(Double.isNaN(bad.overlapPerSecond()), "no overlap figure either");
        assertTrue(Double.isNaN(bad.overlapRatio()));
    }

    @Test
    void theTablePrintsBelowGoalAndTheGoalLines() throws IOException {
        JcstressOutput jc = recorded();
        AnchorFigures sb = anchor(2.5e6, 1.25e6);
        List<LitmusBenchFigures.Row> rows = List.of(
                LitmusBenchFigures.row(Anchor.SB_ACQ_REL, "J-J", "sb_jj_acq_rel", List.of(rep(3e6, 2e6)), sb),
                LitmusBenchFigures.row(Anchor.SB_ACQ_REL, "C-G", "sb_cg_acq_rel", List.of(rep(1e6, 0.1e6)), sb));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        LitmusBenchReport.printTable(rows, Map.of(Anchor.SB_ACQ_REL, sb), 1, 1000, 3, jc, new PrintStream(text, true, StandardCharsets.UTF_8));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("jcstress        2.50 M"), printed);
        assertTrue(printed.contains("1.20x"), printed);
        assertTrue(printed.contains("50.0 K    0.50x"), printed);

        // A row whose test erred has no overlap figure either: "no figure", not "n/a".
        LitmusBenchFigures.Row erred = LitmusBenchFigures.row(Anchor.SB_ACQ_REL, "J-C", "sb_jc_acq_rel",
                List.of(CaseResult.error("sb_jc_acq_rel", "", "stalled", 1)), sb);
        ByteArrayOutputStream text2 = new ByteArrayOutputStream();
        LitmusBenchReport.printTable(List.of(erred), Map.of(Anchor.SB_ACQ_REL, sb), 1, 1000, 3, jc, new PrintStream(text2, true, StandardCharsets.UTF_8));
        String line = text2.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("J-C")).findFirst().orElseThrow();
        assertTrue(line.endsWith("no figure"), line);
        assertTrue(printed.contains("0.40x below goal"), printed);
        assertTrue(printed.contains("0.08x below goal"), printed);
        assertTrue(printed.contains("goal lines: 2 of 4 figures meet their goal; below goal: SB acq_rel C-G samples/s 0.40x below goal;"
                + " SB acq_rel C-G interesting/s 0.08x below goal"), printed);
    }

    @Test
    void everyAnchorHasItsCanonicalTests() {
        Set<String> names = CanonicalSuite.all().stream().map(LitmusCase::name).collect(Collectors.toSet());
        int n = 0;
        for (Anchor a : Anchor.values()) {
            for (String pairing : a.pairings()) {
                String name = Anchor.testName(a, pairing);
                assertTrue(names.contains(name), name);
                n++;
            }
        }
        assertEquals(26, n);
        assertEquals("sb_jc_acq_rel", Anchor.testName(Anchor.SB_ACQ_REL, "J-C"));
    }

    /** jcstress's figures, made up: samples and interesting samples per second. */
    private static AnchorFigures anchor(double samplesPerSecond, double interestingPerSecond) {
        return new AnchorFigures(SB, "OK", "unified across all actors", "-XX:-TieredCompilation", samplesPerSecond,
                interestingPerSecond, 0.1e6, 0, 1.0, List.of());
    }

    private static CaseResult rep(double samplesPerSecond, double interestingPerSecond) {
        return rep(samplesPerSecond, interestingPerSecond, 0.05e6);
    }

    private static CaseResult rep(double samplesPerSecond, double interestingPerSecond, double overlapPerSecond) {
        return new CaseResult("x", "", Status.PASSED, "", 1, Map.of("samples_per_second", samplesPerSecond,
                "interesting_per_second", interestingPerSecond, "overlap_per_second", overlapPerSecond), Map.of());
    }
}
