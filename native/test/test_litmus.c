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
 * out (done, stop, abort, the actor's own stall timeout), the argument
 * checks and the kernel list.
 *
 * The runner's side (the section, the fixture, run_test) is litmus_fixture.c.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "litmus_fixture.h"

static int64_t run_sb(const char *kernel0, const char *kernel1, bool (*enough)(void), int64_t budget_ms)
{
    const struct role roles[] = {ROLE(kernel0, X, Y, 1, 0), ROLE(kernel1, Y, X, 1, 0)};
    return run_sb_roles(roles, enough, budget_ms);
}

/* The relaxed SB run is also the proof that the seq_cst test below can fail:
 * the very checker that must stay silent under seq_cst fires here. */
LITMUS_TEST(litmus_sb_relaxed_counts_every_sample_and_shows_store_buffering)
{
    bool observe = store_buffering_expected();
    int64_t rounds = run_sb("st_ld.relaxed.relaxed", "st_ld.relaxed.relaxed",
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
    int64_t rounds = run_sb("st_ld.relaxed.relaxed", "st_ld.relaxed.relaxed", rounds_reached, ROUNDS_BUDGET_MS);
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
    int64_t rounds = run_sb("st_ld.seq_cst.seq_cst", "st_ld.seq_cst.seq_cst", rounds_reached, ROUNDS_BUDGET_MS);
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
    int64_t rounds = run_sb("st_ld.seq_cst.seq_cst", "st_ld.relaxed.relaxed", sb_forbidden_seen, OBSERVE_BUDGET_MS);
    if (rounds == 0) return;
    expect_store_buffering(rounds);
}

LITMUS_TEST(litmus_sb_with_fences_never_shows_store_buffering)
{
    int64_t rounds =
        run_sb("st_fence_ld.relaxed.relaxed", "st_fence_ld.relaxed.relaxed", rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    char buf[200];
    format_sb(buf, sizeof buf, rounds);
    CHECK_MSG(!sb_forbidden_seen(), "forbidden SB outcome with seq_cst fences: %s", buf);
}

/* ---- message passing, read-modify-writes ------------------------------------- */

LITMUS_TEST(litmus_mp_release_acquire_never_sees_flag_without_data)
{
    const struct shape mp = {2, 1024, 0, 2, {REGISTER(1, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R1)}};
    const struct role roles[] = {ROLE("st_st.relaxed.release", X, Y, 1, 1), ROLE("ld_ld.acquire.relaxed", Y, X, 0, 0)};
    int64_t rounds = run_test(&mp, roles, rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    /* key = flag * 4 + data */
    CHECK_MSG(hist(4) == 0, "flag seen without data %lld times (other outcomes: (0,0) %lld, (0,1) %lld, (1,1) %lld)",
              (long long)hist(4), (long long)hist(0), (long long)hist(1), (long long)hist(5));
    CHECK_EQ(hist(0) + hist(1) + hist(5), rounds * mp.stride);
}

LITMUS_TEST(litmus_fadd_seq_cst_counts_both_increments)
{
    const struct shape sh = {2, 1024, 500, 3,
                             {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R0), LOCATION(X)}};
    const struct role roles[] = {ROLE("fadd.seq_cst", X, 0, 0, 0), ROLE("fadd.seq_cst", X, 0, 0, 0)};
    if (!run_test(&sh, roles, never_enough, 0)) return;
    /* key = (r0 * 4 + r1) * 4 + x: (0,1,2) is 6, (1,0,2) is 18. */
    CHECK_EQ(hist(6) + hist(18), sh.max_rounds * sh.stride);
}

LITMUS_TEST(litmus_cas_seq_cst_exactly_one_wins)
{
    const struct shape sh = {2, 1024, 500, 3,
                             {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R0), LOCATION(X)}};
    const struct role roles[] = {ROLE("cas.seq_cst", X, 0, 1, 0), ROLE("cas.seq_cst", X, 0, 1, 0)};
    if (!run_test(&sh, roles, never_enough, 0)) return;
    /* (1,0,1) is 17, (0,1,1) is 5. */
    CHECK_EQ(hist(17) + hist(5), sh.max_rounds * sh.stride);
}

/* Four actors on however few cores: the waits must back off so that every
 * actor gets to run, and the four fetch_adds of an instance return 0..3 in
 * some order. */
LITMUS_TEST(litmus_four_actors_fadd_returns_a_permutation)
{
    const struct shape sh = {4, 256, 300, 4,
                             {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R0),
                              REGISTER(2, INTEROP_LITMUS_R0), REGISTER(3, INTEROP_LITMUS_R0)}};
    const struct role fadd = ROLE("fadd.relaxed", X, 0, 0, 0);
    const struct role roles[] = {fadd, fadd, fadd, fadd};
    if (!run_test(&sh, roles, never_enough, 0)) return;
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

/* Values outside 0..3, negative ones included, count as 3. */
LITMUS_TEST(litmus_values_outside_0_to_3_count_as_3)
{
    const struct shape sh = {2, 64, 10, 2, {LOCATION(X), LOCATION(Y)}};
    const struct role roles[] = {ROLE("st.relaxed", X, 0, 7, 0), ROLE("st.release", Y, 0, -1, 0)};
    if (!run_test(&sh, roles, never_enough, 0)) return;
    CHECK_EQ(hist(15), sh.max_rounds * sh.stride);
}

/* ---- the ways out -------------------------------------------------------------- */

LITMUS_TEST(litmus_stop_word_ends_an_unbounded_test)
{
    const struct shape sh = {2, 256, 0, 2, {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R0)}};
    describe(&sh);
    int64_t h[2] = {start_actor(0, "st_ld.release.seq_cst", X, Y, 1, 0, JOIN_MS),
                    start_actor(1, "ld_st.seq_cst.release", X, Y, 1, 0, JOIN_MS)};
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
    const struct shape sh = {2, 16, 0, 1, {LOCATION(X)}};
    describe(&sh);
    int64_t h[2] = {start_actor(0, "st.relaxed", X, 0, 1, 0, 0), start_actor(1, "st.relaxed", X, 0, 1, 0, 0)};
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
    const struct shape sh = {2, 16, 0, 1, {REGISTER(0, INTEROP_LITMUS_R0)}};
    describe(&sh);
    int64_t h = start_actor(0, "fadd.relaxed", X, 0, 0, 0, 200);
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

/* ---- arguments, descriptors, generations ---------------------------------------- */

static const struct shape PAIR = {2, 64, 1, 2, {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R0)}};

/* start for actor 0 of PAIR after one descriptor field was set to `value`. */
static int64_t start_with_field(int64_t field, int64_t value, const char *kernel)
{
    describe(&PAIR);
    set(field, value);
    return start_actor(0, kernel, X, Y, 1, 0, 0);
}

LITMUS_TEST(litmus_bad_arguments_are_refused_before_anything_runs)
{
    describe(&PAIR);
    int64_t g = generation;
    unsigned char *bent = section + 4;
    CHECK_EQ(interop_litmus_start(NULL, 0, "st_ld.relaxed.relaxed", X, Y, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(bent, 0, "st_ld.relaxed.relaxed", X, Y, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, -1, "st_ld.relaxed.relaxed", X, Y, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, 4, "st_ld.relaxed.relaxed", X, Y, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, 0, NULL, X, Y, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", -8, Y, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", X, 4, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", X, Y, 1, 0, g, -1), -EINVAL);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", X, Y, 1, 0, 0, 0), -EINVAL);
    /* Outside its 16-byte instance. */
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", X, LOC_STRIDE, 1, 0, g, 0), -EINVAL);
    /* Actor 1's registers interleaved 8 bytes after actor 0's: room for one register, not two. */
    set(INTEROP_LITMUS_RESULT_OFFSET(1), get(INTEROP_LITMUS_RESULT_OFFSET(0)) + 8);
    set(INTEROP_LITMUS_RESULT_STRIDE(1), get(INTEROP_LITMUS_RESULT_STRIDE(0)));
    CHECK_EQ(interop_litmus_start(section, 0, "ld_ld.relaxed.relaxed", X, Y, 1, 0, g, 0), -EINVAL);
    describe(&PAIR);
    g = generation;

    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed", X, Y, 1, 0, g, 0), -ENOENT);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.release.relaxed.", X, Y, 1, 0, g, 0), -ENOENT);
    CHECK_EQ(interop_litmus_start(section, 0, "ld_ld.release.relaxed", X, Y, 1, 0, g, 0), -ENOENT);
    CHECK_EQ(interop_litmus_start(section, 0, "", X, Y, 1, 0, g, 0), -ENOENT);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", X, Y, 1, 0, g + 1, 0), -ESTALE);
    CHECK_EQ(interop_litmus_start(section, 0, "st_ld.relaxed.relaxed", X, Y, 1, 0, g - 1, 0), -ESTALE);
    CHECK_EQ(interop_litmus_start(section, 2, "st_ld.relaxed.relaxed", X, Y, 1, 0, g, 0), -EINVAL);

    const char *k = "st_ld.relaxed.relaxed";
    CHECK_EQ(start_with_field(INTEROP_LITMUS_N_ACTORS, 1, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_N_ACTORS, 5, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_STRIDE, 0, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_STRIDE, -1, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_N_GATHER, 0, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_N_GATHER, 5, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_N_GATHER, 3, k), -EINVAL); /* hist_len is still 16 */
    CHECK_EQ(start_with_field(INTEROP_LITMUS_HIST_LEN, 64, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_MAX_ROUNDS, -1, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_LOC_OFFSET, INTEROP_LITMUS_DATA + 4, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_LOC_OFFSET, INTEROP_LITMUS_EPOCH, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_LOC_STRIDE, 12, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_LOC_STRIDE, 0, "st.relaxed"), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_HIST_OFFSET, INTEROP_LITMUS_DESCRIPTOR, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_GATHER_OFFSET(1), -16, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_GATHER_STRIDE(0), 3, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_GATHER_OFFSET(0), INTEROP_LITMUS_ROUNDS, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_RESULT_OFFSET(1), INTEROP_LITMUS_HIST, k), -EINVAL);
    CHECK_EQ(start_with_field(INTEROP_LITMUS_RESULT_STRIDE(1), INT64_MAX - 7, k), -EINVAL);
    /* ld_ld writes r0 and r1: 16 bytes per instance. */
    CHECK_EQ(start_with_field(INTEROP_LITMUS_RESULT_STRIDE(0), 8, "ld_ld.relaxed.relaxed"), -EINVAL);
    /* The kernel is looked up before the descriptor is read. */
    CHECK_EQ(start_with_field(INTEROP_LITMUS_N_ACTORS, 1, "st_ld.plain.plain"), -ENOENT);
    CHECK_EQ(interop_litmus_alive(), 0);
    CHECK_EQ(get(INTEROP_LITMUS_READY), 0);

    /* The descriptor as written is fine, so the checks above refused the fault each one planted. */
    describe(&PAIR);
    int64_t h = start_actor(0, "ld_ld.relaxed.relaxed", X, Y, 0, 0, 0);
    CHECK_MSG(h > 0, "start with a good descriptor returned %lld", (long long)h);
    /* q means nothing to st, fadd and cas; an actor without registers needs no result array. */
    set(INTEROP_LITMUS_RESULT_OFFSET(1), 0);
    set(INTEROP_LITMUS_RESULT_STRIDE(1), 0);
    int64_t h1 = start_actor(1, "st.relaxed", X, -8, 1, 0, 0);
    CHECK_MSG(h1 > 0, "start(st.relaxed, q -8, no result array) returned %lld", (long long)h1);
    CHECK_EQ(start_actor(1, "st_st.relaxed.relaxed", X, -8, 1, 0, 0), -EINVAL);
    CHECK_EQ(start_actor(1, "fadd.relaxed", X, -8, 1, 0, 0), -EINVAL); /* r0 needs 8 bytes */
    set(INTEROP_LITMUS_ABORT, 1);
    CHECK_EQ(join_actor(h, JOIN_MS, NULL), 0);
    CHECK_EQ(join_actor(h1, JOIN_MS, NULL), 0);
}

LITMUS_TEST(litmus_unknown_handles_are_enoent)
{
    CHECK_EQ(interop_litmus_join(0, 0, NULL), -ENOENT);
    CHECK_EQ(interop_litmus_join(-5, 0, NULL), -ENOENT);
    CHECK_EQ(interop_litmus_join(INT64_MAX, 10, NULL), -ENOENT);

    describe(&PAIR);
    int64_t h = start_actor(0, "st.seq_cst", X, 0, 1, 0, 0);
    CHECK_MSG(h > 0, "start returned %lld", (long long)h);
    CHECK_EQ(interop_litmus_join(h, -1, NULL), -EINVAL);
    set(INTEROP_LITMUS_ABORT, 1);
    int64_t out[4] = {-1, -1, -1, -1};
    CHECK_EQ(join_actor(h, JOIN_MS, out), 0);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ABORTED], INTEROP_LITMUS_LEFT_ABORT);
    CHECK_EQ(interop_litmus_join(h, 0, NULL), -ENOENT);

    /* Handles are not reused. */
    set(INTEROP_LITMUS_ABORT, 0);
    int64_t next = start_actor(0, "st.seq_cst", X, 0, 1, 0, 0);
    CHECK_MSG(next > h, "handle %lld after %lld", (long long)next, (long long)h);
    CHECK_EQ(interop_litmus_join(h, 0, NULL), -ENOENT);
    set(INTEROP_LITMUS_ABORT, 1);
    CHECK_EQ(join_actor(next, JOIN_MS, NULL), 0);
    CHECK_EQ(interop_litmus_alive(), 0);
}

/* ---- the kernel list -------------------------------------------------------------- */

static void kernel_list_names_every_kernel_once(void)
{
    static const char *const loads[] = {"relaxed", "acquire", "seq_cst"};
    static const char *const stores[] = {"relaxed", "release", "seq_cst"};
    static const char *const rmws[] = {"relaxed", "acquire", "release", "acq_rel", "seq_cst"};
    struct pair {
        const char *role;
        const char *const *first, *const *second;
    };
    const struct pair pairs[] = {{"st_st", stores, stores}, {"st_ld", stores, loads},       {"ld_st", loads, stores},
                                 {"ld_ld", loads, loads},   {"st_fence_ld", stores, loads}};

    const char *list = interop_litmus_kernels();
    CHECK(list != NULL && list[0] != '\0');
    size_t len = strlen(list);
    CHECK_MSG(list[0] != '\n' && list[len - 1] != '\n', "the list has an empty entry at an end");
    int lines = 1;
    for (const char *c = list; *c != '\0'; c++) lines += *c == '\n';
    CHECK_EQ(lines, 58);

    /* Every expected name appears exactly once, as a whole line. */
    static char wrapped[4096];
    CHECK((size_t)snprintf(wrapped, sizeof wrapped, "\n%s\n", list) < sizeof wrapped);
    char name[64], line[66];
    int expected = 0;
    for (int i = 0; i < 3 + 5 * 9 + 5 + 5; i++) {
        if (i < 3) {
            snprintf(name, sizeof name, "st.%s", stores[i]);
        } else if (i < 48) {
            const struct pair *p = &pairs[(i - 3) / 9];
            snprintf(name, sizeof name, "%s.%s.%s", p->role, p->first[(i - 3) % 9 / 3], p->second[(i - 3) % 3]);
        } else {
            snprintf(name, sizeof name, "%s.%s", i < 53 ? "fadd" : "cas", rmws[(i - 48) % 5]);
        }
        snprintf(line, sizeof line, "\n%s\n", name);
        int found = 0;
        for (const char *at = strstr(wrapped, line); at != NULL; at = strstr(at + 1, line)) found++;
        CHECK_MSG(found == 1, "\"%s\" appears %d times in the list", name, found);
        CHECK_MSG(interop_litmus_kernel_exists(name) == 1, "kernel_exists(\"%s\") is 0", name);
        expected++;
    }
    CHECK_EQ(expected, 58);
}

LITMUS_TEST(litmus_kernel_list_and_exists_agree)
{
    kernel_list_names_every_kernel_once();
    if (test_failed()) return;
    const char *absent[] = {"st.acquire", "st_st.acquire.relaxed", "ld_ld.release.relaxed", "st_ld.relaxed",
                            "fadd.plain",  "cas",                   "st_ld.relaxed.relaxed.relaxed", "",
                            "ST.relaxed",  "st.relaxed "};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        CHECK_MSG(interop_litmus_kernel_exists(absent[i]) == 0, "kernel_exists(\"%s\") is 1", absent[i]);
    }
    CHECK_EQ(interop_litmus_kernel_exists(NULL), 0);
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
    TEST(litmus_stop_word_ends_an_unbounded_test),
    TEST(litmus_abort_word_ends_waiting_actors),
    TEST(litmus_stall_timeout_ends_a_lone_actor),
    TEST(litmus_bad_arguments_are_refused_before_anything_runs),
    TEST(litmus_unknown_handles_are_enoent),
    TEST(litmus_kernel_list_and_exists_agree),
};

const struct test_suite litmus_suite = SUITE(litmus_cases);
