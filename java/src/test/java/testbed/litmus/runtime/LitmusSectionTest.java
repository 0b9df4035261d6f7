package testbed.litmus.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import testbed.litmus.runtime.Descriptor.Gather;
import testbed.region.Region;

/** The litmus section's layout, the descriptor's checks, and agreement with the C header. */
@Timeout(30)
class LitmusSectionTest {

    @TempDir
    static Path dir;

    private static Region region;
    private static LitmusSection section;

    @BeforeAll
    static void setUp() {
        region = Region.create(dir, 1 << 20);
        section = LitmusSection.of(region);
    }

    @AfterAll
    static void tearDown() {
        if (region != null) region.close();
    }

    private static final List<Gather> SB = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0));

    // ---- the standard layout ------------------------------------------------------------------

    @Test
    void standardLayoutPutsLocationsThenOneRecordOfEveryActorsRegistersPerInstance() {
        Descriptor d = Descriptor.standard(2, 1024, SB);
        assertEquals(0x2000, d.locOffset());
        assertEquals(16, d.locStride());
        assertEquals(0x1000, d.histOffset());
        assertEquals(16, d.histLen());
        // 1024 instances x 16 bytes of locations end at 0x6000; then one 32-byte record per
        // instance holds actor 0's registers at +0 and actor 1's at +16 (interleaved arrays).
        assertEquals(0x6000, d.resultOffset(0));
        assertEquals(0x6010, d.resultOffset(1));
        assertEquals(32, d.resultStride(0));
        assertEquals(32, d.resultStride(1));
        assertArrayEquals(new long[][] {{0x6000, 32}, {0x6010, 32}}, d.gatherSlots());
        assertEquals(0xE010, d.end());
        // The consumer zeroes the locations and the records (adjacent: one area), each byte once.
        assertArrayEquals(new long[][] {{0x2000, 0xC010}}, d.dataAreas());
        assertEquals(0, d.maxRounds());
        assertEquals(7, d.withMaxRounds(7).maxRounds());
    }

    @Test
    void standardLayoutAlignsOddStridesAndGathersLocationsAndSecondRegisters() {
        Descriptor d = Descriptor.standard(3, 5, List.of(new Gather.Register(2, 1), new Gather.Location(8),
                new Gather.Location(0)));
        // 5 x 16 = 80 bytes of locations: the records start at the next 128-byte line, 48 bytes each.
        assertEquals(0x2080, d.resultOffset(0));
        assertEquals(0x2090, d.resultOffset(1));
        assertEquals(0x20A0, d.resultOffset(2));
        assertArrayEquals(new long[][] {{0x20A8, 48}, {0x2008, 16}, {0x2000, 16}}, d.gatherSlots());
        assertEquals(64, d.histLen());
    }

    @Test
    void standardRefusesGathersTheTestDoesNotHave() {
        assertMessage(() -> Descriptor.standard(2, 8, List.of(new Gather.Register(2, 0))), "names actor 2 but the test has 2 actors");
        assertMessage(() -> Descriptor.standard(2, 8, List.of(new Gather.Location(16))), "location offset 16");
        assertMessage(() -> new Gather.Register(0, 12), "register 12 of actor 0 is outside 0..11");
        assertMessage(() -> new Gather.Register(4, 0), "actor 4 out of range");
        assertMessage(() -> new Gather.Location(4), "location offset 4 is not a non-negative multiple of 8");
        assertMessage(() -> Descriptor.standard(1, 8, SB), "1 actors, want 2..4");
        assertMessage(() -> Descriptor.standard(5, 8, SB), "5 actors, want 2..4");
        assertMessage(() -> Descriptor.standard(2, 0, SB), "stride 0, want at least 1");
        assertMessage(() -> Descriptor.standard(2, 8, List.of()), "0 outcome values (gather), want 1..4");
        List<Gather> five = List.of(new Gather.Location(0), new Gather.Location(0), new Gather.Location(0),
                new Gather.Location(0), new Gather.Location(8));
        assertMessage(() -> Descriptor.standard(2, 8, five), "5 outcome values (gather), want 1..4");
    }

    // ---- the descriptor's own checks ----------------------------------------------------------

    /** A valid hand-made descriptor, changed by one field at a time below. */
    private static Descriptor make(int actors, int gather, long maxRounds, long locOffset, long locStride,
                                   long histOffset, int histLen, long[][] gathers, long[][] results) {
        return new Descriptor(actors, 4, gather, maxRounds, locOffset, locStride, histOffset, histLen, gathers, results,
                Descriptor.STANDARD_RADIX);
    }

    private static final long[][] G = {{0x3000, 16}};
    private static final long[][] R = {{0x3000, 16}, {0x3100, 16}};

    @Test
    void aValidHandMadeDescriptorIsAccepted() {
        Descriptor d = make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, R);
        assertEquals(0x3140, d.end());
    }

    @Test
    void packedRecordsHoldOnlyTheRegistersTheKernelsWrite() {
        // Store buffering: one register each, so a 16-byte record with a0.r0 at +0 and a1.r0 at +8.
        Descriptor sb = Descriptor.standard(new int[] {1, 1}, 1024, SB);
        assertArrayEquals(new long[][] {{0x6000, 16}, {0x6008, 16}}, sb.resultSlots());
        assertArrayEquals(new long[][] {{0x6000, 16}, {0x6008, 16}}, sb.gatherSlots());
        assertEquals(8, sb.registerWindow(0));
        assertEquals(8, sb.registerWindow(1));
        // a1's extent starts 8 bytes into the first record, so it ends 8 bytes past the last one.
        assertArrayEquals(new long[][] {{0x2000, 0x8008}}, sb.dataAreas());
        // Message passing: the writer has none (stride 0, nothing to zero); the reader's two fill the record.
        List<Gather> mp = List.of(new Gather.Register(1, 0), new Gather.Register(1, 1));
        Descriptor d = Descriptor.standard(new int[] {0, 2}, 1024, mp);
        assertEquals(0, d.resultStride(0));
        assertEquals(0, d.registerWindow(0));
        assertArrayEquals(new long[] {0x6000, 16}, d.resultSlots()[1]);
        assertEquals(16, d.registerWindow(1));
        assertArrayEquals(new long[][] {{0x6000, 16}, {0x6008, 16}}, d.gatherSlots());
        assertArrayEquals(new long[][] {{0x2000, 0x8000}}, d.dataAreas());
        assertEquals(0xA000, d.end());
        // Write-to-read causality: 0, 1 and 2 registers, a 24-byte record; at a stride whose records
        // do not start on a multiple of 24, the windows are still 8 and 16 bytes.
        List<Gather> wrc = List.of(new Gather.Register(1, 0), new Gather.Register(2, 0), new Gather.Register(2, 1));
        for (int stride : new int[] {24, 1024, 96}) {
            Descriptor w = Descriptor.standard(new int[] {0, 1, 2}, stride, wrc);
            assertEquals(0, w.registerWindow(0), "stride " + stride);
            assertEquals(8, w.registerWindow(1), "stride " + stride);
            assertEquals(16, w.registerWindow(2), "stride " + stride);
            assertEquals(24, w.resultStride(2));
        }
        // A hand-made interleaving of 16-byte records 8 bytes apart: one register each, since actor
        // 1's r1 would be actor 0's r0 of the next record.
        Descriptor tight = make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, new long[][] {{0x3000, 16}, {0x3008, 16}});
        assertEquals(8, tight.registerWindow(0));
        assertEquals(8, tight.registerWindow(1));
        // Nothing written anywhere: no record at all.
        Descriptor none = Descriptor.standard(new int[] {0, 0}, 4, List.of(new Gather.Location(0)));
        assertArrayEquals(new long[][] {{0x2000, 0x40}}, none.dataAreas());
        // A gather of a register the actor does not write is refused.
        assertMessage(() -> Descriptor.standard(new int[] {0, 2}, 4, SB), "names register r0 of actor 0, which has 0 register(s)");
        assertMessage(() -> Descriptor.standard(new int[] {13, 1}, 4, SB), "actor 0 has 13 registers, want 0..12");
    }

    @Test
    void descriptorRefusesEachBadFieldWithAMessageNamingIt() {
        assertMessage(() -> make(2, 1, -1, 0x2000, 16, 0x1000, 4, G, R), "max_rounds -1 is negative");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 16, G, R), "hist_len 16, want 4^1 = 4");
        Descriptor d = make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, R);
        assertMessage(() -> new Descriptor(2, 4, 1, 0, 0x2000, 16, 0x1000, 1, G, R, 1), "radix 1, want at least 2");
        assertMessage(() -> new Descriptor(2, 4, 1, 0, 0x2000, 16, 0x1000, 4, G, R, 5), "hist_len 4, want 5^1 = 5");
        assertMessage(() -> d.withRadix(257), "radix 257 and 1 outcome values need 257^1 histogram counts, more than the 256");
        assertEquals(9, d.withRadix(9).histLen());
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x0800, 4, G, R), "histogram [0x800, 0x820) outside");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1004, 4, G, R), "hist_offset 4100 is not a multiple of 8");
        assertMessage(() -> make(2, 1, 0, 0x1F00, 16, 0x1000, 4, G, R), "locations at 0x1f00, before the data area");
        assertMessage(() -> make(2, 1, 0, 0x2004, 16, 0x1000, 4, G, R), "loc_offset 8196 is not a multiple of 8");
        assertMessage(() -> make(2, 1, 0, 0x2000, 0, 0x1000, 4, G, R), "loc_stride 0, want at least 8");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, new long[][] {{0x3000, -8}, {0x3100, 16}}),
                "result[0].stride -8, want 0 (an actor without registers) or at least 8");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, new long[][] {{0x3000, 16}, {0x3020, 16}}),
                "actor 1's result array [0x3020, 0x3060) overlaps actor 0's result array [0x3000, 0x3040)");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, new long[][] {{0x2010, 16}, {0x3100, 16}}),
                "actor 0's result array [0x2010, 0x2050) overlaps locations [0x2000, 0x2040)");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, new long[][] {{0x3008, 16}}, R), null);
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, new long[][] {{0x3040, 16}}, R),
                "gather[0] spans [0x3040, 0x3078), not inside the locations or one result array");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, new long[][] {{0x3000, 12}}, R),
                "gather[0].stride 12 is not a multiple of 8");
        assertMessage(() -> make(2, 2, 0, 0x2000, 16, 0x1000, 16, G, R), "1 gather slots for gather 2");
        assertMessage(() -> make(3, 1, 0, 0x2000, 16, 0x1000, 4, G, R), "2 result slots for 3 actors");
        assertMessage(() -> make(2, 1, 0, 0x2000, 16, 0x1000, 4, new long[][] {{0x3000}}, R),
                "gather slot 0 is not a pair {offset, stride}");
    }

    @Test
    void descriptorIsImmutableAndComparesByValue() {
        long[][] g = {{0x3000, 16}};
        Descriptor d = make(2, 1, 0, 0x2000, 16, 0x1000, 4, g, R);
        g[0][0] = 0x3100;
        d.gatherSlots()[0][0] = 0x3100;
        assertEquals(0x3000, d.gatherOffset(0));
        assertEquals(d, make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, R));
        assertEquals(d.hashCode(), make(2, 1, 0, 0x2000, 16, 0x1000, 4, G, R).hashCode());
        assertNotEquals(d, d.withMaxRounds(1));
    }

    // ---- the section --------------------------------------------------------------------------

    @Test
    void writeStoresEveryFieldAtItsOffsetAndReadsBackEqual() {
        section.reset();
        Descriptor d = Descriptor.standard(3, 64, List.of(new Gather.Register(0, 0), new Gather.Register(2, 1),
                new Gather.Location(8))).withMaxRounds(99);
        section.write(d);
        MemorySegment s = section.segment();
        assertEquals(3, word(s, 0x400));
        assertEquals(64, word(s, 0x408));
        assertEquals(3, word(s, 0x410));
        assertEquals(99, word(s, 0x418));
        assertEquals(0x2000, word(s, 0x420));
        assertEquals(16, word(s, 0x428));
        assertEquals(0x1000, word(s, 0x430));
        assertEquals(64, word(s, 0x438));
        assertEquals(d.resultOffset(0), word(s, 0x440));
        assertEquals(48, word(s, 0x448), "3 actors x 16 bytes of registers per record");
        assertEquals(d.resultOffset(2) + 8, word(s, 0x450));
        assertEquals(0x2008, word(s, 0x460));
        assertEquals(0, word(s, 0x470), "unused gather[3]");
        assertEquals(d.resultOffset(1), word(s, 0x490));
        assertEquals(0, word(s, 0x4B0), "unused result[3]");
        assertEquals(d, section.descriptor());
    }

    @Test
    void writeRefusesADescriptorThatDoesNotFitTheSection() {
        try (Region small = Region.create(dir, 16 * 1024)) {
            LitmusSection s = LitmusSection.of(small);
            s.write(Descriptor.standard(2, 128, SB));
            assertMessage(() -> s.write(Descriptor.standard(2, 1024, SB)),
                    "needs 57360 bytes of litmus section (stride 1024, 2 actors) but the section has 16384");
        }
    }

    @Test
    void aSectionTooSmallForTheLayoutIsRefused() {
        try (Region tiny = Region.create(dir, 4096)) {
            assertMessage(() -> LitmusSection.of(tiny), "litmus section of 4096 bytes: it needs at least 8320");
        }
    }

    @Test
    void resetZeroesTheWholeSection() {
        Descriptor d = Descriptor.standard(2, 256, SB);
        section.write(d);
        MemorySegment s = section.segment();
        s.asSlice(0, d.end()).fill((byte) 0x5A);
        long far = s.byteSize() - 8;
        s.set(ValueLayout.JAVA_LONG, far, 42);
        section.reset();
        for (long off = 0; off < s.byteSize(); off += 8) {
            if (word(s, off) != 0) {
                assertEquals(0, word(s, off), String.format("word at 0x%x after reset", off));
            }
        }
        assertMessage(section::descriptor, "descriptor: 0 actors, want 2..4");
    }

    @Test
    void controlWordAccessorsReadAndWriteTheirOwnWords() {
        section.reset();
        MemorySegment s = section.segment();
        section.setGeneration(7);
        section.setEpoch(3);
        assertEquals(1, section.addReady());
        assertEquals(2, section.addReady());
        section.requestStop();
        section.requestAbort();
        assertEquals(7, word(s, 0x380));
        assertEquals(3, word(s, 0x000));
        assertEquals(2, word(s, 0x100));
        assertEquals(1, word(s, 0x180));
        assertEquals(1, word(s, 0x280));
        assertEquals(0, word(s, 0x200));
        assertEquals(0, word(s, 0x080));
        assertEquals(0, word(s, 0x300));
        assertEquals(7, section.generation());
        assertEquals(3, section.epoch());
        assertEquals(2, section.ready());
        assertEquals(1, section.stop());
        assertEquals(1, section.abort());
        section.reset();
    }

    @Test
    void histogramIsTheDescriptorsCounts() {
        section.reset();
        Descriptor d = Descriptor.standard(2, 4, SB);
        section.write(d);
        section.segment().set(ValueLayout.JAVA_LONG, 0x1000 + 8 * 5, 11);
        section.segment().set(ValueLayout.JAVA_LONG, 0x1000 + 8 * 15, 4);
        long[] h = section.histogram();
        assertEquals(16, h.length);
        assertEquals(11, h[5]);
        assertEquals(4, h[15]);
        assertEquals(15, java.util.Arrays.stream(h).sum());
        section.reset();
    }

    /**
     * The offsets here and in native/include/interop_litmus.h are one contract: every
     * INTEROP_LITMUS_* offset the header defines must equal this class's constant.
     */
    @Test
    void offsetsEqualTheCHeaders() throws IOException {
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("EPOCH", LitmusSection.EPOCH);
        java.put("ARRIVED", LitmusSection.ARRIVED);
        java.put("READY", LitmusSection.READY);
        java.put("STOP", LitmusSection.STOP);
        java.put("DONE", LitmusSection.DONE);
        java.put("ABORT", LitmusSection.ABORT);
        java.put("ROUNDS", LitmusSection.ROUNDS);
        java.put("GENERATION", LitmusSection.GENERATION);
        java.put("DESCRIPTOR", LitmusSection.DESCRIPTOR);
        java.put("N_ACTORS", LitmusSection.N_ACTORS);
        java.put("STRIDE", LitmusSection.STRIDE);
        java.put("N_GATHER", LitmusSection.N_GATHER);
        java.put("MAX_ROUNDS", LitmusSection.MAX_ROUNDS);
        java.put("LOC_OFFSET", LitmusSection.LOC_OFFSET);
        java.put("LOC_STRIDE", LitmusSection.LOC_STRIDE);
        java.put("HIST_OFFSET", LitmusSection.HIST_OFFSET);
        java.put("HIST_LEN", LitmusSection.HIST_LEN);
        java.put("RADIX", LitmusSection.RADIX);
        java.put("RADIX_MIN", (long) Descriptor.RADIX_MIN);
        java.put("GATHER", LitmusSection.GATHER);
        java.put("RESULT", LitmusSection.RESULT);
        java.put("START_NS", LitmusSection.START_NS);
        java.put("LEAD_NS", LitmusSection.LEAD_NS);
        java.put("LATE", LitmusSection.LATE);
        java.put("LEAD_MIN_NS", LitmusSection.LEAD_MIN_NS);
        java.put("LEAD_MAX_NS", LitmusSection.LEAD_MAX_NS);
        java.put("HIST", LitmusSection.HISTOGRAM);
        java.put("DATA", LitmusSection.DATA);
        java.put("HIST_MAX", (long) LitmusSection.HIST_MAX);
        java.put("MIN_ACTORS", (long) Descriptor.MIN_ACTORS);
        java.put("MAX_ACTORS", (long) Descriptor.MAX_ACTORS);
        java.put("MAX_GATHER", (long) Descriptor.MAX_GATHER);
        java.put("LEFT_DONE", (long) ActorResult.COMPLETED);
        java.put("LEFT_ABORT", (long) ActorResult.ABORT_WORD);
        java.put("LEFT_STALL", (long) ActorResult.OWN_STALL);
        Map<String, Long> c = headerDefines();
        for (Map.Entry<String, Long> e : java.entrySet()) {
            assertTrue(c.containsKey(e.getKey()), "interop_litmus.h defines INTEROP_LITMUS_" + e.getKey());
            assertEquals(c.get(e.getKey()), e.getValue(), "INTEROP_LITMUS_" + e.getKey());
        }
    }

    /** The numeric #defines of native/include/interop_litmus.h, without their INTEROP_LITMUS_ prefix. */
    static Map<String, Long> headerDefines() throws IOException {
        String layout = System.getProperty("testbed.layout", "native/region.layout");
        Path header = Path.of(layout).toAbsolutePath().getParent().resolve("include/interop_litmus.h");
        Map<String, Long> defines = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^#define INTEROP_LITMUS_(\\w+)\\s+(0x[0-9A-Fa-f]+|\\d+)\\b")
                .matcher(Files.readString(header));
        while (m.find()) {
            defines.put(m.group(1), Long.decode(m.group(2)));
        }
        assertTrue(defines.size() > 20, "read the defines of " + header + ": " + defines);
        return defines;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static long word(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_LONG, off);
    }

    /** Asserts that {@code action} throws IllegalArgumentException containing {@code text} (null: does not throw). */
    static void assertMessage(Executable action, String text) {
        if (text == null) {
            assertDoesNotThrow(action);
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(text), "message '" + e.getMessage() + "' contains '" + text + "'");
    }
}
