package testbed.litmus.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The litmus section's descriptor (docs/LITMUS.md, "The litmus section", 0x400): how many actors,
 * instances per round, outcome values, rounds, and where the locations, the result arrays, the
 * histogram and the outcome values are. Every offset is a byte offset from the start of the section.
 *
 * <p>A descriptor is checked when it is made: every field in range, every offset and stride 8-byte
 * aligned, the data (locations and result arrays) at or past {@link LitmusSection#DATA} and not
 * overlapping, and each outcome value of every instance inside the data, so that the consumer's
 * reset clears it ({@link DescriptorCheck}). Whether it fits a given section is checked by
 * {@link #requireFits(long)} (and by {@link LitmusSection#write(Descriptor)}).
 *
 * @param actors number of actors, 2 to 4
 * @param stride instances per round, at least 1
 * @param gather outcome values per sample, 1 to 4
 * @param maxRounds rounds after which the consumer sets {@code done}; 0: until stopped
 * @param locOffset first instance's locations
 * @param locStride bytes from one instance's locations to the next
 * @param histOffset the histogram (normally {@link LitmusSection#HISTOGRAM})
 * @param histLen histogram length, {@code radix^gather}, at most {@link LitmusSection#HIST_MAX}
 * @param gatherSlots {@code gather} pairs {offset, stride}: outcome value j of instance i is the
 *     int64 at {@code offset + i * stride}
 * @param resultSlots {@code actors} pairs {offset, stride}: actor a's r0 for instance i is at
 *     {@code offset + i * stride}, its r1 8 bytes further; the stride is 0 for an actor that has no
 *     registers, otherwise at least 8
 * @param radix the histogram's: each outcome value is one digit, in this radix, of its sample's
 *     histogram index, and a value outside {@code 0..radix-1} counts as {@code radix-1} (the runner
 *     picks a radix whose top digit no allowed outcome uses, so such a value never passes as one)
 */
public record Descriptor(int actors, int stride, int gather, long maxRounds, long locOffset, long locStride,
                         long histOffset, int histLen, long[][] gatherSlots, long[][] resultSlots, int radix) {

    public static final int MIN_ACTORS = 2;
    public static final int MAX_ACTORS = 4;
    public static final int MAX_GATHER = 4;
    /** The least histogram radix: two digits, 0 and "anything else". */
    public static final int RADIX_MIN = 2;
    /** The radix of {@link #standard}: values 0..3, anything else counting as 3. */
    public static final int STANDARD_RADIX = 4;
    /** Locations of an instance in {@link #standard}: a litmus file's limit. */
    public static final int MAX_LOCATIONS = 8;
    /** Registers of one actor in {@link #standard}: one per statement of a litmus file's thread at most. */
    public static final int MAX_REGISTERS = 12;

    /** Location stride of {@link #standard}: x at 0, y at 8 of each instance. */
    public static final long STANDARD_LOC_STRIDE = 16;
    /** Bytes of one register in a record of {@link #standard}. */
    public static final long REGISTER_BYTES = 8;
    /** Alignment of each area {@link #standard} lays out: two 64-byte lines, as control words. */
    public static final long STANDARD_ALIGN = 128;

    /**
     * One outcome value of {@link #standard}: a register an actor loaded ({@link Register}), or a
     * location read after the round, its final value ({@link Location}).
     */
    public sealed interface Gather {

        /** Register {@code register} (0 for r0, 1 for r1) of actor {@code actor}. */
        record Register(int actor, int register) implements Gather {
            public Register {
                if (actor < 0 || actor >= MAX_ACTORS) {
                    throw new IllegalArgumentException("gather: actor " + actor + " out of range 0.." + (MAX_ACTORS - 1));
                }
                if (register < 0 || register >= MAX_REGISTERS) {
                    throw new IllegalArgumentException("gather: register " + register + " of actor " + actor
                            + " is outside 0.." + (MAX_REGISTERS - 1));
                }
            }

            @Override
            public String toString() {
                return "a" + actor + ".r" + register;
            }
        }

        /** The location {@code offset} bytes into each instance (0 for x, 8 for y in {@link #standard}). */
        record Location(long offset) implements Gather {
            public Location {
                if (offset < 0 || offset % 8 != 0) {
                    throw new IllegalArgumentException("gather: location offset " + offset
                            + " is not a non-negative multiple of 8");
                }
            }

            @Override
            public String toString() {
                return "loc+" + offset;
            }
        }
    }

    /** Validates, and copies the slot arrays so that the record cannot be changed from outside. */
    public Descriptor {
        Objects.requireNonNull(gatherSlots, "gatherSlots");
        Objects.requireNonNull(resultSlots, "resultSlots");
        gatherSlots = copy(gatherSlots, "gather slot");
        resultSlots = copy(resultSlots, "result slot");
        DescriptorCheck.validate(actors, stride, gather, maxRounds, locOffset, locStride, histOffset, histLen, gatherSlots, resultSlots, radix);
    }

    /**
     * {@link #standard(int[], int, List)} with two registers for every actor: records of 16 bytes
     * per actor, the layout before records were packed (kept for callers that do not know their
     * actors' kernels).
     */
    public static Descriptor standard(int actors, int stride, List<Gather> gathers) {
        if (actors < MIN_ACTORS || actors > MAX_ACTORS) {
            throw new IllegalArgumentException("descriptor: " + actors + " actors, want " + MIN_ACTORS + ".." + MAX_ACTORS);
        }
        int[] registers = new int[actors];
        Arrays.fill(registers, 2);
        return standard(registers, stride, gathers);
    }

    /**
     * The layout every engine test uses (docs/LITMUS.md, "The standard layout"): instance i's
     * locations at {@code 0x2000 + i * 16} (x at +0, y at +8); then, from the next 128-byte
     * boundary, one record per instance packing the registers of every actor that has any, 8 bytes
     * each, in actor order ({@code registers[a]} of actor a); an actor without registers has a
     * result array of stride 0; histogram at 0x1000; {@code maxRounds} 0 (see {@link #withMaxRounds}).
     *
     * @throws IllegalArgumentException for a bad count, a register count outside 0..2, or a gather
     *     naming an actor, register or location the test does not have
     */
    public static Descriptor standard(int[] registers, int stride, List<Gather> gathers) {
        return standard(registers, 2, stride, gathers);
    }

    /**
     * The standard layout for instances of {@code locations} locations, 8 bytes each: an
     * instance takes {@code 8 * max(2, locations)} bytes, so tests of one or two locations keep
     * the 16-byte instances every measurement of docs/LITMUS.md was taken with.
     */
    public static Descriptor standard(int[] registers, int locations, int stride, List<Gather> gathers) {
        Objects.requireNonNull(registers, "registers");
        if (locations < 1 || locations > MAX_LOCATIONS) {
            throw new IllegalArgumentException("descriptor: " + locations + " locations per instance, want 1.." + MAX_LOCATIONS);
        }
        long locStride = REGISTER_BYTES * Math.max(2, locations);
        Objects.requireNonNull(gathers, "gathers");
        int actors = registers.length;
        if (actors < MIN_ACTORS || actors > MAX_ACTORS) {
            throw new IllegalArgumentException("descriptor: " + actors + " actors, want " + MIN_ACTORS + ".." + MAX_ACTORS);
        }
        if (stride < 1) {
            throw new IllegalArgumentException("descriptor: stride " + stride + ", want at least 1");
        }
        long locBytes = Math.multiplyExact((long) stride, locStride);
        long resultBase = alignUp(LitmusSection.DATA + locBytes, STANDARD_ALIGN);
        // One record per instance holds every actor's registers, so the actors of one instance
        // write to the same cache line: that keeps them moving in step through a round, which is
        // what makes rare interleavings frequent (with separate arrays the store-buffering
        // outcome fell from about 45% to 2-6% of samples, J-J release/acquire). The record holds
        // only the registers the kernels write: the consumer reads every record of a round from
        // the other actors' caches, so bytes nobody writes cost a line transfer each round.
        long record = 0;
        long[] position = new long[actors];
        for (int a = 0; a < actors; a++) {
            if (registers[a] < 0 || registers[a] > MAX_REGISTERS) {
                throw new IllegalArgumentException("descriptor: actor " + a + " has " + registers[a] + " registers, want 0.." + MAX_REGISTERS);
            }
            position[a] = record;
            record += REGISTER_BYTES * registers[a];
        }
        long[][] results = new long[actors][];
        for (int a = 0; a < actors; a++) {
            results[a] = new long[] {resultBase + position[a], registers[a] == 0 ? 0 : record};
        }
        long[][] slots = new long[gathers.size()][];
        for (int j = 0; j < gathers.size(); j++) {
            slots[j] = switch (Objects.requireNonNull(gathers.get(j), "gather " + j)) {
                case Gather.Register(int a, int reg) -> {
                    if (a >= actors) {
                        throw new IllegalArgumentException("descriptor: gather " + j + " names actor " + a
                                + " but the test has " + actors + " actors");
                    }
                    if (reg >= registers[a]) {
                        throw new IllegalArgumentException("descriptor: gather " + j + " names register r" + reg
                                + " of actor " + a + ", which has " + registers[a] + " register(s)");
                    }
                    yield new long[] {results[a][0] + REGISTER_BYTES * reg, results[a][1]};
                }
                case Gather.Location(long p) -> {
                    if (p >= locStride) {
                        throw new IllegalArgumentException("descriptor: gather " + j + " names location offset " + p
                                + " but an instance has " + locStride + " bytes of locations");
                    }
                    yield new long[] {LitmusSection.DATA + p, locStride};
                }
            };
        }
        int g = gathers.size();
        return new Descriptor(actors, stride, g, 0, LitmusSection.DATA, locStride,
                LitmusSection.HISTOGRAM, histLen(STANDARD_RADIX, g), slots, results, STANDARD_RADIX);
    }

    /**
     * True when two result arrays share one (non-zero) stride and start less than a stride
     * apart at different offsets: interleaved arrays, registers of one record each, whose
     * bytes never meet as long as each actor's registers fit its {@link #registerWindow}.
     */
    static boolean interleaved(long[] a, long[] b) {
        if (a[1] != b[1] || a[1] == 0) return false;
        return a[0] != b[0] && Math.abs(a[0] - b[0]) < a[1];
    }

    /**
     * Bytes of actor a's register window in each record: from its r0 to the nearest r0 of another
     * actor interleaved with it (its own record's, or the next record's), or to its own next
     * record; 0 for an actor without registers. Every runtime refuses a kernel that writes more
     * than fits: 8 bytes per register.
     */
    public long registerWindow(int a) {
        long[] own = resultSlots[a];
        long stride = own[1];
        if (stride == 0) return 0;
        long end = own[0] + stride;
        for (int b = 0; b < actors; b++) {
            long[] other = resultSlots[b];
            if (b == a || !interleaved(own, other)) continue;
            long next = other[0] > own[0] ? other[0] : other[0] + stride;
            end = Math.min(end, next);
        }
        return end - own[0];
    }

    /** This descriptor with {@code maxRounds} replaced (0: run until stopped). */
    public Descriptor withMaxRounds(long maxRounds) {
        return new Descriptor(actors, stride, gather, maxRounds, locOffset, locStride, histOffset, histLen,
                gatherSlots, resultSlots, radix);
    }

    /**
     * This descriptor with the histogram in {@code radix} ({@code radix^gather} counts).
     *
     * @throws IllegalArgumentException if those counts exceed {@link LitmusSection#HIST_MAX}
     */
    public Descriptor withRadix(int radix) {
        return new Descriptor(actors, stride, gather, maxRounds, locOffset, locStride, histOffset,
                histLen(radix, gather), gatherSlots, resultSlots, radix);
    }

    /** {@code radix^gather}, or -1 when that exceeds {@link LitmusSection#HIST_MAX} (or either is out of range). */
    public static int histLen(int radix, int gather) {
        if (radix < RADIX_MIN || gather < 1 || gather > MAX_GATHER) return -1;
        long len = 1;
        for (int j = 0; j < gather; j++) {
            len *= radix;
            if (len > LitmusSection.HIST_MAX) return -1;
        }
        return (int) len;
    }

    /**
     * This descriptor with {@code stride} replaced: the same offsets, fewer or more instances.
     *
     * @throws IllegalArgumentException if the areas then overlap
     */
    public Descriptor withStride(int stride) {
        return new Descriptor(actors, stride, gather, maxRounds, locOffset, locStride, histOffset, histLen,
                gatherSlots, resultSlots, radix);
    }

    /** A copy of the gather slots, {offset, stride} each. */
    @Override
    public long[][] gatherSlots() {
        return copy(gatherSlots, "gather slot");
    }

    /** A copy of the result slots, {offset, stride} each. */
    @Override
    public long[][] resultSlots() {
        return copy(resultSlots, "result slot");
    }

    public long gatherOffset(int j) {
        return gatherSlots[j][0];
    }

    public long gatherStride(int j) {
        return gatherSlots[j][1];
    }

    public long resultOffset(int a) {
        return resultSlots[a][0];
    }

    public long resultStride(int a) {
        return resultSlots[a][1];
    }

    /** Bytes of the locations area: {@code stride * locStride} from {@link #locOffset()}. */
    public long locBytes() {
        return stride * locStride;
    }

    /** Bytes of actor a's result array: {@code stride * resultStride(a)} from {@link #resultOffset(int)}. */
    public long resultBytes(int a) {
        return stride * resultSlots[a][1];
    }

    /**
     * The areas the consumer zeroes after every round, {offset, length} each: the locations, then
     * each actor's result array (none for an actor without registers).
     */
    public long[][] dataAreas() {
        List<long[]> raw = new ArrayList<>();
        raw.add(new long[] {locOffset, locBytes()});
        for (int a = 0; a < actors; a++) {
            if (resultBytes(a) > 0) raw.add(new long[] {resultSlots[a][0], resultBytes(a)});
        }
        // Interleaved result arrays overlap: merge them so that each byte is zeroed once.
        raw.sort(java.util.Comparator.comparingLong(x -> x[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : raw) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] <= last[0] + last[1]) {
                last[1] = Math.max(last[0] + last[1], r[0] + r[1]) - last[0];
            } else {
                merged.add(new long[] {r[0], r[1]});
            }
        }
        return merged.toArray(new long[0][]);
    }

    /** One past the last byte this descriptor uses (data areas and histogram). */
    public long end() {
        long end = histOffset + 8L * histLen;
        for (long[] area : dataAreas()) {
            end = Math.max(end, area[0] + area[1]);
        }
        return end;
    }

    /**
     * Checks that everything this descriptor names lies inside a section of {@code sectionSize} bytes.
     *
     * @throws IllegalArgumentException naming the bytes needed and the section size
     */
    public void requireFits(long sectionSize) {
        long end = end();
        if (end > sectionSize) {
            throw new IllegalArgumentException("descriptor: needs " + end + " bytes of litmus section (stride "
                    + stride + ", " + actors + " actors) but the section has " + sectionSize
                    + ": lower the stride or make the region's litmus area larger");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Descriptor d && actors == d.actors && stride == d.stride && gather == d.gather
                && maxRounds == d.maxRounds && locOffset == d.locOffset && locStride == d.locStride
                && histOffset == d.histOffset && histLen == d.histLen && radix == d.radix
                && Arrays.deepEquals(gatherSlots, d.gatherSlots) && Arrays.deepEquals(resultSlots, d.resultSlots);
    }

    @Override
    public int hashCode() {
        return Objects.hash(actors, stride, gather, maxRounds, locOffset, locStride, histOffset, histLen, radix,
                Arrays.deepHashCode(gatherSlots), Arrays.deepHashCode(resultSlots));
    }

    @Override
    public String toString() {
        return "Descriptor[actors=" + actors + ", stride=" + stride + ", gather=" + gather + ", maxRounds=" + maxRounds
                + ", loc=0x" + Long.toHexString(locOffset) + "+" + locStride + "*i, hist=0x" + Long.toHexString(histOffset)
                + "[" + histLen + "], radix=" + radix + ", gatherSlots=" + slots(gatherSlots) + ", resultSlots=" + slots(resultSlots) + "]";
    }

    private static long[][] copy(long[][] slots, String what) {
        long[][] c = new long[slots.length][];
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == null || slots[i].length != 2) {
                throw new IllegalArgumentException("descriptor: " + what + " " + i + " is not a pair {offset, stride}");
            }
            c[i] = slots[i].clone();
        }
        return c;
    }

    private static String slots(long[][] slots) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < slots.length; i++) {
            if (i > 0) b.append(", ");
            b.append("0x").append(Long.toHexString(slots[i][0])).append('+').append(slots[i][1]).append("*i");
        }
        return b.append(']').toString();
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
