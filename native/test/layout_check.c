/*
 * The region.layout grammar (see the file's own header):
 *
 *   const   NAME VALUE
 *   field   NAME OFFSET SIZE
 *   section NAME OFFSET SIZE
 *
 * '#' starts a comment; numbers are decimal or 0x-hex, never negative. Any
 * other non-blank line is malformed and reported with its file and line.
 */
#define _GNU_SOURCE

#include "layout_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interop_region.h"

/* ---- the C view ------------------------------------------------------------ */

struct c_entry {
    const char *kind;  /* "const", "field" or "section" */
    const char *name;  /* as spelled in region.layout */
    const char *c_name;
    uint64_t a, b;     /* const: value; field/section: offset, size */
    int seen_at;       /* line of the file that declared it; 0: not yet */
};

#define C_CONST(n) {"const", #n, "INTEROP_" #n, (uint64_t)(INTEROP_##n), 0, 0}
#define C_FIELD(n)                                                                              \
    {"field", "header." #n, "struct interop_region_header." #n,                                \
     offsetof(struct interop_region_header, n), sizeof(((struct interop_region_header *)0)->n), 0}
#define C_SECTION(n, N)                                                                         \
    {"section", #n, "INTEROP_SECTION_" #N "_OFFSET/_SIZE", INTEROP_SECTION_##N##_OFFSET,        \
     INTEROP_SECTION_##N##_SIZE, 0}

static const struct c_entry c_view[] = {
    C_CONST(MAGIC),
    C_CONST(LAYOUT_VERSION),
    C_CONST(HEADER_SIZE),
    C_CONST(CACHE_LINE),
    C_CONST(SLOT_STRIDE),
    C_CONST(CONTROL_WORDS),
    C_CONST(COUNTER_SLOTS),
    C_CONST(PACKED_SLOTS),
    C_CONST(CANCEL_FLAGS),
    C_CONST(LITMUS_ALIGN),
    C_CONST(LITMUS_DEFAULT_SIZE),
    C_CONST(ARCH_X86_64),
    C_CONST(ARCH_AARCH64),
    C_CONST(STATE_INITIALISING),
    C_CONST(STATE_READY),
    C_CONST(CONTROL_START_GATE),
    C_CONST(CONTROL_READY_COUNT),
    C_CONST(CONTROL_RUN_EPOCH),

    C_FIELD(magic),
    C_FIELD(layout_version),
    C_FIELD(header_size),
    C_FIELD(total_size),
    C_FIELD(counter_slots),
    C_FIELD(cache_line),
    C_FIELD(slot_stride),
    C_FIELD(arch),
    C_FIELD(packed_slots),
    C_FIELD(cancel_flags),
    C_FIELD(control_offset),
    C_FIELD(counters_offset),
    C_FIELD(packed_offset),
    C_FIELD(cancel_offset),
    C_FIELD(litmus_offset),
    C_FIELD(litmus_size),
    C_FIELD(creator_pid),
    C_FIELD(state),
    C_FIELD(reserved0),
    C_FIELD(reserved),

    C_SECTION(header, HEADER),
    C_SECTION(control, CONTROL),
    C_SECTION(counters, COUNTERS),
    C_SECTION(packed, PACKED),
    C_SECTION(cancel, CANCEL),
    C_SECTION(litmus, LITMUS),
};

enum { C_VIEW_COUNT = sizeof c_view / sizeof c_view[0] };

/* ---- reporting ----------------------------------------------------------- */

static void problem(struct layout_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct layout_report *r, const char *fmt, ...)
{
    r->problems++;
    if (r->len + 4 >= sizeof r->text) return;
    if (r->len > 0) r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len, "; ");
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
    va_end(ap);
    if (n > 0) r->len += (size_t)n;
    if (r->len >= sizeof r->text) r->len = sizeof r->text - 1;
}

/* ---- parsing --------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1] != '\0') {
        return false; /* a leading zero would read as octal elsewhere */
    }
    if (*s == '\0' || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0') return false;
    *out = (uint64_t)v;
    return true;
}

int layout_check_file(const char *path, struct layout_report *r)
{
    struct c_entry view[C_VIEW_COUNT];
    memcpy(view, c_view, sizeof view);
    memset(r, 0, sizeof *r);

    FILE *f = fopen(path, "r");
    if (f == NULL) {
        problem(r, "cannot open layout file %s: %s (give --layout PATH or set INTEROP_LAYOUT)", path,
                strerror(errno));
        return r->problems;
    }

    char line[1024];
    int lineno = 0, declarations = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            problem(r, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 2);
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
            continue;
        }
        char *hash = strchr(line, '#');
        if (hash != NULL) *hash = '\0';

        char *tok[5];
        int ntok = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, " \t\r\n", &save); t != NULL; t = strtok_r(NULL, " \t\r\n", &save)) {
            if (ntok < 5) tok[ntok] = t;
            ntok++;
        }
        if (ntok == 0) continue;

        bool is_const = strcmp(tok[0], "const") == 0;
        bool is_span = strcmp(tok[0], "field") == 0 || strcmp(tok[0], "section") == 0;
        if (!is_const && !is_span) {
            problem(r, "%s:%d: malformed line: unknown keyword '%s' (expected const, field or section)", path,
                    lineno, tok[0]);
            continue;
        }
        int want = is_const ? 3 : 4;
        if (ntok != want) {
            problem(r, "%s:%d: malformed line: '%s' takes %d words (%s), found %d", path, lineno, tok[0], want,
                    is_const ? "const NAME VALUE" : "KIND NAME OFFSET SIZE", ntok);
            continue;
        }
        uint64_t a = 0, b = 0;
        if (!parse_u64(tok[2], &a) || (is_span && !parse_u64(tok[3], &b))) {
            problem(r, "%s:%d: malformed line: %s %s: '%s' is not a decimal or 0x number", path, lineno, tok[0],
                    tok[1], parse_u64(tok[2], &a) ? tok[3] : tok[2]);
            continue;
        }
        declarations++;

        struct c_entry *e = NULL;
        for (int i = 0; i < C_VIEW_COUNT && e == NULL; i++) {
            if (strcmp(view[i].kind, tok[0]) == 0 && strcmp(view[i].name, tok[1]) == 0) e = &view[i];
        }
        if (e == NULL) {
            problem(r, "%s:%d: %s %s is declared, but C has no such %s (add it to interop_region.h and "
                       "layout_check.c)", path, lineno, tok[0], tok[1], tok[0]);
            continue;
        }
        if (e->seen_at != 0) {
            problem(r, "%s:%d: %s %s is declared twice (first at line %d)", path, lineno, tok[0], tok[1],
                    e->seen_at);
            continue;
        }
        e->seen_at = lineno;
        if (is_const && a != e->a) {
            problem(r, "%s:%d: const %s is %llu (0x%llx) in the file but %s is %llu (0x%llx)", path, lineno,
                    tok[1], (unsigned long long)a, (unsigned long long)a, e->c_name, (unsigned long long)e->a,
                    (unsigned long long)e->a);
        } else if (is_span && (a != e->a || b != e->b)) {
            problem(r, "%s:%d: %s %s is at offset %llu size %llu in the file but %s is at offset %llu size %llu",
                    path, lineno, tok[0], tok[1], (unsigned long long)a, (unsigned long long)b, e->c_name,
                    (unsigned long long)e->a, (unsigned long long)e->b);
        }
    }
    bool read_error = ferror(f) != 0;
    fclose(f);
    if (read_error) {
        problem(r, "%s:%d: read error", path, lineno);
        return r->problems;
    }
    if (declarations == 0) {
        problem(r, "%s: no const, field or section lines in %d lines: is this a region.layout file?", path, lineno);
        return r->problems;
    }
    for (int i = 0; i < C_VIEW_COUNT; i++) {
        if (view[i].seen_at == 0) {
            problem(r, "%s: %s %s is defined in C (%s) but not declared in the file", path, view[i].kind,
                    view[i].name, view[i].c_name);
        }
    }
    return r->problems;
}
