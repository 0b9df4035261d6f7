/*
 * Litmus actors of the C shim: the actor loop of docs/LITMUS.md, which the
 * Java and Go actors implement identically, running kernels generated from
 * litmus files.
 *
 * The litmus section's words and offsets are declared once, in
 * native/litmus.layout (with what each word holds); the defines below are C's
 * view of that file, and test_litmus_layout.c fails when they differ.
 *
 * Instance i's locations are at loc_offset + i * loc_stride; actor a's
 * register k for instance i at result[a].offset + i * result[a].stride + 8k.
 * Outcome value j of instance i is the int64 at
 * gather[j].offset + i * gather[j].stride, read after every actor finished
 * the round; its histogram index is ((v0 * 4 + v1) * 4 + v2) * 4 + v3 over
 * the n_gather values, a value outside 0..3 counting as 3.
 */
#ifndef INTEROP_LITMUS_H
#define INTEROP_LITMUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the litmus section ------------------------------------------------- */

#define INTEROP_LITMUS_EPOCH       0x000
#define INTEROP_LITMUS_ARRIVED     0x080
#define INTEROP_LITMUS_READY       0x100
#define INTEROP_LITMUS_STOP        0x180
#define INTEROP_LITMUS_DONE        0x200
#define INTEROP_LITMUS_ABORT       0x280
#define INTEROP_LITMUS_ROUNDS      0x300
#define INTEROP_LITMUS_GENERATION  0x380

#define INTEROP_LITMUS_DESCRIPTOR  0x400
#define INTEROP_LITMUS_N_ACTORS    0x400
#define INTEROP_LITMUS_STRIDE      0x408
#define INTEROP_LITMUS_N_GATHER    0x410
#define INTEROP_LITMUS_MAX_ROUNDS  0x418
#define INTEROP_LITMUS_LOC_OFFSET  0x420
#define INTEROP_LITMUS_LOC_STRIDE  0x428
#define INTEROP_LITMUS_HIST_OFFSET 0x430
#define INTEROP_LITMUS_HIST_LEN    0x438
#define INTEROP_LITMUS_GATHER      0x440
#define INTEROP_LITMUS_RESULT      0x480
#define INTEROP_LITMUS_RADIX       0x4C0

/* Pacing (docs/LITMUS.md, "Starting a round together"): written by the
 * consumer of the previous round, read by every actor. Not part of the
 * descriptor, and not needed for correctness: an actor that ignores them
 * still counts every sample right, it only overlaps the others less. */
#define INTEROP_LITMUS_START_NS    0x500 /* CLOCK_MONOTONIC instant the released round begins; 0: at once */
#define INTEROP_LITMUS_LEAD_NS     0x580 /* the lead the last consumer gave: START_NS minus its clock */
#define INTEROP_LITMUS_LATE        0x600 /* actors that reached the current round after START_NS */
#define INTEROP_LITMUS_LEAD_MIN_NS 200
#define INTEROP_LITMUS_LEAD_MAX_NS 20000

#define INTEROP_LITMUS_HIST        0x1000
#define INTEROP_LITMUS_DATA        0x2000

/* gather[j] and result[a] are {offset, stride} pairs, 16 bytes apart. */
#define INTEROP_LITMUS_GATHER_OFFSET(j) (INTEROP_LITMUS_GATHER + (j) * 16)
#define INTEROP_LITMUS_GATHER_STRIDE(j) (INTEROP_LITMUS_GATHER + (j) * 16 + 8)
#define INTEROP_LITMUS_RESULT_OFFSET(a) (INTEROP_LITMUS_RESULT + (a) * 16)
#define INTEROP_LITMUS_RESULT_STRIDE(a) (INTEROP_LITMUS_RESULT + (a) * 16 + 8)

#define INTEROP_LITMUS_MIN_ACTORS  2
#define INTEROP_LITMUS_MAX_ACTORS  4
#define INTEROP_LITMUS_MAX_GATHER  4
#define INTEROP_LITMUS_HIST_MAX    256
/* Each outcome value is one digit, in the descriptor's radix, of its sample's
 * histogram index; a value outside 0..radix-1 counts as radix-1. The
 * histogram has radix^n_gather counts, at most HIST_MAX. */
#define INTEROP_LITMUS_RADIX_MIN   2

/* Indices of join's out4. */
#define INTEROP_LITMUS_OUT_ROUNDS_RUN      0
#define INTEROP_LITMUS_OUT_ROUNDS_CONSUMED 1
#define INTEROP_LITMUS_OUT_ABORTED         2
#define INTEROP_LITMUS_OUT_ELAPSED_NS      3

/* Values of out4[INTEROP_LITMUS_OUT_ABORTED]. */
#define INTEROP_LITMUS_LEFT_DONE  0 /* done, or never released past its last round */
#define INTEROP_LITMUS_LEFT_ABORT 1 /* it saw the abort word */
#define INTEROP_LITMUS_LEFT_STALL 2 /* its own stall timeout expired */

#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/*
 * ---- kernels ----------------------------------------------------------------
 * A kernel generated from one thread of a litmus file and compiled into a
 * library of its own (testbed.litmus.kernel.KernelPlan states the contract;
 * CKernelSource writes the C). Called once per round, it runs the thread's
 * statements in program order on each of `instances` instances: instance i's
 * locations are the int64s at loc + i * loc_stride (+ the byte offset each
 * statement names, below the location_bytes its actor was started with), and
 * this actor's register k of instance i is the int64 at
 * reg + i * reg_stride + 8 * k, stored with a relaxed store after every
 * statement of that instance ran. It touches nothing else and keeps no state.
 */
typedef void (*interop_litmus_kernel_fn)(unsigned char *loc, int64_t loc_stride, unsigned char *reg,
                                          int64_t reg_stride, int64_t instances);

/* Registers a generated kernel may write per instance. */
#define INTEROP_LITMUS_MAX_REGISTERS 64

/*
 * ---- actors ---------------------------------------------------------------
 * interop_litmus_start_compiled checks its arguments and the descriptor,
 * then starts one pthread that runs the actor loop of docs/LITMUS.md as
 * actor `actor` of the test whose section starts at litmus_base: it adds 1
 * to ready, calls `kernel` once per released round with instance 0's
 * locations, the descriptor's loc_stride, instance 0 of this actor's result
 * array, its result stride and the descriptor's stride, and the last actor
 * to arrive consumes the round. `kernel` is an interop_litmus_kernel_fn (a
 * function's address as dlsym or FFM's SymbolLookup gives it) that writes
 * `registers` registers and reaches the first `location_bytes` bytes of each
 * instance; the shim cannot tell what the function does, and trusts it to
 * keep to that reach. The descriptor is read once, here; the section must
 * stay mapped, and the library that holds `kernel` loaded, until the actor
 * has been joined (or interop_litmus_alive() says it has ended).
 *
 * The actor leaves when it sees done (after its last round), abort, or, when
 * stall_timeout_ms > 0, after waiting that long without epoch, done or abort
 * changing; it then sets nothing in the section. stall_timeout_ms == 0 waits
 * for the runner without a bound of its own.
 *
 * Returns a handle > 0, or, checked in this order:
 *   -EINVAL  litmus_base NULL or not 8-byte aligned, actor outside 0..3,
 *            kernel NULL, registers outside 0..INTEROP_LITMUS_MAX_REGISTERS,
 *            location_bytes < 8, generation 0 (a zeroed section's
 *            generation word must never match), stall_timeout_ms negative
 *            or beyond INT64_MAX nanoseconds;
 *   -EINVAL  a bad descriptor: n_actors outside 2..4, actor >= n_actors,
 *            stride < 1, n_gather outside 1..4, radix below RADIX_MIN,
 *            hist_len != radix^n_gather or above HIST_MAX, max_rounds < 0, loc_stride < 8, an offset or stride that is
 *            negative, not 8-aligned or overflows; a histogram before
 *            INTEROP_LITMUS_HIST; locations, a gathered value or a result
 *            array (of non-zero stride) before INTEROP_LITMUS_DATA (the
 *            consumer zeroes them, and must never zero the control words);
 *            location_bytes > loc_stride (the kernel would reach past its
 *            instance, which the consumer zeroes); this actor's register
 *            window narrower than 8 * registers bytes;
 *   -ESTALE  the generation word is not `generation` (read with acquire, so
 *            a runner that writes the descriptor before the generation is
 *            seen whole);
 *   -EAGAIN  64 actors are started and not yet joined;
 *   -EAGAIN / -ENOMEM  what pthread_create reported.
 * Handles are never reused within a process. The thread blocks asynchronous
 * signals, as native workers do.
 */
int64_t interop_litmus_start_compiled(void *litmus_base, int32_t actor, void *kernel, int32_t registers,
                                      int64_t location_bytes, int64_t generation, int64_t stall_timeout_ms);

/*
 * Waits up to timeout_ms (0: just look) for the actor to leave, joins its
 * thread and frees the handle. On success fills out4 (if not NULL) with
 * {rounds it ran, rounds it consumed, INTEROP_LITMUS_LEFT_*, nanoseconds from
 * the start of its round 1 to leaving (0 if it never ran a round)} and
 * returns 0. Returns -ETIMEDOUT if it is still running (the handle stays
 * valid; out4 is untouched), -EINVAL for timeout_ms < 0, -ENOENT for an
 * unknown handle, one already joined, or one another thread is joining.
 */
int64_t interop_litmus_join(int64_t handle, int64_t timeout_ms, int64_t *out4);

/* Litmus actor threads alive in this process right now. */
int32_t interop_litmus_alive(void);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_LITMUS_H */
