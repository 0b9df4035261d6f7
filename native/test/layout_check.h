/*
 * Compares a layout declaration (native/region.layout, native/litmus.layout)
 * with a C view of it: every const, every field's offset and size and every
 * section, in both directions, so a declaration C lacks and a C definition
 * the file lacks are both problems. layout_check_file is the region's view
 * (interop_region.h); test_litmus_layout.c holds the litmus section's.
 */
#ifndef INTEROP_TEST_LAYOUT_CHECK_H
#define INTEROP_TEST_LAYOUT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct layout_report {
    int problems;
    size_t len;
    char text[8192]; /* problems separated by "; ", each naming FILE:LINE where there is one */
};

/* One thing C defines, named as the declaration names it. */
struct layout_entry {
    const char *kind;   /* "const", "field" or "section" */
    const char *name;   /* as spelled in the declaration */
    const char *c_name; /* what C calls it, for the messages */
    uint64_t a, b;      /* const: value; field/section: offset, size */
};

/* A C view of one declaration file. */
struct layout_view {
    const char *file;    /* the declaration's base name, e.g. "region.layout" */
    const char *fix_in;  /* where a missing C definition goes, for the messages */
    const char *find_in; /* how the runner is told where the file is */
    const struct layout_entry *entries;
    size_t count;
    /* "KIND NAME" of what the file declares for the other runtimes only; any
     * other name C lacks is a problem. */
    const char *const *others;
    size_t others_count;
};

/* Returns the number of problems; 0 means the file and the view agree
 * exactly. An unreadable file or a malformed line is a problem too. */
int layout_check_view(const char *path, const struct layout_view *view, struct layout_report *report);

/* layout_check_view with the region's view (interop_region.h). */
int layout_check_file(const char *path, struct layout_report *report);

/* ---- planting differences: for the tests that show a check can fail ------ */

/* The whole file, NUL-terminated, to free(); NULL if unreadable. */
char *layout_read_all(const char *path);

/* Writes text to a fresh file under $TMPDIR (or /tmp); path gets its name. */
bool layout_write_temp(const char *text, char path[256]);

enum layout_mutation { LAYOUT_ADD_8, LAYOUT_DROP_LINE };

/*
 * A copy of text (to free()) with one `kind` line changed: the one declaring
 * `name`, or the first of its kind when name is NULL. LAYOUT_ADD_8 adds 8 to
 * its first number (a const's value, a field's or section's offset);
 * LAYOUT_DROP_LINE leaves it out. `found` receives the declared name. NULL if
 * there is no such line.
 */
char *layout_mutate(const char *text, const char *kind, const char *name, enum layout_mutation how,
                    char found[128]);

#endif /* INTEROP_TEST_LAYOUT_CHECK_H */
