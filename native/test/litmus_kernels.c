/*
 * The litmus tests' kernels (litmus_kernels.h), in the form CKernelSource
 * generates.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "litmus_kernels.h"

static inline _Atomic int64_t *atomic_at(unsigned char *base, int64_t offset)
{
    return (_Atomic int64_t *)(void *)(base + offset);
}

#define SET_REG(k, v) atomic_store_explicit(atomic_at(reg, 8 * (k)), (v), memory_order_relaxed)

/* st [store_at] := 1 ORDER; [FENCE;] r0 := ld [load_at] ORDER */
#define SB_KERNEL(name, store_at, load_at, order, fence)                \
    KERNEL_FN(name)                                                     \
    {                                                                   \
        for (; instances > 0; instances--) {                            \
            atomic_store_explicit(atomic_at(loc, store_at), 1, order);  \
            fence;                                                      \
            int64_t r0 = atomic_load_explicit(atomic_at(loc, load_at), order); \
            SET_REG(0, r0);                                             \
            loc += loc_stride;                                          \
            reg += reg_stride;                                          \
        }                                                               \
    }

#define NO_FENCE ((void)0)
#define SEQ_CST_FENCE atomic_thread_fence(memory_order_seq_cst)

SB_KERNEL(sb_x_relaxed, 0, 8, memory_order_relaxed, NO_FENCE)
SB_KERNEL(sb_y_relaxed, 8, 0, memory_order_relaxed, NO_FENCE)
SB_KERNEL(sb_x_seq_cst, 0, 8, memory_order_seq_cst, NO_FENCE)
SB_KERNEL(sb_y_seq_cst, 8, 0, memory_order_seq_cst, NO_FENCE)
SB_KERNEL(sb_x_fenced, 0, 8, memory_order_relaxed, SEQ_CST_FENCE)
SB_KERNEL(sb_y_fenced, 8, 0, memory_order_relaxed, SEQ_CST_FENCE)

KERNEL_FN(mp_writer)
{
    (void)reg, (void)reg_stride;
    for (; instances > 0; instances--) {
        atomic_store_explicit(atomic_at(loc, 0), 1, memory_order_relaxed);
        atomic_store_explicit(atomic_at(loc, 8), 1, memory_order_release);
        loc += loc_stride;
    }
}

KERNEL_FN(mp_reader)
{
    for (; instances > 0; instances--) {
        int64_t r0 = atomic_load_explicit(atomic_at(loc, 8), memory_order_acquire);
        int64_t r1 = atomic_load_explicit(atomic_at(loc, 0), memory_order_relaxed);
        SET_REG(0, r0);
        SET_REG(1, r1);
        loc += loc_stride;
        reg += reg_stride;
    }
}

#define FADD_KERNEL(name, order)                                                  \
    KERNEL_FN(name)                                                               \
    {                                                                             \
        for (; instances > 0; instances--) {                                      \
            int64_t r0 = atomic_fetch_add_explicit(atomic_at(loc, 0), 1, order);  \
            SET_REG(0, r0);                                                       \
            loc += loc_stride;                                                    \
            reg += reg_stride;                                                    \
        }                                                                         \
    }

FADD_KERNEL(fadd_relaxed, memory_order_relaxed)
FADD_KERNEL(fadd_seq_cst, memory_order_seq_cst)

KERNEL_FN(cas_seq_cst)
{
    for (; instances > 0; instances--) {
        int64_t expected = 0;
        int64_t r0 = atomic_compare_exchange_strong_explicit(atomic_at(loc, 0), &expected, 1, memory_order_seq_cst,
                                                             memory_order_seq_cst)
                         ? 1
                         : 0;
        SET_REG(0, r0);
        loc += loc_stride;
        reg += reg_stride;
    }
}

KERNEL_FN(fadd_then_load)
{
    for (; instances > 0; instances--) {
        int64_t r0 = atomic_fetch_add_explicit(atomic_at(loc, 0), 1, memory_order_seq_cst);
        int64_t r1 = atomic_load_explicit(atomic_at(loc, 0), memory_order_relaxed);
        SET_REG(0, r0);
        SET_REG(1, r1);
        loc += loc_stride;
        reg += reg_stride;
    }
}

#define STORE_KERNEL(name, at, value, order)                              \
    KERNEL_FN(name)                                                       \
    {                                                                     \
        (void)reg, (void)reg_stride;                                      \
        for (; instances > 0; instances--) {                              \
            atomic_store_explicit(atomic_at(loc, at), value, order);      \
            loc += loc_stride;                                            \
        }                                                                 \
    }

STORE_KERNEL(store_x_1_seq_cst, 0, 1, memory_order_seq_cst)
STORE_KERNEL(store_x_7_relaxed, 0, 7, memory_order_relaxed)
STORE_KERNEL(store_y_minus_1_release, 8, -1, memory_order_release)
