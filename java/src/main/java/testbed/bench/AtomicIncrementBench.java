package testbed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import testbed.Mode;
import testbed.ffi.NativeLibrary;
import testbed.ffi.PanamaShim;
import testbed.region.Region;
import testbed.region.RegionLayout;
import testbed.region.SegmentAtomics;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code bench atomic} ({@code make bench}): what one seq_cst atomic increment of an int64 in the
 * shared region costs through each binding, a VarHandle getAndAdd on the MemorySegment, an FFM
 * downcall of interop_fetch_add_seq_cst (plain and critical) and a jnr-ffi call of the same
 * function, measured by JMH ({@link IncrementBenchmarks}).
 *
 * <p>Scenarios: {@code uncontended} (one thread, counter slot 0); with two threads,
 * {@code shared} (both on counter slot 0: true contention), {@code padded} (counter slots 0 and 1,
 * 128 bytes apart: no sharing) and {@code packed} (packed slots 0 and 1, adjacent in one cache
 * line: false sharing).
 *
 * <p>Method: JMH's average time per call as one thread sees it (comparable across scenarios:
 * padded near uncontended means no interference), in forked JVMs that inherit this one's flags,
 * with the forks, warm-up and measured iterations of the {@link Plan} for the mode. The error is
 * JMH's: the half-width of the 99.9% confidence interval over the measured iterations of every
 * fork. Printed: JMH's own output and tables, then one table of every row with its ratio to the
 * VarHandle row of its scenario; {@code bench.json} holds the same with each iteration's score.
 * Every iteration's slots are checked to hold exactly the increments made; an inexact count
 * fails the bench.
 */
public final class AtomicIncrementBench {

    private AtomicIncrementBench() {}

    /**
     * JMH's settings per mode. 16 benchmarks (4 bindings x 4 scenarios), each in {@code forks}
     * JVMs of warm-up plus measured iterations, and about a second of JVM start each: quick about
     * 30 s on 2 cores, default about 1.5 min, tough about 7 min.
     */
    record Plan(String mode, int forks, int warmupIterations, int measurementIterations, long iterationMillis) {
        static Plan of(Mode mode) {
            return switch (mode) {
                case QUICK -> new Plan(mode.label(), 1, 2, 5, 100);
                case DEFAULT -> new Plan(mode.label(), 2, 2, 5, 300);
                case TOUGH -> new Plan(mode.label(), 3, 5, 10, 500);
            };
        }
    }

    /** A binding: its {@link IncrementBenchmarks} method and the label of its rows. */
    enum Binding {
        VARHANDLE("varhandle", "varhandle"), FFM("ffm", "ffm"), FFM_CRITICAL("ffmCritical", "ffm-critical"), JNR("jnr", "jnr");

        final String method;
        final String label;

        Binding(String method, String label) {
            this.method = method;
            this.label = label;
        }

        static Binding ofMethod(String method) {
            return Arrays.stream(values()).filter(b -> b.method.equals(method)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no binding for benchmark method " + method));
        }
    }

    /** Which slots the threads increment: thread i the i-th of {@link #slots}. */
    enum Scenario {
        UNCONTENDED("uncontended", 1, "counter slot 0"),
        SHARED("shared", 2, "counter slot 0, both threads"),
        PADDED("padded", 2, "counter slots 0 and 1 (128 B apart)"),
        PACKED("packed", 2, "packed slots 0 and 1 (adjacent, one line)");

        final String label;
        final int threads;
        final String slots;

        Scenario(String label, int threads, String slots) {
            this.label = label;
            this.threads = threads;
            this.slots = slots;
        }

        static Scenario parse(String label) {
            return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + label + "'"));
        }

        MemorySegment[] slots(Region region) {
            return switch (this) {
                case UNCONTENDED -> new MemorySegment[] {region.counterSlot(0)};
                case SHARED -> new MemorySegment[] {region.counterSlot(0), region.counterSlot(0)};
                case PADDED -> new MemorySegment[] {region.counterSlot(0), region.counterSlot(1)};
                case PACKED -> new MemorySegment[] {region.packedSlot(0), region.packedSlot(1)};
            };
        }
    }

    /** One row of the result: a binding in a scenario, JMH's figures and the ratio to VarHandle's. */
    public record Row(String binding, String scenario, int threads, String slots, double score, double error, String unit,
                      long samples, double min, double max, double ratioVsVarHandle, double[] iterationScores) {}

    /** An iteration whose slots do not hold exactly the increments made. */
    static final class InexactCountException extends RuntimeException {
        InexactCountException(String message) {
            super(message);
        }
    }

    /**
     * Whether {@code failure} carries an {@link InexactCountException}: JMH 1.37 wraps a
     * benchmark's exception in a {@code BenchmarkException} that keeps it as a suppressed
     * exception, not as its cause, so both are followed.
     */
    static boolean inexact(Throwable failure) {
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(List.of(failure));
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) continue;
            if (t instanceof InexactCountException || t.getClass().getName().equals(InexactCountException.class.getName())
                    || String.valueOf(t.getMessage()).contains(InexactCountException.class.getSimpleName())) {
                return true;
            }
            if (t.getCause() != null) todo.push(t.getCause());
            for (Throwable s : t.getSuppressed()) todo.push(s);
        }
        return false;
    }

    /**
     * Runs the benchmarks under JMH, prints JMH's output and the table with the ratios to
     * {@code out} and writes {@code reportDir/bench.json}.
     *
     * @return 0 on success, 1 if an iteration counted wrong, 2 if the bench could not run
     */
    public static int run(Mode mode, Path reportDir, PrintStream out) {
        return run(Plan.of(mode), reportDir, out);
    }

    /** {@link #run(Mode, Path, PrintStream)} with {@code plan}'s forks and iterations (a test runs a tiny one). */
    static int run(Plan plan, Path reportDir, PrintStream out) {
        long started = System.nanoTime();
        String shim;
        // The forks load the shim as this JVM does: a missing one stops here, in one line.
        try (PanamaShim ffm = NativeLibrary.panama(false)) {
            shim = ffm.version();
        } catch (RuntimeException e) {
            out.println("bench: cannot run: " + e.getMessage());
            return 2;
        }
        out.printf(Locale.ROOT, "bench: atomic increment under JMH, mode %s (%d fork(s), %d warm-up + %d measured iterations of %d ms"
                        + " per benchmark), %s, %d cpus, load %.1f%n", plan.mode(), plan.forks(), plan.warmupIterations(),
                plan.measurementIterations(), plan.iterationMillis(), shim, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        List<RunResult> results = new ArrayList<>();
        try {
            // JMH runs one thread count per run: the uncontended scenario alone, then the others.
            for (List<Scenario> group : List.of(List.of(Scenario.UNCONTENDED), List.of(Scenario.SHARED, Scenario.PADDED, Scenario.PACKED))) {
                results.addAll(new Runner(options(plan, group), OutputFormatFactory.createFormatInstance(out, VerboseMode.NORMAL)).run());
            }
        } catch (RunnerException e) {
            // JMH prints the failing benchmark's exception above, and hands it back within its own.
            boolean inexact = inexact(e);
            out.println("bench: " + (inexact ? "FAILED: a slot did not hold exactly the increments made" : "cannot run") + ": " + e.getMessage());
            return inexact ? 1 : 2;
        }
        List<Row> rows = rows(results);
        if (rows.size() != Binding.values().length * Scenario.values().length) {
            out.println("bench: cannot run: JMH returned " + rows.size() + " results, not " + Binding.values().length * Scenario.values().length
                    + " (see its output above)");
            return 2;
        }
        out.println();
        printTable(rows, out);
        try {
            Path json = writeJson(plan, rows, shim, (System.nanoTime() - started) / 1e9, reportDir);
            out.printf(Locale.ROOT, "bench: %d rows in %.1f s, written to %s%n", rows.size(), (System.nanoTime() - started) / 1e9, json);
        } catch (IOException e) {
            out.println("bench: cannot write " + reportDir.resolve("bench.json") + ": " + e.getMessage());
            return 2;
        }
        return 0;
    }

    /**
     * The JMH options for {@code scenarios} under {@code plan}: every binding's benchmark, the
     * scenarios' thread count, and this JVM's flags for the forks (the testbed.* properties that
     * find the shim, and the preview and native-access flags).
     */
    static Options options(Plan plan, List<Scenario> scenarios) {
        int threads = scenarios.get(0).threads;
        if (scenarios.stream().anyMatch(s -> s.threads != threads)) throw new IllegalArgumentException("one thread count per JMH run");
        return new OptionsBuilder()
                .include("^" + Pattern.quote(IncrementBenchmarks.class.getName() + ".") + "\\w+$")
                .param("scenario", scenarios.stream().map(s -> s.label).toArray(String[]::new))
                .threads(threads)
                .forks(plan.forks())
                .warmupIterations(plan.warmupIterations())
                .warmupTime(TimeValue.milliseconds(plan.iterationMillis()))
                .measurementIterations(plan.measurementIterations())
                .measurementTime(TimeValue.milliseconds(plan.iterationMillis()))
                .shouldFailOnError(true)
                .jvmArgs(forkFlags().toArray(String[]::new))
                .build();
    }

    /** This JVM's flags, and the one that lets JMH's own harness use sun.misc.Unsafe without a warning per fork. */
    private static List<String> forkFlags() {
        List<String> flags = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (flags.stream().noneMatch(f -> f.startsWith(UNSAFE_FLAG))) flags.add(UNSAFE_FLAG + "allow");
        return flags;
    }

    private static final String UNSAFE_FLAG = "--sun-misc-unsafe-memory-access=";

    /** JMH's results as rows, in binding order within each scenario, with their ratios to VarHandle's. */
    static List<Row> rows(Collection<RunResult> results) {
        Map<Scenario, Map<Binding, RunResult>> byScenario = new LinkedHashMap<>();
        for (Scenario s : Scenario.values()) byScenario.put(s, new LinkedHashMap<>());
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            Binding b = Binding.ofMethod(benchmark.substring(benchmark.lastIndexOf('.') + 1));
            byScenario.get(Scenario.parse(r.getParams().getParam("scenario"))).put(b, r);
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Scenario, Map<Binding, RunResult>> e : byScenario.entrySet()) {
            RunResult base = e.getValue().get(Binding.VARHANDLE);
            for (Binding b : Binding.values()) {
                RunResult r = e.getValue().get(b);
                if (r == null) continue;
                Result<?> p = r.getPrimaryResult();
                List<Double> scores = new ArrayList<>();
                for (BenchmarkResult br : r.getBenchmarkResults()) {
                    for (IterationResult ir : br.getIterationResults()) scores.add(ir.getPrimaryResult().getScore());
                }
                double ratio = base == null ? Double.NaN : p.getScore() / base.getPrimaryResult().getScore();
                rows.add(new Row(b.label, e.getKey().label, e.getKey().threads, e.getKey().slots, p.getScore(), p.getScoreError(),
                        p.getScoreUnit(), p.getStatistics().getN(), p.getStatistics().getMin(), p.getStatistics().getMax(), ratio,
                        scores.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        return rows;
    }

    /**
     * Checks that {@code slots} hold exactly the increments made: slot i's share is
     * {@code made[i]}, and slots that are one address add up.
     *
     * @throws InexactCountException naming the slot, what it holds and what it should
     */
    static void checkExact(String name, MemorySegment[] slots, long[] made) {
        Map<Long, Long> expected = new LinkedHashMap<>();
        Map<Long, MemorySegment> byAddress = new LinkedHashMap<>();
        for (int i = 0; i < slots.length; i++) {
            expected.merge(slots[i].address(), made[i], Long::sum);
            byAddress.put(slots[i].address(), slots[i]);
        }
        for (Map.Entry<Long, Long> e : expected.entrySet()) {
            long have = SegmentAtomics.getVolatile(byAddress.get(e.getKey()));
            if (have != e.getValue()) {
                throw new InexactCountException(String.format(Locale.ROOT,
                        "%s: slot at 0x%x holds %,d after an iteration, want %,d (%,d lost)",
                        name, e.getKey(), have, e.getValue(), e.getValue() - have));
            }
        }
    }

    /** JMH's figures and the ratio to the VarHandle row of the same scenario. */
    static void printTable(List<Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%-13s %-12s %7s %4s %10s   %-8s %-6s %13s%n",
                "binding", "scenario", "threads", "cnt", "score", "error", "units", "vs varhandle");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-13s %-12s %7d %4d %10.3f ± %8.3f %-6s %12.2fx%n",
                    r.binding(), r.scenario(), r.threads(), r.samples(), r.score(), r.error(), r.unit(), r.ratioVsVarHandle());
        }
        out.println("(score: JMH's average time per increment per thread; error: its 99.9% confidence half-width)");
    }

    private static Path writeJson(Plan plan, List<Row> rows, String shim, double seconds, Path reportDir) throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("arch_code", RegionLayout.archCode());
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("jvm_version", Runtime.version().toString());
        machine.put("jvm_vendor", System.getProperty("java.vm.vendor"));
        machine.put("jvm_name", System.getProperty("java.vm.name"));
        // The forks inherit these flags, and they change what is measured.
        machine.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("shim", shim);
        // Other load skews every row; a reader needs it to judge the numbers.
        machine.put("load_average_1min", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        Map<String, Object> method = new LinkedHashMap<>();
        method.put("harness", "JMH " + org.openjdk.jmh.util.Version.getPlainVersion() + ", average time (avgt)");
        method.put("forks", plan.forks());
        method.put("warmup_iterations", plan.warmupIterations());
        method.put("measurement_iterations", plan.measurementIterations());
        method.put("iteration_ms", plan.iterationMillis());
        method.put("error", "half-width of the 99.9% confidence interval over the measured iterations of every fork (JMH)");
        method.put("operation", "seq_cst fetch-add of 1 on an int64 in the shared region");
        method.put("exactness", "every iteration's slots checked to hold exactly the increments made");

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "atomic_increment");
        doc.put("mode", plan.mode());
        doc.put("created", Instant.now().toString());
        doc.put("seconds", seconds);
        doc.put("unit", "ns per increment per thread (JMH avgt)");
        doc.put("method", method);
        doc.put("machine", machine);
        doc.put("rows", rows);

        Files.createDirectories(reportDir);
        Path file = reportDir.resolve("bench.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        return file;
    }
}
