/*
 * Compares a region.layout file with the C view of the region
 * (interop_region.h): every const, every header field's offset and size
 * (offsetof/sizeof on struct interop_region_header) and every section, in
 * both directions, so a declaration C lacks and a C definition the file
 * lacks are both problems.
 */
#ifndef INTEROP_TEST_LAYOUT_CHECK_H
#define INTEROP_TEST_LAYOUT_CHECK_H

#include <stddef.h>

struct layout_report {
    int problems;
    size_t len;
    char text[8192]; /* problems separated by "; ", each naming FILE:LINE where there is one */
};

/* Returns the number of problems; 0 means the file and C agree exactly.
 * An unreadable file or a malformed line is a problem too. */
int layout_check_file(const char *path, struct layout_report *report);

#endif /* INTEROP_TEST_LAYOUT_CHECK_H */
