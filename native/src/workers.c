/*
 * Native worker groups: pthreads that add to a shared counter, start together
 * with workers of other runtimes, and end when asked (see interop.h).
 *
 * A group lives in a fixed table of MAX_GROUPS entries guarded by one mutex,
 * so that a handle from Java or Go can never point at freed memory: an
 * unknown, joined or stale handle is simply not found (-ENOENT). Handles
 * count up from 1 and are never reused, so a stale handle cannot name a newer
 * group that took over its table entry.
 *
 * Lifetime of an entry:  FREE -> STARTING -> RUNNING -> JOINING -> FREE.
 * Only RUNNING entries are visible to stop and join; STARTING and JOINING
 * entries belong to the one call that is creating or joining their threads.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "interop.h"
#include "threads.h"

enum {
    MAX_GROUPS = 64,
    MAX_THREADS = 256,
    /* Workers only count; 256 threads x the 8 MiB default would reserve 2 GiB. */
    WORKER_STACK_SIZE = 256 * 1024,
    /* Gate polls that only pause the core, before the waiter starts yielding. */
    GATE_SPIN_ROUNDS = 4096,
};

/* A gate that has not opened by then never will: the thread gives up. */
#define GATE_GIVE_UP_NS (30 * NS_PER_S)
/* After GATE_YIELD_NS the waiter naps instead of yielding, each nap twice as
 * long as the last up to GATE_NAP_MAX_NS, so that a gate that stays closed
 * costs almost no CPU even with 256 waiters on two cores; the price is up to
 * GATE_NAP_MAX_NS of extra start latency once the wait has been that long. */
#define GATE_YIELD_NS   (100 * NS_PER_MS)
#define GATE_NAP_MIN_NS (50 * INT64_C(1000))
#define GATE_NAP_MAX_NS (2 * NS_PER_MS)

enum group_state { GROUP_FREE = 0, GROUP_STARTING, GROUP_RUNNING, GROUP_JOINING };

struct group {
    /* Written by start before the first thread exists; read-only afterwards. */
    int64_t handle;
    _Atomic int64_t *slot;
    int64_t increments;
    const _Atomic int64_t *start_gate;
    _Atomic int64_t *ready_count;
    const _Atomic int64_t *cancel_flag;
    int32_t threads;
    pthread_t tids[MAX_THREADS];

    /* Set once by stop (or by start when creation fails); polled relaxed. */
    atomic_int stop;

    /* Guarded by groups_lock. */
    enum group_state state;
    int32_t finished;
    int64_t total;
    pthread_cond_t all_finished; /* signalled when finished reaches threads */
};

static pthread_mutex_t groups_lock = PTHREAD_MUTEX_INITIALIZER;
static struct group groups[MAX_GROUPS];
static int64_t next_handle = 1;

/* Threads made and not yet ended, across all groups. Counted up before
 * pthread_create so that interop_workers_alive never misses a new thread. */
static atomic_int alive;

/* The condition variables use CLOCK_MONOTONIC so that a wall-clock step
 * cannot stretch or cut a join timeout; that needs a condattr, hence once. */
static pthread_once_t conds_once = PTHREAD_ONCE_INIT;
static int conds_error;

static void init_conds(void)
{
    pthread_condattr_t attr;
    int err = pthread_condattr_init(&attr);
    if (err == 0) err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (int i = 0; err == 0 && i < MAX_GROUPS; i++) err = pthread_cond_init(&groups[i].all_finished, &attr);
    pthread_condattr_destroy(&attr);
    conds_error = err;
}

static bool aligned8(const void *p) { return ((uintptr_t)p & 7u) == 0; }

static bool stop_requested(const struct group *g)
{
    if (atomic_load_explicit(&g->stop, memory_order_relaxed)) return true;
    return g->cancel_flag != NULL && atomic_load_explicit(g->cancel_flag, memory_order_relaxed) != 0;
}

/*
 * True once the gate is open; false if the group was stopped or cancelled
 * first, or the gate stayed closed for GATE_GIVE_UP_NS. Acquire, so that what
 * the opener wrote before opening is visible to the increments that follow.
 */
static bool wait_for_gate(const struct group *g)
{
    struct backoff b = backoff_new(GATE_SPIN_ROUNDS, GATE_YIELD_NS, GATE_NAP_MIN_NS, GATE_NAP_MAX_NS);
    while (atomic_load_explicit(g->start_gate, memory_order_acquire) == 0) {
        if (stop_requested(g)) return false;
        if (!backoff_pause(&b, GATE_GIVE_UP_NS)) return false;
    }
    return true;
}

static void *worker_main(void *arg)
{
    struct group *g = arg;
    int64_t made = 0;

    if (g->ready_count != NULL) atomic_fetch_add_explicit(g->ready_count, 1, memory_order_seq_cst);
    if (g->start_gate == NULL || wait_for_gate(g)) {
        for (int64_t i = 0; i < g->increments && !stop_requested(g); i++) {
            atomic_fetch_add_explicit(g->slot, 1, memory_order_seq_cst);
            made++;
        }
    }

    pthread_mutex_lock(&groups_lock);
    g->total += made;
    if (++g->finished == g->threads) pthread_cond_broadcast(&g->all_finished);
    pthread_mutex_unlock(&groups_lock);
    /* g may be joined and reused from here on: touch nothing of it. */
    atomic_fetch_sub_explicit(&alive, 1, memory_order_release);
    return NULL;
}

/* Caller holds groups_lock. */
static struct group *find_running(int64_t handle)
{
    for (int i = 0; i < MAX_GROUPS; i++) {
        if (groups[i].state == GROUP_RUNNING && groups[i].handle == handle) return &groups[i];
    }
    return NULL;
}

int64_t interop_workers_start(int64_t *slot, int32_t threads, int64_t increments,
                              const int64_t *start_gate, int64_t *ready_count,
                              const int64_t *cancel_flag)
{
    if (slot == NULL || !aligned8(slot)) return -EINVAL;
    if (!aligned8(start_gate) || !aligned8(ready_count) || !aligned8(cancel_flag)) return -EINVAL;
    if (threads < 1 || threads > MAX_THREADS || increments < 0) return -EINVAL;

    pthread_once(&conds_once, init_conds);
    if (conds_error != 0) return -conds_error;

    struct group *g = NULL;
    pthread_mutex_lock(&groups_lock);
    for (int i = 0; i < MAX_GROUPS && g == NULL; i++) {
        if (groups[i].state == GROUP_FREE) g = &groups[i];
    }
    if (g == NULL) {
        pthread_mutex_unlock(&groups_lock);
        return -EAGAIN;
    }
    g->state = GROUP_STARTING;
    g->handle = next_handle++;
    g->finished = 0;
    g->total = 0;
    pthread_mutex_unlock(&groups_lock);

    g->slot = (_Atomic int64_t *)slot;
    g->increments = increments;
    g->start_gate = (const _Atomic int64_t *)start_gate;
    g->ready_count = (_Atomic int64_t *)ready_count;
    g->cancel_flag = (const _Atomic int64_t *)cancel_flag;
    g->threads = threads;
    atomic_store_explicit(&g->stop, 0, memory_order_relaxed);

    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err != 0) {
        pthread_mutex_lock(&groups_lock);
        g->state = GROUP_FREE;
        pthread_mutex_unlock(&groups_lock);
        return -err;
    }
    /* Best effort: a refused stack size leaves the default, which also works. */
    (void)pthread_attr_setstacksize(&attr, WORKER_STACK_SIZE);

    sigset_t blocked, previous;
    /* Threads inherit the creator's mask: block first, create, restore. */
    shim_thread_signal_mask(&blocked);
    pthread_sigmask(SIG_SETMASK, &blocked, &previous);

    int32_t made = 0;
    for (; made < threads; made++) {
        atomic_fetch_add_explicit(&alive, 1, memory_order_relaxed);
        err = pthread_create(&g->tids[made], &attr, worker_main, g);
        if (err != 0) {
            atomic_fetch_sub_explicit(&alive, 1, memory_order_relaxed);
            break;
        }
    }

    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attr);

    if (err != 0) {
        /* Threads that are gated see stop while they wait; finished never
         * reaches threads, so these are joined directly, not through the cv. */
        atomic_store_explicit(&g->stop, 1, memory_order_release);
        for (int32_t i = 0; i < made; i++) pthread_join(g->tids[i], NULL);
        pthread_mutex_lock(&groups_lock);
        g->state = GROUP_FREE;
        pthread_mutex_unlock(&groups_lock);
        return -err;
    }

    pthread_mutex_lock(&groups_lock);
    g->state = GROUP_RUNNING;
    int64_t handle = g->handle;
    pthread_mutex_unlock(&groups_lock);
    return handle;
}

int32_t interop_workers_stop(int64_t handle)
{
    pthread_mutex_lock(&groups_lock);
    struct group *g = find_running(handle);
    if (g != NULL) atomic_store_explicit(&g->stop, 1, memory_order_release);
    pthread_mutex_unlock(&groups_lock);
    return g != NULL ? 0 : -ENOENT;
}

int64_t interop_workers_join(int64_t handle, int64_t timeout_ms)
{
    if (timeout_ms < 0) return -EINVAL;

    struct timespec deadline = deadline_after_ms(timeout_ms);

    pthread_mutex_lock(&groups_lock);
    struct group *g = find_running(handle);
    while (g != NULL && g->finished < g->threads) {
        int rc = pthread_cond_timedwait(&g->all_finished, &groups_lock, &deadline);
        /* Another joiner may have claimed the group while this one slept. */
        if (g->state != GROUP_RUNNING || g->handle != handle) g = NULL;
        else if (rc == ETIMEDOUT && g->finished < g->threads) {
            pthread_mutex_unlock(&groups_lock);
            return -ETIMEDOUT;
        }
    }
    if (g == NULL) {
        pthread_mutex_unlock(&groups_lock);
        return -ENOENT;
    }
    g->state = GROUP_JOINING;
    int32_t threads = g->threads;
    int64_t total = g->total;
    pthread_mutex_unlock(&groups_lock);

    /* Every thread has counted itself finished; these return promptly. */
    for (int32_t i = 0; i < threads; i++) pthread_join(g->tids[i], NULL);

    pthread_mutex_lock(&groups_lock);
    g->state = GROUP_FREE;
    pthread_mutex_unlock(&groups_lock);
    return total;
}

int32_t interop_workers_alive(void)
{
    return atomic_load_explicit(&alive, memory_order_acquire);
}
