package testbed.scopes;

import testbed.ffi.AtomicShim;
import testbed.region.Region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * Native C workers a subtask owns: started through FFM, waiting until the region cancel
 * flag they poll becomes non-zero, which the Go handler of the subtask's call sets when
 * its errgroup has ended.
 *
 * <p>They wait in the shim's start-gate mode on a gate that never opens (region slot
 * {@link #SLOT}, kept at 0): a short spin, then {@code sched_yield}, then naps of up to
 * 2 ms, polling the flag between; they make no increments. Counting workers (seq_cst
 * fetch_adds on one slot) kept one core each busy for their whole life, which starved the
 * peer and the JVM on a two-core machine; a waiting worker is still a live native thread
 * the shim counts, which is all the leak check needs.
 */
final class NativeWorkers {
    /** Region counter slot the workers use as their start gate, kept at 0; only this suite's workers touch it while it runs. */
    static final int SLOT = 13;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final AtomicShim shim;
    private final MemorySegment flag;
    private long handle;

    /** Clears region cancel flag {@code flagIndex} and starts {@code threads} workers waiting for it. */
    NativeWorkers(AtomicShim shim, Region region, int flagIndex, int threads) {
        this.shim = shim;
        this.flag = region.cancelFlag(flagIndex);
        LONG.setVolatile(flag, 0L, 0L);
        MemorySegment gate = region.counterSlot(SLOT);
        LONG.setVolatile(gate, 0L, 0L);
        this.handle = shim.workersStart(gate.address(), threads, Long.MAX_VALUE / 4, gate.address(), 0L, flag.address());
    }

    /**
     * Ends the workers and says who stopped them: {@code "go"} when the Go side's flag
     * stopped them within {@code goBound} (zero: do not wait for it), else {@code "java"}
     * (the harness stopped them itself). Never leaves them running: a group that does not
     * end 5 s after its stop is an {@link IllegalStateException}.
     */
    String finish(Duration goBound) {
        if (handle == 0) throw new IllegalStateException("native workers already finished");
        long h = handle;
        handle = 0;
        if (!goBound.isZero() && shim.workersJoin(h, goBound.toMillis()) != AtomicShim.JOIN_TIMED_OUT) {
            boolean flagSet = (long) LONG.getVolatile(flag, 0L) != 0;
            LONG.setVolatile(flag, 0L, 0L);
            return flagSet ? "go" : "ended without a flag";
        }
        shim.workersStop(h);
        long r = shim.workersJoin(h, 5_000);
        LONG.setVolatile(flag, 0L, 0L);
        if (r == AtomicShim.JOIN_TIMED_OUT) throw new IllegalStateException("native workers still running 5 s after their stop");
        return "java";
    }
}
