package testbed.region;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Java view of the shared region, layout version 1.
 *
 * <p>The one declaration is {@code native/region.layout}; every constant, header field and section
 * here must equal it, and {@code RegionLayoutTest} fails if one byte differs. Change that file first,
 * bump {@link #LAYOUT_VERSION}, then this class.
 *
 * <pre>
 *   0x0000 +-----------------------------------------------+
 *          | header (128 B), fields as in HEADER below;    |
 *          | (4) marks a 4-byte field, the rest are 8:     |
 *          |    0 magic              8 layout_version (4)  |
 *          |   12 header_size (4)   16 total_size          |
 *          |   24 counter_slots (4) 28 cache_line (4)      |
 *          |   32 slot_stride (4)   36 arch (4)            |
 *          |   40 packed_slots (4)  44 cancel_flags (4)    |
 *          |   48 control_offset    56 counters_offset     |
 *          |   64 packed_offset     72 cancel_offset       |
 *          |   80 litmus_offset     88 litmus_size         |
 *          |   96 creator_pid      104 state (4)           |
 *          |  108 reserved0 (4)    112 reserved (16 bytes) |
 *   0x0080 +-----------------------------------------------+
 *          | control: 4 x int64, one per 128 B             |
 *          |   [0] start gate  [1] ready count             |
 *          |   [2] run epoch   [3] reserved                |
 *   0x0280 +-----------------------------------------------+
 *          | counters: 16 x int64, one per 128 B           |
 *   0x0A80 +-----------------------------------------------+
 *          | packed: 16 x int64, no padding (2 lines)      |
 *   0x0B00 +-----------------------------------------------+
 *          | cancel flags: 64 x int64, one per 128 B       |
 *   0x2B00 +-----------------------------------------------+
 *          | (unused up to the next 4 KiB page)            |
 *   0x3000 +-----------------------------------------------+
 *          | litmus: litmus_size bytes (header field)      |
 *          +-----------------------------------------------+
 * </pre>
 *
 * <p>Integers are little-endian in the file; the layouts below use the platform order, which is
 * little-endian on both supported architectures ({@link #archCode()} refuses any other).
 */
public final class RegionLayout {

    private RegionLayout() {}

    /** "ITBREGN1" read as a little-endian int64. */
    public static final long MAGIC = 0x314E474552425449L;
    public static final int LAYOUT_VERSION = 1;
    public static final int HEADER_SIZE = 128;
    public static final int CACHE_LINE = 64;
    /** Two 64-byte lines: no two slots share a line or an adjacent-line prefetch pair. */
    public static final int SLOT_STRIDE = 128;
    public static final int CONTROL_WORDS = 4;
    public static final int COUNTER_SLOTS = 16;
    public static final int PACKED_SLOTS = 16;
    public static final int CANCEL_FLAGS = 64;
    public static final int LITMUS_ALIGN = 4096;
    public static final long LITMUS_DEFAULT_SIZE = 8L * 1024 * 1024;

    public static final int ARCH_X86_64 = 1;
    public static final int ARCH_AARCH64 = 2;

    /** Header state while the creator writes the header; readers must not use the region. */
    public static final int STATE_INITIALISING = 0;
    /** Header state once every header field is written (stored with release semantics). */
    public static final int STATE_READY = 1;

    public static final int CONTROL_START_GATE = 0;
    public static final int CONTROL_READY_COUNT = 1;
    public static final int CONTROL_RUN_EPOCH = 2;

    /** Size in bytes of one int64 slot. */
    public static final int SLOT_SIZE = 8;

    /** The 128-byte header; field names are those of region.layout without the "header." prefix. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("magic"),
            ValueLayout.JAVA_INT.withName("layout_version"),
            ValueLayout.JAVA_INT.withName("header_size"),
            ValueLayout.JAVA_LONG.withName("total_size"),
            ValueLayout.JAVA_INT.withName("counter_slots"),
            ValueLayout.JAVA_INT.withName("cache_line"),
            ValueLayout.JAVA_INT.withName("slot_stride"),
            ValueLayout.JAVA_INT.withName("arch"),
            ValueLayout.JAVA_INT.withName("packed_slots"),
            ValueLayout.JAVA_INT.withName("cancel_flags"),
            ValueLayout.JAVA_LONG.withName("control_offset"),
            ValueLayout.JAVA_LONG.withName("counters_offset"),
            ValueLayout.JAVA_LONG.withName("packed_offset"),
            ValueLayout.JAVA_LONG.withName("cancel_offset"),
            ValueLayout.JAVA_LONG.withName("litmus_offset"),
            ValueLayout.JAVA_LONG.withName("litmus_size"),
            ValueLayout.JAVA_LONG.withName("creator_pid"),
            ValueLayout.JAVA_INT.withName("state"),
            ValueLayout.JAVA_INT.withName("reserved0"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("reserved"))
            .withName("header");

    public static final long OFF_MAGIC = offset("magic");
    public static final long OFF_LAYOUT_VERSION = offset("layout_version");
    public static final long OFF_HEADER_SIZE = offset("header_size");
    public static final long OFF_TOTAL_SIZE = offset("total_size");
    public static final long OFF_COUNTER_SLOTS = offset("counter_slots");
    public static final long OFF_CACHE_LINE = offset("cache_line");
    public static final long OFF_SLOT_STRIDE = offset("slot_stride");
    public static final long OFF_ARCH = offset("arch");
    public static final long OFF_PACKED_SLOTS = offset("packed_slots");
    public static final long OFF_CANCEL_FLAGS = offset("cancel_flags");
    public static final long OFF_CONTROL_OFFSET = offset("control_offset");
    public static final long OFF_COUNTERS_OFFSET = offset("counters_offset");
    public static final long OFF_PACKED_OFFSET = offset("packed_offset");
    public static final long OFF_CANCEL_OFFSET = offset("cancel_offset");
    public static final long OFF_LITMUS_OFFSET = offset("litmus_offset");
    public static final long OFF_LITMUS_SIZE = offset("litmus_size");
    public static final long OFF_CREATOR_PID = offset("creator_pid");
    public static final long OFF_STATE = offset("state");

    // Sections follow from the constants; region.layout states the same numbers.
    public static final long CONTROL_OFFSET = HEADER_SIZE;
    public static final long CONTROL_SIZE = (long) CONTROL_WORDS * SLOT_STRIDE;
    public static final long COUNTERS_OFFSET = CONTROL_OFFSET + CONTROL_SIZE;
    public static final long COUNTERS_SIZE = (long) COUNTER_SLOTS * SLOT_STRIDE;
    public static final long PACKED_OFFSET = COUNTERS_OFFSET + COUNTERS_SIZE;
    public static final long PACKED_SIZE = (long) PACKED_SLOTS * SLOT_SIZE;
    public static final long CANCEL_OFFSET = PACKED_OFFSET + PACKED_SIZE;
    public static final long CANCEL_SIZE = (long) CANCEL_FLAGS * SLOT_STRIDE;
    public static final long LITMUS_OFFSET = alignUp(CANCEL_OFFSET + CANCEL_SIZE, LITMUS_ALIGN);

    /** Every constant region.layout declares, by its name there. */
    public static final Map<String, Long> CONSTANTS = constants(
            "MAGIC", MAGIC,
            "LAYOUT_VERSION", LAYOUT_VERSION,
            "HEADER_SIZE", HEADER_SIZE,
            "CACHE_LINE", CACHE_LINE,
            "SLOT_STRIDE", SLOT_STRIDE,
            "CONTROL_WORDS", CONTROL_WORDS,
            "COUNTER_SLOTS", COUNTER_SLOTS,
            "PACKED_SLOTS", PACKED_SLOTS,
            "CANCEL_FLAGS", CANCEL_FLAGS,
            "LITMUS_ALIGN", LITMUS_ALIGN,
            "LITMUS_DEFAULT_SIZE", LITMUS_DEFAULT_SIZE,
            "ARCH_X86_64", ARCH_X86_64,
            "ARCH_AARCH64", ARCH_AARCH64,
            "STATE_INITIALISING", STATE_INITIALISING,
            "STATE_READY", STATE_READY,
            "CONTROL_START_GATE", CONTROL_START_GATE,
            "CONTROL_READY_COUNT", CONTROL_READY_COUNT,
            "CONTROL_RUN_EPOCH", CONTROL_RUN_EPOCH);

    /** A region section; {@code size} 0 means sized by the header (the litmus area). */
    public record Section(String name, long offset, long size) {}

    /** Every section in address order, as named in region.layout. */
    public static final List<Section> SECTIONS = List.of(
            new Section("header", 0, HEADER_SIZE),
            new Section("control", CONTROL_OFFSET, CONTROL_SIZE),
            new Section("counters", COUNTERS_OFFSET, COUNTERS_SIZE),
            new Section("packed", PACKED_OFFSET, PACKED_SIZE),
            new Section("cancel", CANCEL_OFFSET, CANCEL_SIZE),
            new Section("litmus", LITMUS_OFFSET, 0));

    /** Total file size of a region whose litmus area is {@code litmusSize} bytes. */
    public static long totalSize(long litmusSize) {
        return LITMUS_OFFSET + litmusSize;
    }

    /**
     * The arch code of this JVM: {@link #ARCH_X86_64} for os.arch amd64/x86_64, {@link #ARCH_AARCH64}
     * for aarch64, 0 for anything else (including a big-endian platform, where the file's
     * little-endian integers would read wrong).
     */
    public static int archCode() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return 0;
        }
        return archCode(System.getProperty("os.arch", ""));
    }

    /** The arch code for an os.arch value; 0 when unsupported. */
    public static int archCode(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> ARCH_X86_64;
            case "aarch64", "arm64" -> ARCH_AARCH64;
            default -> 0;
        };
    }

    /** The name of an arch code, for messages. */
    public static String archName(long code) {
        if (code == ARCH_X86_64) return "x86_64";
        if (code == ARCH_AARCH64) return "aarch64";
        return "unknown";
    }

    /** The name of a header state, for messages. */
    public static String stateName(long state) {
        if (state == STATE_INITIALISING) return "initialising";
        if (state == STATE_READY) return "ready";
        return "unknown";
    }

    private static Map<String, Long> constants(Object... nameValue) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            map.put((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        }
        return Collections.unmodifiableMap(map);
    }

    private static long offset(String field) {
        return HEADER.byteOffset(PathElement.groupElement(field));
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
