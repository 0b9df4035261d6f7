/*
 * libinterop: the C shim of interop-testbed.
 *
 * C11 atomics on caller-provided addresses (normally inside the shared region,
 * see interop_region.h), native workers that the JVM starts through FFM or
 * JNR-FFI, and litmus actors (interop_litmus.h). Every address passed in must
 * be 8-byte aligned.
 *
 * One function per memory order: GCC and Clang compile a memory_order that is
 * not a compile-time constant as memory_order_seq_cst, which would silently
 * hide relaxed behaviour from the litmus tests. Only the orders that C11
 * permits for an operation exist (no release loads, no acquire stores).
 *
 * Thread-safety: every function may be called from any thread at any time.
 */
#ifndef INTEROP_H
#define INTEROP_H

#include <stdint.h>

#include "interop_litmus.h"
#include "interop_region.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * libinterop is built with -fvisibility=hidden; exactly the declarations
 * between this push and its pop are exported from the shared object.
 */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* ---- identity ---------------------------------------------------------- */

/* "interop-testbed shim <version>"; static storage. */
const char *interop_version(void);
/* INTEROP_ARCH_X86_64 (1) or INTEROP_ARCH_AARCH64 (2) for the compiled target, 0 otherwise. */
int32_t interop_arch(void);

/* ---- loads ------------------------------------------------------------- */
int64_t interop_load_relaxed(const int64_t *p);
int64_t interop_load_acquire(const int64_t *p);
int64_t interop_load_seq_cst(const int64_t *p);

/* ---- stores ------------------------------------------------------------ */
void interop_store_relaxed(int64_t *p, int64_t v);
void interop_store_release(int64_t *p, int64_t v);
void interop_store_seq_cst(int64_t *p, int64_t v);

/* ---- exchange: returns the previous value ------------------------------ */
int64_t interop_exchange_relaxed(int64_t *p, int64_t v);
int64_t interop_exchange_acquire(int64_t *p, int64_t v);
int64_t interop_exchange_release(int64_t *p, int64_t v);
int64_t interop_exchange_acq_rel(int64_t *p, int64_t v);
int64_t interop_exchange_seq_cst(int64_t *p, int64_t v);

/*
 * ---- compare-exchange (strong) ------------------------------------------
 * Returns the witness: the value found at *p. The exchange happened iff the
 * witness equals expected. The failure order is the strongest one C11 allows
 * for the success order (relaxed/release -> relaxed, acquire/acq_rel ->
 * acquire, seq_cst -> seq_cst).
 */
int64_t interop_cas_relaxed(int64_t *p, int64_t expected, int64_t desired);
int64_t interop_cas_acquire(int64_t *p, int64_t expected, int64_t desired);
int64_t interop_cas_release(int64_t *p, int64_t expected, int64_t desired);
int64_t interop_cas_acq_rel(int64_t *p, int64_t expected, int64_t desired);
int64_t interop_cas_seq_cst(int64_t *p, int64_t expected, int64_t desired);

/* ---- fetch_add: returns the previous value ----------------------------- */
int64_t interop_fetch_add_relaxed(int64_t *p, int64_t delta);
int64_t interop_fetch_add_acquire(int64_t *p, int64_t delta);
int64_t interop_fetch_add_release(int64_t *p, int64_t delta);
int64_t interop_fetch_add_acq_rel(int64_t *p, int64_t delta);
int64_t interop_fetch_add_seq_cst(int64_t *p, int64_t delta);

/* ---- fences (relaxed is a no-op, kept so every order has a function) ---- */
void interop_fence_relaxed(void);
void interop_fence_acquire(void);
void interop_fence_release(void);
void interop_fence_acq_rel(void);
void interop_fence_seq_cst(void);

/*
 * ---- native workers ------------------------------------------------------
 * A worker group is `threads` pthreads that each perform `increments`
 * atomic_fetch_add_explicit(slot, 1, memory_order_seq_cst) on *slot
 * (seq_cst, as Java getAndAdd and Go atomic.AddInt64 are).
 *
 * If ready_count is not NULL each thread atomically increments it once it is
 * running; if start_gate is not NULL each thread then spins until *start_gate
 * becomes non-zero (so that workers of several runtimes start together).
 * If cancel_flag is not NULL each thread stops early once *cancel_flag is
 * non-zero (polled every iteration with a relaxed load).
 *
 * A thread that waits for the gate also ends when the group is stopped, when
 * *cancel_flag becomes non-zero, or after 30 s without the gate opening; it
 * then made no increments. Workers block asynchronous signals, so that
 * signals meant for the host process (the JVM's SIGQUIT, SIGTERM) never run
 * on them.
 *
 * interop_workers_start returns a handle > 0, or a negative errno:
 * -EINVAL for bad arguments (slot NULL, any non-NULL pointer not 8-byte
 * aligned, threads < 1 or > 256, increments < 0); -EAGAIN when 64 groups are
 * already started and not yet joined; -EAGAIN / -ENOMEM (what pthread_create
 * reported) when threads cannot be made, after the threads already made have
 * been stopped and joined. Handles are never reused within a process.
 */
int64_t interop_workers_start(int64_t *slot, int32_t threads, int64_t increments,
                              const int64_t *start_gate, int64_t *ready_count,
                              const int64_t *cancel_flag);

/* Asks the group's threads to stop early. Returns 0, or -ENOENT for an unknown handle. */
int32_t interop_workers_stop(int64_t handle);

/*
 * Waits up to timeout_ms (0: just look) for every thread of the group to end,
 * joins them and frees the handle. Returns the total number of increments the
 * group made, or -ETIMEDOUT (the handle stays valid; call stop, then join
 * again), -EINVAL for timeout_ms < 0, or -ENOENT for an unknown handle, one
 * already joined, or one that another thread is joining right now.
 */
int64_t interop_workers_join(int64_t handle, int64_t timeout_ms);

/* Native worker threads alive in this process right now, across all groups. */
int32_t interop_workers_alive(void);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* INTEROP_H */
