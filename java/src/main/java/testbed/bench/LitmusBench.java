package testbed.bench;

import static testbed.bench.Anchor.PROBED;
import static testbed.bench.Anchor.SEGMENT_PROBES;
import static testbed.bench.Anchor.canonicalTest;
import static testbed.bench.Anchor.serialOutcomes;
import static testbed.bench.LitmusBenchFigures.finite;
import static testbed.bench.LitmusBenchFigures.median;
import static testbed.bench.LitmusBenchFigures.merge;
import static testbed.bench.LitmusBenchFigures.metric;
import static testbed.bench.LitmusBenchFigures.rate;
import static testbed.bench.LitmusBenchFigures.row;
import static testbed.bench.LitmusBenchFigures.segmentLine;
import static testbed.bench.LitmusBenchReport.coreToCoreLine;
import static testbed.bench.LitmusBenchReport.printTable;
import static testbed.bench.LitmusBenchReport.writeJson;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import testbed.bench.LitmusBenchFigures.AnchorFigures;
import testbed.bench.LitmusBenchFigures.Row;
import testbed.harness.Session;
import testbed.litmus.LitmusCase;
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
}
