package testbed.ffi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;

/**
 * A group of cancellable native C workers started through a binding of the shim: pthreads
 * that poll a region cancel flag and end once it is non-zero. The cancellation suite's
 * workers count on their slot until cancelled ({@link Work#COUNTING}); the scopes suite's
 * wait without counting ({@link Work#WAITING}). A group without a flag (the broken variant)
 * ends only when the harness stops it.
 *
 * <p>Guarantees: the flag is cleared before the workers start; once {@link #close} returns the
 * workers have been stopped and joined, or are still counted by the shim as alive if they
 * outlived a bounded join (the leak checks name them), and the flag is cleared again, so the
 * next group finds a clear flag.
 * {@link #setFlag} after {@link #close} does nothing, since the flag may already belong to the
 * next group.
 */
public final class NativeWorkers implements AutoCloseable {
    /** What the workers do until cancelled. */
    public enum Work {
        /**
         * seq_cst fetch_adds of 1 on the slot, as many as {@code Long.MAX_VALUE / 4}: each worker
         * keeps a core busy, as a real native computation would.
         */
        COUNTING,
        /**
         * Waiting at a start gate that never opens (the slot, kept at 0): a short spin, then
         * {@code sched_yield}, then naps of up to 2 ms, polling the flag between. A waiting worker
         * is still a live native thread the shim counts, which is all a leak check needs, and on a
         * two-core machine it does not starve the peer and the JVM as counting ones do.
         */
        WAITING
    }

    /** How long a stopped group may take to end before that is a fault. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(5);
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final AtomicShim shim;
    private final MemorySegment flag;
    private long handle;
    private boolean closed;

    private NativeWorkers(AtomicShim shim, MemorySegment flag, long handle) {
        this.shim = shim;
        this.flag = flag;
        this.handle = handle;
    }

    /**
     * Clears {@code flag} and starts {@code threads} workers doing {@code work} on {@code slot},
     * polling {@code flag}, or no flag at all when {@code pollsFlag} is false (they then ignore
     * every cancel: the broken variant). Both segments must stay mapped until the group is closed.
     */
    public static NativeWorkers start(AtomicShim shim, MemorySegment slot, MemorySegment flag, int threads, Work work,
                                      boolean pollsFlag) {
        LONG.setVolatile(flag, 0L, 0L);
        long h;
        if (work == Work.WAITING) {
            LONG.setVolatile(slot, 0L, 0L);
            h = shim.workersStart(slot.address(), threads, Long.MAX_VALUE / 4, slot.address(), 0L, pollsFlag ? flag.address() : 0L);
        } else {
            h = shim.workersStart(slot.address(), threads, Long.MAX_VALUE / 4, 0L, 0L, pollsFlag ? flag.address() : 0L);
        }
        return new NativeWorkers(shim, flag, h);
    }

    /** The flag's value now. */
    public long flag() {
        return (long) LONG.getVolatile(flag, 0L);
    }

    /** Sets the cancel flag from Java, as a Java owner of the workers does when its work is cancelled. */
    public synchronized void setFlag() {
        if (!closed) LONG.setVolatile(flag, 0L, 1L);
    }

    /**
     * Joins the workers, waiting at most {@code bound}: the instant the join returned, or
     * {@code Long.MIN_VALUE} when they were still running then (a problem naming the flag's value
     * is added to {@code problems}, and {@link #close} stops them).
     */
    public long join(Duration bound, List<String> problems) {
        long h;
        synchronized (this) {
            h = handle;
        }
        if (h == 0) throw new IllegalStateException("native workers already joined");
        long joined = shim.workersJoin(h, bound.toMillis());
        long joinedNs = System.nanoTime();
        if (joined == AtomicShim.JOIN_TIMED_OUT) {
            problems.add("native workers still running " + bound.toMillis() + " ms after the cancel (flag " + flag() + ")");
            return Long.MIN_VALUE;
        }
        synchronized (this) {
            handle = 0;
        }
        return joinedNs;
    }

    /**
     * Ends the workers and says who stopped them: {@code "go"} when the flag (which the Go side
     * sets) stopped them within {@code goBound} (zero: do not wait for it), {@code "ended without
     * a flag"} when they ended with the flag clear, else {@code "java"} (the harness stopped them).
     * Never leaves them running: a group that does not end {@link #STOP_BOUND} after its stop is
     * an {@link IllegalStateException}.
     */
    public synchronized String finish(Duration goBound) {
        if (handle == 0) throw new IllegalStateException("native workers already finished");
        long h = handle;
        handle = 0;
        closed = true;
        if (!goBound.isZero() && shim.workersJoin(h, goBound.toMillis()) != AtomicShim.JOIN_TIMED_OUT) {
            boolean flagSet = flag() != 0;
            LONG.setVolatile(flag, 0L, 0L);
            return flagSet ? "go" : "ended without a flag";
        }
        if (!stopAndJoin(h)) {
            throw new IllegalStateException("native workers still running " + STOP_BOUND.toSeconds() + " s after their stop");
        }
        return "java";
    }

    /**
     * Stops and joins workers still running, and clears the flag; does nothing more the second
     * time. Never throws for workers that outlive their stop: closing ends a trial, whose verdict
     * the workers' leak check gives (the shim counts every live worker), not an exception here.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (handle != 0) {
            long h = handle;
            handle = 0;
            stopAndJoin(h);
        } else {
            LONG.setVolatile(flag, 0L, 0L);
        }
    }

    /** Stops the group and joins it within {@link #STOP_BOUND}; whether it ended then. */
    private boolean stopAndJoin(long h) {
        shim.workersStop(h);
        long r = shim.workersJoin(h, STOP_BOUND.toMillis());
        LONG.setVolatile(flag, 0L, 0L);
        return r != AtomicShim.JOIN_TIMED_OUT;
    }
}
