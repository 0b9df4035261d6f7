package testbed.region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Every VarHandle access mode on an 8-byte-aligned int64 slot of a {@link MemorySegment}, such as
 * {@link Region#counterSlot(int)}. Each method accesses offset 0 of the segment it is given.
 *
 * <p>Correspondence with C11 (docs/MEMORY_MODEL.md; sources: the {@link VarHandle} javadoc,
 * JEP 193, and Doug Lea's "Using JDK 9 Memory Order Modes"):
 * <table>
 *   <tr><th>Java mode</th><th>C11</th></tr>
 *   <tr><td>plain get/set</td><td>non-atomic access (a data race is not UB in Java, but no
 *       ordering or even coherence is promised; JLS 17.7 allows a plain long to tear, HotSpot on
 *       x86_64 and AArch64 does not for an aligned slot)</td></tr>
 *   <tr><td>opaque</td><td>memory_order_relaxed (coherent per location, no ordering)</td></tr>
 *   <tr><td>getAcquire / setRelease, *Acquire / *Release RMWs</td><td>memory_order_acquire /
 *       memory_order_release</td></tr>
 *   <tr><td>volatile get/set, getAndAdd, getAndSet, compareAndSet, compareAndExchange</td>
 *       <td>memory_order_seq_cst</td></tr>
 *   <tr><td>weakCompareAndSetPlain</td><td>compare_exchange_weak, memory_order_relaxed</td></tr>
 * </table>
 *
 * <p>The handle comes from {@link ValueLayout#JAVA_LONG}, which is 8-byte aligned: it supports every
 * access mode, and throws {@link IllegalArgumentException} on a misaligned address rather than
 * performing a torn or non-atomic access. The handle is a static final constant so that the JIT
 * compiles each call to the single instruction (or LL/SC loop) of that mode.
 */
public final class SegmentAtomics {

    private SegmentAtomics() {}

    /** Coordinates (MemorySegment, long offset). */
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    // ---- loads and stores ---------------------------------------------------------------------

    public static long getPlain(MemorySegment slot) {
        return (long) LONG.get(slot, 0L);
    }

    public static void setPlain(MemorySegment slot, long value) {
        LONG.set(slot, 0L, value);
    }

    public static long getOpaque(MemorySegment slot) {
        return (long) LONG.getOpaque(slot, 0L);
    }

    public static void setOpaque(MemorySegment slot, long value) {
        LONG.setOpaque(slot, 0L, value);
    }

    public static long getAcquire(MemorySegment slot) {
        return (long) LONG.getAcquire(slot, 0L);
    }

    public static void setRelease(MemorySegment slot, long value) {
        LONG.setRelease(slot, 0L, value);
    }

    public static long getVolatile(MemorySegment slot) {
        return (long) LONG.getVolatile(slot, 0L);
    }

    public static void setVolatile(MemorySegment slot, long value) {
        LONG.setVolatile(slot, 0L, value);
    }

    // ---- read-modify-write: each returns the previous value -------------------------------------

    public static long getAndAdd(MemorySegment slot, long delta) {
        return (long) LONG.getAndAdd(slot, 0L, delta);
    }

    public static long getAndAddAcquire(MemorySegment slot, long delta) {
        return (long) LONG.getAndAddAcquire(slot, 0L, delta);
    }

    public static long getAndAddRelease(MemorySegment slot, long delta) {
        return (long) LONG.getAndAddRelease(slot, 0L, delta);
    }

    public static long getAndSet(MemorySegment slot, long value) {
        return (long) LONG.getAndSet(slot, 0L, value);
    }

    public static long getAndSetAcquire(MemorySegment slot, long value) {
        return (long) LONG.getAndSetAcquire(slot, 0L, value);
    }

    public static long getAndSetRelease(MemorySegment slot, long value) {
        return (long) LONG.getAndSetRelease(slot, 0L, value);
    }

    // ---- compare-and-set: true iff the slot held expected and now holds desired ----------------

    public static boolean compareAndSet(MemorySegment slot, long expected, long desired) {
        return (boolean) LONG.compareAndSet(slot, 0L, expected, desired);
    }

    /** May fail spuriously (as C11 compare_exchange_weak); callers retry in a loop. */
    public static boolean weakCompareAndSetPlain(MemorySegment slot, long expected, long desired) {
        return (boolean) LONG.weakCompareAndSetPlain(slot, 0L, expected, desired);
    }

    /** May fail spuriously; seq_cst on success. */
    public static boolean weakCompareAndSet(MemorySegment slot, long expected, long desired) {
        return (boolean) LONG.weakCompareAndSet(slot, 0L, expected, desired);
    }

    /** May fail spuriously; acquire on success. */
    public static boolean weakCompareAndSetAcquire(MemorySegment slot, long expected, long desired) {
        return (boolean) LONG.weakCompareAndSetAcquire(slot, 0L, expected, desired);
    }

    /** May fail spuriously; release on success. */
    public static boolean weakCompareAndSetRelease(MemorySegment slot, long expected, long desired) {
        return (boolean) LONG.weakCompareAndSetRelease(slot, 0L, expected, desired);
    }

    // ---- compare-and-exchange: returns the witness (the value found) ---------------------------

    public static long compareAndExchange(MemorySegment slot, long expected, long desired) {
        return (long) LONG.compareAndExchange(slot, 0L, expected, desired);
    }

    public static long compareAndExchangeAcquire(MemorySegment slot, long expected, long desired) {
        return (long) LONG.compareAndExchangeAcquire(slot, 0L, expected, desired);
    }

    public static long compareAndExchangeRelease(MemorySegment slot, long expected, long desired) {
        return (long) LONG.compareAndExchangeRelease(slot, 0L, expected, desired);
    }
}
