package testbed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import testbed.harness.Session;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.litmus.Rung;
import testbed.litmus.Shape;
import testbed.litmus.engine.Budget;
import testbed.litmus.engine.LitmusRunner;
import testbed.litmus.engine.LitmusSession;
import testbed.litmus.runtime.CoreToCore;
import testbed.report.CaseResult;
import testbed.report.Status;

/**
 * {@code make bench-litmus}: the litmus engine against jcstress, the anchor of issue 3, in one
 * run. jcstress 0.16 runs its quick preset on our own jcstress tests (java/src/jcstress: SB and
 * MP, each plain, opaque, release/acquire and volatile), one fork each; then the engine runs the
 * same shapes and modes Java with Java, and Java with C, C with C and C with Go at relaxed,
 * acq_rel and sc, each for the time jcstress sampled a fork; five such repetitions by default. Printed per shape, modes and
 * pairing: samples per second and interesting outcomes per second (how fast the relaxed
 * behaviour is found), each with its ratio to jcstress and the goal: 1.0x for J-J, 0.5x for the
 * pairings with C and Go. A figure below its goal is printed as "below goal".
 *
 * <p>Ours: the median over the repetitions of the engine's own figures (samples, and samples of
 * the test's INTERESTING outcomes, over the time from the first round's release to the stop),
 * repetitions interleaved across tests so that a burst of other load does not land on one test.
 * jcstress's: the median over its forks (one per test and repetition) of a fork's samples divided
 * by the time it sampled (iterations x time per iteration, as it prints them). Each repetition
 * runs jcstress's forks and then every engine test, so that both sides sample the same spells of
 * the host's placement of the vCPUs; the core-to-core round trip is measured beside each.
 *
 * <p>Exit codes: 0 the bench ran (whatever the ratios), 1 a test failed on either side (a
 * forbidden outcome, an engine error, a jcstress failure), 2 it could not run.
 */
public final class LitmusBench {

    public static final String JCSTRESS_VERSION = "0.16";
    /** jcstress's preset: 5 iterations x 200 ms per fork in 0.16. */
    static final String JCSTRESS_PRESET = "quick";
    /**
     * One JVM configuration for the forks, that of jcstress's own "C2 only" mode: both actors
     * compiled by C2, as the engine's Java actors are. Split compilation is off, so no fork runs
     * an actor interpreted or in C1, which would only lower jcstress's figures.
     */
    static final String JCSTRESS_FORK_ARGS = "-XX:-TieredCompilation --enable-native-access=ALL-UNNAMED";
    static final String JCSTRESS_TESTS = "^testbed\\.jcstress\\..*";
    /** The default bound on one jcstress repetition. */
    public static final long JCSTRESS_BOUND_SECONDS = 240;
    /**
     * The engine's part starts no run after this; a run already started ends within its own
     * bounds (its budget, then the stall bound). About 100 s are needed on an idle machine.
     */
    static final Duration ENGINE_BOUND = Duration.ofMinutes(5);

    static final double GOAL_JJ = 1.0;
    static final double GOAL_MIXED = 0.5;

    /** A jcstress test and the engine's shape and rung that run the same accesses. */
    enum Anchor {
        SB_PLAIN(Shape.SB, Rung.PLAIN, "testbed.jcstress.StoreBuffering.Plain"),
        SB_RELAXED(Shape.SB, Rung.RELAXED, "testbed.jcstress.StoreBuffering.Opaque"),
        SB_ACQ_REL(Shape.SB, Rung.ACQ_REL, "testbed.jcstress.StoreBuffering.ReleaseAcquire"),
        SB_SC(Shape.SB, Rung.SC, "testbed.jcstress.StoreBuffering.Volatile"),
        MP_PLAIN(Shape.MP, Rung.PLAIN, "testbed.jcstress.MessagePassing.Plain"),
        MP_RELAXED(Shape.MP, Rung.RELAXED, "testbed.jcstress.MessagePassing.Opaque"),
        MP_ACQ_REL(Shape.MP, Rung.ACQ_REL, "testbed.jcstress.MessagePassing.ReleaseAcquire"),
        MP_SC(Shape.MP, Rung.SC, "testbed.jcstress.MessagePassing.Volatile");

        final Shape shape;
        final Rung rung;
        final String jcstressTest;

        Anchor(Shape shape, Rung rung, String jcstressTest) {
            this.shape = shape;
            this.rung = rung;
            this.jcstressTest = jcstressTest;
        }

        /** J-J on every rung; the pairings with C and Go where C has the accesses (not plain). */
        List<String> pairings() {
            return rung == Rung.PLAIN ? List.of("J-J") : List.of("J-J", "J-C", "C-C", "C-G");
        }
    }

    /**
     * jcstress tests with no engine row: the plain anchors' programs with plain accesses to an
     * off-heap MemorySegment, the memory the engine's Java actors use, instead of two fields. They
     * show what jcstress itself finds on that memory (docs/BUILD.md).
     */
    static final Map<Anchor, String> SEGMENT_PROBES = Map.of(
            Anchor.MP_PLAIN, "testbed.jcstress.MessagePassing.PlainSegment",
            Anchor.SB_PLAIN, "testbed.jcstress.StoreBuffering.PlainSegment");
    static final List<Anchor> PROBED = List.of(Anchor.SB_PLAIN, Anchor.MP_PLAIN);

    /** The goal for a pairing, as a multiple of jcstress's figure. */
    static double goal(String pairing) {
        return pairing.equals("J-J") ? GOAL_JJ : GOAL_MIXED;
    }

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

    /**
     * The outcomes of an anchor's shape that some serial execution gives (one actor's whole
     * program after the other's), as jcstress prints them: the engine's J-J test of the shape
     * gathers the registers in the order of jcstress's r1, r2.
     */
    static Set<String> serialOutcomes(Anchor a) {
        LitmusCase t = canonicalTest(a, "J-J");
        Set<String> out = new java.util.TreeSet<>();
        for (List<Long> o : t.source().serialOutcomes()) {
            out.add(o.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")));
        }
        return out;
    }

    /** The canonical suite by test name, built once. */
    private static final class Canonical {
        static final Map<String, LitmusCase> BY_NAME = new LinkedHashMap<>();
        static {
            for (LitmusCase t : CanonicalSuite.all()) BY_NAME.put(t.name(), t);
        }
    }

    /** The engine's test for an anchor and a pairing. */
    static LitmusCase canonicalTest(Anchor a, String pairing) {
        LitmusCase t = Canonical.BY_NAME.get(testName(a, pairing));
        if (t == null) throw new IllegalStateException("no canonical litmus test " + testName(a, pairing));
        return t;
    }

    /** One line of the table: our test for an anchor and a pairing, its repetitions, and the comparisons. */
    record Row(Anchor anchor, String pairing, String test, List<CaseResult> reps, double samplesPerSecond,
               double interestingPerSecond, double overlapPerSecond, Comparison samples, Comparison interesting,
               double overlapRatio) {
        boolean failed() {
            return reps.stream().anyMatch(c -> c.status() == Status.FAILED || c.status() == Status.ERROR);
        }
    }

    private LitmusBench() {}

    /**
     * What a run is told: where the report and jcstress's work go, the java and class path
     * jcstress runs with, the repetitions, each engine run's length (0: as long as jcstress
     * sampled a configuration) and the bound on one jcstress repetition.
     */
    public record Options(Path report, Path work, Path java, String jcstressClasspath, int reps, long runMs, Duration jcstressBound) { }

    /** Runs the bench, printing to {@code out}; the exit code as the class comment states it. */
    public static int run(Options o, PrintStream out) {
        long started = System.nanoTime();
        Map<String, Object> load = new LinkedHashMap<>();
        double busy = cpuBusyPercent();
        load.put("load_average_1min_start", loadAverage());
        load.put("cpu_busy_percent_start", finite(busy));
        out.printf(Locale.ROOT, "bench-litmus: the litmus engine against jcstress %s, %s, %d cpus, load %.1f, cpus %.0f%% busy%n",
                JCSTRESS_VERSION, System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), loadAverage(), busy);
        warnIfBusy(busy, out);

        // jcstress and the engine take turns, one jcstress fork per test and then one run of
        // every engine test per repetition, so that both sample the same spells of the host's
        // placement of the vCPUs (docs/BUILD.md): on a virtual machine the core-to-core round
        // trip, measured beside each repetition, can change fourfold from one second to the next.
        out.printf(Locale.ROOT, "==> %d repetitions, each: jcstress %s -m %s -f 1 on %d tests (one JVM configuration: %s),"
                + " then every engine test once%n", o.reps(), JCSTRESS_VERSION, JCSTRESS_PRESET, Anchor.values().length + SEGMENT_PROBES.size(),
                JCSTRESS_FORK_ARGS);
        List<LitmusCase> tests = new ArrayList<>();
        List<Anchor> testAnchor = new ArrayList<>();
        for (Anchor a : Anchor.values()) {
            for (String pairing : a.pairings()) {
                tests.add(canonicalTest(a, pairing));
                testAnchor.add(a);
            }
        }
        Map<String, List<CaseResult>> reps = new LinkedHashMap<>();
        for (LitmusCase t : tests) reps.put(t.name(), new ArrayList<>());
        List<JcstressProcess.Outcome> jcRuns = new ArrayList<>();
        List<JcstressOutput> jcParsed = new ArrayList<>();
        List<Double> coreToCore = new ArrayList<>();
        Map<String, Object> host;
        long runMs = o.runMs();
        Budget budget = null;
        try (LitmusSession litmus = LitmusSession.open(tests, null, out)) {
            Session session = litmus.session();
            host = session.host();
            LitmusRunner runner = litmus.runner();
            long engineNs = 0;
            runs:
            for (int rep = 1; rep <= o.reps(); rep++) {
                probe(coreToCore, rep, "before", out);
                // 1. jcstress: one fork of every anchor test.
                JcstressProcess.Outcome jc;
                try {
                    List<String> options = List.of("-m", JCSTRESS_PRESET, "-f", "1", "-sc", "false",
                            "-v", "-t", JCSTRESS_TESTS, "-r", o.work().resolve("results-" + rep).toString());
                    jc = JcstressProcess.run(o.java(), o.jcstressClasspath(), options, JCSTRESS_FORK_ARGS,
                            o.work().resolve("rep-" + rep), o.jcstressBound(), out);
                } catch (IOException e) {
                    out.println("bench-litmus: cannot run jcstress: " + e.getMessage());
                    return 2;
                }
                if (jc.timedOut()) {
                    out.printf(Locale.ROOT, "bench-litmus: jcstress did not finish within %d s; killed it (its output: %s)%n",
                            o.jcstressBound().toSeconds(), jc.log());
                    return 2;
                }
                JcstressOutput parsed;
                try {
                    parsed = JcstressOutput.parse(jc.lines());
                    for (Anchor a : Anchor.values()) parsed.require(a.jcstressTest);
                } catch (IllegalArgumentException e) {
                    out.printf(Locale.ROOT, "bench-litmus: jcstress exited with %d; cannot read its output (%s): %s%n",
                            jc.exitCode(), jc.log(), e.getMessage());
                    return 2;
                }
                jcRuns.add(jc);
                jcParsed.add(parsed);
                out.printf(Locale.ROOT, "  [%d/%d] jcstress: %d configurations in %.1f s, exit code %d%n", rep, o.reps(),
                        parsed.runs().size(), jc.seconds(), jc.exitCode());
                if (budget == null) {
                    // The engine runs each test for as long as jcstress sampled one configuration.
                    if (runMs <= 0) runMs = Math.round(parsed.samplingSeconds() * 1000);
                    budget = new Budget(Duration.ofMillis(runMs), Budget.DEFAULT_STRIDE, Budget.DEFAULT_STALL);
                    out.printf(Locale.ROOT, "==> engine: %d tests per repetition, %d ms each, stride %d%n", tests.size(), runMs,
                            budget.stride());
                }
                // 2. The engine, on the same shapes and modes.
                long e0 = System.nanoTime();
                for (LitmusCase t : tests) {
                    if (engineNs + (System.nanoTime() - e0) > ENGINE_BOUND.toNanos()) {
                        out.printf(Locale.ROOT, "bench-litmus: the engine's runs took over %d s; the remaining runs are"
                                + " skipped and their rows take the median of the runs made%n", ENGINE_BOUND.toSeconds());
                        break runs;
                    }
                    CaseResult r = runner.run(t, budget);
                    reps.get(t.name()).add(r);
                    out.printf(Locale.ROOT, "  [%d/%d] %-16s %s  %s/s samples, %s/s interesting%s%n", rep, o.reps(), t.name(),
                            r.status().label(), rate(metric(r, "samples_per_second")), rate(metric(r, "interesting_per_second")),
                            r.status() == Status.PASSED ? "" : "  (" + r.message() + ")");
                }
                engineNs += System.nanoTime() - e0;
                probe(coreToCore, rep, "after", out);
            }
        } catch (RuntimeException e) {
            out.println("bench-litmus: the engine could not run: " + e.getMessage());
            return 2;
        }
        load.put("load_average_1min_end", loadAverage());
        load.put("cpu_busy_percent_end", finite(cpuBusyPercent()));
        JcstressOutput parsed;
        Map<Anchor, AnchorFigures> anchors = new LinkedHashMap<>();
        try {
            parsed = merge(jcParsed);
            for (Anchor a : Anchor.values()) anchors.put(a, AnchorFigures.of(parsed, a.jcstressTest, serialOutcomes(a)));
        } catch (IllegalArgumentException e) {
            out.println("bench-litmus: cannot combine jcstress's repetitions: " + e.getMessage());
            return 2;
        }

        // 3. Side by side.
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            LitmusCase t = tests.get(i);
            rows.add(row(testAnchor.get(i), t.pairing(), t.name(), reps.get(t.name()), anchors.get(testAnchor.get(i))));
        }
        out.println();
        printTable(rows, anchors, rows.stream().mapToInt(r -> r.reps().size()).max().orElse(0), runMs, jcRuns.size(), parsed, out);
        List<String> probes = new ArrayList<>();
        for (Anchor a : PROBED) probes.add(segmentLine(parsed, a, anchors.get(a)));
        probes.forEach(out::println);
        out.println(coreToCoreLine(coreToCore));
        boolean failed = rows.stream().anyMatch(Row::failed)
                || anchors.values().stream().anyMatch(a -> !a.status().equals("OK"));
        try {
            Path json = writeJson(o, rows, anchors, parsed, probes, jcRuns, coreToCore, host, load, runMs, budget,
                    (System.nanoTime() - started) / 1e9);
            out.printf(Locale.ROOT, "bench-litmus: %d rows in %.1f s, written to %s%n", rows.size(),
                    (System.nanoTime() - started) / 1e9, json);
        } catch (IOException e) {
            out.println("bench-litmus: cannot write the report: " + e.getMessage());
            return 2;
        }
        if (failed) out.println("bench-litmus: FAILED: a test failed on one side (see the lines above)");
        return failed ? 1 : 0;
    }

    /** Probe trips per batch, and batches (the median is kept): about 30 ms in all. */
    static final int PROBE_TRIPS = 20_000;
    static final int PROBE_BATCHES = 3;

    /** Measures the core-to-core round trip, adds it to {@code into} (NaN when it could not), and prints it. */
    private static void probe(List<Double> into, int rep, String when, PrintStream out) {
        OptionalDouble ns = CoreToCore.roundTripNanos(PROBE_BATCHES, PROBE_TRIPS);
        into.add(ns.orElse(Double.NaN));
        out.printf(Locale.ROOT, "  [%d] core-to-core round trip %s: %s%n", rep, when,
                ns.isPresent() ? String.format(Locale.ROOT, "%.0f ns", ns.getAsDouble()) : "not measured (fewer than 2 CPUs, or no pinning)");
    }

    /** The summary line of the probes: their range and median, and what a wide range means. */
    static String coreToCoreLine(List<Double> ns) {
        double[] v = ns.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return "core-to-core round trip: not measured";
        String line = String.format(Locale.ROOT, "core-to-core round trip beside the repetitions: %.0f to %.0f ns (median %.0f ns, %d probes)",
                v[0], v[v.length - 1], median(v), v.length);
        if (v[v.length - 1] > 2 * v[0]) {
            line += "; it changed more than twofold during the run: the host moved the vCPUs, and every figure above moves with it";
        }
        return line;
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

    static String testName(Anchor a, String pairing) {
        return a.shape.token() + "_" + pairing.replace("-", "").toLowerCase(Locale.ROOT) + "_" + a.rung.label();
    }

    /** Our medians over the repetitions that ran, compared with jcstress's figures. */
    static Row row(Anchor a, String pairing, String test, List<CaseResult> reps, AnchorFigures jc) {
        double[] samples = reps.stream().filter(LitmusBench::measured).mapToDouble(r -> metric(r, "samples_per_second")).toArray();
        double[] interesting = reps.stream().filter(LitmusBench::measured).mapToDouble(r -> metric(r, "interesting_per_second")).toArray();
        double[] overlap = reps.stream().filter(LitmusBench::measured).mapToDouble(r -> metric(r, "overlap_per_second")).toArray();
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
    private static boolean measured(CaseResult r) {
        return r.status() != Status.ERROR && r.metrics().containsKey("samples_per_second");
    }

    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double metric(CaseResult r, String key) {
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

    static void printTable(List<Row> rows, Map<Anchor, AnchorFigures> anchors, int reps, long runMs, int forks, JcstressOutput jc,
                           PrintStream out) {
        out.printf(Locale.ROOT, "litmus engine (median of %d runs of %d ms) against jcstress %s -m %s (median of %d forks of %d x %d ms)%n",
                reps, runMs, JCSTRESS_VERSION, JCSTRESS_PRESET, forks, jc.iterations(), jc.iterationMillis());
        String fmt = "%-5s %-8s %-9s %12s %14s   %-20s %-20s %-6s %11s %8s%n";
        out.printf(Locale.ROOT, fmt, "shape", "modes", "pairing", "samples/s", "interesting/s", "samples vs jcstress",
                "interesting vs jcs.", "goal", "overlap/s", "vs jcs.");
        Anchor last = null;
        for (Row r : rows) {
            if (r.anchor() != last) {
                AnchorFigures a = anchors.get(r.anchor());
                out.printf(Locale.ROOT, fmt, r.anchor().shape.title(), r.anchor().rung.label(), "jcstress", rate(a.samplesPerSecond()),
                        rate(a.interestingPerSecond()), "", "", "", rate(a.overlapPerSecond()), "");
                if (!a.status().equals("OK")) out.println("      jcstress: " + a.status());
                last = r.anchor();
            }
            out.printf(Locale.ROOT, fmt, "", "", r.pairing(), rate(r.samplesPerSecond()), rate(r.interestingPerSecond()),
                    r.samples().cell(), r.interesting().cell(), String.format(Locale.ROOT, ">= %.1fx", goal(r.pairing())),
                    rate(r.overlapPerSecond()), Double.isNaN(r.overlapPerSecond()) ? "no figure"
                            : Double.isNaN(r.overlapRatio()) ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.overlapRatio()));
            if (r.failed()) out.println("      FAILED: " + failure(r));
        }
        out.println("modes: plain = Java plain; relaxed = Java opaque, C relaxed, Go sync/atomic (its weakest atomic access,"
                + " seq_cst); acq_rel = release/acquire on the synchronising accesses (Go: sync/atomic); sc = Java volatile,"
                + " C seq_cst, Go sync/atomic");
        out.printf(Locale.ROOT, "goal: J-J >= %.1fx jcstress, J-C, C-C and C-G >= %.1fx, on both figures; n/a: jcstress saw no"
                + " interesting outcome (forbidden there, or not seen)%n", GOAL_JJ, GOAL_MIXED);
        out.println("overlap/s (no goal): samples whose outcome no serial execution gives (SB (1, 1), MP (0, 1), and any relaxed"
                + " outcome): the actors' accesses interleaved, the only samples in which a forbidden outcome can show;"
                + " its vs jcs. is n/a when jcstress had no such sample");
        List<String> below = new ArrayList<>();
        int judged = 0;
        for (Row r : rows) {
            Map<String, Comparison> figures = new LinkedHashMap<>();
            figures.put("samples/s", r.samples());
            figures.put("interesting/s", r.interesting());
            for (Map.Entry<String, Comparison> c : figures.entrySet()) {
                Verdict v = c.getValue().verdict();
                if (v == Verdict.MEETS || v == Verdict.BELOW || v == Verdict.NO_FIGURE) judged++;
                if (v == Verdict.BELOW || v == Verdict.NO_FIGURE) {
                    below.add(String.format(Locale.ROOT, "%s %s %s %s %s", r.anchor().shape.title(), r.anchor().rung.label(),
                            r.pairing(), c.getKey(), c.getValue().cell()));
                }
            }
        }
        out.printf(Locale.ROOT, "goal lines: %d of %d figures meet their goal%s%n", judged - below.size(), judged,
                below.isEmpty() ? "" : "; below goal: " + String.join("; ", below));
    }

    private static String failure(Row r) {
        return r.reps().stream().filter(c -> c.status() == Status.FAILED || c.status() == Status.ERROR)
                .map(CaseResult::message).findFirst().orElse("");
    }

    private static void warnIfBusy(double busyPercent, PrintStream out) {
        if (busyPercent > 25) {
            out.printf(Locale.ROOT, "bench-litmus: warning: other processes keep the cpus %.0f%% busy; every figure, both sides,"
                    + " is lower than on an idle machine%n", busyPercent);
        }
    }

    /**
     * How busy the CPUs were over the last second, in percent of all of them, from Linux's
     * /proc/stat; NaN elsewhere. Called while the bench itself is idle, so it is other load.
     */
    static double cpuBusyPercent() {
        try {
            long[] a = cpuTimes();
            Thread.sleep(1000);
            long[] b = cpuTimes();
            long total = b[0] - a[0];
            return total <= 0 ? Double.NaN : 100.0 * (total - (b[1] - a[1])) / total;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** {total, idle + iowait} jiffies of all CPUs. */
    private static long[] cpuTimes() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Path writeJson(Options o, List<Row> rows, Map<Anchor, AnchorFigures> anchors, JcstressOutput parsed,
                                  List<String> probes, List<JcstressProcess.Outcome> jcRuns, List<Double> coreToCore, Map<String, Object> host,
                                  Map<String, Object> load, long runMs,
                                  Budget budget, double seconds) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "litmus");
        doc.put("created", Instant.now().toString());
        doc.put("seconds", seconds);
        Map<String, Object> machine = new LinkedHashMap<>(host);
        machine.put("jvm_args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("load", load);
        doc.put("machine", machine);

        Map<String, Object> method = new LinkedHashMap<>();
        method.put("order", "per repetition: one jcstress fork of every anchor test, then one run of every engine test;"
                + " the core-to-core round trip measured before and after each repetition");
        method.put("ours", String.format(Locale.ROOT, "median over %d repetitions (interleaved across tests) of the engine's"
                + " samples and interesting samples per second, each run %d ms from the first round's release to the stop,"
                + " stride %d, in one JVM with one region and one Go peer", o.reps(), runMs, budget.stride()));
        method.put("jcstress", String.format(Locale.ROOT, "jcstress %s -m %s -f 1 -sc false, once per repetition (%d forks per"
                + " test in all), forks run with %s; median over the forks of a fork's samples divided by iterations x time per"
                + " iteration (%d x %d ms)", JCSTRESS_VERSION, JCSTRESS_PRESET, jcRuns.size(), JCSTRESS_FORK_ARGS,
                parsed.iterations(), parsed.iterationMillis()));
        method.put("interesting", "samples of the outcomes the test names INTERESTING (jcstress: ACCEPTABLE_INTERESTING)");
        method.put("overlap", "samples whose outcome no serial execution of the shape gives (the engine's overlap witnesses;"
                + " for jcstress counted from its histogram), per second, medians as above; no goal");
        method.put("goals", Map.of("J-J", GOAL_JJ, "J-C", GOAL_MIXED, "C-C", GOAL_MIXED, "C-G", GOAL_MIXED));
        method.put("repetitions", o.reps());
        method.put("run_ms", runMs);
        method.put("stride", budget.stride());
        doc.put("method", method);
        doc.put("core_to_core_round_trip_ns", coreToCore);
        doc.put("jcstress_segment_probes", probes);

        Map<String, Object> jcs = new LinkedHashMap<>();
        jcs.put("version", JCSTRESS_VERSION);
        jcs.put("preset", parsed.preset());
        jcs.put("iterations", parsed.iterations());
        jcs.put("iteration_ms", parsed.iterationMillis());
        jcs.put("fork_args", JCSTRESS_FORK_ARGS);
        jcs.put("exit_code", jcRuns.stream().mapToInt(JcstressProcess.Outcome::exitCode).max().orElse(0));
        jcs.put("seconds", jcRuns.stream().mapToDouble(JcstressProcess.Outcome::seconds).sum());
        jcs.put("output", jcRuns.stream().map(r -> r.log().toString()).toList());
        jcs.put("command", jcRuns.isEmpty() ? List.of() : jcRuns.get(0).command());
        List<Map<String, Object>> jt = new ArrayList<>();
        for (Map.Entry<Anchor, AnchorFigures> e : anchors.entrySet()) {
            AnchorFigures a = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test", a.test());
            m.put("shape", e.getKey().shape.title());
            m.put("modes", e.getKey().rung.label());
            m.put("status", a.status());
            m.put("compilation", a.compilation());
            m.put("jvm_args", a.jvmArgs());
            m.put("forks", a.forks().size());
            m.put("forbidden", a.forbidden());
            m.put("sampling_seconds_per_fork", a.seconds());
            m.put("samples_per_second", a.samplesPerSecond());
            m.put("interesting_per_second", a.interestingPerSecond());
            m.put("overlap_per_second", finite(a.overlapPerSecond()));
            List<Map<String, Object>> forks = new ArrayList<>();
            for (JcstressOutput.Run r : a.forks()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("fork", r.fork());
                f.put("status", r.status());
                f.put("samples", r.samples());
                f.put("interesting", r.interesting());
                f.put("histogram", r.rows());
                forks.add(f);
            }
            m.put("fork_results", forks);
            jt.add(m);
        }
        jcs.put("tests", jt);
        doc.put("jcstress", jcs);

        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shape", r.anchor().shape.title());
            m.put("modes", r.anchor().rung.label());
            m.put("pairing", r.pairing());
            m.put("test", r.test());
            m.put("jcstress_test", r.anchor().jcstressTest);
            m.put("samples_per_second", finite(r.samplesPerSecond()));
            m.put("interesting_per_second", finite(r.interestingPerSecond()));
            m.put("samples", r.samples().json());
            m.put("interesting", r.interesting().json());
            Map<String, Object> ov = new LinkedHashMap<>();
            ov.put("ours", finite(r.overlapPerSecond()));
            ov.put("jcstress", finite(anchors.get(r.anchor()).overlapPerSecond()));
            ov.put("ratio", finite(r.overlapRatio()));
            ov.put("goal", null);
            m.put("overlap", ov);
            List<Map<String, Object>> rs = new ArrayList<>();
            for (CaseResult c : r.reps()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("status", c.status().name());
                x.put("message", c.message());
                x.put("samples", c.metrics().get("samples"));
                x.put("interesting", c.metrics().get("interesting"));
                x.put("samples_per_second", c.metrics().get("samples_per_second"));
                x.put("interesting_per_second", c.metrics().get("interesting_per_second"));
                x.put("overlap_witnesses", c.metrics().get("overlap_witnesses"));
                x.put("overlap_per_second", c.metrics().get("overlap_per_second"));
                x.put("elapsed_ms", c.metrics().get("elapsed_ms"));
                rs.add(x);
            }
            m.put("repetitions", rs);
            if (!r.reps().isEmpty()) m.put("actors", r.reps().get(0).details().get("actors"));
            out.add(m);
        }
        doc.put("rows", out);

        Files.createDirectories(o.report());
        Path file = o.report().resolve("bench-litmus.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        return file;
    }
}
