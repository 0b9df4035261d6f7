/*
 * What the shim's own threads (worker groups, litmus actors) share: a spin
 * hint, a monotonic clock, a waiter's back-off, and the signal mask they run with. Internal: none
 * of it is exported from libinterop (the library is built with
 * -fvisibility=hidden and nothing here is declared in interop.h).
 */
#ifndef INTEROP_SRC_THREADS_H
#define INTEROP_SRC_THREADS_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
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
 * A waiter's back-off, shared by the worker gate and the litmus actors: pause
 * the core for `spin_polls` polls, then yield the CPU, and once `yield_ns` have
 * passed since the spinning ended, nap, each nap twice as long as the last from
 * `nap_min_ns` up to `nap_max_ns`. A long wait then costs almost no CPU, at the
 * price of up to `nap_max_ns` of extra latency once it has lasted that long.
 */
struct backoff {
    uint32_t spin_polls;
    int64_t yield_ns, nap_min_ns, nap_max_ns;
    uint32_t polls;
    int64_t since; /* when the spinning ended; 0 while spinning */
    int64_t nap_ns;
};

static inline struct backoff backoff_new(uint32_t spin_polls, int64_t yield_ns, int64_t nap_min_ns, int64_t nap_max_ns)
{
    return (struct backoff){.spin_polls = spin_polls, .yield_ns = yield_ns, .nap_min_ns = nap_min_ns,
                            .nap_max_ns = nap_max_ns, .nap_ns = nap_min_ns};
}

/* Starts the yield-then-nap phase over (the awaited word moved, so the wait is a new one). */
static inline void backoff_restart(struct backoff *b, int64_t now)
{
    b->since = now;
    b->nap_ns = b->nap_min_ns;
}

/*
 * One pause of the wait, unless it has already lasted `give_up_ns` since the
 * spinning ended (0: no bound): then false, at once, without pausing, so that
 * the caller, which polled its word just before, gives up on a fresh look.
 */
static inline bool backoff_pause(struct backoff *b, int64_t give_up_ns)
{
    if (b->polls < b->spin_polls) {
        b->polls++;
        cpu_relax();
        return true;
    }
    int64_t now = monotonic_ns();
    if (b->since == 0) backoff_restart(b, now);
    int64_t waited = now - b->since;
    if (give_up_ns > 0 && waited >= give_up_ns) return false;
    if (waited < b->yield_ns) {
        sched_yield();
    } else {
        struct timespec nap = {0, (long)b->nap_ns};
        nanosleep(&nap, NULL);
        b->nap_ns = b->nap_ns * 2 < b->nap_max_ns ? b->nap_ns * 2 : b->nap_max_ns;
    }
    return true;
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
