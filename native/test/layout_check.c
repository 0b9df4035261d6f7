/*
 * The layout declaration grammar (see native/region.layout's own header):
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interop_region.h"

/* ---- the C view of the region ------------------------------------------------ */

#define C_CONST(n) {"const", #n, "INTEROP_" #n, (uint64_t)(INTEROP_##n), 0}
#define C_FIELD(n)                                                                              \
    {"field", "header." #n, "struct interop_region_header." #n,                                \
     offsetof(struct interop_region_header, n), sizeof(((struct interop_region_header *)0)->n)}
#define C_SECTION(n, N)                                                                         \
    {"section", #n, "INTEROP_SECTION_" #N "_OFFSET/_SIZE", INTEROP_SECTION_##N##_OFFSET,        \
     INTEROP_SECTION_##N##_SIZE}

static const struct layout_entry region_entries[] = {
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

static const struct layout_view region_view = {
    "region.layout", "interop_region.h and layout_check.c", "give --layout PATH or set INTEROP_LAYOUT",
    region_entries, sizeof region_entries / sizeof region_entries[0], NULL, 0,
};

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

int layout_check_view(const char *path, const struct layout_view *view, struct layout_report *r)
{
    memset(r, 0, sizeof *r);
    int *seen_at = calloc(view->count > 0 ? view->count : 1, sizeof *seen_at); /* 0: not declared yet */
    if (seen_at == NULL) {
        problem(r, "out of memory checking %s", path);
        return r->problems;
    }

    FILE *f = fopen(path, "r");
    if (f == NULL) {
        problem(r, "cannot open layout file %s: %s (%s)", path, strerror(errno), view->find_in);
        free(seen_at);
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

        size_t i = 0;
        while (i < view->count && !(strcmp(view->entries[i].kind, tok[0]) == 0 &&
                                    strcmp(view->entries[i].name, tok[1]) == 0)) {
            i++;
        }
        bool other = false;
        for (size_t o = 0; o < view->others_count && !other; o++) {
            size_t k = strlen(tok[0]);
            other = strncmp(view->others[o], tok[0], k) == 0 && view->others[o][k] == ' ' &&
                    strcmp(view->others[o] + k + 1, tok[1]) == 0;
        }
        if (i == view->count && other) continue;
        if (i == view->count) {
            problem(r, "%s:%d: %s %s is declared, but C has no such %s (add it to %s)", path, lineno, tok[0],
                    tok[1], tok[0], view->fix_in);
            continue;
        }
        const struct layout_entry *e = &view->entries[i];
        if (seen_at[i] != 0) {
            problem(r, "%s:%d: %s %s is declared twice (first at line %d)", path, lineno, tok[0], tok[1],
                    seen_at[i]);
            continue;
        }
        seen_at[i] = lineno;
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
    } else if (declarations == 0) {
        problem(r, "%s: no const, field or section lines in %d lines: is this a %s file?", path, lineno,
                view->file);
    } else {
        for (size_t i = 0; i < view->count; i++) {
            if (seen_at[i] == 0) {
                problem(r, "%s: %s %s is defined in C (%s) but not declared in the file", path,
                        view->entries[i].kind, view->entries[i].name, view->entries[i].c_name);
            }
        }
    }
    free(seen_at);
    return r->problems;
}

int layout_check_file(const char *path, struct layout_report *r)
{
    return layout_check_view(path, &region_view, r);
}

/* ---- planting differences ------------------------------------------------ */

char *layout_read_all(const char *path)
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

bool layout_write_temp(const char *text, char path[256])
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

char *layout_mutate(const char *text, const char *kind, const char *name, enum layout_mutation how,
                    char found[128])
{
    size_t cap = strlen(text) + 64;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    size_t len = 0;
    bool done = false;
    for (const char *line = text; *line != '\0';) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) + 1 : strlen(line);
        char copy[1024];
        snprintf(copy, sizeof copy, "%.*s", (int)n, line);
        char k[32], nm[128];
        long long number;
        char rest[64] = "";
        if (!done && sscanf(copy, "%31s %127s %lli %63s", k, nm, &number, rest) >= 3 && strcmp(k, kind) == 0 &&
            (name == NULL || strcmp(nm, name) == 0)) {
            done = true;
            snprintf(found, 128, "%s", nm);
            if (how == LAYOUT_ADD_8) len += (size_t)sprintf(out + len, "%s %s %lld %s\n", k, nm, number + 8, rest);
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
