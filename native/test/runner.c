/*
 * interop_test: the C shim's unit-test runner.
 *
 *   interop_test [--only SUBSTRING] [--layout PATH]
 *
 * Prints "ok   name", "FAIL name: reason" or "skip name: reason" per test and
 * ends with exactly "N passed, N failed"; exits 1 if anything failed (a
 * --only that matches no test counts as a failure, so a typo cannot pass).
 * The layout file is --layout, else $INTEROP_LAYOUT, else
 * native/region.layout relative to the current directory.
 *
 * Every test runs under a watchdog (alarm): a test that has not finished
 * after WATCHDOG_SECONDS is reported by name and the process ends, so a hang
 * still yields a final line. A crash does the same.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "interop.h"

enum { WATCHDOG_SECONDS = 120, MAX_TRACKED = 128, REGION_LITMUS_SIZE = 4096 };

static const struct test_suite *const suites[] = {&atomics_suite, &workers_suite, &litmus_suite, &litmus_args_suite,
                                                  &layout_suite, &litmus_layout_suite};

static const char *layout_path = "native/region.layout";

/* The running test, its outcome, and the tally; read by the signal handlers. */
static const char *volatile current_test;
static volatile int passed, failed, skipped;
static bool current_failed, current_skipped;
static char reason[2048];

static unsigned char *region;
static int64_t tracked[MAX_TRACKED];
static size_t tracked_count;

/* ---- check.h ------------------------------------------------------------ */

void test_fail(const char *file, int line, const char *fmt, ...)
{
    if (current_failed) return;
    current_failed = true;
    const char *base = strrchr(file, '/');
    int n = snprintf(reason, sizeof reason, "%s:%d: ", base ? base + 1 : file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason + n, sizeof reason - (size_t)n, fmt, ap);
    va_end(ap);
}

void test_skip(const char *fmt, ...)
{
    if (current_failed || current_skipped) return;
    current_skipped = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
}

bool test_failed(void) { return current_failed; }

const char *test_layout_path(void) { return layout_path; }

int64_t *region_word(size_t offset) { return (int64_t *)(void *)(region + offset); }

void track_group(int64_t handle)
{
    if (handle > 0 && tracked_count < MAX_TRACKED) tracked[tracked_count++] = handle;
}

void untrack_group(int64_t handle)
{
    for (size_t i = 0; i < tracked_count; i++) {
        if (tracked[i] == handle) tracked[i] = tracked[--tracked_count];
    }
}

int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

bool wait_at_least(const int64_t *p, int64_t want, int64_t timeout_ms)
{
    int64_t deadline = monotonic_ms() + timeout_ms;
    while (interop_load_acquire(p) < want) {
        if (monotonic_ms() >= deadline) return false;
        sleep_ms(1);
    }
    return true;
}

/* ---- the region fixture -------------------------------------------------- */

static int map_region(void)
{
    size_t size = INTEROP_REGION_SIZE(REGION_LITMUS_SIZE);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    region = p;
    struct interop_region_header *h = p;
    h->magic = INTEROP_MAGIC;
    h->layout_version = INTEROP_LAYOUT_VERSION;
    h->header_size = INTEROP_HEADER_SIZE;
    h->total_size = size;
    h->counter_slots = INTEROP_COUNTER_SLOTS;
    h->cache_line = INTEROP_CACHE_LINE;
    h->slot_stride = INTEROP_SLOT_STRIDE;
    h->arch = (uint32_t)interop_arch();
    h->packed_slots = INTEROP_PACKED_SLOTS;
    h->cancel_flags = INTEROP_CANCEL_FLAGS;
    h->control_offset = INTEROP_SECTION_CONTROL_OFFSET;
    h->counters_offset = INTEROP_SECTION_COUNTERS_OFFSET;
    h->packed_offset = INTEROP_SECTION_PACKED_OFFSET;
    h->cancel_offset = INTEROP_SECTION_CANCEL_OFFSET;
    h->litmus_offset = INTEROP_SECTION_LITMUS_OFFSET;
    h->litmus_size = REGION_LITMUS_SIZE;
    h->creator_pid = (int64_t)getpid();
    __atomic_store_n(&h->state, INTEROP_STATE_READY, __ATOMIC_RELEASE);
    return 0;
}

/* Only between tests, when no worker of ours is alive. */
static void reset_region(void)
{
    memset(region + INTEROP_SECTION_CONTROL_OFFSET, 0,
           INTEROP_SECTION_LITMUS_OFFSET - INTEROP_SECTION_CONTROL_OFFSET);
    memset(region + INTEROP_SECTION_LITMUS_OFFSET, 0, REGION_LITMUS_SIZE);
}

/* ---- watchdog and crash reports (async-signal-safe: write(2) only) ------- */

static void put(const char *s) { (void)!write(STDOUT_FILENO, s, strlen(s)); }

static void put_int(long v)
{
    char buf[24];
    char *p = buf + sizeof buf;
    *--p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && p > buf);
    put(p);
}

static void report_and_exit(const char *what, int sig)
{
    put("FAIL ");
    put(current_test ? current_test : "(between tests)");
    put(": ");
    put(what);
    if (sig > 0) put_int(sig);
    put("\n");
    put_int(passed);
    put(" passed, ");
    put_int(failed + 1);
    put(" failed\n");
    _exit(1);
}

static void on_alarm(int sig)
{
    (void)sig;
    report_and_exit("watchdog: still running after 120 s (a hang; the run stops here)", 0);
}

static void on_crash(int sig) { report_and_exit("crashed with signal ", sig); }

_Static_assert(WATCHDOG_SECONDS == 120, "on_alarm's message names the bound");

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++) sigaction(crashes[i], &sa, NULL);
}

/* ---- running ------------------------------------------------------------ */

/* Ends the worker groups a test left running; a test that leaves workers or
 * litmus actors alive fails (test_litmus.c ends its own actors). */
static void clean_up_after_test(void)
{
    size_t left = tracked_count;
    for (size_t i = 0; i < tracked_count; i++) {
        interop_workers_stop(tracked[i]);
        interop_workers_join(tracked[i], 10000);
    }
    tracked_count = 0;
    int alive = interop_workers_alive();
    int actors = interop_litmus_alive();
    if (alive != 0) {
        test_fail(__FILE__, __LINE__, "%d native workers still alive after the test", alive);
    } else if (actors != 0) {
        test_fail(__FILE__, __LINE__, "%d litmus actors still alive after the test", actors);
    } else if (left > 0 && !current_failed && !current_skipped) {
        test_fail(__FILE__, __LINE__, "%zu worker groups were left unjoined", left);
    }
}

static void run_test(const struct test_case *t)
{
    current_failed = false;
    current_skipped = false;
    reason[0] = '\0';
    reset_region();
    current_test = t->name;
    alarm(WATCHDOG_SECONDS);
    t->run();
    alarm(0);
    clean_up_after_test();
    if (current_failed) {
        failed++;
        printf("FAIL %s: %s\n", t->name, reason);
    } else if (current_skipped) {
        skipped++;
        printf("skip %s: %s\n", t->name, reason);
    } else {
        passed++;
        printf("ok   %s\n", t->name);
    }
    current_test = NULL;
    fflush(stdout);
}

static void usage(FILE *to)
{
    fprintf(to, "usage: interop_test [--only SUBSTRING] [--layout PATH]\n");
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    const char *env_layout = getenv("INTEROP_LAYOUT");
    if (env_layout != NULL && env_layout[0] != '\0') layout_path = env_layout;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--layout") == 0 && i + 1 < argc) {
            layout_path = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "interop_test: unknown or incomplete argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }

    setvbuf(stdout, NULL, _IOLBF, 0);
    install_handlers();
    if (map_region() != 0) {
        printf("FAIL fixture: cannot map a %d-byte region: %s\n0 passed, 1 failed\n",
               (int)INTEROP_REGION_SIZE(REGION_LITMUS_SIZE), strerror(errno));
        return 1;
    }
    printf("%s, arch %d, layout %s\n", interop_version(), (int)interop_arch(), layout_path);

    int selected = 0;
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        for (size_t i = 0; i < suites[s]->count; i++) {
            const struct test_case *t = &suites[s]->cases[i];
            if (only != NULL && strstr(t->name, only) == NULL) continue;
            selected++;
            run_test(t);
        }
    }
    if (selected == 0) {
        failed++;
        printf("FAIL --only: no test name contains '%s'\n", only);
    }

    munmap(region, INTEROP_REGION_SIZE(REGION_LITMUS_SIZE));
    if (skipped > 0) printf("(%d skipped: their checks cannot run here)\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0 ? 1 : 0;
}
