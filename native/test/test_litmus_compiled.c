/*
 * Generated kernels (interop_litmus_start_compiled): actors whose kernel is
 * a function of the generated signature, written here by hand as the
 * generator would write it (testbed.litmus.kernel.CKernelSource), run by the
 * same actor loop as the role kernels. Store buffering shows under relaxed
 * and never under seq_cst, a generated and a role kernel share one test, a
 * kernel's registers land in its window, and every argument check refuses
 * what interop_litmus.h says it refuses.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>

#include "litmus_fixture.h"

/* ---- kernels of the generated signature ------------------------------------- */

#define LOC(off) ((_Atomic int64_t *)(void *)(loc + (off)))
#define SET_REG(k, v) atomic_store_explicit((_Atomic int64_t *)(void *)(reg + 8 * (k)), (v), memory_order_relaxed)

/* st [store_at] := 1 ORDER; r0 := ld [load_at] ORDER */
#define SB_KERNEL(name, store_at, load_at, order)                                                          \
    static void name(unsigned char *loc, int64_t loc_stride, unsigned char *reg, int64_t reg_stride,        \
                     int64_t instances)                                                                     \
    {                                                                                                       \
        for (; instances > 0; instances--) {                                                                \
            atomic_store_explicit(LOC(store_at), 1, order);                                                 \
            int64_t r0 = atomic_load_explicit(LOC(load_at), order);                                         \
            SET_REG(0, r0);                                                                                 \
            loc += loc_stride;                                                                              \
            reg += reg_stride;                                                                              \
        }                                                                                                   \
    }

SB_KERNEL(sb_x_relaxed, X, Y, memory_order_relaxed)
SB_KERNEL(sb_y_relaxed, Y, X, memory_order_relaxed)
SB_KERNEL(sb_x_seq_cst, X, Y, memory_order_seq_cst)
SB_KERNEL(sb_y_seq_cst, Y, X, memory_order_seq_cst)

/* st [0] := 1 relaxed; st [8] := 1 release: message passing's writer, no registers. */
static void mp_writer(unsigned char *loc, int64_t loc_stride, unsigned char *reg, int64_t reg_stride,
                      int64_t instances)
{
    (void)reg, (void)reg_stride;
    for (; instances > 0; instances--) {
        atomic_store_explicit(LOC(X), 1, memory_order_relaxed);
        atomic_store_explicit(LOC(Y), 1, memory_order_release);
        loc += loc_stride;
    }
}

/* r0 := fetch_add([0], 1) seq_cst; r1 := ld [0] relaxed */
static void fadd_then_load(unsigned char *loc, int64_t loc_stride, unsigned char *reg, int64_t reg_stride,
                           int64_t instances)
{
    for (; instances > 0; instances--) {
        int64_t r0 = atomic_fetch_add_explicit(LOC(X), 1, memory_order_seq_cst);
        int64_t r1 = atomic_load_explicit(LOC(X), memory_order_relaxed);
        SET_REG(0, r0);
        SET_REG(1, r1);
        loc += loc_stride;
        reg += reg_stride;
    }
}

/* ---- whole tests ---------------------------------------------------------------- */

/* Also the proof that the seq_cst test below can fail, as in test_litmus.c. */
LITMUS_TEST(litmus_compiled_sb_relaxed_counts_every_sample_and_shows_store_buffering)
{
    bool observe = store_buffering_expected();
    const struct role roles[] = {COMPILED(sb_x_relaxed, 1, 16), COMPILED(sb_y_relaxed, 1, 16)};
    int64_t rounds = run_sb_roles(roles, observe ? sb_forbidden_seen : rounds_reached,
                                  observe ? OBSERVE_BUDGET_MS : ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    CHECK_EQ(interop_litmus_alive(), 0);
    if (observe) expect_store_buffering(rounds);
}

LITMUS_TEST(litmus_compiled_sb_seq_cst_never_shows_store_buffering)
{
    const struct role roles[] = {COMPILED(sb_x_seq_cst, 1, 16), COMPILED(sb_y_seq_cst, 1, 16)};
    int64_t rounds = run_sb_roles(roles, rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    char buf[200];
    format_sb(buf, sizeof buf, rounds);
    /* qemu-user breaks arm64's stlr;ldar order (see test_litmus.c). */
    if (sb_forbidden_seen() && under_emulator()) {
        test_skip("the emulator broke seq_cst (stlr;ldar reordered, not a shim fault): %s", buf);
        return;
    }
    CHECK_MSG(!sb_forbidden_seen(), "forbidden SB outcome under seq_cst: %s", buf);
}

/* One test, both kinds of kernel: the loop does not care which it runs. */
LITMUS_TEST(litmus_compiled_and_role_kernels_share_a_test)
{
    const struct shape mp = {2, 1024, 0, 2, {REGISTER(1, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R1)}};
    const struct role roles[] = {COMPILED(mp_writer, 0, 16), ROLE("ld_ld.acquire.relaxed", Y, X, 0, 0)};
    int64_t rounds = run_test(&mp, roles, rounds_reached, ROUNDS_BUDGET_MS);
    if (rounds == 0) return;
    /* key = flag * 4 + data */
    CHECK_MSG(hist(4) == 0, "flag seen without data %lld times (other outcomes: (0,0) %lld, (0,1) %lld, (1,1) %lld)",
              (long long)hist(4), (long long)hist(0), (long long)hist(1), (long long)hist(5));
    CHECK_EQ(hist(0) + hist(1) + hist(5), rounds * mp.stride);
}

/*
 * r0 at +0 and r1 at +8 of the actor's record, instance by instance: with a
 * role fadd racing on x, (a0.r0, a0.r1, a1.r0, x) is (0, 1|2, 1, 2) when
 * actor 0 added first, else (1, 2, 0, 2). A register written to the wrong
 * place, or an instance's registers to another's, shows as another key.
 */
LITMUS_TEST(litmus_compiled_kernel_writes_its_registers_in_its_window)
{
    const struct shape sh = {2, 1024, 300, 4,
                             {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(0, INTEROP_LITMUS_R1),
                              REGISTER(1, INTEROP_LITMUS_R0), LOCATION(X)}};
    const struct role roles[] = {COMPILED(fadd_then_load, 2, 8), ROLE("fadd.seq_cst", X, 0, 0, 0)};
    if (!run_test(&sh, roles, never_enough, 0)) return;
    /* key = ((v0 * 4 + v1) * 4 + v2) * 4 + v3 */
    const int64_t first = 0 * 64 + 1 * 16 + 1 * 4 + 2, first_late = 0 * 64 + 2 * 16 + 1 * 4 + 2,
                  second = 1 * 64 + 2 * 16 + 0 * 4 + 2;
    CHECK_MSG(hist(first) + hist(first_late) + hist(second) == sh.max_rounds * sh.stride,
              "outcomes (0,1,1,2) %lld, (0,2,1,2) %lld, (1,2,0,2) %lld of %lld samples", (long long)hist(first),
              (long long)hist(first_late), (long long)hist(second), (long long)(sh.max_rounds * sh.stride));
}

/* ---- arguments ---------------------------------------------------------------------- */

static const struct shape PAIR = {2, 64, 1, 2, {REGISTER(0, INTEROP_LITMUS_R0), REGISTER(1, INTEROP_LITMUS_R0)}};

static int64_t start_raw(void *base, int32_t actor, interop_litmus_kernel_fn k, int32_t registers,
                         int64_t location_bytes, int64_t g, int64_t stall_ms)
{
    return interop_litmus_start_compiled(base, actor, (void *)k, registers, location_bytes, g, stall_ms);
}

LITMUS_TEST(litmus_compiled_bad_arguments_are_refused_before_anything_runs)
{
    describe(&PAIR);
    int64_t g = generation;
    interop_litmus_kernel_fn k = sb_x_relaxed;
    CHECK_EQ(start_raw(NULL, 0, k, 1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section + 4, 0, k, 1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, -1, k, 1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 4, k, 1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, NULL, 1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, -1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, INTEROP_LITMUS_MAX_REGISTERS + 1, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, 1, 0, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, 1, 7, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, 1, -8, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, 1, 16, 0, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, 1, 16, g, -1), -EINVAL);
    /* The argument checks come before the generation's. */
    CHECK_EQ(start_raw(section, 0, NULL, 1, 16, g + 1, 0), -EINVAL);

    /* The kernel's reach against the descriptor: instances of 16 bytes, records of 16. */
    CHECK_EQ(start_raw(section, 0, k, 1, LOC_STRIDE + 8, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, 3, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 0, k, INTEROP_LITMUS_MAX_REGISTERS, 16, g, 0), -EINVAL);
    CHECK_EQ(start_raw(section, 2, k, 1, 16, g, 0), -EINVAL); /* PAIR has two actors */
    /* Actor 1's registers interleaved 8 bytes after actor 0's: room for one register, not two. */
    set(INTEROP_LITMUS_RESULT_OFFSET(1), get(INTEROP_LITMUS_RESULT_OFFSET(0)) + 8);
    set(INTEROP_LITMUS_RESULT_STRIDE(1), get(INTEROP_LITMUS_RESULT_STRIDE(0)));
    CHECK_EQ(start_raw(section, 0, k, 2, 16, g, 0), -EINVAL);
    describe(&PAIR);
    g = generation;
    CHECK_EQ(start_raw(section, 0, k, 1, 16, g + 1, 0), -ESTALE);
    CHECK_EQ(start_raw(section, 0, k, 1, 16, g - 1, 0), -ESTALE);
    CHECK_EQ(interop_litmus_alive(), 0);
    CHECK_EQ(get(INTEROP_LITMUS_READY), 0);

    /* The descriptor as written is fine, so the checks above refused the fault each one planted:
     * the widest reach it allows starts, as does an actor without registers or result array. */
    int64_t h = start_compiled_actor(0, k, 2, LOC_STRIDE, 0);
    CHECK_MSG(h > 0, "start with a good descriptor returned %lld", (long long)h);
    set(INTEROP_LITMUS_RESULT_OFFSET(1), 0);
    set(INTEROP_LITMUS_RESULT_STRIDE(1), 0);
    int64_t h1 = start_compiled_actor(1, mp_writer, 0, 8, 0);
    CHECK_MSG(h1 > 0, "start(no registers, no result array) returned %lld", (long long)h1);
    CHECK_EQ(start_compiled_actor(1, k, 1, 16, 0), -EINVAL); /* r0 needs 8 bytes */
    CHECK(wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_READY), 2, SETTLE_MS));

    /* Never released: only abort ends them, through the same ways out as role kernels. */
    set(INTEROP_LITMUS_ABORT, 1);
    int64_t out[4] = {-1, -1, -1, -1};
    CHECK_EQ(join_actor(h, JOIN_MS, out), 0);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ABORTED], INTEROP_LITMUS_LEFT_ABORT);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ROUNDS_RUN], 0);
    CHECK_EQ(join_actor(h1, JOIN_MS, NULL), 0);
    CHECK_EQ(interop_litmus_alive(), 0);
}

static const struct test_case litmus_compiled_cases[] = {
    TEST(litmus_compiled_sb_relaxed_counts_every_sample_and_shows_store_buffering),
    TEST(litmus_compiled_sb_seq_cst_never_shows_store_buffering),
    TEST(litmus_compiled_and_role_kernels_share_a_test),
    TEST(litmus_compiled_kernel_writes_its_registers_in_its_window),
    TEST(litmus_compiled_bad_arguments_are_refused_before_anything_runs),
};

const struct test_suite litmus_compiled_suite = SUITE(litmus_compiled_cases);
