/*
 * The shared region, layout version 1, as C sees it.
 *
 * native/region.layout is the one declaration of this layout; everything here
 * restates it in C, and the runner's layout tests (interop_test --only layout)
 * fail if a single const, field offset, field size or section differs from it.
 * Change region.layout first, bump LAYOUT_VERSION, then this file.
 *
 *   offset  section                                        size
 *   0x0000 +-----------------------------------------------+
 *          | header: struct interop_region_header          |  128
 *   0x0080 +-----------------------------------------------+
 *          | control: 4 x int64, one per 128 B slot        |  512
 *          |   [0] start gate   [1] ready count            |
 *          |   [2] run epoch    [3] reserved               |
 *   0x0280 +-----------------------------------------------+
 *          | counters: 16 x int64, one per 128 B slot      | 2048
 *   0x0A80 +-----------------------------------------------+
 *          | packed: 16 x int64, 8 B apart (2 cache lines) |  128
 *   0x0B00 +-----------------------------------------------+
 *          | cancel flags: 64 x int64, one per 128 B slot  | 8192
 *   0x2B00 +-----------------------------------------------+
 *          | (unused up to the next 4 KiB page)            |
 *   0x3000 +-----------------------------------------------+
 *          | litmus: header.litmus_size bytes, laid out by |
 *          | the litmus engine                             |
 *          +-----------------------------------------------+
 *
 *   header (struct interop_region_header, little-endian)
 *     0  magic            u64    56  counters_offset  u64
 *     8  layout_version   u32    64  packed_offset    u64
 *    12  header_size      u32    72  cancel_offset    u64
 *    16  total_size       u64    80  litmus_offset    u64
 *    24  counter_slots    u32    88  litmus_size      u64
 *    28  cache_line       u32    96  creator_pid      i64
 *    32  slot_stride      u32   104  state            u32
 *    36  arch             u32   108  reserved0        u32
 *    40  packed_slots     u32   112  reserved         16 B
 *    44  cancel_flags     u32
 *    48  control_offset   u64
 *
 * Slots are 128 B apart, two 64-byte lines, so that no two slots share a line
 * or an adjacent-line prefetch pair (Intel's spatial prefetcher fetches lines
 * in 128-byte pairs; Apple and some Neoverse cores have 128-byte lines). The
 * packed section is the deliberate exception: it exists to show false sharing.
 */
#ifndef INTEROP_REGION_H
#define INTEROP_REGION_H

#include <stddef.h>
#include <stdint.h>

/* ---- consts (region.layout `const` lines) -------------------------------- */

/* "ITBREGN1" read as a little-endian u64. */
#define INTEROP_MAGIC               UINT64_C(0x314E474552425449)
#define INTEROP_LAYOUT_VERSION      1
#define INTEROP_HEADER_SIZE         128
#define INTEROP_CACHE_LINE          64
#define INTEROP_SLOT_STRIDE         128
#define INTEROP_CONTROL_WORDS       4
#define INTEROP_COUNTER_SLOTS       16
#define INTEROP_PACKED_SLOTS        16
#define INTEROP_CANCEL_FLAGS        64
#define INTEROP_LITMUS_ALIGN        4096
#define INTEROP_LITMUS_DEFAULT_SIZE 8388608
#define INTEROP_ARCH_X86_64         1
#define INTEROP_ARCH_AARCH64        2
#define INTEROP_STATE_INITIALISING  0
#define INTEROP_STATE_READY         1
#define INTEROP_CONTROL_START_GATE  0
#define INTEROP_CONTROL_READY_COUNT 1
#define INTEROP_CONTROL_RUN_EPOCH   2

/* ---- sections (region.layout `section` lines; size 0: see the header) ---- */

#define INTEROP_SECTION_HEADER_OFFSET   0
#define INTEROP_SECTION_HEADER_SIZE     128
#define INTEROP_SECTION_CONTROL_OFFSET  128
#define INTEROP_SECTION_CONTROL_SIZE    512
#define INTEROP_SECTION_COUNTERS_OFFSET 640
#define INTEROP_SECTION_COUNTERS_SIZE   2048
#define INTEROP_SECTION_PACKED_OFFSET   2688
#define INTEROP_SECTION_PACKED_SIZE     128
#define INTEROP_SECTION_CANCEL_OFFSET   2816
#define INTEROP_SECTION_CANCEL_SIZE     8192
#define INTEROP_SECTION_LITMUS_OFFSET   12288
#define INTEROP_SECTION_LITMUS_SIZE     0

/* Byte offset, from the start of the region, of one word of a section. */
#define INTEROP_CONTROL_WORD_OFFSET(i) (INTEROP_SECTION_CONTROL_OFFSET + (i) * INTEROP_SLOT_STRIDE)
#define INTEROP_COUNTER_OFFSET(i)      (INTEROP_SECTION_COUNTERS_OFFSET + (i) * INTEROP_SLOT_STRIDE)
#define INTEROP_PACKED_OFFSET(i)       (INTEROP_SECTION_PACKED_OFFSET + (i) * 8)
#define INTEROP_CANCEL_FLAG_OFFSET(i)  (INTEROP_SECTION_CANCEL_OFFSET + (i) * INTEROP_SLOT_STRIDE)

/* Total size of a region whose litmus section is litmus_size bytes. */
#define INTEROP_REGION_SIZE(litmus_size) (INTEROP_SECTION_LITMUS_OFFSET + (litmus_size))

/* ---- header (region.layout `field header.*` lines) ---------------------- */

/*
 * The first 128 bytes of the region. The creator writes every field, then
 * stores state = INTEROP_STATE_READY with release order; a reader that sees
 * READY with an acquire load may trust the rest. All other fields are written
 * once, before READY, and never change.
 */
struct interop_region_header {
    uint64_t magic;            /* INTEROP_MAGIC */
    uint32_t layout_version;   /* INTEROP_LAYOUT_VERSION */
    uint32_t header_size;      /* INTEROP_HEADER_SIZE */
    uint64_t total_size;       /* bytes mapped, header included */
    uint32_t counter_slots;    /* INTEROP_COUNTER_SLOTS */
    uint32_t cache_line;       /* INTEROP_CACHE_LINE */
    uint32_t slot_stride;      /* INTEROP_SLOT_STRIDE */
    uint32_t arch;             /* INTEROP_ARCH_* of the creator */
    uint32_t packed_slots;     /* INTEROP_PACKED_SLOTS */
    uint32_t cancel_flags;     /* INTEROP_CANCEL_FLAGS */
    uint64_t control_offset;   /* INTEROP_SECTION_CONTROL_OFFSET */
    uint64_t counters_offset;  /* INTEROP_SECTION_COUNTERS_OFFSET */
    uint64_t packed_offset;    /* INTEROP_SECTION_PACKED_OFFSET */
    uint64_t cancel_offset;    /* INTEROP_SECTION_CANCEL_OFFSET */
    uint64_t litmus_offset;    /* INTEROP_SECTION_LITMUS_OFFSET */
    uint64_t litmus_size;      /* bytes of the litmus section */
    int64_t  creator_pid;      /* process that created the region */
    uint32_t state;            /* INTEROP_STATE_INITIALISING, then INTEROP_STATE_READY */
    uint32_t reserved0;        /* zero */
    uint8_t  reserved[16];     /* zero */
};

/*
 * The compiler's view must equal the declaration; these fail the build of
 * anything that includes this header, before any test runs. C++ spells the
 * assertion differently, so the checks are C-only.
 */
#ifndef __cplusplus
#define INTEROP_FIELD_AT_(field, off, size)                                               \
    _Static_assert(offsetof(struct interop_region_header, field) == (off),                \
                   "header." #field " must be at offset " #off " (region.layout)");       \
    _Static_assert(sizeof(((struct interop_region_header *)0)->field) == (size),          \
                   "header." #field " must be " #size " bytes (region.layout)")

_Static_assert(sizeof(struct interop_region_header) == INTEROP_HEADER_SIZE,
               "the header must be HEADER_SIZE bytes (region.layout)");
INTEROP_FIELD_AT_(magic,            0, 8);
INTEROP_FIELD_AT_(layout_version,   8, 4);
INTEROP_FIELD_AT_(header_size,     12, 4);
INTEROP_FIELD_AT_(total_size,      16, 8);
INTEROP_FIELD_AT_(counter_slots,   24, 4);
INTEROP_FIELD_AT_(cache_line,      28, 4);
INTEROP_FIELD_AT_(slot_stride,     32, 4);
INTEROP_FIELD_AT_(arch,            36, 4);
INTEROP_FIELD_AT_(packed_slots,    40, 4);
INTEROP_FIELD_AT_(cancel_flags,    44, 4);
INTEROP_FIELD_AT_(control_offset,  48, 8);
INTEROP_FIELD_AT_(counters_offset, 56, 8);
INTEROP_FIELD_AT_(packed_offset,   64, 8);
INTEROP_FIELD_AT_(cancel_offset,   72, 8);
INTEROP_FIELD_AT_(litmus_offset,   80, 8);
INTEROP_FIELD_AT_(litmus_size,     88, 8);
INTEROP_FIELD_AT_(creator_pid,     96, 8);
INTEROP_FIELD_AT_(state,          104, 4);
INTEROP_FIELD_AT_(reserved0,      108, 4);
INTEROP_FIELD_AT_(reserved,       112, 16);
#undef INTEROP_FIELD_AT_

/* The sections follow from the consts; a mismatch means one of them is wrong. */
_Static_assert(INTEROP_SECTION_HEADER_SIZE == INTEROP_HEADER_SIZE, "header section");
_Static_assert(INTEROP_SECTION_CONTROL_OFFSET == INTEROP_SECTION_HEADER_OFFSET + INTEROP_SECTION_HEADER_SIZE,
               "control follows the header");
_Static_assert(INTEROP_SECTION_CONTROL_SIZE == INTEROP_CONTROL_WORDS * INTEROP_SLOT_STRIDE, "control size");
_Static_assert(INTEROP_SECTION_COUNTERS_OFFSET == INTEROP_SECTION_CONTROL_OFFSET + INTEROP_SECTION_CONTROL_SIZE,
               "counters follow control");
_Static_assert(INTEROP_SECTION_COUNTERS_SIZE == INTEROP_COUNTER_SLOTS * INTEROP_SLOT_STRIDE, "counters size");
_Static_assert(INTEROP_SECTION_PACKED_OFFSET == INTEROP_SECTION_COUNTERS_OFFSET + INTEROP_SECTION_COUNTERS_SIZE,
               "packed follows counters");
_Static_assert(INTEROP_SECTION_PACKED_SIZE == INTEROP_PACKED_SLOTS * 8, "packed size");
_Static_assert(INTEROP_SECTION_CANCEL_OFFSET == INTEROP_SECTION_PACKED_OFFSET + INTEROP_SECTION_PACKED_SIZE,
               "cancel follows packed");
_Static_assert(INTEROP_SECTION_CANCEL_SIZE == INTEROP_CANCEL_FLAGS * INTEROP_SLOT_STRIDE, "cancel size");
_Static_assert(INTEROP_SECTION_LITMUS_OFFSET % INTEROP_LITMUS_ALIGN == 0, "litmus is page aligned");
_Static_assert(INTEROP_SECTION_LITMUS_OFFSET >= INTEROP_SECTION_CANCEL_OFFSET + INTEROP_SECTION_CANCEL_SIZE,
               "litmus follows cancel");
_Static_assert(INTEROP_SECTION_LITMUS_OFFSET - INTEROP_LITMUS_ALIGN <
                   INTEROP_SECTION_CANCEL_OFFSET + INTEROP_SECTION_CANCEL_SIZE,
               "litmus starts at the first page boundary after cancel");
_Static_assert(INTEROP_SECTION_CONTROL_OFFSET % INTEROP_CACHE_LINE == 0 &&
                   INTEROP_SECTION_COUNTERS_OFFSET % INTEROP_CACHE_LINE == 0 &&
                   INTEROP_SECTION_PACKED_OFFSET % INTEROP_CACHE_LINE == 0 &&
                   INTEROP_SECTION_CANCEL_OFFSET % INTEROP_CACHE_LINE == 0,
               "every section starts on a cache line");
#endif /* !__cplusplus */

#endif /* INTEROP_REGION_H */
