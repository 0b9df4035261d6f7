/*
 * The litmus kernels, stamped out by the preprocessor.
 *
 * LITMUS_KERNELS(ONE, TWO) is the one list of kernels: it calls
 * ONE(role, mode) for each single-operation kernel and TWO(role, mode1, mode2)
 * for each two-operation kernel, with the modes C permits for each operation
 * (docs/LITMUS.md, "Modes, per runtime"): loads relaxed/acquire/seq_cst,
 * stores relaxed/release/seq_cst, read-modify-writes all five. The same list
 * generates the functions, the lookup table and the list of names, so the
 * three cannot disagree.
 *
 * Each function has its orders as constants and its loop over the instances
 * inside it, so the compiler emits exactly the instructions of those orders
 * (a memory_order known only at run time would be compiled as seq_cst) and a
 * round costs one indirect call, not one per instance.
 *
 * Registers are written with relaxed stores after the kernel's operations:
 * only the round's consumer reads them, after the seq_cst fetch_add on
 * `arrived` that orders every actor's round before its consumption, so a
 * stronger store would only add fences between the operations under test.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "interop.h"
#include "litmus_kernels.h"

/* ---- the modes of each operation ------------------------------------------ */

#define EACH_STORE(G, role) G(role, relaxed) G(role, release) G(role, seq_cst)
#define EACH_RMW(G, role) G(role, relaxed) G(role, acquire) G(role, release) G(role, acq_rel) G(role, seq_cst)

/* Two-operation kernels: the first operation's modes, each combined by NEXT
 * with the second operation's. Distinct macro names for the two levels,
 * because a macro is not expanded again inside its own expansion. */
#define EACH_STORE_THEN(NEXT, G, role) NEXT(G, role, relaxed) NEXT(G, role, release) NEXT(G, role, seq_cst)
#define EACH_LOAD_THEN(NEXT, G, role) NEXT(G, role, relaxed) NEXT(G, role, acquire) NEXT(G, role, seq_cst)
#define THEN_STORE(G, role, m1) G(role, m1, relaxed) G(role, m1, release) G(role, m1, seq_cst)
#define THEN_LOAD(G, role, m1) G(role, m1, relaxed) G(role, m1, acquire) G(role, m1, seq_cst)

#define LITMUS_KERNELS(ONE, TWO)                  \
    EACH_STORE(ONE, st)                           \
    EACH_STORE_THEN(THEN_STORE, TWO, st_st)       \
    EACH_STORE_THEN(THEN_LOAD, TWO, st_ld)        \
    EACH_LOAD_THEN(THEN_STORE, TWO, ld_st)        \
    EACH_LOAD_THEN(THEN_LOAD, TWO, ld_ld)         \
    EACH_STORE_THEN(THEN_LOAD, TWO, st_fence_ld)  \
    EACH_RMW(ONE, fadd)                           \
    EACH_RMW(ONE, cas)

/* 3 st + 5 two-operation roles x 9 + 5 fadd + 5 cas (interop_litmus.h). */
#define LITMUS_KERNEL_COUNT 58

/* ---- one instance of each role -------------------------------------------- */

#define ORDER(m) memory_order_##m
/* A failed compare-exchange is a load: the strongest load order C11 allows
 * for each success order, as interop_cas_* use. */
#define CAS_FAILURE_relaxed memory_order_relaxed
#define CAS_FAILURE_acquire memory_order_acquire
#define CAS_FAILURE_release memory_order_relaxed
#define CAS_FAILURE_acq_rel memory_order_acquire
#define CAS_FAILURE_seq_cst memory_order_seq_cst

#define LOC(off) ((_Atomic int64_t *)(void *)(loc + (off)))
#define SET_REG(off, v) atomic_store_explicit((_Atomic int64_t *)(void *)(reg + (off)), (v), memory_order_relaxed)

#define BODY_st(m1, m2) atomic_store_explicit(LOC(p), v1, ORDER(m1));

#define BODY_st_st(m1, m2)                          \
    atomic_store_explicit(LOC(p), v1, ORDER(m1));   \
    atomic_store_explicit(LOC(q), v2, ORDER(m2));

#define BODY_st_ld(m1, m2)                                          \
    atomic_store_explicit(LOC(p), v1, ORDER(m1));                   \
    SET_REG(INTEROP_LITMUS_R0, atomic_load_explicit(LOC(q), ORDER(m2)));

#define BODY_ld_st(m1, m2)                                          \
    {                                                               \
        int64_t r0 = atomic_load_explicit(LOC(p), ORDER(m1));       \
        atomic_store_explicit(LOC(q), v1, ORDER(m2));               \
        SET_REG(INTEROP_LITMUS_R0, r0);                             \
    }

#define BODY_ld_ld(m1, m2)                                          \
    {                                                               \
        int64_t r0 = atomic_load_explicit(LOC(p), ORDER(m1));       \
        int64_t r1 = atomic_load_explicit(LOC(q), ORDER(m2));       \
        SET_REG(INTEROP_LITMUS_R0, r0);                             \
        SET_REG(INTEROP_LITMUS_R1, r1);                             \
    }

#define BODY_st_fence_ld(m1, m2)                                    \
    atomic_store_explicit(LOC(p), v1, ORDER(m1));                   \
    atomic_thread_fence(memory_order_seq_cst);                      \
    SET_REG(INTEROP_LITMUS_R0, atomic_load_explicit(LOC(q), ORDER(m2)));

#define BODY_fadd(m1, m2) SET_REG(INTEROP_LITMUS_R0, atomic_fetch_add_explicit(LOC(p), 1, ORDER(m1)));

#define BODY_cas(m1, m2)                                                                        \
    {                                                                                           \
        int64_t expected = 0;                                                                   \
        _Bool swapped = atomic_compare_exchange_strong_explicit(LOC(p), &expected, v1,          \
                                                                ORDER(m1), CAS_FAILURE_##m1);   \
        SET_REG(INTEROP_LITMUS_R0, swapped ? 1 : 0);                                            \
    }

/* ---- the functions --------------------------------------------------------- */

/* The strides live in locals: the atomic stores may alias *frame as far as
 * the compiler knows, and it would reload them on every instance. */
#define DEFINE_KERNEL(name, role, m1, m2)                                         \
    static void name(const struct litmus_frame *frame)                            \
    {                                                                             \
        unsigned char *loc = frame->loc, *reg = frame->reg;                       \
        const int64_t loc_stride = frame->loc_stride, reg_stride = frame->reg_stride; \
        const int64_t p = frame->p, q = frame->q, v1 = frame->v1, v2 = frame->v2; \
        (void)reg, (void)p, (void)q, (void)v1, (void)v2;                          \
        for (int64_t left = frame->instances; left > 0; left--) {                 \
            BODY_##role(m1, m2)                                                   \
            loc += loc_stride;                                                    \
            reg += reg_stride;                                                    \
        }                                                                         \
    }

#define KERNEL_FN_ONE(role, m) DEFINE_KERNEL(kernel_##role##_##m, role, m, m)
#define KERNEL_FN_TWO(role, m1, m2) DEFINE_KERNEL(kernel_##role##_##m1##_##m2, role, m1, m2)

LITMUS_KERNELS(KERNEL_FN_ONE, KERNEL_FN_TWO)

/* ---- lookup ----------------------------------------------------------------- */

#define TABLE_ROW_ONE(role, m) {#role "." #m, kernel_##role##_##m, LITMUS_ROLE_##role},
#define TABLE_ROW_TWO(role, m1, m2) {#role "." #m1 "." #m2, kernel_##role##_##m1##_##m2, LITMUS_ROLE_##role},

static const struct litmus_kernel kernels[] = {LITMUS_KERNELS(TABLE_ROW_ONE, TABLE_ROW_TWO)};

_Static_assert(sizeof kernels / sizeof kernels[0] == LITMUS_KERNEL_COUNT,
               "docs/LITMUS.md gives C 58 kernels");

/* Each name is preceded by '\n'; the list handed out starts after the first. */
#define LIST_NAME_ONE(role, m) "\n" #role "." #m
#define LIST_NAME_TWO(role, m1, m2) "\n" #role "." #m1 "." #m2

static const char kernel_names[] = LITMUS_KERNELS(LIST_NAME_ONE, LIST_NAME_TWO);

const struct litmus_kernel *litmus_kernel_find(const char *name)
{
    if (name == NULL) return NULL;
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        if (strcmp(kernels[i].name, name) == 0) return &kernels[i];
    }
    return NULL;
}

/* Indexed by enum litmus_role; docs/LITMUS.md, "Kernels". */
static const struct {
    int registers;
    int uses_q;
} role_shapes[] = {
    [LITMUS_ROLE_st] = {0, 0},    [LITMUS_ROLE_st_st] = {0, 1},       [LITMUS_ROLE_st_ld] = {1, 1},
    [LITMUS_ROLE_ld_st] = {1, 1}, [LITMUS_ROLE_ld_ld] = {2, 1},       [LITMUS_ROLE_st_fence_ld] = {1, 1},
    [LITMUS_ROLE_fadd] = {1, 0},  [LITMUS_ROLE_cas] = {1, 0},
};

_Static_assert(sizeof role_shapes / sizeof role_shapes[0] == LITMUS_ROLE_cas + 1, "one shape per role");

int litmus_role_registers(enum litmus_role role) { return role_shapes[role].registers; }

int litmus_role_uses_q(enum litmus_role role) { return role_shapes[role].uses_q; }

int32_t interop_litmus_kernel_exists(const char *name) { return litmus_kernel_find(name) != NULL; }

const char *interop_litmus_kernels(void) { return kernel_names + 1; }
