package testbed.litmus.kernel;

import java.lang.foreign.MemorySegment;

/**
 * How a generated Java kernel reaches its section: through one segment that spans all of the
 * process's memory, a constant of every kernel class, at absolute addresses that {@link #base}
 * checks once per round.
 *
 * <p>Why: a VarHandle access on a segment that is a parameter checks that segment's bounds,
 * alignment and liveness on every access, and the opaque, acquire and release modes keep C2 from
 * hoisting those checks out of the loop. On a constant segment whose bounds are the whole address
 * space, the checks fold to almost nothing. Side by side on one machine (SB's kernel, opaque and
 * release/acquire, stride 1024, median of 10,000 rounds on a mapped segment) that took a kernel
 * from 2.2 to 3.4 ns per instance to 1.0 ns (docs/LITMUS.md, "Why J-C overlapped less"), closer
 * to C's 0.6 ns: a Java actor that falls far behind its C partner within a round meets it on
 * fewer instances.
 *
 * <p>What the per-access checks guaranteed is checked here instead, once per call, before
 * anything is accessed: the segment is native memory and alive, every offset and stride is a
 * multiple of 8, and every instance's locations and registers lie inside it. The region's
 * section outlives every actor that runs on it: the runner joins its actors before the region
 * is closed (LitmusRunner), as it must for C actors.
 */
public final class KernelMemory {

    /** All of the process's memory, from address 0; restricted, hence --enable-native-access. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private KernelMemory() {}

    /**
     * The address of {@code section}'s first byte, once {@code n} instances of a kernel that
     * reaches {@code locationBytes} bytes of each instance's locations and writes {@code registers}
     * registers are known to lie inside it.
     *
     * @throws IllegalArgumentException for a segment that is not native memory, an offset or
     *     stride that is not a multiple of 8, or a negative one
     * @throws IndexOutOfBoundsException for an instance that reaches past the segment
     * @throws IllegalStateException for a segment whose arena is closed
     */
    public static long base(MemorySegment section, long loc, long locStride, long locationBytes,
                            long r, long rStride, long registers, int n) {
        if (!section.isNative()) {
            throw new IllegalArgumentException("a generated Java kernel runs on native memory only, not on " + section);
        }
        if (!section.scope().isAlive()) throw new IllegalStateException("the kernel's segment is closed");
        long base = section.address();
        if (((base | loc | locStride | r | rStride) & 7) != 0 || loc < 0 || locStride < 0 || r < 0 || rStride < 0) {
            throw new IllegalArgumentException(String.format(
                    "kernel offsets must be non-negative multiples of 8: base 0x%x, loc %d + %d i, registers %d + %d i",
                    base, loc, locStride, r, rStride));
        }
        if (n > 0) {
            long last = n - 1L;
            long locEnd = Math.addExact(Math.addExact(loc, Math.multiplyExact(last, locStride)), locationBytes);
            long rEnd = registers == 0 ? 0 : Math.addExact(Math.addExact(r, Math.multiplyExact(last, rStride)), 8 * registers);
            if (locEnd > section.byteSize() || rEnd > section.byteSize()) {
                throw new IndexOutOfBoundsException(String.format(
                        "%d instances reach byte %d (locations) and %d (registers) of a %d-byte segment",
                        n, locEnd, rEnd, section.byteSize()));
            }
        }
        return base;
    }
}
