package testbed.jcstress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory for the PlainSegment tests: states take 16-byte slices of one 64 MiB off-heap pool in
 * turn (x at 0, y at 8, as one instance of the engine's locations), zeroed as they are taken, so
 * that no state allocates memory of its own. A slice comes round again after 4 M states, long
 * after jcstress dropped the state that held it before.
 */
final class SegmentSlices {

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final MemorySegment POOL = Arena.global().allocate(64L << 20, 128);
    private static final AtomicLong NEXT = new AtomicLong();

    private SegmentSlices() {}

    /** The next slice, zeroed. */
    static MemorySegment take() {
        return POOL.asSlice(16 * (NEXT.getAndIncrement() % (POOL.byteSize() / 16)), 16).fill((byte) 0);
    }
}
