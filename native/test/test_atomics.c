/*
 * Every atomic of interop.h, every order: single-threaded results first, then
 * exactness of fetch_add under contention, and a lost-update control that
 * shows the contention check can tell an atomic increment from a racy one.
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "interop.h"

struct load_fn     { const char *order; int64_t (*fn)(const int64_t *); };
struct store_fn    { const char *order; void (*fn)(int64_t *, int64_t); };
struct rmw_fn      { const char *order; int64_t (*fn)(int64_t *, int64_t); };
struct cas_fn      { const char *order; int64_t (*fn)(int64_t *, int64_t, int64_t); };
struct fence_fn    { const char *order; void (*fn)(void); };

static const struct load_fn loads[] = {
    {"relaxed", interop_load_relaxed}, {"acquire", interop_load_acquire}, {"seq_cst", interop_load_seq_cst},
};
static const struct store_fn stores[] = {
    {"relaxed", interop_store_relaxed}, {"release", interop_store_release}, {"seq_cst", interop_store_seq_cst},
};
static const struct rmw_fn exchanges[] = {
    {"relaxed", interop_exchange_relaxed}, {"acquire", interop_exchange_acquire},
    {"release", interop_exchange_release}, {"acq_rel", interop_exchange_acq_rel},
    {"seq_cst", interop_exchange_seq_cst},
};
static const struct cas_fn cases[] = {
    {"relaxed", interop_cas_relaxed}, {"acquire", interop_cas_acquire}, {"release", interop_cas_release},
    {"acq_rel", interop_cas_acq_rel}, {"seq_cst", interop_cas_seq_cst},
};
static const struct rmw_fn fetch_adds[] = {
    {"relaxed", interop_fetch_add_relaxed}, {"acquire", interop_fetch_add_acquire},
    {"release", interop_fetch_add_release}, {"acq_rel", interop_fetch_add_acq_rel},
    {"seq_cst", interop_fetch_add_seq_cst},
};
static const struct fence_fn fences[] = {
    {"relaxed", interop_fence_relaxed}, {"acquire", interop_fence_acquire}, {"release", interop_fence_release},
    {"acq_rel", interop_fence_acq_rel}, {"seq_cst", interop_fence_seq_cst},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Distinct bytes, both signs, both extremes: a torn or truncated access shows. */
static const int64_t samples[] = {
    0, 1, -1, INT64_C(0x0102030405060708), INT64_C(-0x0102030405060708), INT64_MAX, INT64_MIN,
};

/* The word under test sits between two canaries that no operation may touch. */
#define CANARY INT64_C(0x5A5A5A5A5A5A5A5A)
static int64_t cell[3] __attribute__((aligned(64)));
static int64_t *const word = &cell[1];

static void reset_cell(int64_t value)
{
    cell[0] = CANARY;
    cell[1] = value;
    cell[2] = CANARY;
}

#define CHECK_CANARIES() CHECK_MSG(cell[0] == CANARY && cell[2] == CANARY, "a neighbouring word was written")

static void atomics_identity_is_reported(void)
{
    CHECK(strcmp(interop_version(), "interop-testbed shim 0.1.0") == 0);
#if defined(__x86_64__)
    CHECK_EQ(interop_arch(), INTEROP_ARCH_X86_64);
#elif defined(__aarch64__)
    CHECK_EQ(interop_arch(), INTEROP_ARCH_AARCH64);
#else
    CHECK_EQ(interop_arch(), 0);
#endif
}

static void atomics_load_and_store_every_order(void)
{
    for (size_t s = 0; s < COUNT(stores); s++) {
        for (size_t l = 0; l < COUNT(loads); l++) {
            for (size_t i = 0; i < COUNT(samples); i++) {
                reset_cell(~samples[i]);
                stores[s].fn(word, samples[i]);
                CHECK_MSG(*word == samples[i], "store_%s wrote %lld, not %lld", stores[s].order,
                          (long long)*word, (long long)samples[i]);
                int64_t got = loads[l].fn(word);
                CHECK_MSG(got == samples[i], "load_%s after store_%s read %lld, not %lld", loads[l].order,
                          stores[s].order, (long long)got, (long long)samples[i]);
                CHECK_CANARIES();
            }
        }
    }
}

static void atomics_exchange_every_order(void)
{
    for (size_t o = 0; o < COUNT(exchanges); o++) {
        for (size_t i = 0; i < COUNT(samples); i++) {
            int64_t before = samples[i], after = samples[(i + 3) % COUNT(samples)];
            reset_cell(before);
            int64_t got = exchanges[o].fn(word, after);
            CHECK_MSG(got == before, "exchange_%s returned %lld, not the previous %lld", exchanges[o].order,
                      (long long)got, (long long)before);
            CHECK_MSG(*word == after, "exchange_%s left %lld, not %lld", exchanges[o].order, (long long)*word,
                      (long long)after);
            CHECK_CANARIES();
        }
    }
}

static void atomics_cas_success_and_failure_every_order(void)
{
    for (size_t o = 0; o < COUNT(cases); o++) {
        for (size_t i = 0; i < COUNT(samples); i++) {
            int64_t current = samples[i], desired = samples[(i + 1) % COUNT(samples)];

            reset_cell(current);
            int64_t witness = cases[o].fn(word, current, desired);
            CHECK_MSG(witness == current, "cas_%s success: witness %lld, not %lld", cases[o].order,
                      (long long)witness, (long long)current);
            CHECK_MSG(*word == desired, "cas_%s success left %lld, not %lld", cases[o].order, (long long)*word,
                      (long long)desired);

            reset_cell(current);
            int64_t wrong = current ^ INT64_C(0x100000000); /* differs only in the upper half */
            witness = cases[o].fn(word, wrong, desired);
            CHECK_MSG(witness == current, "cas_%s failure: witness %lld, not the value found %lld",
                      cases[o].order, (long long)witness, (long long)current);
            CHECK_MSG(*word == current, "cas_%s failure changed the word to %lld", cases[o].order,
                      (long long)*word);
            CHECK_CANARIES();
        }
    }
}

static void atomics_fetch_add_every_order(void)
{
    for (size_t o = 0; o < COUNT(fetch_adds); o++) {
        const char *order = fetch_adds[o].order;
        reset_cell(40);
        int64_t got = fetch_adds[o].fn(word, 2);
        CHECK_MSG(got == 40 && *word == 42, "fetch_add_%s(40, 2) returned %lld and left %lld", order,
                  (long long)got, (long long)*word);
        got = fetch_adds[o].fn(word, -50);
        CHECK_MSG(got == 42 && *word == -8, "fetch_add_%s(42, -50) returned %lld and left %lld", order,
                  (long long)got, (long long)*word);
        got = fetch_adds[o].fn(word, INT64_C(1) << 40);
        CHECK_MSG(got == -8 && *word == (INT64_C(1) << 40) - 8, "fetch_add_%s: a carry into the upper half was lost",
                  order);
        /* Atomic arithmetic wraps (C11 7.17.7.5); Java getAndAdd and Go AddInt64 agree. */
        reset_cell(INT64_MAX);
        got = fetch_adds[o].fn(word, 1);
        CHECK_MSG(got == INT64_MAX && *word == INT64_MIN, "fetch_add_%s(INT64_MAX, 1) left %lld", order,
                  (long long)*word);
        CHECK_CANARIES();
    }
}

static void atomics_fences_every_order(void)
{
    for (size_t o = 0; o < COUNT(fences); o++) {
        reset_cell(0);
        interop_store_relaxed(word, (int64_t)o + 1);
        fences[o].fn();
        CHECK_MSG(interop_load_relaxed(word) == (int64_t)o + 1, "fence_%s lost a preceding store", fences[o].order);
    }
}

/* ---- contention ---------------------------------------------------------- */

enum { ADDERS = 2, ADDS_PER_THREAD = 1000000 };

typedef void (*increment_fn)(int64_t *target, int64_t *previous);

struct adder {
    pthread_t tid;
    increment_fn increment;
    int64_t *target;
    atomic_int *arrived;
    atomic_bool *abandon;
    int64_t sum_of_previous;
    bool previous_increasing; /* each thread must see the counter only grow */
};

static void *adder_main(void *arg)
{
    struct adder *a = arg;
    atomic_fetch_add(a->arrived, 1);
    while (atomic_load(a->arrived) < ADDERS && !atomic_load(a->abandon)) sched_yield();
    int64_t last = -1;
    a->sum_of_previous = 0;
    a->previous_increasing = true;
    for (int i = 0; i < ADDS_PER_THREAD && !atomic_load_explicit(a->abandon, memory_order_relaxed); i++) {
        int64_t previous;
        a->increment(a->target, &previous);
        if (previous <= last) a->previous_increasing = false;
        last = previous;
        a->sum_of_previous += previous;
    }
    return NULL;
}

/* ADDERS threads, released together, each incrementing ADDS_PER_THREAD times.
 * Returns the number of threads made; the caller checks it. */
static int run_adders(increment_fn increment, int64_t *target, struct adder adders[ADDERS])
{
    static atomic_int arrived;
    static atomic_bool abandon;
    atomic_store(&arrived, 0);
    atomic_store(&abandon, false);
    int made = 0;
    for (; made < ADDERS; made++) {
        adders[made] = (struct adder){.increment = increment, .target = target, .arrived = &arrived,
                                      .abandon = &abandon};
        if (pthread_create(&adders[made].tid, NULL, adder_main, &adders[made]) != 0) break;
    }
    if (made < ADDERS) atomic_store(&abandon, true);
    for (int i = 0; i < made; i++) pthread_join(adders[i].tid, NULL);
    return made;
}

static const struct rmw_fn *contended;

static void increment_with_fetch_add(int64_t *target, int64_t *previous) { *previous = contended->fn(target, 1); }

static void check_fetch_add_exact(size_t order_index)
{
    contended = &fetch_adds[order_index];
    int64_t *target = REGION_COUNTER(order_index);
    struct adder adders[ADDERS];
    CHECK_EQ(run_adders(increment_with_fetch_add, target, adders), ADDERS);

    const int64_t n = (int64_t)ADDERS * ADDS_PER_THREAD;
    CHECK_MSG(interop_load_seq_cst(target) == n, "fetch_add_%s: %d threads x %d left %lld, lost %lld",
              contended->order, ADDERS, ADDS_PER_THREAD, (long long)*target, (long long)(n - *target));
    /* Every previous value 0..n-1 returned exactly once sums to n(n-1)/2. */
    int64_t sum = 0;
    for (int i = 0; i < ADDERS; i++) {
        CHECK_MSG(adders[i].previous_increasing, "fetch_add_%s: thread %d saw the counter go back",
                  contended->order, i);
        sum += adders[i].sum_of_previous;
    }
    CHECK_MSG(sum == n * (n - 1) / 2, "fetch_add_%s: previous values sum to %lld, not %lld", contended->order,
              (long long)sum, (long long)(n * (n - 1) / 2));
}

static void atomics_fetch_add_exact_contended_relaxed(void) { check_fetch_add_exact(0); }
static void atomics_fetch_add_exact_contended_acquire(void) { check_fetch_add_exact(1); }
static void atomics_fetch_add_exact_contended_release(void) { check_fetch_add_exact(2); }
static void atomics_fetch_add_exact_contended_acq_rel(void) { check_fetch_add_exact(3); }
static void atomics_fetch_add_exact_contended_seq_cst(void) { check_fetch_add_exact(4); }

/* A load and a store are each atomic, but the pair is not. */
static void increment_racily(int64_t *target, int64_t *previous)
{
    *previous = interop_load_relaxed(target);
    interop_store_relaxed(target, *previous + 1);
}

/*
 * The control for the tests above: the same threads and counts, with an
 * increment that is not one atomic step, must lose updates. If it never
 * does, the threads did not overlap and "exact" above proves nothing.
 */
static void atomics_fetch_add_check_catches_lost_updates(void)
{
    enum { ROUNDS = 20 };
    const int64_t n = (int64_t)ADDERS * ADDS_PER_THREAD;
    for (int round = 0; round < ROUNDS; round++) {
        int64_t *target = REGION_COUNTER(INTEROP_COUNTER_SLOTS - 1);
        interop_store_seq_cst(target, 0);
        struct adder adders[ADDERS];
        CHECK_EQ(run_adders(increment_racily, target, adders), ADDERS);
        if (interop_load_seq_cst(target) < n) return;
    }
    test_fail(__FILE__, __LINE__, "%d rounds of %d racy threads x %d lost no update: the threads never overlapped",
              ROUNDS, ADDERS, ADDS_PER_THREAD);
}

static const struct test_case atomics_cases[] = {
    TEST(atomics_identity_is_reported),
    TEST(atomics_load_and_store_every_order),
    TEST(atomics_exchange_every_order),
    TEST(atomics_cas_success_and_failure_every_order),
    TEST(atomics_fetch_add_every_order),
    TEST(atomics_fences_every_order),
    TEST(atomics_fetch_add_exact_contended_relaxed),
    TEST(atomics_fetch_add_exact_contended_acquire),
    TEST(atomics_fetch_add_exact_contended_release),
    TEST(atomics_fetch_add_exact_contended_acq_rel),
    TEST(atomics_fetch_add_exact_contended_seq_cst),
    TEST(atomics_fetch_add_check_catches_lost_updates),
};

const struct test_suite atomics_suite = SUITE(atomics_cases);
