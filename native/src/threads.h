/*
 * What the shim's own threads (worker groups, litmus actors) share: a spin
 * hint, a monotonic clock, and the signal mask they run with. Internal: none
 * of it is exported from libinterop (the library is built with
 * -fvisibility=hidden and nothing here is declared in interop.h).
 */
#ifndef INTEROP_SRC_THREADS_H
#define INTEROP_SRC_THREADS_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S  INT64_C(1000000000)

/* Tells the core that this thread is spinning (x86 pause, arm64 yield), so
 * that a hyperthread sibling gets the pipeline and the spin costs less power;
 * elsewhere it is a plain poll. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* CLOCK_MONOTONIC: a wall-clock step can neither stretch nor cut a bound. */
static inline int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/*
 * Every asynchronous signal, for a thread of the shim to block: SIGINT,
 * SIGTERM or the JVM's SIGQUIT then run where the host runtime expects, never
 * on a worker or an actor. Synchronous faults stay deliverable: blocking them
 * would not stop them, only make the kernel kill the process silently.
 */
void shim_thread_signal_mask(sigset_t *set);

/* Deadline timeout_ms (>= 0) from now on CLOCK_MONOTONIC, for
 * pthread_cond_timedwait on a condition variable that uses that clock. */
struct timespec deadline_after_ms(int64_t timeout_ms);

/* Pins the calling thread to the (nth mod n)-th CPU the process may use;
 * returns that CPU, or a negative errno (the thread is then left unpinned). */
int shim_pin_to_nth_allowed_cpu(int nth);

#endif /* INTEROP_SRC_THREADS_H */
