package testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.BenchmarkException;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.VerboseMode;
import testbed.Mode;
import testbed.bench.AtomicIncrementBench.Plan;
import testbed.bench.AtomicIncrementBench.Row;
import testbed.bench.AtomicIncrementBench.Scenario;
import testbed.region.SegmentAtomics;

/**
 * The JMH run as {@code bench atomic} sets it up, without running JMH (a run forks JVMs for a
 * minute): the options per mode, the benchmarks they select, the exactness check and the table.
 */
@Timeout(60)
class AtomicIncrementBenchTest {

    @Test
    void quickModeIsOneShortForkPerBenchmark() {
        Plan quick = Plan.of(Mode.QUICK);
        assertEquals(1, quick.forks());
        // 16 benchmarks x (warm-up + measured) iterations: well under a minute besides the JVMs' start.
        assertTrue(16 * quick.forks() * (quick.warmupIterations() + quick.measurementIterations()) * quick.iterationMillis() <= 15_000);
        assertTrue(Plan.of(Mode.TOUGH).forks() > Plan.of(Mode.DEFAULT).forks() || Plan.of(Mode.TOUGH).measurementIterations()
                > Plan.of(Mode.DEFAULT).measurementIterations());
    }

    @Test
    void theOptionsSelectEveryBindingAndGiveTheScenariosTheirThreads() {
        Plan plan = Plan.of(Mode.QUICK);
        Options one = AtomicIncrementBench.options(plan, List.of(Scenario.UNCONTENDED));
        assertEquals(1, one.getThreads().get());
        assertEquals(List.of("uncontended"), List.copyOf(one.getParameter("scenario").get()));
        assertEquals(plan.forks(), one.getForkCount().get());
        assertEquals(plan.measurementIterations(), one.getMeasurementIterations().get());
        assertTrue(one.shouldFailOnError().get());
        // The forks get this JVM's flags: without them the shim cannot be found or called.
        assertTrue(one.getJvmArgs().get().contains("--enable-preview"), one.getJvmArgs().get().toString());

        Options two = AtomicIncrementBench.options(plan, List.of(Scenario.SHARED, Scenario.PADDED, Scenario.PACKED));
        assertEquals(2, two.getThreads().get());
        assertEquals(List.of("shared", "padded", "packed"), List.copyOf(two.getParameter("scenario").get()));
        assertThrows(IllegalArgumentException.class,
                () -> AtomicIncrementBench.options(plan, List.of(Scenario.UNCONTENDED, Scenario.SHARED)));

        // The annotation processor's list holds the four bindings, and the include selects exactly them.
        Set<String> selected = new TreeSet<>();
        for (BenchmarkListEntry e : BenchmarkList.defaultList().find(OutputFormatFactory.createFormatInstance(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), VerboseMode.SILENT), one.getIncludes(), List.of())) {
            selected.add(e.getUsername());
        }
        String prefix = IncrementBenchmarks.class.getName() + ".";
        assertEquals(Set.of(prefix + "ffm", prefix + "ffmCritical", prefix + "jnr", prefix + "varhandle"), selected);
    }

    @Test
    void anIterationThatLostIncrementsFailsTheBench() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = arena.allocate(8, 8);
            SegmentAtomics.setVolatile(slot, 1999);
            MemorySegment[] shared = {slot, slot};
            AtomicIncrementBench.InexactCountException e = assertThrows(
                    AtomicIncrementBench.InexactCountException.class,
                    () -> AtomicIncrementBench.checkExact("shared", shared, new long[] {1000, 1000}));
            assertTrue(e.getMessage().matches("shared: slot at 0x\\p{XDigit}+ holds 1,999 after an iteration, want 2,000 \\(1 lost\\)"),
                    e.getMessage());
            AtomicIncrementBench.checkExact("shared", shared, new long[] {1200, 799});
        }
    }

    @Test
    void anInexactCountIsFoundWhereJmhKeepsItAndNothingElseIsTakenForOne() {
        var lost = new AtomicIncrementBench.InexactCountException("slot 0 holds 9, want 10");
        // JMH 1.37: the benchmark's exception is a suppressed one of its BenchmarkException.
        var jmh = new RunnerException("Benchmark caught the exception", new BenchmarkException("Benchmark error", List.of(lost)));
        assertTrue(AtomicIncrementBench.inexact(jmh));
        assertTrue(AtomicIncrementBench.inexact(new RunnerException(new BenchmarkException(lost))));
        assertFalse(AtomicIncrementBench.inexact(new RunnerException("Benchmark caught the exception",
                new BenchmarkException("Benchmark error", List.of(new IllegalStateException("no shim"))))));
    }

    /** A whole run through JMH, tiny and in this JVM: every row, its ratio, and bench.json. */
    @Test
    void aTinyRunWritesEveryRowWithItsRatio(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int code = AtomicIncrementBench.run(new Plan("test", 0, 0, 1, 20), dir, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertEquals(0, code, text.toString(StandardCharsets.UTF_8));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("bench.json").toFile());
        var rows = json.get("rows");
        assertEquals(AtomicIncrementBench.Binding.values().length * Scenario.values().length, rows.size());
        for (var r : rows) {
            assertTrue(r.get("score").asDouble() > 0, r.toString());
            assertTrue(r.get("min").asDouble() <= r.get("score").asDouble() && r.get("score").asDouble() <= r.get("max").asDouble(), r.toString());
            if (r.get("binding").asText().equals("varhandle")) assertEquals(1.0, r.get("ratioVsVarHandle").asDouble(), 1e-9, r.toString());
        }
    }

    @Test
    void theTablePrintsScoreErrorAndTheRatioToVarHandle() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        AtomicIncrementBench.printTable(List.of(
                new Row("varhandle", "shared", 2, "counter slot 0, both threads", 20.0, 1.5, "ns/op", 5, 19, 22, 1.0, new double[5]),
                new Row("ffm-critical", "shared", 2, "counter slot 0, both threads", 30.0, 2.25, "ns/op", 5, 29, 33, 1.5, new double[5])),
                new PrintStream(text, true, StandardCharsets.UTF_8));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("vs varhandle"), printed);
        assertTrue(printed.matches("(?s).*ffm-critical +shared +2 +5 +30\\.000 ± +2\\.250 ns/op +1\\.50x\n.*"), printed);
    }
}
