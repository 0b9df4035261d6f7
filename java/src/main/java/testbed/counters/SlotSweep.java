package testbed.counters;

import testbed.region.RegionLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The words a counters case is checked on once its actors are done: every 8-byte word of
 * the counters and packed sections, and the 128-byte line on either side of them. A word
 * an actor's accessor reaches by a wrong offset, stride or index lands in one of these
 * unless it is more than a line outside the two sections.
 *
 * <pre>
 *   0x0200 +--------------------------------+ guard: control[3] and its padding,
 *          |                                |   unchanged from before the case
 *   0x0280 +--------------------------------+
 *          | counters[0]   counters[0]+8 .. | a used slot exact, an unused one 0;
 *          |   .. counters[0]+120  (x 16)   |   the 15 canary words after each 0
 *   0x0A80 +--------------------------------+
 *          | packed[0] .. packed[15]        | a used slot exact, an unused one 0
 *   0x0B00 +--------------------------------+ guard: cancel[0] and its padding,
 *          |                                |   unchanged from before the case
 *   0x0B80 +--------------------------------+
 * </pre>
 *
 * <p>The counters and packed sections are the suite's while a case runs: {@link #begin}
 * zeroes them, so whatever a word holds afterwards was added during the case. The guard
 * lines belong to other users of the region (the reserved control word, the first cancel
 * flag) and are compared with what they held when the case began.
 */
final class SlotSweep {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    enum Kind {
        /** A slot the case's actors add to: it must hold what they were asked to add. */
        USED,
        /** A slot no actor of the case was given: it must hold 0. */
        UNUSED,
        /** One of the 15 padding words after a padded slot: it must hold 0. */
        CANARY,
        /** A word of the line on either side of the two sections: unchanged by the case. */
        GUARD;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One swept word: its name (the slot's, e.g. {@code packed[2]}, or the slot's plus an offset) and byte offset. */
    record Word(String name, long offset, boolean slot) {}

    /** One word after a case: what it had to hold and what it holds. */
    record Reading(Word word, Kind kind, long expected, long actual) {
        boolean off() {
            return actual != expected;
        }
    }

    /** Every swept word, in address order. */
    static final List<Word> WORDS = words();

    private static List<Word> words() {
        List<Word> w = new ArrayList<>();
        strided(w, "control", RegionLayout.CONTROL_OFFSET + (RegionLayout.CONTROL_WORDS - 1L) * RegionLayout.SLOT_STRIDE,
                RegionLayout.CONTROL_WORDS - 1, 1, false);
        strided(w, "counters", RegionLayout.COUNTERS_OFFSET, 0, RegionLayout.COUNTER_SLOTS, true);
        for (int i = 0; i < RegionLayout.PACKED_SLOTS; i++) {
            w.add(new Word("packed[" + i + "]", RegionLayout.PACKED_OFFSET + (long) i * RegionLayout.SLOT_SIZE, true));
        }
        strided(w, "cancel", RegionLayout.CANCEL_OFFSET, 0, 1, false);
        return List.copyOf(w);
    }

    /** {@code count} strided entries from index {@code first}, each its word then its padding words. */
    private static void strided(List<Word> w, String section, long offset, int first, int count, boolean slots) {
        for (int i = 0; i < count; i++) {
            String name = section + "[" + (first + i) + "]";
            for (int b = 0; b < RegionLayout.SLOT_STRIDE; b += RegionLayout.SLOT_SIZE) {
                w.add(new Word(b == 0 ? name : name + "+" + b, offset + (long) i * RegionLayout.SLOT_STRIDE + b, slots && b == 0));
            }
        }
    }

    private final MemorySegment region;
    private final long[] before;

    private SlotSweep(MemorySegment region, long[] before) {
        this.region = region;
        this.before = before;
    }

    /** Zeroes the counters and packed sections and records the guard lines; call before a case's actors start. */
    static SlotSweep begin(MemorySegment region) {
        long[] before = new long[WORDS.size()];
        for (int i = 0; i < before.length; i++) {
            Word w = WORDS.get(i);
            if (guard(w)) before[i] = (long) LONG.getVolatile(region, w.offset());
            else LONG.setVolatile(region, w.offset(), 0L);
        }
        return new SlotSweep(region, before);
    }

    /**
     * Reads every swept word; call once every actor has ended. {@code used} gives, per used
     * slot's name, what it must hold.
     */
    List<Reading> read(Map<String, Long> used) {
        List<Reading> readings = new ArrayList<>(WORDS.size());
        for (int i = 0; i < WORDS.size(); i++) {
            Word w = WORDS.get(i);
            long actual = (long) LONG.getVolatile(region, w.offset());
            Kind kind = guard(w) ? Kind.GUARD : used.containsKey(w.name()) ? Kind.USED : w.slot() ? Kind.UNUSED : Kind.CANARY;
            long expected = switch (kind) {
                case USED -> used.get(w.name());
                case GUARD -> before[i];
                case UNUSED, CANARY -> 0L;
            };
            readings.add(new Reading(w, kind, expected, actual));
        }
        return readings;
    }

    private static boolean guard(Word w) {
        return w.offset() < RegionLayout.COUNTERS_OFFSET || w.offset() >= RegionLayout.PACKED_OFFSET + RegionLayout.PACKED_SIZE;
    }
}
