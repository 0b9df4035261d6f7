package testbed.guest;

import org.graalvm.polyglot.HostAccess;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The host object a guest of style (b) calls (docs/GUEST.md): 64-bit accesses to a
 * region segment, each a {@link VarHandle} access in the mode its name says, at a byte
 * offset into the segment. The guest's atomicity and ordering are then the host's: a
 * guest's {@code getAndAdd} is the same atomic read-modify-write as a Java actor's.
 *
 * <p>Offsets must be 8-byte aligned and inside the segment; anything else throws before
 * the access (the guest sees a host exception). Thread-safety: as the segment's accesses.
 */
public final class GuestRegion {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;

    public GuestRegion(MemorySegment segment) {
        this.segment = segment;
    }

    public MemorySegment segment() {
        return segment;
    }

    @HostAccess.Export
    public long getPlain(long offset) {
        return (long) LONG.get(segment, offset);
    }

    @HostAccess.Export
    public void setPlain(long offset, long value) {
        LONG.set(segment, offset, value);
    }

    @HostAccess.Export
    public long getOpaque(long offset) {
        return (long) LONG.getOpaque(segment, offset);
    }

    @HostAccess.Export
    public void setOpaque(long offset, long value) {
        LONG.setOpaque(segment, offset, value);
    }

    @HostAccess.Export
    public long getAcquire(long offset) {
        return (long) LONG.getAcquire(segment, offset);
    }

    @HostAccess.Export
    public void setRelease(long offset, long value) {
        LONG.setRelease(segment, offset, value);
    }

    @HostAccess.Export
    public long getVolatile(long offset) {
        return (long) LONG.getVolatile(segment, offset);
    }

    @HostAccess.Export
    public void setVolatile(long offset, long value) {
        LONG.setVolatile(segment, offset, value);
    }

    /** Atomic add (volatile mode); returns the previous value. */
    @HostAccess.Export
    public long getAndAdd(long offset, long delta) {
        return (long) LONG.getAndAdd(segment, offset, delta);
    }
}
