package testbed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import testbed.ffi.JnrShim;
import testbed.ffi.MemoryOrder;
import testbed.ffi.NativeLibrary;
import testbed.ffi.PanamaShim;
import testbed.region.Region;
import testbed.region.RegionLayout;
import testbed.region.SegmentAtomics;

/**
 * What one seq_cst atomic increment of an int64 in the shared region costs through each binding:
 * a VarHandle getAndAdd on the MemorySegment, an FFM downcall of interop_fetch_add_seq_cst (plain
 * and critical) and a jnr-ffi call of the same function.
 *
 * <p>Scenarios: {@code uncontended} (one thread, counter slot 0); with two threads,
 * {@code shared} (both on counter slot 0: true contention), {@code padded} (counter slots 0 and 1,
 * 128 bytes apart: no sharing) and {@code packed} (packed slots 0 and 1, adjacent in one cache
 * line: false sharing).
 *
 * <p>Method: each row runs warm-up rounds, which also size the rounds so that one takes about the
 * mode's round time, then measured rounds of a fixed number of increments per thread. A round's
 * threads start together from a spin barrier; its time is from the first thread's start to the last
 * one's end; its cost is that time divided by the increments each thread made, i.e. the time per
 * increment as one thread sees it (comparable across scenarios: padded near uncontended means no
 * interference). Rows report the median round and the min and max. Every round's slots are checked
 * afterwards to hold exactly the increments made; an inexact round fails the bench.
 *
 * <p>This is a harness of its own, not JMH: numbers are indicative (no fork per row, no blackhole),
 * good for comparing the bindings with each other on one machine, not for absolute claims.
 */
public final class AtomicIncrementBench {

    private AtomicIncrementBench() {}

    /**
     * Run sizes per mode. 16 rows x (warm-up + measured) rounds x round time: quick about 15 s,
     * default about 50 s, tough about 3 min, plus JIT warm-up.
     */
    record Plan(String mode, int warmupRounds, int measuredRounds, long roundNanos) {
        static Plan of(String mode) {
            return switch (mode) {
                case "quick" -> new Plan(mode, 2, 7, 100_000_000L);
                case "default" -> new Plan(mode, 3, 9, 250_000_000L);
                case "tough" -> new Plan(mode, 5, 15, 600_000_000L);
                default -> throw new IllegalArgumentException(
                        "unknown bench mode '" + mode + "' (want quick, default or tough)");
            };
        }
    }

    enum Binding {
        VARHANDLE("varhandle"), FFM("ffm"), FFM_CRITICAL("ffm-critical"), JNR("jnr");

        final String label;

        Binding(String label) {
            this.label = label;
        }
    }

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
    }

    /** One row of the result: a binding in a scenario. */
    public record Row(String binding, String scenario, int threads, String slots, long incrementsPerThread,
                      int rounds, double medianNsPerOp, double minNsPerOp, double maxNsPerOp,
                      double ratioVsVarHandle, double[] roundNsPerOp) {}

    /** An increment loop of one binding on one slot. */
    @FunctionalInterface
    private interface Loop {
        void run(long increments);
    }

    /** A round whose slots do not hold exactly the increments made. */
    static final class InexactCountException extends RuntimeException {
        InexactCountException(String message) {
            super(message);
        }
    }

    /**
     * Runs the bench, prints progress and a table to stdout and writes {@code reportDir/bench.json}.
     *
     * @param mode quick, default or tough
     * @return 0 on success, 1 if a round counted wrong, 2 if the bench could not run
     */
    public static int run(String mode, Path reportDir) {
        return run(mode, reportDir, System.out);
    }

    static int run(String mode, Path reportDir, PrintStream out) {
        Plan plan;
        try {
            plan = Plan.of(mode);
        } catch (IllegalArgumentException e) {
            out.println("bench: " + e.getMessage());
            return 2;
        }
        return run(plan, reportDir, out);
    }

    static int run(Plan plan, Path reportDir, PrintStream out) {
        long started = System.nanoTime();
        Region.sweepStale(Region.DEFAULT_DIR);
        try (Region region = Region.create(Region.DEFAULT_DIR, RegionLayout.LITMUS_ALIGN);
             PanamaShim ffm = NativeLibrary.panama(false);
             PanamaShim ffmCritical = NativeLibrary.panama(true);
             JnrShim jnr = NativeLibrary.jnr()) {
            out.printf(Locale.ROOT, "bench: atomic increment, mode %s (%d warm-up + %d measured rounds of ~%d ms per row), %s, %d cpus, load %.1f%n",
                    plan.mode(), plan.warmupRounds(), plan.measuredRounds(), plan.roundNanos() / 1_000_000, ffm.version(),
                    Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            List<Row> rows = new ArrayList<>();
            for (Scenario scenario : Scenario.values()) {
                double varHandleMedian = Double.NaN;
                for (Binding binding : Binding.values()) {
                    Row row = measure(plan, region, binding, scenario, ffm, ffmCritical, jnr, varHandleMedian, out);
                    if (binding == Binding.VARHANDLE) varHandleMedian = row.medianNsPerOp();
                    rows.add(row);
                }
            }
            out.println();
            printTable(rows, out);
            Path json = writeJson(plan, rows, ffm.version(), (System.nanoTime() - started) / 1e9, reportDir);
            out.printf(Locale.ROOT, "bench: %d rows in %.1f s, written to %s%n",
                    rows.size(), (System.nanoTime() - started) / 1e9, json);
            return 0;
        } catch (InexactCountException e) {
            out.println("bench: FAILED: " + e.getMessage());
            return 1;
        } catch (IllegalStateException | IOException | testbed.region.RegionException e) {
            out.println("bench: cannot run: " + e.getMessage());
            return 2;
        }
    }

    private static Row measure(Plan plan, Region region, Binding binding, Scenario scenario, PanamaShim ffm,
                               PanamaShim ffmCritical, JnrShim jnr, double varHandleMedian, PrintStream out) {
        MemorySegment[] slots = switch (scenario) {
            case UNCONTENDED -> new MemorySegment[] {region.counterSlot(0)};
            case SHARED -> new MemorySegment[] {region.counterSlot(0), region.counterSlot(0)};
            case PADDED -> new MemorySegment[] {region.counterSlot(0), region.counterSlot(1)};
            case PACKED -> new MemorySegment[] {region.packedSlot(0), region.packedSlot(1)};
        };
        Loop[] loops = new Loop[slots.length];
        for (int t = 0; t < slots.length; t++) {
            MemorySegment slot = slots[t];
            long address = slot.address();
            loops[t] = switch (binding) {
                case VARHANDLE -> n -> varHandleLoop(slot, n);
                case FFM -> n -> panamaLoop(ffm, address, n);
                case FFM_CRITICAL -> n -> panamaLoop(ffmCritical, address, n);
                case JNR -> n -> jnrLoop(jnr, address, n);
            };
        }
        String name = binding.label + "/" + scenario.label;

        long increments = 100_000;
        for (int r = 0; r < plan.warmupRounds(); r++) {
            double nsPerOp = round(name, slots, loops, increments);
            increments = sized(plan.roundNanos(), nsPerOp);
        }
        double[] measured = new double[plan.measuredRounds()];
        for (int r = 0; r < measured.length; r++) {
            measured[r] = round(name, slots, loops, increments);
        }
        double[] sorted = measured.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        double ratio = binding == Binding.VARHANDLE ? 1.0 : median / varHandleMedian;
        out.printf(Locale.ROOT, "  %-26s %2d x %,13d increments: median %8.2f ns/op (min %.2f, max %.2f)%n",
                name, measured.length, increments, median, sorted[0], sorted[sorted.length - 1]);
        return new Row(binding.label, scenario.label, scenario.threads, scenario.slots, increments, measured.length,
                median, sorted[0], sorted[sorted.length - 1], ratio, measured);
    }

    private static long sized(long roundNanos, double nsPerOp) {
        long n = (long) (roundNanos / Math.max(nsPerOp, 0.1));
        return Math.clamp(n, 10_000L, 500_000_000L);
    }

    /**
     * Runs one round: one thread per loop, started together; returns the round time divided by the
     * increments per thread, after checking that the slots hold exactly what was added.
     */
    private static double round(String name, MemorySegment[] slots, Loop[] loops, long increments) {
        for (MemorySegment slot : slots) SegmentAtomics.setVolatile(slot, 0);
        int n = loops.length;
        long[] starts = new long[n];
        long[] ends = new long[n];
        Throwable[] failures = new Throwable[n];
        AtomicInteger arrived = new AtomicInteger();
        Thread[] threads = new Thread[n];
        for (int t = 0; t < n; t++) {
            int i = t;
            threads[t] = Thread.ofPlatform().name("bench-" + name + "-" + t).unstarted(() -> {
                try {
                    arrived.incrementAndGet();
                    while (arrived.get() < n) Thread.onSpinWait();
                    starts[i] = System.nanoTime();
                    loops[i].run(increments);
                    ends[i] = System.nanoTime();
                } catch (Throwable e) {
                    failures[i] = e;
                }
            });
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bench interrupted in " + name, e);
            }
        }
        for (Throwable f : failures) {
            if (f != null) throw new IllegalStateException("bench thread failed in " + name + ": " + f, f);
        }
        checkExact(name, slots, increments);
        long first = Arrays.stream(starts).min().orElseThrow();
        long last = Arrays.stream(ends).max().orElseThrow();
        return (double) (last - first) / increments;
    }

    static void checkExact(String name, MemorySegment[] slots, long increments) {
        Map<Long, Long> expected = new LinkedHashMap<>();
        Map<Long, MemorySegment> byAddress = new LinkedHashMap<>();
        for (MemorySegment slot : slots) {
            expected.merge(slot.address(), increments, Long::sum);
            byAddress.put(slot.address(), slot);
        }
        for (Map.Entry<Long, Long> e : expected.entrySet()) {
            long have = SegmentAtomics.getVolatile(byAddress.get(e.getKey()));
            if (have != e.getValue()) {
                throw new InexactCountException(String.format(Locale.ROOT,
                        "%s: slot at 0x%x holds %,d after a round, want %,d (%,d lost)",
                        name, e.getKey(), have, e.getValue(), e.getValue() - have));
            }
        }
    }

    // One loop method per binding, so that each compiles with a monomorphic call in its body.

    private static void varHandleLoop(MemorySegment slot, long n) {
        for (long i = 0; i < n; i++) SegmentAtomics.getAndAdd(slot, 1L);
    }

    private static void panamaLoop(PanamaShim shim, long address, long n) {
        for (long i = 0; i < n; i++) shim.fetchAdd(MemoryOrder.SEQ_CST, address, 1L);
    }

    private static void jnrLoop(JnrShim shim, long address, long n) {
        for (long i = 0; i < n; i++) shim.fetchAdd(MemoryOrder.SEQ_CST, address, 1L);
    }

    private static void printTable(List<Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%-13s %-12s %7s %13s %10s %10s %13s%n",
                "binding", "scenario", "threads", "median ns/op", "min", "max", "vs varhandle");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-13s %-12s %7d %13.2f %10.2f %10.2f %12.2fx%n",
                    r.binding(), r.scenario(), r.threads(), r.medianNsPerOp(), r.minNsPerOp(), r.maxNsPerOp(),
                    r.ratioVsVarHandle());
        }
    }

    private static Path writeJson(Plan plan, List<Row> rows, String shimVersion, double seconds, Path reportDir)
            throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("arch_code", RegionLayout.archCode());
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("jvm_version", Runtime.version().toString());
        machine.put("jvm_vendor", System.getProperty("java.vm.vendor"));
        machine.put("jvm_name", System.getProperty("java.vm.name"));
        // The flags change what is measured (JVMCI, for one, replaces nothing but slows the start).
        machine.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("shim", shimVersion);
        // Other load skews every row; a reader needs it to judge the numbers.
        machine.put("load_average_1min", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "atomic_increment");
        doc.put("mode", plan.mode());
        doc.put("created", Instant.now().toString());
        doc.put("seconds", seconds);
        doc.put("unit", "ns per increment per thread: round wall time / increments per thread");
        doc.put("method", Map.of(
                "warmup_rounds", plan.warmupRounds(),
                "measured_rounds", plan.measuredRounds(),
                "round_target_ms", plan.roundNanos() / 1_000_000,
                "operation", "seq_cst fetch-add of 1 on an int64 in the shared region",
                "exactness", "every round's slots checked to hold exactly the increments made"));
        doc.put("machine", machine);
        doc.put("rows", rows);

        Files.createDirectories(reportDir);
        Path file = reportDir.resolve("bench.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        return file;
    }
}
