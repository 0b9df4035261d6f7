package testbed.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout.PathElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.region.LayoutDeclaration.MalformedLayoutException;
import testbed.region.LayoutDeclaration.Span;

/**
 * The Java view of the region ({@link RegionLayout}) against the one declaration, native/region.layout
 * (system property testbed.layout): every constant, header field and section, byte for byte.
 */
@Timeout(10)
class RegionLayoutTest {

    private static Path file;
    private static List<String> lines;
    private static LayoutDeclaration declared;

    @BeforeAll
    static void readDeclaration() throws IOException {
        String p = System.getProperty("testbed.layout", "native/region.layout");
        file = Path.of(p);
        assertTrue(Files.isRegularFile(file), "layout declaration not found at " + file.toAbsolutePath()
                + " (system property testbed.layout)");
        lines = Files.readAllLines(file);
        declared = LayoutDeclaration.read(file);
    }

    /** The Java constants, named as in the declaration; written out here, not taken from RegionLayout.CONSTANTS. */
    private static Map<String, Long> javaConstants() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("MAGIC", RegionLayout.MAGIC);
        m.put("LAYOUT_VERSION", (long) RegionLayout.LAYOUT_VERSION);
        m.put("HEADER_SIZE", (long) RegionLayout.HEADER_SIZE);
        m.put("CACHE_LINE", (long) RegionLayout.CACHE_LINE);
        m.put("SLOT_STRIDE", (long) RegionLayout.SLOT_STRIDE);
        m.put("CONTROL_WORDS", (long) RegionLayout.CONTROL_WORDS);
        m.put("COUNTER_SLOTS", (long) RegionLayout.COUNTER_SLOTS);
        m.put("PACKED_SLOTS", (long) RegionLayout.PACKED_SLOTS);
        m.put("CANCEL_FLAGS", (long) RegionLayout.CANCEL_FLAGS);
        m.put("LITMUS_ALIGN", (long) RegionLayout.LITMUS_ALIGN);
        m.put("LITMUS_DEFAULT_SIZE", RegionLayout.LITMUS_DEFAULT_SIZE);
        m.put("ARCH_X86_64", (long) RegionLayout.ARCH_X86_64);
        m.put("ARCH_AARCH64", (long) RegionLayout.ARCH_AARCH64);
        m.put("STATE_INITIALISING", (long) RegionLayout.STATE_INITIALISING);
        m.put("STATE_READY", (long) RegionLayout.STATE_READY);
        m.put("CONTROL_START_GATE", (long) RegionLayout.CONTROL_START_GATE);
        m.put("CONTROL_READY_COUNT", (long) RegionLayout.CONTROL_READY_COUNT);
        m.put("CONTROL_RUN_EPOCH", (long) RegionLayout.CONTROL_RUN_EPOCH);
        return m;
    }

    @Test
    void everyConstantMatches() {
        Map<String, Long> java = javaConstants();
        assertEquals(new TreeSet<>(declared.constants().keySet()), new TreeSet<>(java.keySet()),
                "constants declared in " + file + " vs constants checked in Java");
        declared.constants().forEach((name, value) ->
                assertEquals(value, java.get(name), "const " + name));
        assertEquals(declared.constants(), RegionLayout.CONSTANTS, "RegionLayout.CONSTANTS");
    }

    @Test
    void everyHeaderFieldMatches() {
        assertFalse(declared.fields().isEmpty(), "no fields declared in " + file);
        for (Map.Entry<String, Span> e : declared.fields().entrySet()) {
            String member = e.getKey().substring("header.".length());
            PathElement path = PathElement.groupElement(member);
            assertEquals(e.getValue().offset(), RegionLayout.HEADER.byteOffset(path), e.getKey() + " offset");
            assertEquals(e.getValue().size(), RegionLayout.HEADER.select(path).byteSize(), e.getKey() + " size");
        }
        assertEquals(declared.fields().keySet(), LayoutDeclaration.headerFields(RegionLayout.HEADER).keySet(),
                "header fields, in order");
        assertEquals(declared.constants().get("HEADER_SIZE"), RegionLayout.HEADER.byteSize(), "HEADER byte size");
    }

    @Test
    void fieldOffsetConstantsMatch() {
        Map<String, Long> used = new LinkedHashMap<>();
        used.put("header.magic", RegionLayout.OFF_MAGIC);
        used.put("header.layout_version", RegionLayout.OFF_LAYOUT_VERSION);
        used.put("header.header_size", RegionLayout.OFF_HEADER_SIZE);
        used.put("header.total_size", RegionLayout.OFF_TOTAL_SIZE);
        used.put("header.counter_slots", RegionLayout.OFF_COUNTER_SLOTS);
        used.put("header.cache_line", RegionLayout.OFF_CACHE_LINE);
        used.put("header.slot_stride", RegionLayout.OFF_SLOT_STRIDE);
        used.put("header.arch", RegionLayout.OFF_ARCH);
        used.put("header.packed_slots", RegionLayout.OFF_PACKED_SLOTS);
        used.put("header.cancel_flags", RegionLayout.OFF_CANCEL_FLAGS);
        used.put("header.control_offset", RegionLayout.OFF_CONTROL_OFFSET);
        used.put("header.counters_offset", RegionLayout.OFF_COUNTERS_OFFSET);
        used.put("header.packed_offset", RegionLayout.OFF_PACKED_OFFSET);
        used.put("header.cancel_offset", RegionLayout.OFF_CANCEL_OFFSET);
        used.put("header.litmus_offset", RegionLayout.OFF_LITMUS_OFFSET);
        used.put("header.litmus_size", RegionLayout.OFF_LITMUS_SIZE);
        used.put("header.creator_pid", RegionLayout.OFF_CREATOR_PID);
        used.put("header.state", RegionLayout.OFF_STATE);
        used.forEach((name, offset) -> {
            Span span = declared.fields().get(name);
            assertTrue(span != null, name + " is not declared");
            assertEquals(span.offset(), offset, name + " offset constant");
        });
    }

    @Test
    void everySectionMatches() {
        Map<String, Span> java = new LinkedHashMap<>();
        for (RegionLayout.Section s : RegionLayout.SECTIONS) java.put(s.name(), new Span(s.offset(), s.size()));
        assertEquals(declared.sections(), java);
        assertEquals(declared.sections().get("litmus").offset() + 4096, RegionLayout.totalSize(4096));
        assertEquals(0, RegionLayout.LITMUS_OFFSET % RegionLayout.LITMUS_ALIGN, "litmus area page-aligned");
    }

    @Test
    void declarationAndJavaAgreeAsAWhole() {
        assertEquals(List.of(), declared.differencesFromJava());
    }

    @Test
    void aChangedDeclarationIsCaught() {
        List<String> changed = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 4 && w[0].equals("field") && w[1].equals("header.state")) {
                changed.add("field header.state 100 4");
            } else if (w.length == 3 && w[0].equals("const") && w[1].equals("COUNTER_SLOTS")) {
                changed.add("const COUNTER_SLOTS 32");
            } else if (w.length == 4 && w[0].equals("section") && w[1].equals("packed")) {
                changed.add("section packed 2688 256");
            } else if (w.length == 3 && w[0].equals("const") && w[1].equals("CONTROL_RUN_EPOCH")) {
                continue;
            } else {
                changed.add(line);
            }
        }
        changed.add("const NEW_THING 7");
        List<String> differences = LayoutDeclaration.parse("changed", changed).differencesFromJava();
        assertEquals(List.of(
                "const CONTROL_RUN_EPOCH: in Java (2) but not in the declaration",
                "const COUNTER_SLOTS: declared 32, Java has 16",
                "const NEW_THING: declared (7) but missing in Java",
                "field header.state: declared offset 100 size 4, Java has offset 104 size 4",
                "section packed: declared offset 2688 size 256, Java has offset 2688 size 128"), differences);
    }

    @Test
    void aMalformedLineIsAClearError() {
        assertMalformed("x.layout:2: want 'field NAME OFFSET SIZE', got 'field header.magic 0'",
                "const MAGIC 1", "field header.magic 0");
        assertMalformed("x.layout:1: 'sixteen' is not a number in 'const COUNTER_SLOTS sixteen'",
                "const COUNTER_SLOTS sixteen");
        assertMalformed("x.layout:1: unknown item 'constant' (want const, field or section) in 'constant A 1'",
                "constant A 1");
        assertMalformed("x.layout:3: 'A' is declared twice", "const A 1", "# comment", "const A 2");
        assertMalformed("x.layout:1: field name must be header.<name>, got 'magic'", "field magic 0 8");
        assertMalformed("x.layout:1: want 'section NAME OFFSET SIZE', got 'section header 0 128 9'",
                "section header 0 128 9");
    }

    @Test
    void commentsAndHexAreUnderstood() {
        LayoutDeclaration d = LayoutDeclaration.parse("x", List.of(
                "# a comment", "", "const A 0x10   # trailing", "  const B 0xFFFFFFFFFFFFFFFF", "section s 1 2"));
        assertEquals(Map.of("A", 16L, "B", -1L), d.constants());
        assertEquals(Map.of("s", new Span(1, 2)), d.sections());
    }

    private static void assertMalformed(String message, String... text) {
        MalformedLayoutException e = assertThrows(MalformedLayoutException.class,
                () -> LayoutDeclaration.parse("x.layout", List.of(text)));
        assertEquals(message, e.getMessage());
    }
}
