/*
 * Litmus actors: one pthread each, running the actor loop of docs/LITMUS.md
 * over a litmus section that the runner (Java) laid out (see
 * interop_litmus.h). An actor's kernel is generated from a thread of a
 * litmus file and compiled into a library of its own; the shim runs it once
 * per round after checking the descriptor against the kernel's reach
 * (litmus_descriptor.c).
 *
 * Actors live in a fixed table guarded by one mutex, as worker groups do
 * (workers.c): a handle from Java or Go never points at freed memory, and an
 * unknown, joined or stale handle is simply not found. Handles count up from
 * 1 and are never reused.
 *
 * Lifetime of an entry:  FREE -> STARTING -> RUNNING -> JOINING -> FREE.
 * Only RUNNING entries are visible to join; STARTING and JOINING entries
 * belong to the one call that is creating or joining their thread.
 *
 * Every access to the section is atomic (relaxed unless the loop needs
 * more): its words are shared with actors of other runtimes and processes,
 * which the C11 model cannot see, so a plain access could be torn, cached in
 * a register or reordered by the compiler.
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
#include "litmus_descriptor.h"
#include "threads.h"

enum {
    MAX_ACTORS_STARTED = 64,
    /* An actor's stack holds a few frames; the 8 MiB default is waste. */
    ACTOR_STACK_SIZE = 256 * 1024,
    /* Polls that only pause the core before the waiter starts yielding:
     * long enough to cover a peer's round and the consumer's work (a few
     * microseconds at stride 1024) without a system call. */
    WAIT_SPIN_POLLS = 4096,
};

/* After WAIT_YIELD_NS of waiting the actor naps instead of yielding, each
 * nap twice as long as the last up to WAIT_NAP_MAX_NS: a runner that has not
 * released round 1 yet, or a peer that lost its core, then costs almost no
 * CPU, and 3 or 4 actors on 2 cores leave the cores to those with work. The
 * price is up to WAIT_NAP_MAX_NS of extra latency after such a long wait. */
#define WAIT_YIELD_NS   (10 * NS_PER_MS)
#define WAIT_NAP_MIN_NS (20 * INT64_C(1000))
#define WAIT_NAP_MAX_NS (1 * NS_PER_MS)

#define WORD(section, off) ((_Atomic int64_t *)(void *)((section) + (off)))

enum actor_state { ACTOR_FREE = 0, ACTOR_STARTING, ACTOR_RUNNING, ACTOR_JOINING };

struct actor {
    /* Written by start before the thread exists; read-only afterwards. */
    int64_t handle;
    unsigned char *section;
    /* The kernel run once per round, and where it works: instance 0's
     * locations and this actor's registers, from the descriptor. */
    interop_litmus_kernel_fn kernel;
    unsigned char *loc, *reg;
    struct descriptor d;
    int64_t stall_ns; /* 0: no stall timeout of its own */
    int32_t index;    /* the actor's index in its test: which CPU it is pinned to */
    pthread_t tid;

    /* Guarded by actors_lock. */
    enum actor_state state;
    bool left;
    int64_t out[4];
    pthread_cond_t has_left;
};

static pthread_mutex_t actors_lock = PTHREAD_MUTEX_INITIALIZER;
static struct actor actors[MAX_ACTORS_STARTED];
static int64_t next_handle = 1;

/* Threads made and not yet ended. Counted up before pthread_create so that
 * interop_litmus_alive never misses a new thread. */
static atomic_int alive;

/* The condition variables use CLOCK_MONOTONIC (see deadline_after_ms). */
static pthread_once_t conds_once = PTHREAD_ONCE_INIT;
static int conds_error;

static void init_conds(void)
{
    pthread_condattr_t attr;
    int err = pthread_condattr_init(&attr);
    if (err == 0) err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    for (int i = 0; err == 0 && i < MAX_ACTORS_STARTED; i++) err = pthread_cond_init(&actors[i].has_left, &attr);
    pthread_condattr_destroy(&attr);
    conds_error = err;
}

/* ---- the actor loop ------------------------------------------------------ */

enum wait_result { WAIT_RUN, WAIT_DONE, WAIT_ABORT, WAIT_STALL };

/*
 * Waits until round r is released (epoch >= r, read with acquire so that the
 * consumer's reset of the previous round is visible), done is set, or abort
 * is set; abort wins whatever else holds. Spins first, then yields, then
 * naps. WAIT_STALL once epoch has not moved for the actor's stall timeout,
 * measured from the end of the spin phase (well under a millisecond).
 */
static enum wait_result wait_for_round(const struct actor *a, int64_t r)
{
    unsigned char *s = a->section;
    struct backoff b = backoff_new(WAIT_SPIN_POLLS, WAIT_YIELD_NS, WAIT_NAP_MIN_NS, WAIT_NAP_MAX_NS);
    int64_t seen = 0;
    for (;;) {
        if (atomic_load_explicit(WORD(s, INTEROP_LITMUS_ABORT), memory_order_acquire) != 0) return WAIT_ABORT;
        int64_t epoch = atomic_load_explicit(WORD(s, INTEROP_LITMUS_EPOCH), memory_order_acquire);
        if (epoch >= r) return WAIT_RUN;
        if (atomic_load_explicit(WORD(s, INTEROP_LITMUS_DONE), memory_order_acquire) != 0) return WAIT_DONE;
        /* Another actor's round moved the epoch: the stall clock starts over. */
        if (b.since != 0 && epoch != seen) backoff_restart(&b, monotonic_ns());
        seen = epoch;
        if (!backoff_pause(&b, a->stall_ns)) return WAIT_STALL;
    }
}

/* The histogram digit of one outcome value: 0..top, anything else counts as top (radix - 1). */
static inline uint64_t digit(int64_t v, uint64_t top)
{
    return (uint64_t)v > top ? top : (uint64_t)v;
}

static void zero_words(unsigned char *from, int64_t bytes)
{
    for (int64_t off = 0; off < bytes; off += 8) atomic_store_explicit(WORD(from, off), 0, memory_order_relaxed);
}

/* ---- starting a round together (docs/LITMUS.md) ---------------------------- */

/*
 * The consumer's half, before it releases the next round: the lead doubles
 * when an actor reached this round after its start and shrinks by 1/32
 * otherwise, within [LEAD_MIN_NS, LEAD_MAX_NS]; the next round starts that
 * long from now. Relaxed: the epoch release that follows publishes all three.
 */
static void set_start(unsigned char *s)
{
    int64_t late = atomic_load_explicit(WORD(s, INTEROP_LITMUS_LATE), memory_order_relaxed);
    int64_t lead = atomic_load_explicit(WORD(s, INTEROP_LITMUS_LEAD_NS), memory_order_relaxed);
    if (lead < INTEROP_LITMUS_LEAD_MIN_NS || lead > INTEROP_LITMUS_LEAD_MAX_NS) lead = INTEROP_LITMUS_LEAD_MIN_NS;
    if (late > 0) {
        lead = 2 * lead < INTEROP_LITMUS_LEAD_MAX_NS ? 2 * lead : INTEROP_LITMUS_LEAD_MAX_NS;
    } else {
        lead -= lead / 32;
        if (lead < INTEROP_LITMUS_LEAD_MIN_NS) lead = INTEROP_LITMUS_LEAD_MIN_NS;
    }
    atomic_store_explicit(WORD(s, INTEROP_LITMUS_LEAD_NS), lead, memory_order_relaxed);
    atomic_store_explicit(WORD(s, INTEROP_LITMUS_LATE), 0, memory_order_relaxed);
    atomic_store_explicit(WORD(s, INTEROP_LITMUS_START_NS), monotonic_ns() + lead, memory_order_relaxed);
}

/*
 * The actor's half, once its round is released: spin until the round's
 * start, or count itself late. A start further ahead than LEAD_MAX_NS is
 * not one a consumer wrote, and is ignored, so no word can hold an actor.
 */
static void await_start(unsigned char *s)
{
    int64_t start = atomic_load_explicit(WORD(s, INTEROP_LITMUS_START_NS), memory_order_relaxed);
    if (start == 0) return;
    int64_t now = monotonic_ns();
    if (now > start) {
        atomic_fetch_add_explicit(WORD(s, INTEROP_LITMUS_LATE), 1, memory_order_relaxed);
        return;
    }
    if (start - now > INTEROP_LITMUS_LEAD_MAX_NS) return;
    while (monotonic_ns() < start) cpu_relax();
}

/*
 * Round r's consumer: the last actor to arrive. Its seq_cst fetch_add on
 * arrived read the last value of arrived's modification order, so every
 * actor's registers and locations of this round happen before what follows;
 * no actor touches them again until the release store of epoch (or done)
 * below. The histogram has one writer at a time: each round's consumer
 * follows the previous one through that same epoch release and acquire.
 */
static void consume(const struct actor *a, int64_t r)
{
    const struct descriptor *d = &a->d;
    unsigned char *s = a->section;
    _Atomic int64_t *hist = WORD(s, d->hist_offset);

    const uint64_t radix = (uint64_t)d->radix, top = radix - 1;
    unsigned char *value[INTEROP_LITMUS_MAX_GATHER];
    for (int64_t j = 0; j < d->n_gather; j++) value[j] = s + d->gather_offset[j];
    for (int64_t i = 0; i < d->stride; i++) {
        uint64_t key = 0;
        for (int64_t j = 0; j < d->n_gather; j++) {
            key = key * radix + digit(atomic_load_explicit(WORD(value[j], 0), memory_order_relaxed), top);
            value[j] += d->gather_stride[j];
        }
        atomic_store_explicit(&hist[key], atomic_load_explicit(&hist[key], memory_order_relaxed) + 1,
                              memory_order_relaxed);
    }

    zero_words(s + d->loc_offset, d->stride * d->loc_stride);
    for (int64_t b = 0; b < d->n_actors; b++) zero_words(s + d->result_offset[b], d->stride * d->result_stride[b]);

    /* Relaxed: the next round's fetch_adds come after the epoch release below. */
    atomic_store_explicit(WORD(s, INTEROP_LITMUS_ARRIVED), 0, memory_order_relaxed);
    int64_t rounds = atomic_load_explicit(WORD(s, INTEROP_LITMUS_ROUNDS), memory_order_relaxed);
    atomic_store_explicit(WORD(s, INTEROP_LITMUS_ROUNDS), rounds + 1, memory_order_release);
    bool stop = atomic_load_explicit(WORD(s, INTEROP_LITMUS_STOP), memory_order_acquire) != 0;
    if (stop || (d->max_rounds > 0 && r >= d->max_rounds)) {
        atomic_store_explicit(WORD(s, INTEROP_LITMUS_DONE), 1, memory_order_release);
    } else {
        set_start(s);
        atomic_store_explicit(WORD(s, INTEROP_LITMUS_EPOCH), r + 1, memory_order_release);
    }
}

static void *actor_main(void *arg)
{
    struct actor *a = arg;
    unsigned char *s = a->section;
    int64_t ran = 0, consumed = 0, began = 0, how = INTEROP_LITMUS_LEFT_DONE;

    /* Best effort: an actor that cannot be pinned still runs correctly. */
    (void)shim_pin_to_nth_allowed_cpu(a->index);
    atomic_fetch_add_explicit(WORD(s, INTEROP_LITMUS_READY), 1, memory_order_seq_cst);
    for (int64_t r = 1;; r++) {
        enum wait_result w = wait_for_round(a, r);
        if (w == WAIT_ABORT) how = INTEROP_LITMUS_LEFT_ABORT;
        if (w == WAIT_STALL) how = INTEROP_LITMUS_LEFT_STALL;
        if (w != WAIT_RUN) break;
        if (r == 1) began = monotonic_ns();
        await_start(s);
        a->kernel(a->loc, a->d.loc_stride, a->reg, a->d.result_stride[a->index], a->d.stride);
        ran++;
        if (atomic_fetch_add_explicit(WORD(s, INTEROP_LITMUS_ARRIVED), 1, memory_order_seq_cst) + 1 == a->d.n_actors) {
            consume(a, r);
            consumed++;
        }
    }
    int64_t elapsed = ran > 0 ? monotonic_ns() - began : 0;

    pthread_mutex_lock(&actors_lock);
    a->out[INTEROP_LITMUS_OUT_ROUNDS_RUN] = ran;
    a->out[INTEROP_LITMUS_OUT_ROUNDS_CONSUMED] = consumed;
    a->out[INTEROP_LITMUS_OUT_ABORTED] = how;
    a->out[INTEROP_LITMUS_OUT_ELAPSED_NS] = elapsed;
    a->left = true;
    pthread_cond_broadcast(&a->has_left);
    pthread_mutex_unlock(&actors_lock);
    /* a may be joined and reused from here on: touch nothing of it. */
    atomic_fetch_sub_explicit(&alive, 1, memory_order_release);
    return NULL;
}

/* ---- the API ---------------------------------------------------------------- */

int64_t interop_litmus_start_compiled(void *litmus_base, int32_t actor, void *kernel, int32_t registers,
                                      int64_t location_bytes, int64_t generation, int64_t stall_timeout_ms)
{
    unsigned char *s = litmus_base;
    if (s == NULL || ((uintptr_t)s & 7u) != 0 || kernel == NULL) return -EINVAL;
    if (actor < 0 || actor >= INTEROP_LITMUS_MAX_ACTORS || generation == 0) return -EINVAL;
    if (registers < 0 || registers > INTEROP_LITMUS_MAX_REGISTERS || location_bytes < 8) return -EINVAL;
    if (stall_timeout_ms < 0 || stall_timeout_ms > INT64_MAX / NS_PER_MS) return -EINVAL;

    /* Acquire: a runner that writes the descriptor, then the generation, is seen whole. */
    int64_t found = atomic_load_explicit(WORD(s, INTEROP_LITMUS_GENERATION), memory_order_acquire);
    struct descriptor d;
    litmus_read_descriptor(s, &d);
    struct reach reach = {.last_location = location_bytes - 8, .registers = registers};
    if (!litmus_descriptor_ok(&d, actor, reach)) return -EINVAL;
    if (found != generation) return -ESTALE;

    pthread_once(&conds_once, init_conds);
    if (conds_error != 0) return -conds_error;

    struct actor *a = NULL;
    pthread_mutex_lock(&actors_lock);
    for (int i = 0; i < MAX_ACTORS_STARTED && a == NULL; i++) {
        if (actors[i].state == ACTOR_FREE) a = &actors[i];
    }
    if (a == NULL) {
        pthread_mutex_unlock(&actors_lock);
        return -EAGAIN;
    }
    a->state = ACTOR_STARTING;
    a->handle = next_handle++;
    a->left = false;
    pthread_mutex_unlock(&actors_lock);

    a->section = s;
    /* POSIX (dlsym) guarantees that a function's address survives the trip through void *. */
    a->kernel = (interop_litmus_kernel_fn)kernel;
    a->loc = s + d.loc_offset;
    a->reg = s + d.result_offset[actor];
    a->d = d;
    a->stall_ns = stall_timeout_ms * NS_PER_MS;
    a->index = actor;

    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err == 0) {
        /* Best effort: a refused stack size leaves the default, which also works. */
        (void)pthread_attr_setstacksize(&attr, ACTOR_STACK_SIZE);
        /* Threads inherit the creator's mask: block first, create, restore. */
        sigset_t blocked, previous;
        shim_thread_signal_mask(&blocked);
        pthread_sigmask(SIG_SETMASK, &blocked, &previous);
        atomic_fetch_add_explicit(&alive, 1, memory_order_relaxed);
        err = pthread_create(&a->tid, &attr, actor_main, a);
        if (err != 0) atomic_fetch_sub_explicit(&alive, 1, memory_order_relaxed);
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        pthread_attr_destroy(&attr);
    }

    pthread_mutex_lock(&actors_lock);
    a->state = err == 0 ? ACTOR_RUNNING : ACTOR_FREE;
    int64_t handle = a->handle;
    pthread_mutex_unlock(&actors_lock);
    return err == 0 ? handle : -err;
}

int64_t interop_litmus_join(int64_t handle, int64_t timeout_ms, int64_t *out4)
{
    if (timeout_ms < 0) return -EINVAL;
    struct timespec deadline = deadline_after_ms(timeout_ms);

    pthread_mutex_lock(&actors_lock);
    struct actor *a = NULL;
    for (int i = 0; i < MAX_ACTORS_STARTED && a == NULL; i++) {
        if (actors[i].state == ACTOR_RUNNING && actors[i].handle == handle) a = &actors[i];
    }
    while (a != NULL && !a->left) {
        int rc = pthread_cond_timedwait(&a->has_left, &actors_lock, &deadline);
        /* Another joiner may have claimed the actor while this one slept. */
        if (a->state != ACTOR_RUNNING || a->handle != handle) {
            a = NULL;
        } else if (rc == ETIMEDOUT && !a->left) {
            pthread_mutex_unlock(&actors_lock);
            return -ETIMEDOUT;
        }
    }
    if (a == NULL) {
        pthread_mutex_unlock(&actors_lock);
        return -ENOENT;
    }
    a->state = ACTOR_JOINING;
    int64_t out[4] = {a->out[0], a->out[1], a->out[2], a->out[3]};
    pthread_mutex_unlock(&actors_lock);

    /* The thread has said it left; this returns promptly. */
    pthread_join(a->tid, NULL);

    pthread_mutex_lock(&actors_lock);
    a->state = ACTOR_FREE;
    pthread_mutex_unlock(&actors_lock);
    if (out4 != NULL) {
        for (int i = 0; i < 4; i++) out4[i] = out[i];
    }
    return 0;
}

int32_t interop_litmus_alive(void) { return atomic_load_explicit(&alive, memory_order_acquire); }
