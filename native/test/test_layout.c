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

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    char *text = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap * 2 + 8192;
            char *grown = realloc(text, cap);
            if (grown == NULL) break;
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    fclose(f);
    if (text != NULL) text[len] = '\0';
    return text;
}

/* Writes text to a fresh file under $TMPDIR (or /tmp); path gets its name. */
static bool write_temp(const char *text, char path[256])
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, 256, "%s/interop-layout-XXXXXX", dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return false;
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    if (!ok) unlink(path);
    return ok;
}

enum mutation { CHANGE_FIRST_NUMBER, DROP_LINE };

/*
 * A copy of the real layout with the first `kind` line changed: its first
 * number (a const's value, a field's or section's offset) plus 8, or the line
 * left out. `name` receives the declared name. NULL if there is no such line.
 */
static char *mutate(const char *real, const char *kind, enum mutation how, char name[128])
{
    size_t cap = strlen(real) + 64;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    size_t len = 0;
    bool done = false;
    for (const char *line = real; *line != '\0';) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) + 1 : strlen(line);
        char copy[1024];
        snprintf(copy, sizeof copy, "%.*s", (int)n, line);
        char k[32], nm[128];
        long long number;
        char rest[64] = "";
        if (!done && sscanf(copy, "%31s %127s %lli %63s", k, nm, &number, rest) >= 3 && strcmp(k, kind) == 0) {
            done = true;
            snprintf(name, 128, "%s", nm);
            if (how == CHANGE_FIRST_NUMBER) len += (size_t)sprintf(out + len, "%s %s %lld %s\n", k, nm, number + 8, rest);
        } else {
            memcpy(out + len, line, n);
            len += n;
        }
        line += n;
    }
    out[len] = '\0';
    if (!done) {
        free(out);
        return NULL;
    }
    return out;
}

/* The check passes on the real file and reports `name` only on the mutant. */
static void check_mutant_is_caught(const char *kind, enum mutation how)
{
    char *real = read_all(test_layout_path());
    CHECK_MSG(real != NULL, "cannot read %s", test_layout_path());
    char name[128] = "";
    char *mutant = mutate(real, kind, how, name);
    free(real);
    CHECK_MSG(mutant != NULL, "%s has no '%s' line to change", test_layout_path(), kind);

    char path[256];
    bool written = write_temp(mutant, path);
    free(mutant);
    CHECK_MSG(written, "cannot write a temporary layout file");
    int real_problems = layout_check_file(test_layout_path(), &real_report);
    int mutant_problems = layout_check_file(path, &mutant_report);
    unlink(path);

    CHECK_MSG(real_problems == 0, "the real layout already fails: %s", real_report.text);
    CHECK_MSG(mutant_problems > 0, "%s %s %s, yet the check found nothing", kind, name,
              how == DROP_LINE ? "was left out" : "was changed by 8");
    char needle[160];
    snprintf(needle, sizeof needle, "%s %s", kind, name);
    CHECK_STR_CONTAINS(mutant_report.text, needle);
}

static void layout_check_catches_wrong_field_offset(void) { check_mutant_is_caught("field", CHANGE_FIRST_NUMBER); }
static void layout_check_catches_wrong_const_value(void) { check_mutant_is_caught("const", CHANGE_FIRST_NUMBER); }
static void layout_check_catches_wrong_section_offset(void) { check_mutant_is_caught("section", CHANGE_FIRST_NUMBER); }
static void layout_check_catches_missing_field(void) { check_mutant_is_caught("field", DROP_LINE); }

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
    char *real = read_all(test_layout_path());
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
    bool written = write_temp(bad, path);
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
