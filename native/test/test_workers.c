/*
 * Native worker groups: exact totals, the start gate and ready count, the
 * three ways to end early (stop, cancel flag, gate timeout is not tested: it
 * takes 30 s), join timeouts, the alive count, argument checks, and cleanup
 * when thread creation fails halfway.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "interop.h"

/* Practically endless: only stop or cancel ends such a group. */
#define ENDLESS (INT64_MAX / 2)
/* Generous bounds for things that normally take milliseconds. */
#define SETTLE_MS 10000
#define JOIN_MS   30000

static int64_t start(int64_t *slot, int32_t threads, int64_t increments, const int64_t *gate, int64_t *ready,
                     const int64_t *cancel)
{
    int64_t h = interop_workers_start(slot, threads, increments, gate, ready, cancel);
    track_group(h);
    return h;
}

static int64_t join(int64_t handle, int64_t timeout_ms)
{
    int64_t total = interop_workers_join(handle, timeout_ms);
    if (total >= 0) untrack_group(handle);
    return total;
}

static void workers_totals_exact_without_gate(void)
{
    int64_t *slot = REGION_COUNTER(0);
    int64_t h = start(slot, 4, 200000, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_EQ(join(h, JOIN_MS), 800000);
    CHECK_EQ(interop_load_seq_cst(slot), 800000);
    CHECK_EQ(interop_workers_alive(), 0);
}

static void workers_totals_exact_with_gate(void)
{
    int64_t *slot = REGION_COUNTER(0);
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t *ready = REGION_CONTROL(INTEROP_CONTROL_READY_COUNT);
    int64_t h = start(slot, 4, 200000, gate, ready, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_MSG(wait_at_least(ready, 4, SETTLE_MS), "ready count %lld after %d ms", (long long)*ready, SETTLE_MS);
    interop_store_release(gate, 1);
    CHECK_EQ(join(h, JOIN_MS), 800000);
    CHECK_EQ(interop_load_seq_cst(slot), 800000);
    CHECK_EQ(interop_load_seq_cst(ready), 4);
}

/* Every thread reports ready while the gate holds all of them back. */
static void workers_ready_count_reaches_threads_before_gate_opens(void)
{
    int64_t *slot = REGION_COUNTER(1);
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t *ready = REGION_CONTROL(INTEROP_CONTROL_READY_COUNT);
    int64_t h = start(slot, 8, 1000, gate, ready, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_MSG(wait_at_least(ready, 8, SETTLE_MS), "ready count %lld after %d ms", (long long)*ready, SETTLE_MS);
    CHECK_EQ(interop_workers_alive(), 8);
    sleep_ms(50);
    CHECK_MSG(interop_load_seq_cst(slot) == 0, "%lld increments went through a closed gate",
              (long long)interop_load_seq_cst(slot));
    CHECK_EQ(interop_load_seq_cst(ready), 8);
    interop_store_release(gate, 1);
    CHECK_EQ(join(h, JOIN_MS), 8000);
}

static void workers_stop_ends_group_early(void)
{
    int64_t *slot = REGION_COUNTER(2);
    int64_t h = start(slot, 2, ENDLESS, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_MSG(wait_at_least(slot, 1000, SETTLE_MS), "workers made only %lld increments", (long long)*slot);
    CHECK_EQ(interop_workers_stop(h), 0);
    int64_t total = join(h, JOIN_MS);
    CHECK_MSG(total > 0 && total < 2 * ENDLESS, "join after stop returned %lld", (long long)total);
    CHECK_EQ(interop_load_seq_cst(slot), total);
    CHECK_EQ(interop_workers_alive(), 0);
}

static void workers_cancel_flag_ends_group_early(void)
{
    int64_t *slot = REGION_COUNTER(3);
    int64_t *cancel = REGION_CANCEL(5);
    int64_t h = start(slot, 2, ENDLESS, NULL, NULL, cancel);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_MSG(wait_at_least(slot, 1000, SETTLE_MS), "workers made only %lld increments", (long long)*slot);
    interop_store_relaxed(cancel, 1);
    int64_t total = join(h, JOIN_MS);
    CHECK_MSG(total > 0 && total < 2 * ENDLESS, "join after cancel returned %lld", (long long)total);
    CHECK_EQ(interop_load_seq_cst(slot), total);
}

/* A cancel must reach threads that are still waiting for the gate. */
static void workers_cancel_flag_releases_gated_workers(void)
{
    int64_t *slot = REGION_COUNTER(4);
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t *ready = REGION_CONTROL(INTEROP_CONTROL_READY_COUNT);
    int64_t *cancel = REGION_CANCEL(0);
    int64_t h = start(slot, 3, 1000, gate, ready, cancel);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_MSG(wait_at_least(ready, 3, SETTLE_MS), "ready count %lld", (long long)*ready);
    interop_store_release(cancel, 1);
    int64_t began = monotonic_ms();
    CHECK_EQ(join(h, JOIN_MS), 0);
    CHECK_MSG(monotonic_ms() - began < 5000, "gated workers took %lld ms to see the cancel",
              (long long)(monotonic_ms() - began));
    CHECK_EQ(interop_load_seq_cst(slot), 0);
}

static void workers_join_times_out_while_gated_then_succeeds_after_stop(void)
{
    int64_t *slot = REGION_COUNTER(5);
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t h = start(slot, 2, 1000, gate, NULL, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);

    int64_t began = monotonic_ms();
    CHECK_EQ(interop_workers_join(h, 100), -ETIMEDOUT);
    int64_t waited = monotonic_ms() - began;
    CHECK_MSG(waited >= 90 && waited < 5000, "join(100 ms) returned after %lld ms", (long long)waited);
    CHECK_EQ(interop_workers_join(h, 0), -ETIMEDOUT);
    CHECK_EQ(interop_workers_alive(), 2);

    /* Stop must reach threads that are still waiting for the gate. */
    CHECK_EQ(interop_workers_stop(h), 0);
    began = monotonic_ms();
    CHECK_EQ(join(h, JOIN_MS), 0);
    CHECK_MSG(monotonic_ms() - began < 5000, "gated workers took %lld ms to see the stop",
              (long long)(monotonic_ms() - began));
    CHECK_EQ(interop_load_seq_cst(slot), 0);
    CHECK_EQ(interop_workers_alive(), 0);
}

static void workers_alive_count_returns_to_zero(void)
{
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t *ready = REGION_CONTROL(INTEROP_CONTROL_READY_COUNT);
    CHECK_EQ(interop_workers_alive(), 0);
    int64_t a = start(REGION_COUNTER(6), 3, 10, gate, ready, NULL);
    int64_t b = start(REGION_COUNTER(7), 2, 10, gate, ready, NULL);
    CHECK_MSG(a > 0 && b > 0 && a != b, "start returned %lld and %lld", (long long)a, (long long)b);
    CHECK_EQ(interop_workers_alive(), 5);
    CHECK_MSG(wait_at_least(ready, 5, SETTLE_MS), "ready count %lld", (long long)*ready);
    interop_store_release(gate, 1);
    CHECK_EQ(join(a, JOIN_MS), 30);
    CHECK_EQ(join(b, JOIN_MS), 20);
    CHECK_EQ(interop_workers_alive(), 0);
}

/* The largest group allowed, and a group that has nothing to do. */
static void workers_thread_count_bounds_are_inclusive(void)
{
    int64_t *slot = REGION_COUNTER(8);
    int64_t h = start(slot, 256, 1, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start(256 threads) returned %lld", (long long)h);
    CHECK_EQ(join(h, JOIN_MS), 256);
    h = start(slot, 1, 0, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start(1 thread, 0 increments) returned %lld", (long long)h);
    CHECK_EQ(join(h, JOIN_MS), 0);
    CHECK_EQ(interop_load_seq_cst(slot), 256);
}

static void workers_bad_arguments_are_einval(void)
{
    int64_t *slot = REGION_COUNTER(9);
    const int64_t *ok = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t *bent = (int64_t *)(void *)((char *)REGION_COUNTER(10) + 4);

    CHECK_EQ(start(NULL, 1, 1, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(start(bent, 1, 1, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(start(slot, 1, 1, bent, NULL, NULL), -EINVAL);
    CHECK_EQ(start(slot, 1, 1, ok, bent, NULL), -EINVAL);
    CHECK_EQ(start(slot, 1, 1, NULL, NULL, bent), -EINVAL);
    CHECK_EQ(start(slot, 0, 1, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(start(slot, -1, 1, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(start(slot, 257, 1, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(start(slot, 1, -1, NULL, NULL, NULL), -EINVAL);
    CHECK_EQ(interop_workers_alive(), 0);
    CHECK_EQ(interop_load_seq_cst(slot), 0);

    int64_t h = start(slot, 1, 5, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_EQ(interop_workers_join(h, -1), -EINVAL);
    CHECK_EQ(join(h, JOIN_MS), 5);
}

static void workers_unknown_handles_are_enoent(void)
{
    CHECK_EQ(interop_workers_stop(0), -ENOENT);
    CHECK_EQ(interop_workers_stop(-3), -ENOENT);
    CHECK_EQ(interop_workers_stop(INT64_MAX), -ENOENT);
    CHECK_EQ(interop_workers_join(0, 0), -ENOENT);
    CHECK_EQ(interop_workers_join(INT64_MAX, 10), -ENOENT);

    int64_t h = start(REGION_COUNTER(11), 1, 3, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_EQ(join(h, JOIN_MS), 3);
    CHECK_EQ(interop_workers_join(h, 0), -ENOENT);
    CHECK_EQ(interop_workers_stop(h), -ENOENT);

    /* The next group gets a new handle, so the joined one stays unknown. */
    int64_t next = start(REGION_COUNTER(11), 1, 1, NULL, NULL, NULL);
    CHECK_MSG(next > h, "handle %lld after %lld", (long long)next, (long long)h);
    CHECK_EQ(interop_workers_stop(h), -ENOENT);
    CHECK_EQ(join(next, JOIN_MS), 1);
}

/* 64 groups at once; the 65th is refused, and the table frees up again. */
static void workers_group_table_full_is_eagain(void)
{
    enum { GROUPS = 64 };
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t handles[GROUPS];
    for (int i = 0; i < GROUPS; i++) {
        handles[i] = start(REGION_COUNTER(12), 1, 1, gate, NULL, NULL);
        CHECK_MSG(handles[i] > 0, "group %d: start returned %lld", i, (long long)handles[i]);
    }
    CHECK_EQ(start(REGION_COUNTER(12), 1, 1, gate, NULL, NULL), -EAGAIN);
    interop_store_release(gate, 1);
    for (int i = 0; i < GROUPS; i++) CHECK_EQ(join(handles[i], JOIN_MS), 1);
    int64_t h = start(REGION_COUNTER(12), 1, 1, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start after the table emptied returned %lld", (long long)h);
    CHECK_EQ(join(h, JOIN_MS), 1);
    CHECK_EQ(interop_load_seq_cst(REGION_COUNTER(12)), GROUPS + 1);
}

static long address_space_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = -1;
    if (f != NULL) {
        if (fscanf(f, "%ld", &pages) != 1) pages = -1;
        fclose(f);
    }
    return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

/*
 * pthread_create fails once thread stacks cannot be mapped: with the address
 * space capped just above its current size, a 256-thread group fails partway.
 * The threads already made are gated; start must stop and join them.
 */
static void workers_creation_failure_stops_and_joins_made_threads(void)
{
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    test_skip("a sanitizer's shadow memory does not survive an address-space cap");
    return;
#endif
    int64_t *slot = REGION_COUNTER(13);
    int64_t *gate = REGION_CONTROL(INTEROP_CONTROL_START_GATE);
    int64_t *ready = REGION_CONTROL(INTEROP_CONTROL_READY_COUNT);
    long used = address_space_bytes();
    CHECK_MSG(used > 0, "cannot read /proc/self/statm");
    struct rlimit saved;
    CHECK(getrlimit(RLIMIT_AS, &saved) == 0);

    struct rlimit cap = saved;
    cap.rlim_cur = (rlim_t)used + 2 * 1024 * 1024;
    CHECK(setrlimit(RLIMIT_AS, &cap) == 0);
    int64_t began = monotonic_ms();
    int64_t rc = interop_workers_start(slot, 256, 1, gate, ready, NULL);
    int64_t took = monotonic_ms() - began;
    int restored = setrlimit(RLIMIT_AS, &saved);
    track_group(rc);
    CHECK(restored == 0);

    if (rc > 0) {
        test_skip("the address-space cap was not enforced here (qemu-user, for one, ignores RLIMIT_AS)");
        return;
    }
    CHECK_MSG(rc == -EAGAIN || rc == -ENOMEM, "start under the cap returned %lld", (long long)rc);
    CHECK_MSG(took < 5000, "start took %lld ms to stop the gated threads it had made", (long long)took);
    CHECK_EQ(interop_workers_alive(), 0);
    CHECK_EQ(interop_load_seq_cst(slot), 0);
    CHECK_MSG(interop_load_seq_cst(ready) < 256, "all 256 threads reported ready, yet start failed");

    int64_t h = start(slot, 1, 7, NULL, NULL, NULL);
    CHECK_MSG(h > 0, "start after the failure returned %lld", (long long)h);
    CHECK_EQ(join(h, JOIN_MS), 7);
}

static const struct test_case workers_cases[] = {
    TEST(workers_totals_exact_without_gate),
    TEST(workers_totals_exact_with_gate),
    TEST(workers_ready_count_reaches_threads_before_gate_opens),
    TEST(workers_stop_ends_group_early),
    TEST(workers_cancel_flag_ends_group_early),
    TEST(workers_cancel_flag_releases_gated_workers),
    TEST(workers_join_times_out_while_gated_then_succeeds_after_stop),
    TEST(workers_alive_count_returns_to_zero),
    TEST(workers_thread_count_bounds_are_inclusive),
    TEST(workers_bad_arguments_are_einval),
    TEST(workers_unknown_handles_are_enoent),
    TEST(workers_group_table_full_is_eagain),
    TEST(workers_creation_failure_stops_and_joins_made_threads),
};

const struct test_suite workers_suite = SUITE(workers_cases);
