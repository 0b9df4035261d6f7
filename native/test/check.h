/*
 * The unit-test runner's vocabulary: a test is a void function in a named
 * table; a CHECK that does not hold records the first failure, with file,
 * line and values, and returns from the test. The runner (runner.c) prints
 * one line per test and ends with exactly "N passed, N failed".
 *
 * Memory that native workers touch must outlive the test that started them,
 * even one that fails halfway: such words come from the runner's region
 * (region_word), never from a test's stack.
 */
#ifndef INTEROP_TEST_CHECK_H
#define INTEROP_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
    const char *name; /* stable snake_case; --only matches a substring */
    void (*run)(void);
};

struct test_suite {
    const struct test_case *cases;
    size_t count;
};

extern const struct test_suite atomics_suite;
extern const struct test_suite workers_suite;
extern const struct test_suite layout_suite;
extern const struct test_suite litmus_layout_suite;
extern const struct test_suite litmus_suite;
extern const struct test_suite litmus_args_suite;

/* Records the first failure of the running test; later ones are ignored. */
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The test did not run its checks here (e.g. qemu ignores RLIMIT_AS); it
 * counts as neither passed nor failed and prints "skip name: reason". */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool test_failed(void);

/* The layout file chosen by --layout, $INTEROP_LAYOUT or the default. */
const char *test_layout_path(void);

/*
 * A word of the runner's anonymous shared mapping of a real region
 * (INTEROP_REGION_SIZE(4096) bytes, header filled in). The control, counters,
 * packed and cancel sections are zeroed before every test.
 */
int64_t *region_word(size_t offset);
#define REGION_CONTROL(i) region_word(INTEROP_CONTROL_WORD_OFFSET(i))
#define REGION_COUNTER(i) region_word(INTEROP_COUNTER_OFFSET(i))
#define REGION_CANCEL(i)  region_word(INTEROP_CANCEL_FLAG_OFFSET(i))

/* Stops and joins the group after the test if the test has not joined it. */
void track_group(int64_t handle);
void untrack_group(int64_t handle);

/* Polls *p (acquire) until it is >= want; false after timeout_ms. */
bool wait_at_least(const int64_t *p, int64_t want, int64_t timeout_ms);
int64_t monotonic_ms(void);
void sleep_ms(int64_t ms);

#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond)) {                                                \
            test_fail(__FILE__, __LINE__, "%s", #cond);               \
            return;                                                   \
        }                                                             \
    } while (0)

#define CHECK_MSG(cond, ...)                                          \
    do {                                                              \
        if (!(cond)) {                                                \
            test_fail(__FILE__, __LINE__, __VA_ARGS__);               \
            return;                                                   \
        }                                                             \
    } while (0)

#define CHECK_EQ(actual, expected)                                                     \
    do {                                                                               \
        long long actual_ = (long long)(actual), expected_ = (long long)(expected);    \
        if (actual_ != expected_) {                                                    \
            test_fail(__FILE__, __LINE__, "%s is %lld, expected %s (%lld)", #actual,   \
                      actual_, #expected, expected_);                                  \
            return;                                                                    \
        }                                                                              \
    } while (0)

#define CHECK_STR_CONTAINS(haystack, needle)                                           \
    do {                                                                               \
        const char *h_ = (haystack), *n_ = (needle);                                   \
        if (h_ == NULL || strstr(h_, n_) == NULL) {                                    \
            test_fail(__FILE__, __LINE__, "%s does not contain \"%s\": \"%s\"",        \
                      #haystack, n_, h_ ? h_ : "(null)");                              \
            return;                                                                    \
        }                                                                              \
    } while (0)

#define TEST(name) { #name, name }
#define SUITE(cases) { cases, sizeof(cases) / sizeof((cases)[0]) }

#endif /* INTEROP_TEST_CHECK_H */
