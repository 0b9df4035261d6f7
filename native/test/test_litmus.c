/*
 * Litmus actors (interop_litmus.h): C actors run whole tests against each
 * other in a litmus section laid out here as the Java runner lays it out,
 * and the histograms must hold what the C11 model promises: every sample
 * counted once, store buffering absent under seq_cst, message passing
 * intact under release/acquire, read-modify-writes atomic. The checker for
 * the forbidden SB outcome is shown to fire on relaxed kernels (x86_64 shows
 * store buffering natively), so its silence under seq_cst means something;
 * where the machine gave the two actors no time in step, that proof is
 * reported as a skip, not a pass (see expect_store_buffering). Then the ways
 * out (done, stop, abort, the actor's own stall timeout) and handles.
 *
 * The kernels are functions of the generated signature written by hand
 * (litmus_kernels.c); the runner's side (the section, the fixture, run_test)
 * is litmus_fixture.c; what start refuses is test_litmus_args.c.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "litmus_fixture.h"
#include "litmus_kernels.h"

/* The relaxed SB run is also the proof that the seq_cst test below can fail:
 * the very checker that must stay silent under seq_cst fires here. */
LITMUS_TEST(litmus_sb_relaxed_counts_every_sample_and_shows_store_buffering)
{
    bool observe = store_buffering_expected();
    int64_t rounds = run_sb(sb_x_relaxed, sb_y_relaxed,
                            observe ? sb_forbidden_seen : rounds_reached, observe ? OBSERVE_BUDGET_MS : ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    CHECK_EQ(interop_litmus_alive(), 0);
    if (observe) expect_store_buffering(rounds);
}

/*
 * Pacing (LITMUS.md, "Starting a round together"): every consumer leaves a
 * lead within its bounds and a start instant; a start an hour ahead (no
 * consumer's) holds no actor: the run ends as usual.
 */
LITMUS_TEST(litmus_pacing_keeps_its_lead_in_bounds_and_ignores_a_far_start)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    first_start_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + INT64_C(3600) * 1000000000;
    int64_t rounds = run_sb(sb_x_relaxed, sb_y_relaxed, rounds_reached, ROUNDS_BUDGET_MS);
    first_start_ns = 0;
    if (rounds == 0) return;
    CHECK_MSG(rounds > 1, "only %lld round ran", (long long)rounds);
    int64_t lead = get(INTEROP_LITMUS_LEAD_NS);
    CHECK_MSG(lead >= INTEROP_LITMUS_LEAD_MIN_NS && lead <= INTEROP_LITMUS_LEAD_MAX_NS, "lead %lld ns", (long long)lead);
    /* The last released round's start was a consumer's: within the lead of now, not an hour ahead. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    CHECK_MSG(get(INTEROP_LITMUS_START_NS) <= now, "start %lld ns is after now %lld ns",
              (long long)get(INTEROP_LITMUS_START_NS), (long long)now);
}

/*
 * On arm64, seq_cst store and load compile to stlr and ldar, which ARMv8
 * keeps in order (release consistency with sequentially consistent
 * acquires). qemu-user 7.2 on an x86_64 host does not emulate that: it
 * translates stlr as barrier-then-store and ldar as load-then-barrier, with
 * nothing between an stlr and a following ldar, so the host's store buffer
 * shows through. There the outcome is reported as a skip, never as a pass.
 */
LITMUS_TEST(litmus_sb_seq_cst_never_shows_store_buffering)
{
    int64_t rounds = run_sb(sb_x_seq_cst, sb_y_seq_cst, rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    char buf[200];
    format_sb(buf, sizeof buf, rounds);
    if (sb_forbidden_seen() && under_emulator()) {
        test_skip("the emulator broke seq_cst (stlr;ldar reordered, not a shim fault): %s", buf);
        return;
    }
    CHECK_MSG(!sb_forbidden_seen(), "forbidden SB outcome under seq_cst: %s", buf);
}

/* A kernel weakened on one side only (as a mis-stamped mode would be): the
 * fenced actor's store is visible before its load, the relaxed one's is not,
 * and that is enough for (0,0) on x86_64. */
LITMUS_TEST(litmus_sb_checker_catches_one_weakened_actor)
{
    if (!store_buffering_expected()) {
        test_skip("store buffering is required to show only on x86_64, natively and without a sanitizer");
        return;
    }
    int64_t rounds = run_sb(sb_x_seq_cst, sb_y_relaxed, sb_forbidden_seen, OBSERVE_BUDGET_MS);
    if (rounds == 0) return;
    expect_store_buffering(rounds);
}

LITMUS_TEST(litmus_sb_with_fences_never_shows_store_buffering)
{
    int64_t rounds = run_sb(sb_x_fenced, sb_y_fenced, rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    char buf[200];
    format_sb(buf, sizeof buf, rounds);
    CHECK_MSG(!sb_forbidden_seen(), "forbidden SB outcome with seq_cst fences: %s", buf);
}

/* ---- message passing, read-modify-writes ------------------------------------- */

LITMUS_TEST(litmus_mp_release_acquire_never_sees_flag_without_data)
{
    const struct shape mp = {2, 1024, 0, 2, {REGISTER(1, 0), REGISTER(1, 1)}, 4};
    const struct actor_kernel kernels[] = {KERNEL(mp_writer, 0, 16), KERNEL(mp_reader, 2, 16)};
    int64_t rounds = run_test(&mp, kernels, rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    /* key = flag * 4 + data */
    CHECK_MSG(hist(4) == 0, "flag seen without data %lld times (other outcomes: (0,0) %lld, (0,1) %lld, (1,1) %lld)",
              (long long)hist(4), (long long)hist(0), (long long)hist(1), (long long)hist(5));
    CHECK_EQ(hist(0) + hist(1) + hist(5), rounds * mp.stride);
}

LITMUS_TEST(litmus_fadd_seq_cst_counts_both_increments)
{
    const struct shape sh = {2, 1024, 500, 3, {REGISTER(0, 0), REGISTER(1, 0), LOCATION(X)}, 4};
    const struct actor_kernel kernels[] = {KERNEL(fadd_seq_cst, 1, 8), KERNEL(fadd_seq_cst, 1, 8)};
    if (!run_test(&sh, kernels, never_enough, 0)) return;
    /* key = (r0 * 4 + r1) * 4 + x: (0,1,2) is 6, (1,0,2) is 18. */
    CHECK_EQ(hist(6) + hist(18), sh.max_rounds * sh.stride);
}

LITMUS_TEST(litmus_cas_seq_cst_exactly_one_wins)
{
    const struct shape sh = {2, 1024, 500, 3, {REGISTER(0, 0), REGISTER(1, 0), LOCATION(X)}, 4};
    const struct actor_kernel kernels[] = {KERNEL(cas_seq_cst, 1, 8), KERNEL(cas_seq_cst, 1, 8)};
    if (!run_test(&sh, kernels, never_enough, 0)) return;
    /* (1,0,1) is 17, (0,1,1) is 5. */
    CHECK_EQ(hist(17) + hist(5), sh.max_rounds * sh.stride);
}

/* Four actors on however few cores: the waits must back off so that every
 * actor gets to run, and the four fetch_adds of an instance return 0..3 in
 * some order. */
LITMUS_TEST(litmus_four_actors_fadd_returns_a_permutation)
{
    const struct shape sh = {4, 256, 300, 4, {REGISTER(0, 0), REGISTER(1, 0), REGISTER(2, 0), REGISTER(3, 0)}, 4};
    const struct actor_kernel fadd = KERNEL(fadd_relaxed, 1, 8);
    const struct actor_kernel kernels[] = {fadd, fadd, fadd, fadd};
    if (!run_test(&sh, kernels, never_enough, 0)) return;
    int64_t permutations = 0;
    for (int64_t key = 0; key < 256; key++) {
        int seen = 0;
        for (int64_t k = key, d = 0; d < 4; d++, k /= 4) seen |= 1 << (k % 4);
        if (seen == 0xF) permutations += hist(key);
        else CHECK_MSG(hist(key) == 0, "key %lld (not a permutation of 0..3) counted %lld times", (long long)key,
                       (long long)hist(key));
    }
    CHECK_EQ(permutations, sh.max_rounds * sh.stride);
}

/* In radix 4, values outside 0..3, negative ones included, count as 3. */
LITMUS_TEST(litmus_values_outside_0_to_3_count_as_3)
{
    const struct shape sh = {2, 64, 10, 2, {LOCATION(X), LOCATION(Y)}, 4};
    const struct actor_kernel kernels[] = {KERNEL(store_x_7_relaxed, 0, 8), KERNEL(store_y_minus_1_release, 0, 16)};
    if (!run_test(&sh, kernels, never_enough, 0)) return;
    CHECK_EQ(hist(15), sh.max_rounds * sh.stride);
}

/* The descriptor's radix sets the digits: in radix 9, 7 is its own digit and -1 counts as 8. */
LITMUS_TEST(litmus_radix_9_tells_7_apart_and_counts_minus_1_as_8)
{
    const struct shape sh = {2, 64, 10, 2, {LOCATION(X), LOCATION(Y)}, 9};
    const struct actor_kernel kernels[] = {KERNEL(store_x_7_relaxed, 0, 8), KERNEL(store_y_minus_1_release, 0, 16)};
    if (!run_test(&sh, kernels, never_enough, 0)) return;
    CHECK_EQ(hist(7 * 9 + 8), sh.max_rounds * sh.stride);
}

/*
 * r0 at +0 and r1 at +8 of the actor's record, instance by instance: with a
 * fetch_add of actor 1 racing on x, (a0.r0, a0.r1, a1.r0, x) is
 * (0, 1|2, 1, 2) when actor 0 added first, else (1, 2, 0, 2). A register
 * written to the wrong place, or an instance's registers to another's, shows
 * as another key.
 */
LITMUS_TEST(litmus_kernel_writes_its_registers_in_its_window)
{
    const struct shape sh = {2, 1024, 300, 4, {REGISTER(0, 0), REGISTER(0, 1), REGISTER(1, 0), LOCATION(X)}, 4};
    const struct actor_kernel kernels[] = {KERNEL(fadd_then_load, 2, 8), KERNEL(fadd_seq_cst, 1, 8)};
    if (!run_test(&sh, kernels, never_enough, 0)) return;
    /* key = ((v0 * 4 + v1) * 4 + v2) * 4 + v3 */
    const int64_t first = 0 * 64 + 1 * 16 + 1 * 4 + 2, first_late = 0 * 64 + 2 * 16 + 1 * 4 + 2,
                  second = 1 * 64 + 2 * 16 + 0 * 4 + 2;
    CHECK_MSG(hist(first) + hist(first_late) + hist(second) == sh.max_rounds * sh.stride,
              "outcomes (0,1,1,2) %lld, (0,2,1,2) %lld, (1,2,0,2) %lld of %lld samples", (long long)hist(first),
              (long long)hist(first_late), (long long)hist(second), (long long)(sh.max_rounds * sh.stride));
}

/* ---- the ways out -------------------------------------------------------------- */

LITMUS_TEST(litmus_stop_word_ends_an_unbounded_test)
{
    const struct shape sh = {2, 256, 0, 2, {REGISTER(0, 0), REGISTER(1, 0)}, 4};
    describe(&sh);
    int64_t h[2] = {start_actor(0, sb_x_seq_cst, 1, 16, JOIN_MS), start_actor(1, sb_y_seq_cst, 1, 16, JOIN_MS)};
    CHECK_MSG(h[0] > 0 && h[1] > 0, "start returned %lld, %lld", (long long)h[0], (long long)h[1]);
    CHECK(wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_READY), 2, SETTLE_MS));
    set(INTEROP_LITMUS_EPOCH, 1);
    CHECK_MSG(wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_ROUNDS), 20, SETTLE_MS),
              "only %lld rounds after %d ms", (long long)get(INTEROP_LITMUS_ROUNDS), SETTLE_MS);
    set(INTEROP_LITMUS_STOP, 1);
    int64_t out[2][4];
    CHECK_EQ(join_actor(h[0], JOIN_MS, out[0]), 0);
    CHECK_EQ(join_actor(h[1], JOIN_MS, out[1]), 0);
    int64_t rounds = get(INTEROP_LITMUS_ROUNDS);
    CHECK_EQ(get(INTEROP_LITMUS_DONE), 1);
    CHECK_EQ(out[0][INTEROP_LITMUS_OUT_ROUNDS_RUN], rounds);
    CHECK_EQ(out[1][INTEROP_LITMUS_OUT_ROUNDS_RUN], rounds);
    CHECK_EQ(out[0][INTEROP_LITMUS_OUT_ROUNDS_CONSUMED] + out[1][INTEROP_LITMUS_OUT_ROUNDS_CONSUMED], rounds);
    CHECK_EQ(out[0][INTEROP_LITMUS_OUT_ABORTED] + out[1][INTEROP_LITMUS_OUT_ABORTED], 0);
    CHECK_EQ(hist_sum(&sh), rounds * sh.stride);
}

LITMUS_TEST(litmus_abort_word_ends_waiting_actors)
{
    const struct shape sh = {2, 16, 0, 1, {LOCATION(X)}, 4};
    describe(&sh);
    int64_t h[2] = {start_actor(0, store_x_7_relaxed, 0, 8, 0), start_actor(1, store_x_7_relaxed, 0, 8, 0)};
    CHECK_MSG(h[0] > 0 && h[1] > 0, "start returned %lld, %lld", (long long)h[0], (long long)h[1]);
    CHECK(wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_READY), 2, SETTLE_MS));
    CHECK_EQ(interop_litmus_alive(), 2);

    /* Never released, no stall timeout: only abort ends them. */
    int64_t began = monotonic_ms();
    CHECK_EQ(interop_litmus_join(h[0], 100, NULL), -ETIMEDOUT);
    int64_t waited = monotonic_ms() - began;
    CHECK_MSG(waited >= 90 && waited < 5000, "join(100 ms) returned after %lld ms", (long long)waited);
    CHECK_EQ(interop_litmus_join(h[1], 0, NULL), -ETIMEDOUT);
    CHECK_EQ(interop_litmus_alive(), 2);

    set(INTEROP_LITMUS_ABORT, 1);
    began = monotonic_ms();
    int64_t out[2][4];
    CHECK_EQ(join_actor(h[0], JOIN_MS, out[0]), 0);
    CHECK_EQ(join_actor(h[1], JOIN_MS, out[1]), 0);
    waited = monotonic_ms() - began;
    CHECK_MSG(waited < 1000, "the actors took %lld ms to see abort", (long long)waited);
    for (int a = 0; a < 2; a++) {
        CHECK_EQ(out[a][INTEROP_LITMUS_OUT_ABORTED], INTEROP_LITMUS_LEFT_ABORT);
        CHECK_EQ(out[a][INTEROP_LITMUS_OUT_ROUNDS_RUN], 0);
        CHECK_EQ(out[a][INTEROP_LITMUS_OUT_ELAPSED_NS], 0);
    }
    CHECK_EQ(interop_litmus_alive(), 0);
}

/* Its peer never arrives: the lone actor runs round 1, waits for round 2,
 * and leaves on its own stall timeout, touching no control word. */
LITMUS_TEST(litmus_stall_timeout_ends_a_lone_actor)
{
    const struct shape sh = {2, 16, 0, 1, {REGISTER(0, 0)}, 4};
    describe(&sh);
    int64_t h = start_actor(0, fadd_relaxed, 1, 8, 200);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK(wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_READY), 1, SETTLE_MS));
    int64_t began = monotonic_ms();
    set(INTEROP_LITMUS_EPOCH, 1);
    int64_t out[4];
    CHECK_EQ(join_actor(h, 5000, out), 0);
    int64_t waited = monotonic_ms() - began;
    CHECK_MSG(waited >= 150 && waited < 1500, "a 200 ms stall timeout ended the actor after %lld ms", (long long)waited);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ABORTED], INTEROP_LITMUS_LEFT_STALL);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ROUNDS_RUN], 1);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ROUNDS_CONSUMED], 0);
    CHECK_MSG(out[INTEROP_LITMUS_OUT_ELAPSED_NS] > 0, "elapsed %lld ns", (long long)out[INTEROP_LITMUS_OUT_ELAPSED_NS]);
    CHECK_EQ(get(INTEROP_LITMUS_ABORT), 0);
    CHECK_EQ(get(INTEROP_LITMUS_DONE), 0);
    CHECK_EQ(get(INTEROP_LITMUS_ROUNDS), 0);
    CHECK_EQ(get(INTEROP_LITMUS_ARRIVED), 1);
    CHECK_EQ(interop_litmus_alive(), 0);
}

LITMUS_TEST(litmus_unknown_handles_are_enoent)
{
    CHECK_EQ(interop_litmus_join(0, 0, NULL), -ENOENT);
    CHECK_EQ(interop_litmus_join(-5, 0, NULL), -ENOENT);
    CHECK_EQ(interop_litmus_join(INT64_MAX, 10, NULL), -ENOENT);

    describe(&PAIR);
    int64_t h = start_actor(0, store_x_1_seq_cst, 0, 8, 0);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_EQ(interop_litmus_join(h, -1, NULL), -EINVAL);
    set(INTEROP_LITMUS_ABORT, 1);
    int64_t out[4] = {-1, -1, -1, -1};
    CHECK_EQ(join_actor(h, JOIN_MS, out), 0);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ABORTED], INTEROP_LITMUS_LEFT_ABORT);
    CHECK_EQ(interop_litmus_join(h, 0, NULL), -ENOENT);

    /* Handles are not reused. */
    set(INTEROP_LITMUS_ABORT, 0);
    int64_t next = start_actor(0, store_x_1_seq_cst, 0, 8, 0);
    CHECK_MSG(next > h, "handle %lld after %lld", (long long)next, (long long)h);
    CHECK_EQ(interop_litmus_join(h, 0, NULL), -ENOENT);
    set(INTEROP_LITMUS_ABORT, 1);
    CHECK_EQ(join_actor(next, JOIN_MS, NULL), 0);
    CHECK_EQ(interop_litmus_alive(), 0);
}

static const struct test_case litmus_cases[] = {
    TEST(litmus_sb_relaxed_counts_every_sample_and_shows_store_buffering),
    TEST(litmus_pacing_keeps_its_lead_in_bounds_and_ignores_a_far_start),
    TEST(litmus_sb_seq_cst_never_shows_store_buffering),
    TEST(litmus_sb_checker_catches_one_weakened_actor),
    TEST(litmus_sb_with_fences_never_shows_store_buffering),
    TEST(litmus_mp_release_acquire_never_sees_flag_without_data),
    TEST(litmus_fadd_seq_cst_counts_both_increments),
    TEST(litmus_cas_seq_cst_exactly_one_wins),
    TEST(litmus_four_actors_fadd_returns_a_permutation),
    TEST(litmus_values_outside_0_to_3_count_as_3),
    TEST(litmus_radix_9_tells_7_apart_and_counts_minus_1_as_8),
    TEST(litmus_kernel_writes_its_registers_in_its_window),
    TEST(litmus_stop_word_ends_an_unbounded_test),
    TEST(litmus_abort_word_ends_waiting_actors),
    TEST(litmus_stall_timeout_ends_a_lone_actor),
    TEST(litmus_unknown_handles_are_enoent),
};

const struct test_suite litmus_suite = SUITE(litmus_cases);
