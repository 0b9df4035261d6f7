package testbed.litmus.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.runtime.Descriptor.Gather;
import testbed.region.LayoutDeclaration;
import testbed.region.LayoutDeclaration.MalformedLayoutException;
import testbed.region.LayoutDeclaration.Span;

/**
 * The Java view of the litmus section ({@link LitmusSection}, {@link Descriptor}, {@link ActorResult})
 * against the one declaration, native/litmus.layout: every constant, word and part Java defines,
 * byte for byte (system property testbed.litmus.layout; by default litmus.layout beside
 * testbed.layout's region.layout).
 */
@Timeout(10)
class LitmusLayoutTest {

    /** The parts a litmus.layout field belongs to. */
    static final List<String> PARTS = List.of("control", "descriptor", "pacing");

    /**
     * What the declaration holds for the other runtimes only: C's compiled-kernel
     * register bound, its role kernels' registers and its join result indices (Java reads out4 by
     * position, with no constants).
     */
    static final Set<String> NOT_JAVA = Set.of("const MAX_REGISTERS",
            "const OUT_ROUNDS_RUN", "const OUT_ROUNDS_CONSUMED", "const OUT_ABORTED", "const OUT_ELAPSED_NS");

    /** One thing Java defines, named as the declaration names it; {@code javaName} says where. */
    record Item(String kind, String name, String javaName, long a, long b) {}

    private static final long WORD = ValueLayout.JAVA_LONG.byteSize();

    private static Path file;
    private static List<String> lines;
    private static LayoutDeclaration declared;

    @BeforeAll
    static void readDeclaration() throws IOException {
        String region = System.getProperty("testbed.layout", "native/region.layout");
        file = Path.of(System.getProperty("testbed.litmus.layout",
                Path.of(region).resolveSibling("litmus.layout").toString()));
        assertTrue(Files.isRegularFile(file), "litmus layout declaration not found at " + file.toAbsolutePath()
                + " (system property testbed.litmus.layout, or testbed.layout's directory)");
        lines = Files.readAllLines(file);
        declared = LayoutDeclaration.read(file, PARTS);
    }

    /** The Java view; the pairs are where {@link LitmusSection#write} puts them, 16 bytes apart. */
    static List<Item> javaView() {
        List<Item> v = new ArrayList<>(List.of(
                new Item("const", "ALIGN", "LitmusSection.ALIGN", LitmusSection.ALIGN, 0),
                new Item("const", "MIN_ACTORS", "Descriptor.MIN_ACTORS", Descriptor.MIN_ACTORS, 0),
                new Item("const", "MAX_ACTORS", "Descriptor.MAX_ACTORS", Descriptor.MAX_ACTORS, 0),
                new Item("const", "MAX_GATHER", "Descriptor.MAX_GATHER", Descriptor.MAX_GATHER, 0),
                new Item("const", "HIST_MAX", "LitmusSection.HIST_MAX", LitmusSection.HIST_MAX, 0),
                new Item("const", "RADIX_MIN", "Descriptor.RADIX_MIN", Descriptor.RADIX_MIN, 0),
                new Item("const", "LEAD_MIN_NS", "LitmusSection.LEAD_MIN_NS", LitmusSection.LEAD_MIN_NS, 0),
                new Item("const", "LEAD_MAX_NS", "LitmusSection.LEAD_MAX_NS", LitmusSection.LEAD_MAX_NS, 0),
                new Item("const", "LEFT_DONE", "ActorResult.COMPLETED", ActorResult.COMPLETED, 0),
                new Item("const", "LEFT_ABORT", "ActorResult.ABORT_WORD", ActorResult.ABORT_WORD, 0),
                new Item("const", "LEFT_STALL", "ActorResult.OWN_STALL", ActorResult.OWN_STALL, 0),
                new Item("const", "STANDARD_LOC_STRIDE", "Descriptor.STANDARD_LOC_STRIDE", Descriptor.STANDARD_LOC_STRIDE, 0),
                new Item("const", "STANDARD_ALIGN", "Descriptor.STANDARD_ALIGN", Descriptor.STANDARD_ALIGN, 0),
                new Item("const", "REGISTER_BYTES", "Descriptor.REGISTER_BYTES", Descriptor.REGISTER_BYTES, 0),
                new Item("const", "MAX_LOCATIONS", "Descriptor.MAX_LOCATIONS", Descriptor.MAX_LOCATIONS, 0),
                new Item("const", "STANDARD_MAX_REGISTERS", "Descriptor.MAX_REGISTERS", Descriptor.MAX_REGISTERS, 0),
                new Item("const", "STANDARD_RADIX", "Descriptor.STANDARD_RADIX", Descriptor.STANDARD_RADIX, 0),

                word("control.epoch", "EPOCH", LitmusSection.EPOCH),
                word("control.arrived", "ARRIVED", LitmusSection.ARRIVED),
                word("control.ready", "READY", LitmusSection.READY),
                word("control.stop", "STOP", LitmusSection.STOP),
                word("control.done", "DONE", LitmusSection.DONE),
                word("control.abort", "ABORT", LitmusSection.ABORT),
                word("control.rounds", "ROUNDS", LitmusSection.ROUNDS),
                word("control.generation", "GENERATION", LitmusSection.GENERATION),
                word("descriptor.n_actors", "N_ACTORS", LitmusSection.N_ACTORS),
                word("descriptor.stride", "STRIDE", LitmusSection.STRIDE),
                word("descriptor.n_gather", "N_GATHER", LitmusSection.N_GATHER),
                word("descriptor.max_rounds", "MAX_ROUNDS", LitmusSection.MAX_ROUNDS),
                word("descriptor.loc_offset", "LOC_OFFSET", LitmusSection.LOC_OFFSET),
                word("descriptor.loc_stride", "LOC_STRIDE", LitmusSection.LOC_STRIDE),
                word("descriptor.hist_offset", "HIST_OFFSET", LitmusSection.HIST_OFFSET),
                word("descriptor.hist_len", "HIST_LEN", LitmusSection.HIST_LEN),
                word("descriptor.radix", "RADIX", LitmusSection.RADIX),
                word("pacing.start_ns", "START_NS", LitmusSection.START_NS),
                word("pacing.lead_ns", "LEAD_NS", LitmusSection.LEAD_NS),
                word("pacing.late", "LATE", LitmusSection.LATE),

                new Item("section", "control", "LitmusSection.EPOCH .. CONTROL_SIZE", LitmusSection.EPOCH,
                        LitmusSection.CONTROL_SIZE - LitmusSection.EPOCH),
                new Item("section", "descriptor", "LitmusSection.DESCRIPTOR .. DESCRIPTOR_END", LitmusSection.DESCRIPTOR,
                        LitmusSection.DESCRIPTOR_END - LitmusSection.DESCRIPTOR),
                new Item("section", "histogram", "LitmusSection.HISTOGRAM, HIST_MAX longs", LitmusSection.HISTOGRAM,
                        LitmusSection.HIST_MAX * WORD),
                new Item("section", "data", "LitmusSection.DATA, to the section's end", LitmusSection.DATA, 0)));
        for (int j = 0; j < Descriptor.MAX_GATHER; j++) {
            pair(v, "gather[" + j + "]", "LitmusSection.GATHER + 16 j", LitmusSection.GATHER + 16L * j);
        }
        for (int a = 0; a < Descriptor.MAX_ACTORS; a++) {
            pair(v, "result[" + a + "]", "LitmusSection.RESULT + 16 a", LitmusSection.RESULT + 16L * a);
        }
        return v;
    }

    /** An {offset, stride} pair of the descriptor at {@code at}. */
    private static void pair(List<Item> v, String name, String javaName, long at) {
        v.add(new Item("field", "descriptor." + name + ".offset", javaName, at, WORD));
        v.add(new Item("field", "descriptor." + name + ".stride", javaName + " + 8", at + 8, WORD));
    }

    private static Item word(String name, String constant, long offset) {
        return new Item("field", name, "LitmusSection." + constant, offset, WORD);
    }

    /** The declaration's differences from {@code view}, as {@link LayoutDeclaration#differences} words them. */
    static List<String> differences(LayoutDeclaration d, List<Item> view) {
        Map<String, Long> constants = new LinkedHashMap<>();
        Map<String, Span> fields = new LinkedHashMap<>();
        Map<String, Span> sections = new LinkedHashMap<>();
        for (Item i : view) {
            switch (i.kind()) {
                case "const" -> constants.put(i.name(), i.a());
                case "field" -> fields.put(i.name(), new Span(i.a(), i.b()));
                default -> sections.put(i.name(), new Span(i.a(), i.b()));
            }
        }
        return d.differences(constants, fields, sections, NOT_JAVA);
    }

    @Test
    void javaMatchesTheDeclaration() {
        assertEquals(List.of(), differences(declared, javaView()), "differences from " + file);
    }

    /** A constant added to one of the three classes without a line in litmus.layout cannot pass. */
    @Test
    void theViewNamesEveryConstantOfTheSectionClasses() {
        List<Item> view = javaView();
        List<String> unnamed = new ArrayList<>();
        int seen = 0;
        for (Class<?> c : List.of(LitmusSection.class, Descriptor.class, ActorResult.class)) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m)
                        || !(f.getType() == long.class || f.getType() == int.class)) {
                    continue;
                }
                seen++;
                String name = c.getSimpleName() + "." + f.getName();
                Pattern token = Pattern.compile("(^|[ .])" + Pattern.quote(f.getName()) + "\\b");
                boolean named = view.stream().anyMatch(i -> i.javaName().equals(name)
                        || i.javaName().startsWith(c.getSimpleName() + ".") && token.matcher(i.javaName()).find());
                if (!named) unnamed.add(name);
            }
        }
        assertTrue(seen >= 30, "read " + seen + " constants from the section classes");
        assertEquals(List.of(), unnamed, "constants the Java view of " + file + " does not name");
    }

    /** LitmusSection.write puts each descriptor value at the offset the declaration gives its word. */
    @Test
    void writeStoresEveryDescriptorWordWhereDeclared() {
        List<Gather> four = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0),
                new Gather.Register(2, 0), new Gather.Register(3, 0));
        Descriptor d = Descriptor.standard(new int[] {1, 1, 1, 1}, 8, four).withMaxRounds(7);
        Map<String, Long> want = new LinkedHashMap<>();
        want.put("descriptor.n_actors", (long) d.actors());
        want.put("descriptor.stride", (long) d.stride());
        want.put("descriptor.n_gather", (long) d.gather());
        want.put("descriptor.max_rounds", d.maxRounds());
        want.put("descriptor.loc_offset", d.locOffset());
        want.put("descriptor.loc_stride", d.locStride());
        want.put("descriptor.hist_offset", d.histOffset());
        want.put("descriptor.hist_len", (long) d.histLen());
        want.put("descriptor.radix", (long) d.radix());
        for (int j = 0; j < d.gather(); j++) {
            want.put("descriptor.gather[" + j + "].offset", d.gatherOffset(j));
            want.put("descriptor.gather[" + j + "].stride", d.gatherStride(j));
        }
        for (int a = 0; a < d.actors(); a++) {
            want.put("descriptor.result[" + a + "].offset", d.resultOffset(a));
            want.put("descriptor.result[" + a + "].stride", d.resultStride(a));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(0x4000, LitmusSection.ALIGN);
            new LitmusSection(s).write(d);
            Map<String, Long> found = new LinkedHashMap<>();
            want.keySet().forEach(name -> {
                Span at = declared.fields().get(name);
                assertTrue(at != null, name + " is not declared in " + file);
                found.put(name, s.get(ValueLayout.JAVA_LONG, at.offset()));
            });
            assertEquals(want, found, "descriptor words read back at the declared offsets");
        }
    }

    // ---- the checks can fail ----------------------------------------------------------------------

    /** The declaration with each line starting with a key of {@code edits} replaced (null: left out), plus {@code added}. */
    private static LayoutDeclaration planted(Map<String, String> edits, String... added) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String key = edits.keySet().stream().filter(k -> line.startsWith(k + " ")).findFirst().orElse(null);
            if (key == null) {
                out.add(line);
            } else if (edits.get(key) != null) {
                out.add(edits.get(key));
            }
        }
        out.addAll(List.of(added));
        return LayoutDeclaration.parse("planted", out, PARTS);
    }

    @Test
    void aPlantedDifferenceIsNamedWithBothValues() {
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("const HIST_MAX", "const HIST_MAX 264");
        edits.put("field descriptor.gather[2].stride", "field descriptor.gather[2].stride 0x470 8");
        edits.put("section histogram", "section histogram 0x1000 0x400");
        edits.put("const LEFT_STALL", null);
        List<String> differences = differences(planted(edits, "field pacing.early 0x680 8"), javaView());
        assertEquals(List.of(
                "const HIST_MAX: declared 264, Java has 256",
                "const LEFT_STALL: in Java (2) but not in the declaration",
                "field descriptor.gather[2].stride: declared offset 1136 size 8, Java has offset 1128 size 8",
                "field pacing.early: declared (offset 1664 size 8) but missing in Java",
                "section histogram: declared offset 4096 size 1024, Java has offset 4096 size 2048"), differences);
    }

    @Test
    void aWrongJavaViewIsCaught() {
        List<Item> view = new ArrayList<>(javaView());
        view.replaceAll(i -> i.name().equals("pacing.lead_ns") ? new Item("field", i.name(), i.javaName(), 0x588, 8) : i);
        assertEquals(List.of("field pacing.lead_ns: declared offset 1408 size 8, Java has offset 1416 size 8"),
                differences(declared, view));
    }

    @Test
    void aFieldOutsideTheSectionsPartsIsRefused() {
        MalformedLayoutException e = assertThrows(MalformedLayoutException.class,
                () -> LayoutDeclaration.parse("x.layout", List.of("const A 1", "field header.magic 0 8"), PARTS));
        assertEquals("x.layout:2: field name must be control.<name>, descriptor.<name> or pacing.<name>, got 'header.magic'",
                e.getMessage());
    }
}
