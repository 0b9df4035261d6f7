package testbed.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;
import testbed.ffi.JnrShim;
import testbed.ffi.MemoryOrder;
import testbed.ffi.NativeLibrary;
import testbed.ffi.PanamaShim;
import testbed.region.Region;
import testbed.region.RegionLayout;
import testbed.region.SegmentAtomics;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The JMH benchmarks behind {@code bench atomic} ({@link AtomicIncrementBench} runs them): one
 * method per binding, each a seq_cst fetch-add of 1 on an int64 slot of the shared region,
 * timed as the average time per call as one thread sees it. The scenario ({@link
 * AtomicIncrementBench.Scenario}) picks the slots; the runner gives the uncontended one one
 * thread and the others two.
 *
 * <p>Each forked JVM creates its own region in /dev/shm and loads the shim through FFM (plain
 * and critical) and jnr-ffi in a trial set-up, and closes them, which unlinks the region, in
 * the trial tear-down. Every iteration starts from zeroed slots and ends with a check that the
 * slots hold exactly the increments the threads made; an inexact count fails the run.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IncrementBenchmarks {

    /** The region, the shims and the scenario's slots: one per forked JVM, shared by its threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"uncontended", "shared", "padded", "packed"})
        public String scenario;

        Region region;
        PanamaShim ffm;
        PanamaShim ffmCritical;
        JnrShim jnr;
        /** Thread i increments slots[i]. */
        MemorySegment[] slots;
        /** Thread i's state, which counts its increments. */
        Slot[] threads;

        @Setup(Level.Trial)
        public void open() {
            Region.sweepStale(Region.DEFAULT_DIR);
            region = Region.create(Region.DEFAULT_DIR, RegionLayout.LITMUS_ALIGN);
            ffm = NativeLibrary.panama(false);
            ffmCritical = NativeLibrary.panama(true);
            jnr = NativeLibrary.jnr();
            slots = AtomicIncrementBench.Scenario.parse(scenario).slots(region);
            threads = new Slot[slots.length];
        }

        /**
         * Runs before any thread's first call of the iteration (JMH's set-up barrier, which
         * every thread passes after its {@link Slot#pick}).
         */
        @Setup(Level.Iteration)
        public void zero() {
            for (MemorySegment s : slots) SegmentAtomics.setVolatile(s, 0);
            for (Slot t : threads) t.ops = 0;
        }

        /** Runs after every thread's last call of the iteration (JMH's tear-down barrier). */
        @TearDown(Level.Iteration)
        public void check() {
            long[] made = new long[threads.length];
            for (int i = 0; i < made.length; i++) made[i] = threads[i].ops;
            AtomicIncrementBench.checkExact(scenario, slots, made);
        }

        @TearDown(Level.Trial)
        public void close() {
            try {
                jnr.close();
                ffmCritical.close();
                ffm.close();
            } finally {
                region.close(); // unlinks the region's file
            }
        }
    }

    /** One thread's slot and the increments it made in this iteration (warm-up and warm-down calls included). */
    @State(Scope.Thread)
    public static class Slot {
        MemorySegment segment;
        long address;
        long ops;

        @Setup(Level.Trial)
        public void pick(Shared s, ThreadParams thread) {
            if (thread.getThreadCount() != s.slots.length) {
                throw new IllegalStateException("scenario " + s.scenario + " is for " + s.slots.length + " thread(s), not "
                        + thread.getThreadCount());
            }
            int index = thread.getThreadIndex();
            segment = s.slots[index];
            address = segment.address();
            s.threads[index] = this;
        }
    }

    // One method per binding, so that each compiles with a monomorphic call in its body.

    @Benchmark
    public long varhandle(Slot s) {
        s.ops++;
        return SegmentAtomics.getAndAdd(s.segment, 1L);
    }

    @Benchmark
    public long ffm(Shared shared, Slot s) {
        s.ops++;
        return shared.ffm.fetchAdd(MemoryOrder.SEQ_CST, s.address, 1L);
    }

    @Benchmark
    public long ffmCritical(Shared shared, Slot s) {
        s.ops++;
        return shared.ffmCritical.fetchAdd(MemoryOrder.SEQ_CST, s.address, 1L);
    }

    @Benchmark
    public long jnr(Shared shared, Slot s) {
        s.ops++;
        return shared.jnr.fetchAdd(MemoryOrder.SEQ_CST, s.address, 1L);
    }
}
