package testbed.litmus.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Descriptor} must be for every runtime's consumer to run it safely (docs/LITMUS.md,
 * "The litmus section"): every field in range, every offset and stride 8-byte aligned, the
 * histogram inside the histogram area, the data (locations and result arrays) at or past
 * {@link LitmusSection#DATA} and not overlapping (but for result arrays interleaved in one
 * record), and each outcome value of every instance inside the data, so that the consumer's
 * reset after a round clears it. Every runtime's actor refuses such a descriptor before its first
 * round (docs/LITMUS.md, "What every runtime refuses before it runs").
 */
final class DescriptorCheck {
    private DescriptorCheck() {}

    /**
     * Throws {@link IllegalArgumentException} naming the first field that breaks a rule above;
     * {@code gatherSlots} and {@code resultSlots} are pairs {offset, stride}.
     */
    static void validate(int actors, int stride, int gather, long maxRounds, long locOffset, long locStride,
                                 long histOffset, int histLen, long[][] gatherSlots, long[][] resultSlots, int radix) {
        if (actors < Descriptor.MIN_ACTORS || actors > Descriptor.MAX_ACTORS) {
            throw new IllegalArgumentException("descriptor: " + actors + " actors, want "
                    + Descriptor.MIN_ACTORS + ".." + Descriptor.MAX_ACTORS);
        }
        if (stride < 1) {
            throw new IllegalArgumentException("descriptor: stride " + stride + ", want at least 1");
        }
        if (gather < 1 || gather > Descriptor.MAX_GATHER) {
            throw new IllegalArgumentException("descriptor: " + gather + " outcome values (gather), want 1.." + Descriptor.MAX_GATHER);
        }
        if (maxRounds < 0) {
            throw new IllegalArgumentException("descriptor: max_rounds " + maxRounds + " is negative (0 means until stopped)");
        }
        if (gatherSlots.length != gather) {
            throw new IllegalArgumentException("descriptor: " + gatherSlots.length + " gather slots for gather " + gather);
        }
        if (resultSlots.length != actors) {
            throw new IllegalArgumentException("descriptor: " + resultSlots.length + " result slots for " + actors + " actors");
        }
        if (radix < Descriptor.RADIX_MIN) {
            throw new IllegalArgumentException("descriptor: radix " + radix + ", want at least " + Descriptor.RADIX_MIN);
        }
        int wantHist = Descriptor.histLen(radix, gather);
        if (wantHist < 0) {
            throw new IllegalArgumentException("descriptor: radix " + radix + " and " + gather + " outcome values need "
                    + radix + "^" + gather + " histogram counts, more than the " + LitmusSection.HIST_MAX + " there are");
        }
        if (histLen != wantHist) {
            throw new IllegalArgumentException("descriptor: hist_len " + histLen + ", want " + radix + "^" + gather + " = " + wantHist);
        }
        aligned("hist_offset", histOffset);
        if (histOffset < LitmusSection.HISTOGRAM || histOffset + 8L * histLen > LitmusSection.DATA) {
            throw new IllegalArgumentException(String.format(
                    "descriptor: histogram [0x%x, 0x%x) outside the histogram area [0x%x, 0x%x)",
                    histOffset, histOffset + 8L * histLen, LitmusSection.HISTOGRAM, LitmusSection.DATA));
        }
        // Overflow: every extent below is at most stride * stride-field, bounded here.
        long limit = Long.MAX_VALUE / 4 / stride;
        aligned("loc_offset", locOffset);
        aligned("loc_stride", locStride);
        if (locStride < 8 || locStride > limit) {
            throw new IllegalArgumentException("descriptor: loc_stride " + locStride + ", want at least 8");
        }
        List<long[]> areas = new ArrayList<>();
        List<String> names = new ArrayList<>();
        areas.add(new long[] {locOffset, stride * locStride});
        names.add("locations");
        for (int a = 0; a < actors; a++) {
            long[] slot = resultSlots[a];
            aligned("result[" + a + "].offset", slot[0]);
            aligned("result[" + a + "].stride", slot[1]);
            if (slot[1] != 0 && (slot[1] < 8 || slot[1] > limit)) {
                throw new IllegalArgumentException("descriptor: result[" + a + "].stride " + slot[1]
                        + ", want 0 (an actor without registers) or at least 8");
            }
            areas.add(new long[] {slot[0], stride * slot[1]});
            names.add("actor " + a + "'s result array");
        }
        for (int k = 0; k < areas.size(); k++) {
            long[] area = areas.get(k);
            if (area[0] < LitmusSection.DATA || area[0] > limit) {
                throw new IllegalArgumentException(String.format("descriptor: %s at 0x%x, before the data area (0x%x)",
                        names.get(k), area[0], LitmusSection.DATA));
            }
            for (int m = 0; m < k; m++) {
                long[] other = areas.get(m);
                if (area[1] == 0 || other[1] == 0) continue; // an empty result array holds nothing
                if (k > 0 && m > 0 && Descriptor.interleaved(resultSlots[k - 1], resultSlots[m - 1])) continue;
                if (area[0] < other[0] + other[1] && other[0] < area[0] + area[1]) {
                    throw new IllegalArgumentException(String.format("descriptor: %s [0x%x, 0x%x) overlaps %s [0x%x, 0x%x)",
                            names.get(k), area[0], area[0] + area[1], names.get(m), other[0], other[0] + other[1]));
                }
            }
        }
        // Each outcome value of every instance lies in one area, which the consumer zeroes.
        for (int j = 0; j < gather; j++) {
            long[] slot = gatherSlots[j];
            aligned("gather[" + j + "].offset", slot[0]);
            aligned("gather[" + j + "].stride", slot[1]);
            if (slot[1] < 0 || slot[1] > limit || slot[0] < 0 || slot[0] > limit) {
                throw new IllegalArgumentException("descriptor: gather[" + j + "] {" + slot[0] + ", " + slot[1] + "} out of range");
            }
            long first = slot[0];
            long last = slot[0] + (stride - 1) * slot[1] + 8;
            boolean inside = false;
            for (long[] area : areas) {
                inside |= first >= area[0] && last <= area[0] + area[1];
            }
            if (!inside) {
                throw new IllegalArgumentException(String.format(
                        "descriptor: gather[%d] spans [0x%x, 0x%x), not inside the locations or one result array",
                        j, first, last));
            }
        }
    }

    private static void aligned(String field, long value) {
        if (value % 8 != 0) {
            throw new IllegalArgumentException("descriptor: " + field + " " + value + " is not a multiple of 8");
        }
    }
}
