/*
 * The kernels the C litmus tests run: functions of the generated signature
 * (interop_litmus_kernel_fn), written by hand as
 * testbed.litmus.kernel.CKernelSource writes a litmus file's threads: the
 * loop over the instances inside, every location, value and memory order a
 * constant, the registers stored with relaxed stores after the instance's
 * statements. Locations are X (+0) and Y (+8) of a 16-byte instance
 * (litmus_fixture.h); register k is at +8k of the actor's record.
 *
 * Each comment gives the kernel's plan as KernelPlan.text() writes it, its
 * register count and the bytes of an instance it reaches: what an actor
 * running it is started with.
 */
#ifndef INTEROP_TEST_LITMUS_KERNELS_H
#define INTEROP_TEST_LITMUS_KERNELS_H

#include <stdint.h>

#define KERNEL_FN(name) \
    void name(unsigned char *loc, int64_t loc_stride, unsigned char *reg, int64_t reg_stride, int64_t instances)

/* Store buffering: st [own] := 1; r0 := ld [other]. 1 register, 16 bytes. */
KERNEL_FN(sb_x_relaxed); /* st [0] := 1 relaxed; r0 := ld [8] relaxed */
KERNEL_FN(sb_y_relaxed); /* st [8] := 1 relaxed; r0 := ld [0] relaxed */
KERNEL_FN(sb_x_seq_cst); /* st [0] := 1 seq_cst; r0 := ld [8] seq_cst */
KERNEL_FN(sb_y_seq_cst); /* st [8] := 1 seq_cst; r0 := ld [0] seq_cst */
KERNEL_FN(sb_x_fenced);  /* st [0] := 1 relaxed; fence seq_cst; r0 := ld [8] relaxed */
KERNEL_FN(sb_y_fenced);  /* st [8] := 1 relaxed; fence seq_cst; r0 := ld [0] relaxed */

/* Message passing. */
KERNEL_FN(mp_writer); /* st [0] := 1 relaxed; st [8] := 1 release. 0 registers, 16 bytes */
KERNEL_FN(mp_reader); /* r0 := ld [8] acquire; r1 := ld [0] relaxed. 2 registers, 16 bytes */

/* Read-modify-writes on [0]: 1 register, 8 bytes. */
KERNEL_FN(fadd_relaxed); /* r0 := fadd [0] 1 relaxed */
KERNEL_FN(fadd_seq_cst); /* r0 := fadd [0] 1 seq_cst */
/* r0 := 1 if [0] went from 0 to 1 (seq_cst), else 0: a compare-exchange whose
 * expected location nothing else touches, so the expected value stays 0. */
KERNEL_FN(cas_seq_cst);

/* r0 := fadd [0] 1 seq_cst; r1 := ld [0] relaxed. 2 registers, 8 bytes */
KERNEL_FN(fadd_then_load);

/* Single stores, 0 registers. */
KERNEL_FN(store_x_1_seq_cst);        /* st [0] := 1 seq_cst; 8 bytes */
KERNEL_FN(store_x_7_relaxed);        /* st [0] := 7 relaxed; 8 bytes */
KERNEL_FN(store_y_minus_1_release);  /* st [8] := -1 release; 16 bytes */

#endif /* INTEROP_TEST_LITMUS_KERNELS_H */
