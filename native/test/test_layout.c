/*
 * The region-layout contract on the C side: interop_region.h against
 * native/region.layout, and proof that the comparison fails on a wrong,
 * missing or malformed declaration (each a temporary copy, removed again).
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "interop_region.h"
#include "layout_check.h"

/* Reports are large; tests run one at a time. */
static struct layout_report real_report, mutant_report;

static void layout_matches_region_layout(void)
{
    if (layout_check_file(test_layout_path(), &real_report) != 0) {
        test_fail(__FILE__, __LINE__, "%d problem(s): %s", real_report.problems, real_report.text);
    }
}

/* The check passes on the real file and reports `name` only on the mutant. */
static void check_mutant_is_caught(const char *kind, enum layout_mutation how)
{
    char *real = layout_read_all(test_layout_path());
    CHECK_MSG(real != NULL, "cannot read %s", test_layout_path());
    char name[128] = "";
    char *mutant = layout_mutate(real, kind, NULL, how, name);
    free(real);
    CHECK_MSG(mutant != NULL, "%s has no '%s' line to change", test_layout_path(), kind);

    char path[256];
    bool written = layout_write_temp(mutant, path);
    free(mutant);
    CHECK_MSG(written, "cannot write a temporary layout file");
    int real_problems = layout_check_file(test_layout_path(), &real_report);
    int mutant_problems = layout_check_file(path, &mutant_report);
    unlink(path);

    CHECK_MSG(real_problems == 0, "the real layout already fails: %s", real_report.text);
    CHECK_MSG(mutant_problems > 0, "%s %s %s, yet the check found nothing", kind, name,
              how == LAYOUT_DROP_LINE ? "was left out" : "was changed by 8");
    char needle[160];
    snprintf(needle, sizeof needle, "%s %s", kind, name);
    CHECK_STR_CONTAINS(mutant_report.text, needle);
}

static void layout_check_catches_wrong_field_offset(void) { check_mutant_is_caught("field", LAYOUT_ADD_8); }
static void layout_check_catches_wrong_const_value(void) { check_mutant_is_caught("const", LAYOUT_ADD_8); }
static void layout_check_catches_wrong_section_offset(void) { check_mutant_is_caught("section", LAYOUT_ADD_8); }
static void layout_check_catches_missing_field(void) { check_mutant_is_caught("field", LAYOUT_DROP_LINE); }

static void layout_check_reports_missing_file(void)
{
    const char *path = "/nonexistent/interop-testbed/region.layout";
    CHECK_EQ(layout_check_file(path, &mutant_report), 1);
    CHECK_STR_CONTAINS(mutant_report.text, path);
    CHECK_STR_CONTAINS(mutant_report.text, "cannot open");
}

/* A bad line is named by file and line number, whatever else is wrong. */
static void layout_check_reports_malformed_line(void)
{
    char *real = layout_read_all(test_layout_path());
    CHECK_MSG(real != NULL, "cannot read %s", test_layout_path());
    int lines = 0;
    for (const char *p = real; *p != '\0'; p++) lines += *p == '\n';
    size_t cap = strlen(real) + 128;
    char *bad = malloc(cap);
    CHECK(bad != NULL);
    snprintf(bad, cap, "%s%sfield header.magic zero 8\n", real,
             real[0] != '\0' && real[strlen(real) - 1] != '\n' ? "\n" : "");
    int bad_line = lines + (real[0] != '\0' && real[strlen(real) - 1] != '\n' ? 2 : 1);
    free(real);

    char path[256];
    bool written = layout_write_temp(bad, path);
    free(bad);
    CHECK_MSG(written, "cannot write a temporary layout file");
    layout_check_file(path, &mutant_report);
    unlink(path);

    char where[300];
    snprintf(where, sizeof where, "%s:%d: malformed line", path, bad_line);
    CHECK_STR_CONTAINS(mutant_report.text, where);
}

static const struct test_case layout_cases[] = {
    TEST(layout_matches_region_layout),
    TEST(layout_check_catches_wrong_field_offset),
    TEST(layout_check_catches_wrong_const_value),
    TEST(layout_check_catches_wrong_section_offset),
    TEST(layout_check_catches_missing_field),
    TEST(layout_check_reports_missing_file),
    TEST(layout_check_reports_malformed_line),
};

const struct test_suite layout_suite = SUITE(layout_cases);
