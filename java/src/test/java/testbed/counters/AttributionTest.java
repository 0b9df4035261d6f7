package testbed.counters;

import org.junit.jupiter.api.Test;
import testbed.counters.Attribution.Share;
import testbed.region.RegionLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attribution on planted region contents: every verdict here is worked out by hand in its comment. */
class AttributionTest {
    private static final long N = 1_000_000;

    /** The quick plan on packed[0] and packed[1]: java, c_ffm, c_jnr, go on each, shares N + 2^k. */
    private static List<Share> fourRuntimesTwoSlots() {
        return List.of(new Share("java", "packed[0]", N + 1), new Share("c_ffm", "packed[0]", N + 2),
                new Share("c_jnr", "packed[0]", N + 4), new Share("go", "packed[0]", N + 8),
                new Share("java", "packed[1]", N + 16), new Share("c_ffm", "packed[1]", N + 32),
                new Share("c_jnr", "packed[1]", N + 64), new Share("go", "packed[1]", N + 128));
    }

    private static final Map<String, Long> EXPECTED = Map.of("packed[0]", 4 * N + 15, "packed[1]", 4 * N + 240);

    /** The swept words of a scratch region after writing {@code words} (by name) into it. */
    private static List<SlotSweep.Reading> regionHolding(Map<String, Long> words, Map<String, Long> used) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(RegionLayout.LITMUS_OFFSET, 8);
            SlotSweep sweep = SlotSweep.begin(region);
            words.forEach((name, v) -> region.set(ValueLayout.JAVA_LONG, offsetOf(name), v));
            return sweep.read(used);
        }
    }

    private static long offsetOf(String name) {
        return SlotSweep.WORDS.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow().offset();
    }

    private static Map<String, String> landed(Attribution a) {
        Map<String, String> m = new LinkedHashMap<>();
        a.landedRows().forEach(r -> m.put(r.get("runtime") + " " + r.get("slot"), (String) r.get("landed")));
        return m;
    }

    @Test
    void exactSlotsAndCleanWordsNameNobody() {
        Attribution a = Attribution.of(fourRuntimesTwoSlots(), regionHolding(EXPECTED, EXPECTED));
        assertEquals(List.of(), a.lines());
        assertFalse(a.stray());
        assertEquals(Set.of(), a.named());
        landed(a).forEach((share, where) -> assertTrue(share.endsWith(" " + where), share + " -> " + where));
    }

    /** Go 8 bytes off: packed[0] lacks go's N+8, packed[1] has it instead of its own N+128, packed[2] has that. */
    @Test
    void goEightBytesOffIsReadFromTheThreeWords() {
        Attribution a = Attribution.of(fourRuntimesTwoSlots(), regionHolding(
                Map.of("packed[0]", 3 * N + 7, "packed[1]", 4 * N + 120, "packed[2]", N + 128), EXPECTED));
        assertEquals(List.of(
                "go's increments landed outside their slot: packed[0]'s in packed[1], packed[1]'s in packed[2]",
                "packed[0] = 3,000,007, want 4,000,015 (actors counted 4,000,015): go's 1,000,008 for it landed in packed[1]",
                "packed[1] = 4,000,120, want 4,000,240 (actors counted 4,000,240): it holds go's 1,000,008 for packed[0]; go's 1,000,128 for it landed in packed[2]",
                "packed[2] (unused) holds 1,000,128: increments landed outside their slot: go's for packed[1]"), a.lines());
        assertEquals(Set.of("go"), a.named());
        assertTrue(a.stray());
        assertEquals(N + 128, a.misplacedIncrements());
    }

    /** Go's share for packed[0] was counted but reached no swept word (written past the guard lines, or never). */
    @Test
    void aShareFoundNowhereIsMissingAndNamed() {
        Attribution a = Attribution.of(fourRuntimesTwoSlots(), regionHolding(
                Map.of("packed[0]", 3 * N + 7, "packed[1]", 4 * N + 240), EXPECTED));
        assertEquals("go's increments for packed[0] are in no swept word", a.lines().get(0));
        assertTrue(a.lines().get(1).endsWith(": go's 1,000,008 for it are in no swept word"), a.lines().get(1));
        assertEquals(Attribution.NOWHERE, landed(a).get("go packed[0]"));
        assertEquals(Set.of("go"), a.named());
        assertFalse(a.stray(), "nothing outside the used slots");
    }

    /** Lost updates leave no whole set of shares in the slot: the loss is reported, and nobody is named for it. */
    @Test
    void lostUpdatesNameNobody() {
        Attribution a = Attribution.of(fourRuntimesTwoSlots(), regionHolding(
                Map.of("packed[0]", 3_512_345L, "packed[1]", 4 * N + 240), EXPECTED));
        assertEquals(List.of("packed[0] = 3,512,345, want 4,000,015 (actors counted 4,000,015): not a whole set of the actors'"
                + " shares (updates lost or torn), so no runtime can be named for it"), a.lines());
        assertEquals(Set.of(), a.named());
        assertEquals(Attribution.UNDETERMINED, landed(a).get("java packed[0]"));
        assertEquals("packed[1]", landed(a).get("java packed[1]"));
    }

    /** Equal shares cannot say whose went astray: why the suite gives each actor its own (N + 2^k). */
    @Test
    void equalSharesAreAmbiguousAndSayWhoCouldBeMeant() {
        List<Share> equal = List.of(new Share("java", "packed[0]", N), new Share("go", "packed[0]", N));
        Attribution a = Attribution.of(equal, regionHolding(Map.of("packed[0]", N, "packed[1]", N), Map.of("packed[0]", 2 * N)));
        assertTrue(a.lines().contains("packed[1] (unused) holds 1,000,000: increments landed outside their slot: "
                + "java's for packed[0] or go's for packed[0]"), a.lines().toString());
        assertEquals(Set.of("java", "go"), a.named());
        assertEquals(Attribution.AMBIGUOUS, landed(a).get("go packed[0]"));
    }

    /** A guard word is judged against what it held before the case, and a stray value that is no set of shares names nobody. */
    @Test
    void aGuardWordThatChangedByNoShareIsAStrayWriteOfNobodyKnown() {
        Attribution a = Attribution.of(fourRuntimesTwoSlots(), regionHolding(
                Map.of("packed[0]", 4 * N + 15, "packed[1]", 4 * N + 240, "cancel[0]+8", 3L), EXPECTED));
        assertEquals(List.of("cancel[0]+8 (guard) holds 3, 0 before the case: not a whole set of the actors' shares,"
                + " so no runtime can be named"), a.lines());
        assertTrue(a.stray());
        assertEquals(Set.of(), a.named());
    }

    /** With 2^K at most N, the K shares N + 2^k have 2^K different sums: a sum names one set. */
    @Test
    void sharesOfAPlanHaveDistinctSubsetSums() {
        Plan plan = Plan.everyBinding(256);
        int counted = 2 * plan.countedPerSlot();
        Set<Long> sums = new HashSet<>();
        for (int m = 0; m < 1 << counted; m++) {
            long sum = 0;
            for (int k = 0; k < counted; k++) if ((m >> k & 1) != 0) sum += plan.share(k, counted);
            assertTrue(sums.add(sum), "two sets of shares add up to " + sum);
        }
        // Too small a count for 2^8 to fit below it: the shares stay equal, and attribution says so.
        assertEquals(255, Plan.everyBinding(255).share(3, counted));
    }

    @Test
    void theSweepCoversBothSectionsAndALineEitherSide() {
        List<SlotSweep.Word> w = SlotSweep.WORDS;
        assertEquals(16 + 16 * 16 + 16 + 16, w.size());
        assertEquals(new SlotSweep.Word("control[3]", 0x200, false), w.get(0));
        assertEquals(new SlotSweep.Word("counters[0]", 0x280, true), w.get(16));
        assertEquals(new SlotSweep.Word("counters[0]+8", 0x288, false), w.get(17));
        assertEquals(new SlotSweep.Word("packed[0]", 0xA80, true), w.get(16 + 256));
        assertEquals(new SlotSweep.Word("cancel[0]+120", 0xB78, false), w.get(w.size() - 1));
        for (int i = 1; i < w.size(); i++) assertEquals(w.get(i - 1).offset() + 8, w.get(i).offset(), "no gap at " + w.get(i));
    }

    /** The sweep zeroes the suite's sections before a case, and keeps the guards' values to compare with. */
    @Test
    void theSweepZeroesItsSectionsAndRemembersTheGuards() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(RegionLayout.LITMUS_OFFSET, 8);
            region.fill((byte) 0x11);
            SlotSweep sweep = SlotSweep.begin(region);
            List<SlotSweep.Reading> after = sweep.read(Map.of("counters[3]", 0L));
            for (SlotSweep.Reading r : after) assertFalse(r.off(), r.toString());
            assertEquals(0x1111111111111111L, after.get(0).expected(), "a guard keeps its value");
            assertEquals(SlotSweep.Kind.USED, after.get(16 + 3 * 16).kind());
            assertEquals(SlotSweep.Kind.CANARY, after.get(16 + 3 * 16 + 1).kind());
            assertEquals(SlotSweep.Kind.UNUSED, after.get(16 + 4 * 16).kind());
        }
    }
}
