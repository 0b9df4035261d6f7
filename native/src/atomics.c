/*
 * C11 atomics on caller-provided int64_t words, one function per memory order.
 *
 * Why an int64_t * may be used as an _Atomic int64_t *: the words live in
 * memory that Java (VarHandle on a MemorySegment) and Go (sync/atomic) access
 * too, so they are declared as plain int64_t. On the targets this shim is
 * built for (GCC and Clang, x86_64 and aarch64, LP64 Linux) _Atomic int64_t
 * has the same size, alignment and representation as int64_t, and 8-byte
 * atomics are lock-free: they compile to single instructions (x86_64: mov,
 * xchg, lock cmpxchg, lock xadd; aarch64: ldar/stlr, ldxr/stxr loops or the
 * LSE instructions) that act on the word itself, with no hidden lock that the
 * other runtimes would not know about. The assertions below turn any target
 * where that does not hold into a build error. Callers guarantee 8-byte
 * alignment (interop.h): on x86_64 a plain load or store of a word that
 * straddles two cache lines is not atomic, and on aarch64 acquire, release
 * and exclusive accesses to a misaligned word fault.
 *
 * Every order is a compile-time constant: GCC and Clang treat a run-time
 * memory_order as seq_cst, which would hide exactly the relaxed behaviour the
 * litmus tests look for.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "interop.h"

_Static_assert(sizeof(_Atomic int64_t) == sizeof(int64_t), "_Atomic int64_t must be 8 bytes");
_Static_assert(_Alignof(_Atomic int64_t) == _Alignof(int64_t), "_Atomic int64_t must align like int64_t");
_Static_assert(_Alignof(int64_t) == 8, "int64_t must be 8-byte aligned (LP64)");
_Static_assert(__atomic_always_lock_free(sizeof(int64_t), 0), "8-byte atomics must be lock-free");

#define A(p) ((_Atomic int64_t *)(p))
#define CA(p) ((const _Atomic int64_t *)(p))

/* ---- identity ---------------------------------------------------------- */

const char *interop_version(void) { return "interop-testbed shim 0.1.0"; }

int32_t interop_arch(void)
{
#if defined(__x86_64__)
    return INTEROP_ARCH_X86_64;
#elif defined(__aarch64__)
    return INTEROP_ARCH_AARCH64;
#else
    return 0;
#endif
}

/* ---- loads ------------------------------------------------------------- */

int64_t interop_load_relaxed(const int64_t *p) { return atomic_load_explicit(CA(p), memory_order_relaxed); }
int64_t interop_load_acquire(const int64_t *p) { return atomic_load_explicit(CA(p), memory_order_acquire); }
int64_t interop_load_seq_cst(const int64_t *p) { return atomic_load_explicit(CA(p), memory_order_seq_cst); }

/* ---- stores ------------------------------------------------------------ */

void interop_store_relaxed(int64_t *p, int64_t v) { atomic_store_explicit(A(p), v, memory_order_relaxed); }
void interop_store_release(int64_t *p, int64_t v) { atomic_store_explicit(A(p), v, memory_order_release); }
void interop_store_seq_cst(int64_t *p, int64_t v) { atomic_store_explicit(A(p), v, memory_order_seq_cst); }

/* ---- exchange ---------------------------------------------------------- */

int64_t interop_exchange_relaxed(int64_t *p, int64_t v) { return atomic_exchange_explicit(A(p), v, memory_order_relaxed); }
int64_t interop_exchange_acquire(int64_t *p, int64_t v) { return atomic_exchange_explicit(A(p), v, memory_order_acquire); }
int64_t interop_exchange_release(int64_t *p, int64_t v) { return atomic_exchange_explicit(A(p), v, memory_order_release); }
int64_t interop_exchange_acq_rel(int64_t *p, int64_t v) { return atomic_exchange_explicit(A(p), v, memory_order_acq_rel); }
int64_t interop_exchange_seq_cst(int64_t *p, int64_t v) { return atomic_exchange_explicit(A(p), v, memory_order_seq_cst); }

/*
 * ---- compare-exchange --------------------------------------------------
 * C11 writes the value found into `expected` when the exchange fails and
 * leaves it equal to the value found when it succeeds, so after the call
 * `expected` is the witness either way.
 */

int64_t interop_cas_relaxed(int64_t *p, int64_t expected, int64_t desired)
{
    atomic_compare_exchange_strong_explicit(A(p), &expected, desired, memory_order_relaxed, memory_order_relaxed);
    return expected;
}

int64_t interop_cas_acquire(int64_t *p, int64_t expected, int64_t desired)
{
    atomic_compare_exchange_strong_explicit(A(p), &expected, desired, memory_order_acquire, memory_order_acquire);
    return expected;
}

/* A failed compare-exchange is a load, and a load cannot be release: relaxed. */
int64_t interop_cas_release(int64_t *p, int64_t expected, int64_t desired)
{
    atomic_compare_exchange_strong_explicit(A(p), &expected, desired, memory_order_release, memory_order_relaxed);
    return expected;
}

/* A failed compare-exchange is a load, and a load cannot be acq_rel: acquire. */
int64_t interop_cas_acq_rel(int64_t *p, int64_t expected, int64_t desired)
{
    atomic_compare_exchange_strong_explicit(A(p), &expected, desired, memory_order_acq_rel, memory_order_acquire);
    return expected;
}

int64_t interop_cas_seq_cst(int64_t *p, int64_t expected, int64_t desired)
{
    atomic_compare_exchange_strong_explicit(A(p), &expected, desired, memory_order_seq_cst, memory_order_seq_cst);
    return expected;
}

/* ---- fetch_add --------------------------------------------------------- */

int64_t interop_fetch_add_relaxed(int64_t *p, int64_t d) { return atomic_fetch_add_explicit(A(p), d, memory_order_relaxed); }
int64_t interop_fetch_add_acquire(int64_t *p, int64_t d) { return atomic_fetch_add_explicit(A(p), d, memory_order_acquire); }
int64_t interop_fetch_add_release(int64_t *p, int64_t d) { return atomic_fetch_add_explicit(A(p), d, memory_order_release); }
int64_t interop_fetch_add_acq_rel(int64_t *p, int64_t d) { return atomic_fetch_add_explicit(A(p), d, memory_order_acq_rel); }
int64_t interop_fetch_add_seq_cst(int64_t *p, int64_t d) { return atomic_fetch_add_explicit(A(p), d, memory_order_seq_cst); }

/* ---- fences ------------------------------------------------------------ */

void interop_fence_relaxed(void) { atomic_thread_fence(memory_order_relaxed); }
void interop_fence_acquire(void) { atomic_thread_fence(memory_order_acquire); }
void interop_fence_release(void) { atomic_thread_fence(memory_order_release); }
void interop_fence_acq_rel(void) { atomic_thread_fence(memory_order_acq_rel); }
void interop_fence_seq_cst(void) { atomic_thread_fence(memory_order_seq_cst); }
