/*
 * The litmus-section layout contract on the C side: interop_litmus.h against
 * native/litmus.layout (docs/LITMUS.md, "The litmus section"), and proof that
 * the comparison fails, naming the difference, on a declaration with one
 * value changed, one line left out or one name added (each a temporary copy,
 * removed again).
 *
 * The file is $INTEROP_LITMUS_LAYOUT, else litmus.layout beside the region
 * layout the runner was given (--layout, $INTEROP_LAYOUT, native/region.layout).
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "interop_litmus.h"
#include "layout_check.h"

/* ---- the C view of the litmus section ---------------------------------------- */

#define L_CONST(n) {"const", #n, "INTEROP_LITMUS_" #n, (uint64_t)(INTEROP_LITMUS_##n), 0}
#define L_WORD(part, n, N) {"field", #part "." #n, "INTEROP_LITMUS_" #N, INTEROP_LITMUS_##N, sizeof(int64_t)}
#define L_PAIR(arr, ARR, j)                                                                                  \
    {"field", "descriptor." #arr "[" #j "].offset", "INTEROP_LITMUS_" #ARR "_OFFSET(" #j ")",               \
     INTEROP_LITMUS_##ARR##_OFFSET(j), sizeof(int64_t)},                                                     \
    {"field", "descriptor." #arr "[" #j "].stride", "INTEROP_LITMUS_" #ARR "_STRIDE(" #j ")",               \
     INTEROP_LITMUS_##ARR##_STRIDE(j), sizeof(int64_t)}

static const struct layout_entry litmus_entries[] = {
    L_CONST(MIN_ACTORS),
    L_CONST(MAX_ACTORS),
    L_CONST(MAX_GATHER),
    L_CONST(HIST_MAX),
    L_CONST(RADIX_MIN),
    L_CONST(LEAD_MIN_NS),
    L_CONST(LEAD_MAX_NS),
    L_CONST(MAX_REGISTERS),
    L_CONST(OUT_ROUNDS_RUN),
    L_CONST(OUT_ROUNDS_CONSUMED),
    L_CONST(OUT_ABORTED),
    L_CONST(OUT_ELAPSED_NS),
    L_CONST(LEFT_DONE),
    L_CONST(LEFT_ABORT),
    L_CONST(LEFT_STALL),

    L_WORD(control, epoch, EPOCH),
    L_WORD(control, arrived, ARRIVED),
    L_WORD(control, ready, READY),
    L_WORD(control, stop, STOP),
    L_WORD(control, done, DONE),
    L_WORD(control, abort, ABORT),
    L_WORD(control, rounds, ROUNDS),
    L_WORD(control, generation, GENERATION),

    L_WORD(descriptor, n_actors, N_ACTORS),
    L_WORD(descriptor, stride, STRIDE),
    L_WORD(descriptor, n_gather, N_GATHER),
    L_WORD(descriptor, max_rounds, MAX_ROUNDS),
    L_WORD(descriptor, loc_offset, LOC_OFFSET),
    L_WORD(descriptor, loc_stride, LOC_STRIDE),
    L_WORD(descriptor, hist_offset, HIST_OFFSET),
    L_WORD(descriptor, hist_len, HIST_LEN),
    L_PAIR(gather, GATHER, 0),
    L_PAIR(gather, GATHER, 1),
    L_PAIR(gather, GATHER, 2),
    L_PAIR(gather, GATHER, 3),
    L_PAIR(result, RESULT, 0),
    L_PAIR(result, RESULT, 1),
    L_PAIR(result, RESULT, 2),
    L_PAIR(result, RESULT, 3),
    L_WORD(descriptor, radix, RADIX),

    L_WORD(pacing, start_ns, START_NS),
    L_WORD(pacing, lead_ns, LEAD_NS),
    L_WORD(pacing, late, LATE),

    /* C names where the parts start; their extents follow from what lies in them. */
    {"section", "control", "INTEROP_LITMUS_EPOCH .. INTEROP_LITMUS_DESCRIPTOR", INTEROP_LITMUS_EPOCH,
     INTEROP_LITMUS_DESCRIPTOR - INTEROP_LITMUS_EPOCH},
    {"section", "descriptor", "INTEROP_LITMUS_DESCRIPTOR .. INTEROP_LITMUS_RADIX + 8", INTEROP_LITMUS_DESCRIPTOR,
     INTEROP_LITMUS_RADIX + sizeof(int64_t) - INTEROP_LITMUS_DESCRIPTOR},
    {"section", "histogram", "INTEROP_LITMUS_HIST, INTEROP_LITMUS_HIST_MAX int64s", INTEROP_LITMUS_HIST,
     INTEROP_LITMUS_HIST_MAX * sizeof(int64_t)},
    {"section", "data", "INTEROP_LITMUS_DATA, to the section's end", INTEROP_LITMUS_DATA, 0},
};

/* Declared for Java: the section's alignment, which the runner checks when it
 * wraps a section, and the standard layout that only the runner writes. */
static const char *const java_only[] = {
    "const ALIGN",          "const STANDARD_LOC_STRIDE", "const STANDARD_ALIGN",
    "const REGISTER_BYTES", "const MAX_LOCATIONS",       "const STANDARD_MAX_REGISTERS", "const STANDARD_RADIX",
};

static const struct layout_view litmus_view = {
    "litmus.layout", "interop_litmus.h and test_litmus_layout.c",
    "looked for beside the region layout (--layout, INTEROP_LAYOUT); or set INTEROP_LITMUS_LAYOUT",
    litmus_entries, sizeof litmus_entries / sizeof litmus_entries[0], java_only, sizeof java_only / sizeof java_only[0],
};

/* Defines the view covers only through others: the bases of the
 * _OFFSET(j) and _STRIDE(j) macros. */
static const char *const through_macros[] = {"GATHER", "RESULT"};

/* ---- where the files are --------------------------------------------------- */

static char litmus_path[1024];

static const char *litmus_layout_path(void)
{
    const char *env = getenv("INTEROP_LITMUS_LAYOUT");
    if (env != NULL && env[0] != '\0') return env;
    const char *region = test_layout_path();
    const char *slash = strrchr(region, '/');
    snprintf(litmus_path, sizeof litmus_path, "%.*slitmus.layout", slash ? (int)(slash - region) + 1 : 0, region);
    return litmus_path;
}

/* interop_litmus.h, found from the declaration: DIR/include/interop_litmus.h. */
static void header_path(char out[1024])
{
    const char *layout = litmus_layout_path();
    const char *slash = strrchr(layout, '/');
    snprintf(out, 1024, "%.*sinclude/interop_litmus.h", slash ? (int)(slash - layout) + 1 : 0, layout);
}

/* ---- the tests ----------------------------------------------------------------- */

static struct layout_report report;

static void litmus_layout_matches_litmus_layout(void)
{
    if (layout_check_view(litmus_layout_path(), &litmus_view, &report) != 0) {
        test_fail(__FILE__, __LINE__, "%d problem(s): %s", report.problems, report.text);
    }
}

static bool names_token(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(text, name); p != NULL; p = strstr(p + 1, name)) {
        bool starts = p == text || !(p[-1] == '_' || (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9'));
        char after = p[n];
        bool ends = !(after == '_' || (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9'));
        if (starts && ends) return true;
    }
    return false;
}

/* Every numeric INTEROP_LITMUS_ #define of the header is in the view, so a
 * constant added to C without a line in litmus.layout cannot pass. */
static void litmus_layout_view_holds_every_header_define(void)
{
    char path[1024];
    header_path(path);
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot open %s (found from the litmus layout's directory)", path);
    char line[512], missing[1024] = "";
    int defines = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char name[128], value[64];
        if (sscanf(line, "#define INTEROP_LITMUS_%127[A-Z0-9_] %63s", name, value) != 2) continue;
        if (!(value[0] >= '0' && value[0] <= '9')) continue; /* function-like, or an expression */
        defines++;
        bool covered = false;
        for (size_t i = 0; i < sizeof through_macros / sizeof through_macros[0]; i++) {
            covered = covered || strcmp(name, through_macros[i]) == 0;
        }
        char full[160];
        snprintf(full, sizeof full, "INTEROP_LITMUS_%s", name);
        for (size_t i = 0; i < litmus_view.count && !covered; i++) {
            covered = names_token(litmus_view.entries[i].c_name, full);
        }
        if (!covered) {
            size_t len = strlen(missing);
            snprintf(missing + len, sizeof missing - len, "%s%s", len > 0 ? ", " : "", full);
        }
    }
    fclose(f);
    CHECK_MSG(defines > 20, "read only %d numeric defines from %s", defines, path);
    CHECK_MSG(missing[0] == '\0', "%s defines %s, which neither litmus.layout nor test_litmus_layout.c names", path,
              missing);
}

/*
 * Plants one difference in a copy of the real declaration (a line changed
 * or left out, and `extra` appended when not NULL), and requires the check
 * to pass on the real file and to report `want` on the copy.
 */
static void check_planted(const char *kind, const char *name, enum layout_mutation how, const char *extra,
                          const char *want)
{
    char *real = layout_read_all(litmus_layout_path());
    CHECK_MSG(real != NULL, "cannot read %s", litmus_layout_path());
    char found[128] = "";
    char *planted = name != NULL ? layout_mutate(real, kind, name, how, found) : strdup(real);
    free(real);
    CHECK_MSG(planted != NULL, "%s has no line '%s %s'", litmus_layout_path(), kind, name);
    if (extra != NULL) {
        size_t len = strlen(planted);
        char *grown = realloc(planted, len + strlen(extra) + 2);
        if (grown == NULL) free(planted);
        CHECK(grown != NULL);
        planted = grown;
        sprintf(planted + len, "%s\n", extra);
    }

    char path[256];
    bool written = layout_write_temp(planted, path);
    free(planted);
    CHECK_MSG(written, "cannot write a temporary layout file");
    static struct layout_report planted_report;
    int real_problems = layout_check_view(litmus_layout_path(), &litmus_view, &report);
    int planted_problems = layout_check_view(path, &litmus_view, &planted_report);
    unlink(path);

    CHECK_MSG(real_problems == 0, "the real declaration already fails: %s", report.text);
    CHECK_MSG(planted_problems == 1, "want exactly 1 problem, found %d: %s", planted_problems, planted_report.text);
    CHECK_STR_CONTAINS(planted_report.text, want);
}

static void litmus_layout_catches_changed_const(void)
{
    check_planted("const", "HIST_MAX", LAYOUT_ADD_8, NULL,
                  "const HIST_MAX is 264 (0x108) in the file but INTEROP_LITMUS_HIST_MAX is 256 (0x100)");
}

static void litmus_layout_catches_moved_field(void)
{
    check_planted("field", "descriptor.gather[2].stride", LAYOUT_ADD_8, NULL,
                  "field descriptor.gather[2].stride is at offset 1136 size 8 in the file but "
                  "INTEROP_LITMUS_GATHER_STRIDE(2) is at offset 1128 size 8");
}

static void litmus_layout_catches_moved_section(void)
{
    check_planted("section", "histogram", LAYOUT_ADD_8, NULL,
                  "section histogram is at offset 4104 size 2048 in the file but INTEROP_LITMUS_HIST, "
                  "INTEROP_LITMUS_HIST_MAX int64s is at offset 4096 size 2048");
}

static void litmus_layout_catches_undeclared_c_constant(void)
{
    check_planted("const", "LEFT_STALL", LAYOUT_DROP_LINE, NULL,
                  "const LEFT_STALL is defined in C (INTEROP_LITMUS_LEFT_STALL) but not declared in the file");
}

static void litmus_layout_catches_name_c_lacks(void)
{
    check_planted("field", NULL, LAYOUT_ADD_8, "field pacing.early 0x680 8",
                  "field pacing.early is declared, but C has no such field");
}

static const struct test_case litmus_layout_cases[] = {
    TEST(litmus_layout_matches_litmus_layout),
    TEST(litmus_layout_view_holds_every_header_define),
    TEST(litmus_layout_catches_changed_const),
    TEST(litmus_layout_catches_moved_field),
    TEST(litmus_layout_catches_moved_section),
    TEST(litmus_layout_catches_undeclared_c_constant),
    TEST(litmus_layout_catches_name_c_lacks),
};

const struct test_suite litmus_layout_suite = SUITE(litmus_layout_cases);
