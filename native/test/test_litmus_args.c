/*
 * What interop_litmus_start_compiled refuses (interop_litmus.h), one fault
 * at a time: its arguments, the kernel's reach against the descriptor, every
 * descriptor check, and the generation, each refused before anything runs.
 * The descriptor as written is shown to be accepted, so each refusal is the
 * one fault it planted.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>

#include "litmus_fixture.h"
#include "litmus_kernels.h"

static int64_t start_raw(void *base, int32_t actor, interop_litmus_kernel_fn k, int32_t registers,
                         int64_t location_bytes, int64_t g, int64_t stall_ms)
{
    return interop_litmus_start_compiled(base, actor, (void *)k, registers, location_bytes, g, stall_ms);
}

LITMUS_TEST(litmus_bad_arguments_are_refused_before_anything_runs)
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
    CHECK_EQ(start_raw(section, 0, mp_reader, 2, 16, g, 0), -EINVAL);
    describe(&PAIR);
    g = generation;
    CHECK_EQ(start_raw(section, 0, k, 1, 16, g + 1, 0), -ESTALE);
    CHECK_EQ(start_raw(section, 0, k, 1, 16, g - 1, 0), -ESTALE);
    CHECK_EQ(interop_litmus_alive(), 0);
    CHECK_EQ(get(INTEROP_LITMUS_READY), 0);

    /* The descriptor as written is fine, so the checks above refused the fault each one planted:
     * the widest reach it allows starts, as does an actor without registers or result array. */
    int64_t h = start_actor(0, k, 2, LOC_STRIDE, 0);
    CHECK_MSG(h > 0, "start with a good descriptor returned %lld", (long long)h);
    set(INTEROP_LITMUS_RESULT_OFFSET(1), 0);
    set(INTEROP_LITMUS_RESULT_STRIDE(1), 0);
    int64_t h1 = start_actor(1, mp_writer, 0, 8, 0);
    CHECK_MSG(h1 > 0, "start(no registers, no result array) returned %lld", (long long)h1);
    CHECK_EQ(start_actor(1, fadd_relaxed, 1, 8, 0), -EINVAL); /* r0 needs 8 bytes */
    CHECK(wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_READY), 2, SETTLE_MS));

    /* Never released: only abort ends them. */
    set(INTEROP_LITMUS_ABORT, 1);
    int64_t out[4] = {-1, -1, -1, -1};
    CHECK_EQ(join_actor(h, JOIN_MS, out), 0);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ABORTED], INTEROP_LITMUS_LEFT_ABORT);
    CHECK_EQ(out[INTEROP_LITMUS_OUT_ROUNDS_RUN], 0);
    CHECK_EQ(join_actor(h1, JOIN_MS, NULL), 0);
    CHECK_EQ(interop_litmus_alive(), 0);
}

/* Start actor 0 of PAIR with `kernel` after one descriptor field was set to `value`. */
static int64_t start_with_field(int64_t field, int64_t value, interop_litmus_kernel_fn kernel, int32_t registers,
                                int64_t location_bytes)
{
    describe(&PAIR);
    set(field, value);
    return start_actor(0, kernel, registers, location_bytes, 0);
}

/* A store-buffering actor: one register, both locations of a 16-byte instance. */
static int64_t start_sb_with_field(int64_t field, int64_t value)
{
    return start_with_field(field, value, sb_x_relaxed, 1, 16);
}

LITMUS_TEST(litmus_bad_descriptors_are_refused_before_anything_runs)
{
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_N_ACTORS, 1), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_N_ACTORS, 5), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_STRIDE, 0), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_STRIDE, -1), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_N_GATHER, 0), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_N_GATHER, 5), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_N_GATHER, 3), -EINVAL); /* hist_len is still 16 */
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_HIST_LEN, 64), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_RADIX, 0), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_RADIX, 1), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_RADIX, 5), -EINVAL); /* hist_len is still 16 */
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_MAX_ROUNDS, -1), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_LOC_OFFSET, INTEROP_LITMUS_DATA + 4), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_LOC_OFFSET, INTEROP_LITMUS_EPOCH), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_LOC_STRIDE, 12), -EINVAL);
    /* Even a kernel that reaches only the first 8 bytes needs an instance of 8. */
    CHECK_EQ(start_with_field(INTEROP_LITMUS_LOC_STRIDE, 0, store_x_7_relaxed, 0, 8), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_HIST_OFFSET, INTEROP_LITMUS_DESCRIPTOR), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_GATHER_OFFSET(1), -16), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_GATHER_STRIDE(0), 3), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_GATHER_OFFSET(0), INTEROP_LITMUS_ROUNDS), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_RESULT_OFFSET(1), INTEROP_LITMUS_HIST), -EINVAL);
    CHECK_EQ(start_sb_with_field(INTEROP_LITMUS_RESULT_STRIDE(1), INT64_MAX - 7), -EINVAL);
    /* Two registers need 16 bytes per record. */
    CHECK_EQ(start_with_field(INTEROP_LITMUS_RESULT_STRIDE(0), 8, mp_reader, 2, 16), -EINVAL);
    CHECK_EQ(interop_litmus_alive(), 0);
    CHECK_EQ(get(INTEROP_LITMUS_READY), 0);

    /* The descriptor as written is fine: the same kernels start against it. */
    describe(&PAIR);
    int64_t h = start_actor(0, mp_reader, 2, 16, 0);
    CHECK_MSG(h > 0, "start with a good descriptor returned %lld", (long long)h);
    int64_t h1 = start_actor(1, sb_y_relaxed, 1, 16, 0);
    CHECK_MSG(h1 > 0, "start with a good descriptor returned %lld", (long long)h1);
    set(INTEROP_LITMUS_ABORT, 1);
    CHECK_EQ(join_actor(h, JOIN_MS, NULL), 0);
    CHECK_EQ(join_actor(h1, JOIN_MS, NULL), 0);
}

static const struct test_case litmus_args_cases[] = {
    TEST(litmus_bad_arguments_are_refused_before_anything_runs),
    TEST(litmus_bad_descriptors_are_refused_before_anything_runs),
};

const struct test_suite litmus_args_suite = SUITE(litmus_args_cases);
