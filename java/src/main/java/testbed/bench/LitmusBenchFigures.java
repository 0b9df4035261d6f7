package testbed.bench;

import static testbed.bench.Anchor.goal;
import static testbed.bench.Anchor.SEGMENT_PROBES;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import testbed.report.CaseResult;
import testbed.report.Status;

/**
 * The figures of {@code make bench-litmus} ({@link LitmusBench}): jcstress's per test, ours per
 * test and pairing as medians over the repetitions, and how each of ours compares with
 * jcstress's against its goal.
 */
final class LitmusBenchFigures {
    private LitmusBenchFigures() {}

    /** How one of our figures compares with jcstress's. */
    enum Verdict {
        MEETS("meets goal"),
        BELOW("below goal"),
        /** jcstress's figure is zero (nothing to find: the outcome is forbidden or was not seen): no ratio. */
        NO_ANCHOR("n/a"),
        /** Our side has no figure: its test failed or erred. */
        NO_FIGURE("no figure");

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }

    /** Our figure against jcstress's; {@code ratio} is NaN when there is none. */
    record Comparison(double ours, double anchor, double goal, double ratio, Verdict verdict) {
        static Comparison of(double ours, double anchor, double goal) {
            if (Double.isNaN(ours)) return new Comparison(ours, anchor, goal, Double.NaN, Verdict.NO_FIGURE);
            if (!(anchor > 0)) return new Comparison(ours, anchor, goal, Double.NaN, Verdict.NO_ANCHOR);
            double ratio = ours / anchor;
            return new Comparison(ours, anchor, goal, ratio, ratio >= goal ? Verdict.MEETS : Verdict.BELOW);
        }

        /** "1.23x", "0.42x below goal", "n/a", "no figure". */
        String cell() {
            return switch (verdict) {
                case MEETS -> String.format(Locale.ROOT, "%.2fx", ratio);
                case BELOW -> String.format(Locale.ROOT, "%.2fx below goal", ratio);
                case NO_ANCHOR, NO_FIGURE -> verdict.label;
            };
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ours", finite(ours));
            m.put("jcstress", finite(anchor));
            m.put("ratio", finite(ratio));
            m.put("goal", goal);
            m.put("verdict", verdict.label);
            return m;
        }
    }

    /**
     * jcstress's figures for one test, from its output: the median over its forks of samples
     * and of interesting samples per second (each over the time the fork sampled), the worst
     * status, and every fork's histogram.
     */
    record AnchorFigures(String test, String status, String compilation, String jvmArgs, double samplesPerSecond,
                         double interestingPerSecond, double overlapPerSecond, long forbidden, double seconds,
                         List<JcstressOutput.Run> forks) {

        /** Without the serial outcomes of the shape: no overlap figure (NaN). */
        static AnchorFigures of(JcstressOutput out, String test) {
            return of(out, test, null);
        }

        /**
         * @param serial the outcomes a serial execution gives, as jcstress prints them ("0, 1");
         *     every other outcome is an overlap witness. Null: no overlap figure.
         */
        static AnchorFigures of(JcstressOutput out, String test, Set<String> serial) {
            List<JcstressOutput.Run> runs = out.require(test);
            double t = out.samplingSeconds();
            String status = runs.stream().map(JcstressOutput.Run::status).filter(x -> !x.equals("OK")).findFirst().orElse("OK");
            JcstressOutput.Run first = runs.get(0);
            return new AnchorFigures(test, status, first.compilation(), first.jvmArgs(),
                    median(runs.stream().mapToDouble(r -> r.samples() / t).toArray()),
                    median(runs.stream().mapToDouble(r -> r.interesting() / t).toArray()),
                    serial == null ? Double.NaN : median(runs.stream().mapToDouble(r -> overlap(r, serial) / t).toArray()),
                    runs.stream().mapToLong(JcstressOutput.Run::forbidden).sum(), t, runs);
        }

        /** Samples of a fork whose outcome no serial execution gives. */
        static long overlap(JcstressOutput.Run r, Set<String> serial) {
            return r.rows().stream().filter(x -> !serial.contains(x.outcome())).mapToLong(JcstressOutput.Row::samples).sum();
        }
    }

    /** One line of the table: our test for an anchor and a pairing, its repetitions, and the comparisons. */
    record Row(Anchor anchor, String pairing, String test, List<CaseResult> reps, double samplesPerSecond,
               double interestingPerSecond, double overlapPerSecond, Comparison samples, Comparison interesting,
               double overlapRatio) {
        boolean failed() {
            return reps.stream().anyMatch(c -> c.status() == Status.FAILED || c.status() == Status.ERROR);
        }
    }

    /**
     * What jcstress found for a plain anchor's program on plain segment accesses against plain
     * fields: the samples and interesting samples of the probe's forks and of the anchor's, and
     * each one's median interesting samples per second.
     */
    static String segmentLine(JcstressOutput parsed, Anchor anchor, AnchorFigures fields) {
        String probe = SEGMENT_PROBES.get(anchor);
        String name = anchor.shape.title() + " " + anchor.rung.label();
        List<JcstressOutput.Run> runs = parsed.runsOf(probe);
        if (runs.isEmpty()) return "jcstress on segment memory: " + probe + " did not run";
        long samples = runs.stream().mapToLong(JcstressOutput.Run::samples).sum();
        long interesting = runs.stream().mapToLong(JcstressOutput.Run::interesting).sum();
        long fieldSamples = fields.forks().stream().mapToLong(JcstressOutput.Run::samples).sum();
        long fieldInteresting = fields.forks().stream().mapToLong(JcstressOutput.Run::interesting).sum();
        String line = String.format(Locale.ROOT, "jcstress on segment memory: %s with plain accesses to an off-heap"
                + " MemorySegment (the engine's memory): %,d interesting in %,d samples (%s/s); on plain fields: %,d in %,d (%s/s)",
                name, interesting, samples, rate(AnchorFigures.of(parsed, probe).interestingPerSecond()), fieldInteresting,
                fieldSamples, rate(fields.interestingPerSecond()));
        double expected = fieldSamples == 0 ? 0 : (double) fieldInteresting / fieldSamples * samples;
        if (interesting == 0 && expected >= 20) {
            line += String.format(Locale.ROOT, " (%.0f at the fields' rate): jcstress found the outcome on fields and not"
                    + " on segment memory, which is all the engine's Java actors have", expected);
        }
        return line;
    }

    /** jcstress's runs of every repetition as one output (same preset, iterations and iteration time). */
    static JcstressOutput merge(List<JcstressOutput> each) {
        if (each.isEmpty()) throw new IllegalArgumentException("no jcstress output to merge");
        JcstressOutput first = each.get(0);
        List<JcstressOutput.Run> runs = new ArrayList<>();
        for (JcstressOutput o : each) {
            if (o.iterations() != first.iterations() || o.iterationMillis() != first.iterationMillis()) {
                throw new IllegalArgumentException("jcstress runs with different iterations or iteration times cannot be merged");
            }
            runs.addAll(o.runs());
        }
        // The closing summaries ("across all configurations") add up, test by test and outcome by outcome.
        Map<String, Map<String, JcstressOutput.Row>> totals = new LinkedHashMap<>();
        for (JcstressOutput o : each) {
            o.totals().forEach((test, rows) -> {
                Map<String, JcstressOutput.Row> byOutcome = totals.computeIfAbsent(test, t -> new LinkedHashMap<>());
                for (JcstressOutput.Row r : rows) {
                    byOutcome.merge(r.outcome(), r, (x, y) -> new JcstressOutput.Row(x.outcome(), x.samples() + y.samples(), x.expect(), x.description()));
                }
            });
        }
        Map<String, List<JcstressOutput.Row>> summed = new LinkedHashMap<>();
        totals.forEach((test, rows) -> summed.put(test, List.copyOf(rows.values())));
        return new JcstressOutput(first.preset(), first.iterations(), first.iterationMillis(), runs, summed);
    }

    /** Our medians over the repetitions that ran, compared with jcstress's figures. */
    static Row row(Anchor a, String pairing, String test, List<CaseResult> reps, AnchorFigures jc) {
        double[] samples = reps.stream().filter(LitmusBenchFigures::measured).mapToDouble(r -> metric(r, "samples_per_second")).toArray();
        double[] interesting = reps.stream().filter(LitmusBenchFigures::measured).mapToDouble(r -> metric(r, "interesting_per_second")).toArray();
        double[] overlap = reps.stream().filter(LitmusBenchFigures::measured).mapToDouble(r -> metric(r, "overlap_per_second")).toArray();
        // A repetition that erred leaves the row without a figure: its median would hide the fault.
        boolean complete = !reps.isEmpty() && samples.length == reps.size();
        double s = complete ? median(samples) : Double.NaN;
        double i = complete ? median(interesting) : Double.NaN;
        double v = complete ? median(overlap) : Double.NaN;
        double goal = goal(pairing);
        return new Row(a, pairing, test, List.copyOf(reps), s, i, v,
                Comparison.of(s, jc.samplesPerSecond(), goal), Comparison.of(i, jc.interestingPerSecond(), goal),
                jc.overlapPerSecond() > 0 ? v / jc.overlapPerSecond() : Double.NaN);
    }

    /** A repetition that produced figures: it ran to its end (a forbidden outcome still counts its samples). */
    static boolean measured(CaseResult r) {
        return r.status() != Status.ERROR && r.metrics().containsKey("samples_per_second");
    }

    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double metric(CaseResult r, String key) {
        Object v = r.metrics().get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** 54.0 M, 812.3 K, 250: three significant figures or so. */
    static String rate(double v) {
        if (Double.isNaN(v)) return "-";
        if (v >= 1e6) return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        if (v >= 1e3) return String.format(Locale.ROOT, "%.1f K", v / 1e3);
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
