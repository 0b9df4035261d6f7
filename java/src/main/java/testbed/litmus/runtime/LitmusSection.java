package testbed.litmus.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import testbed.region.Region;

/**
 * The Java view of the region's litmus section (docs/LITMUS.md, "The litmus section"). Offsets are
 * relative to the start of the section; every control word is an int64 alone on its 128-byte line.
 *
 * <p>The offsets are declared once, in native/litmus.layout, with what each word holds; the
 * constants here are the Java view of that file, and LitmusLayoutTest fails when they differ by a
 * byte. Past the descriptor's last byte of data, Java actors keep their warm-up scratch (zeroed
 * after use).
 *
 * <p>Access modes follow the protocol of docs/LITMUS.md: each accessor's documentation names its
 * mode. The setters for {@code stop}, {@code abort} and {@code epoch} are for the runner; the
 * consumer's writes live in {@link JavaActor} and in the C and Go actors.
 *
 * <p>The section must stay mapped while any actor (of any runtime) runs over it: closing the region
 * under a running C actor crashes the process.
 */
public final class LitmusSection {

    // ---- control words ------------------------------------------------------------------------
    public static final long EPOCH = 0x000;
    public static final long ARRIVED = 0x080;
    public static final long READY = 0x100;
    public static final long STOP = 0x180;
    public static final long DONE = 0x200;
    public static final long ABORT = 0x280;
    public static final long ROUNDS = 0x300;
    public static final long GENERATION = 0x380;
    public static final long CONTROL_SIZE = 0x400;

    // ---- descriptor ---------------------------------------------------------------------------
    public static final long DESCRIPTOR = 0x400;
    public static final long N_ACTORS = 0x400;
    public static final long STRIDE = 0x408;
    public static final long N_GATHER = 0x410;
    public static final long MAX_ROUNDS = 0x418;
    public static final long LOC_OFFSET = 0x420;
    public static final long LOC_STRIDE = 0x428;
    public static final long HIST_OFFSET = 0x430;
    public static final long HIST_LEN = 0x438;
    /** gather[j] = {offset, stride} at GATHER + 16 * j, j &lt; 4. */
    public static final long GATHER = 0x440;
    /** result[a] = {offset, stride} at RESULT + 16 * a, a &lt; 4. */
    public static final long RESULT = 0x480;
    /** The histogram's radix (Descriptor#radix). */
    public static final long RADIX = 0x4C0;
    public static final long DESCRIPTOR_END = 0x4C8;

    // ---- pacing (LITMUS.md, "Starting a round together"): written by consumers ----------------
    /** CLOCK_MONOTONIC instant (System.nanoTime on Linux) the released round begins; 0: at once. */
    public static final long START_NS = 0x500;
    /** The lead the last consumer gave: START_NS minus its clock when it wrote it. */
    public static final long LEAD_NS = 0x580;
    /** Actors that reached the current round after START_NS. */
    public static final long LATE = 0x600;
    public static final long LEAD_MIN_NS = 200;
    public static final long LEAD_MAX_NS = 20_000;

    // ---- histogram and data -------------------------------------------------------------------
    public static final long HISTOGRAM = 0x1000;
    public static final int HIST_MAX = 256;
    public static final long DATA = 0x2000;

    /** Control-word alignment the section's start must have: each word alone on a 128-byte line. */
    public static final long ALIGN = 128;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;

    /**
     * Wraps a litmus section, normally {@link Region#litmus()}.
     *
     * @throws IllegalArgumentException if it is smaller than {@link #DATA} plus one line, or its
     *     start is not 128-byte aligned
     */
    public LitmusSection(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (segment.byteSize() < DATA + ALIGN) {
            throw new IllegalArgumentException("litmus section of " + segment.byteSize() + " bytes: it needs at least "
                    + (DATA + ALIGN) + " (control, descriptor, histogram, data)");
        }
        if (segment.address() % ALIGN != 0) {
            throw new IllegalArgumentException(String.format(
                    "litmus section at 0x%x is not %d-byte aligned", segment.address(), ALIGN));
        }
        this.segment = segment;
    }

    /** The litmus section of {@code region}. */
    public static LitmusSection of(Region region) {
        return new LitmusSection(region.litmus());
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return segment.byteSize();
    }

    /** The section's native address, as handed to C actors. */
    public long address() {
        return segment.address();
    }

    // ---- whole-section operations (no actor may be running) -----------------------------------

    /**
     * Zeroes the whole section: control words, descriptor, histogram and the data area, including
     * the bytes past the last test's descriptor that Java actors use as warm-up scratch (see
     * {@link JavaActor}). Ends with a full fence; actors started afterwards see a clean section (a
     * Java thread start, a pthread_create and a gRPC call each order it before the actor's first
     * access). For the default 8 MiB: 0.25 to 0.6 ms measured, 8 ms the first time (page faults).
     *
     * <p>No actor may be running: this is not atomic with respect to them.
     */
    public void reset() {
        segment.fill((byte) 0);
        VarHandle.fullFence();
    }

    /**
     * Writes {@code d} into the descriptor words (unused gather and result pairs zero), then a full
     * fence. The runner does this after {@link #reset()} and before any actor starts.
     *
     * @throws IllegalArgumentException if {@code d} does not fit this section
     */
    public void write(Descriptor d) {
        d.requireFits(size());
        segment.asSlice(DESCRIPTOR, DESCRIPTOR_END - DESCRIPTOR).fill((byte) 0);
        segment.set(ValueLayout.JAVA_LONG, N_ACTORS, d.actors());
        segment.set(ValueLayout.JAVA_LONG, STRIDE, d.stride());
        segment.set(ValueLayout.JAVA_LONG, N_GATHER, d.gather());
        segment.set(ValueLayout.JAVA_LONG, MAX_ROUNDS, d.maxRounds());
        segment.set(ValueLayout.JAVA_LONG, LOC_OFFSET, d.locOffset());
        segment.set(ValueLayout.JAVA_LONG, LOC_STRIDE, d.locStride());
        segment.set(ValueLayout.JAVA_LONG, HIST_OFFSET, d.histOffset());
        segment.set(ValueLayout.JAVA_LONG, HIST_LEN, d.histLen());
        segment.set(ValueLayout.JAVA_LONG, RADIX, d.radix());
        for (int j = 0; j < d.gather(); j++) {
            segment.set(ValueLayout.JAVA_LONG, GATHER + 16L * j, d.gatherOffset(j));
            segment.set(ValueLayout.JAVA_LONG, GATHER + 16L * j + 8, d.gatherStride(j));
        }
        for (int a = 0; a < d.actors(); a++) {
            segment.set(ValueLayout.JAVA_LONG, RESULT + 16L * a, d.resultOffset(a));
            segment.set(ValueLayout.JAVA_LONG, RESULT + 16L * a + 8, d.resultStride(a));
        }
        VarHandle.fullFence();
    }

    /**
     * Reads the descriptor words back, as an actor of any runtime sees them.
     *
     * @throws IllegalArgumentException if they do not form a valid descriptor that fits this section
     *     (for example: never written)
     */
    public Descriptor descriptor() {
        long actors = segment.get(ValueLayout.JAVA_LONG, N_ACTORS);
        long stride = segment.get(ValueLayout.JAVA_LONG, STRIDE);
        long gather = segment.get(ValueLayout.JAVA_LONG, N_GATHER);
        long histLen = segment.get(ValueLayout.JAVA_LONG, HIST_LEN);
        long radix = segment.get(ValueLayout.JAVA_LONG, RADIX);
        if (actors < 0 || actors > Descriptor.MAX_ACTORS || gather < 0 || gather > Descriptor.MAX_GATHER
                || stride < 0 || stride > Integer.MAX_VALUE || histLen < 0 || histLen > HIST_MAX
                || radix < 0 || radix > HIST_MAX) {
            throw new IllegalArgumentException("descriptor: n_actors " + actors + ", n_gather " + gather + ", stride "
                    + stride + ", hist_len " + histLen + ", radix " + radix + " out of range");
        }
        long[][] gathers = new long[(int) gather][];
        for (int j = 0; j < gather; j++) {
            gathers[j] = new long[] {segment.get(ValueLayout.JAVA_LONG, GATHER + 16L * j),
                    segment.get(ValueLayout.JAVA_LONG, GATHER + 16L * j + 8)};
        }
        long[][] results = new long[(int) actors][];
        for (int a = 0; a < actors; a++) {
            results[a] = new long[] {segment.get(ValueLayout.JAVA_LONG, RESULT + 16L * a),
                    segment.get(ValueLayout.JAVA_LONG, RESULT + 16L * a + 8)};
        }
        Descriptor d = new Descriptor((int) actors, (int) stride, (int) gather,
                segment.get(ValueLayout.JAVA_LONG, MAX_ROUNDS), segment.get(ValueLayout.JAVA_LONG, LOC_OFFSET),
                segment.get(ValueLayout.JAVA_LONG, LOC_STRIDE), segment.get(ValueLayout.JAVA_LONG, HIST_OFFSET),
                (int) histLen, gathers, results, (int) radix);
        d.requireFits(size());
        return d;
    }

    /**
     * The histogram's {@code hist_len} counts, after an acquire load of {@code rounds}: every round
     * counted in {@link #rounds()} at that moment is in the copy. Read it once the actors have left
     * for a final result.
     */
    public long[] histogram() {
        rounds(); // the acquire that makes the counted rounds' histogram visible
        Descriptor d = descriptor();
        long[] h = new long[d.histLen()];
        MemorySegment.copy(segment, ValueLayout.JAVA_LONG, d.histOffset(), h, 0, h.length);
        return h;
    }

    // ---- control words ------------------------------------------------------------------------

    /** {@code generation}, acquire. */
    public long generation() {
        return (long) LONG.getAcquire(segment, GENERATION);
    }

    /** Sets {@code generation}, release; before any actor of the test starts. */
    public void setGeneration(long generation) {
        LONG.setRelease(segment, GENERATION, generation);
    }

    /** {@code epoch}, acquire (as actors read it). */
    public long epoch() {
        return (long) LONG.getAcquire(segment, EPOCH);
    }

    /** Sets {@code epoch}, release: the runner releases round 1 with {@code setEpoch(1)}. */
    public void setEpoch(long epoch) {
        LONG.setRelease(segment, EPOCH, epoch);
    }

    /** {@code ready}, acquire. */
    public long ready() {
        return (long) LONG.getAcquire(segment, READY);
    }

    /** Adds 1 to {@code ready} (seq_cst fetch_add) and returns the new count; actors do this first. */
    public long addReady() {
        return (long) LONG.getAndAdd(segment, READY, 1L) + 1;
    }

    /** {@code arrived}, acquire. */
    public long arrived() {
        return (long) LONG.getAcquire(segment, ARRIVED);
    }

    /** {@code lead_ns}, acquire: the lead the last consumer gave its round's start (0: none yet). */
    public long leadNs() {
        return (long) LONG.getAcquire(segment, LEAD_NS);
    }

    /** {@code rounds}, acquire: every round counted here is in the histogram. */
    public long rounds() {
        return (long) LONG.getAcquire(segment, ROUNDS);
    }

    /** {@code stop}, acquire. */
    public long stop() {
        return (long) LONG.getAcquire(segment, STOP);
    }

    /** Sets {@code stop} to 1, volatile: the round in progress is the last. */
    public void requestStop() {
        LONG.setVolatile(segment, STOP, 1L);
    }

    /** {@code done}, acquire. */
    public long done() {
        return (long) LONG.getAcquire(segment, DONE);
    }

    /** {@code abort}, acquire. */
    public long abort() {
        return (long) LONG.getAcquire(segment, ABORT);
    }

    /** Sets {@code abort} to 1, volatile: every actor leaves at its next wait. */
    public void requestAbort() {
        LONG.setVolatile(segment, ABORT, 1L);
    }

    @Override
    public String toString() {
        return String.format("LitmusSection[0x%x, %d bytes, epoch %d, ready %d, rounds %d, done %d, abort %d]",
                address(), size(), epoch(), ready(), rounds(), done(), abort());
    }
}
