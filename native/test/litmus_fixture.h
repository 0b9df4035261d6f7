/*
 * The runner's side of a litmus test, as the C tests of the actors need it
 * (test_litmus.c: whole runs and the ways out; test_litmus_args.c: what
 * start refuses): a section laid out as the Java runner lays it out, actors
 * started and joined through a fixture that never leaves one running, a
 * whole run with the checks every run must pass, and store buffering's
 * verdicts. The kernels are litmus_kernels.h's.
 *
 * The section is heap memory that outlives any test: a test that fails
 * halfway leaves actors running, and the fixture aborts and joins them after
 * the test; if one cannot be joined, its memory is abandoned, never freed.
 */
#ifndef INTEROP_TEST_LITMUS_FIXTURE_H
#define INTEROP_TEST_LITMUS_FIXTURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "interop.h"

/* Room for stride 1024 with 16-byte instances and four 16-byte result arrays. */
#define SECTION_BYTES (256 * 1024)
/* Every instance holds x and y; every actor's record holds two registers. */
#define X 0
#define Y 8
#define LOC_STRIDE 16
#define RESULT_STRIDE 16
/* Generous bounds for things that normally take milliseconds. */
#define SETTLE_MS 10000
#define JOIN_MS   20000

/* The section of the running test, and the generation describe() wrote last. */
extern unsigned char *section;
extern int64_t generation;

static inline _Atomic int64_t *word(int64_t off) { return (_Atomic int64_t *)(void *)(section + off); }
static inline int64_t get(int64_t off) { return atomic_load_explicit(word(off), memory_order_acquire); }
static inline void set(int64_t off, int64_t v) { atomic_store_explicit(word(off), v, memory_order_release); }

/* ---- the test's shape and the descriptor ------------------------------------ */

/* Outcome value j: register `reg` (0 or 1) of `actor`, or (actor < 0) location `loc`. */
struct value {
    int actor;
    int64_t reg;
    int64_t loc;
};
#define REGISTER(a, k) {(a), (k), 0}
#define LOCATION(off)  {-1, 0, (off)}

struct shape {
    int n_actors;
    int64_t stride;
    int64_t max_rounds;
    int n_gather;
    struct value gather[INTEROP_LITMUS_MAX_GATHER];
    int64_t radix; /* the histogram's: a value outside 0..radix-1 counts as radix-1 */
};

/* The radix^n_gather counts of `sh`'s histogram. */
int64_t hist_len(const struct shape *sh);

/* Two actors of 64 instances, one round, each actor's r0 gathered: a shape
 * to start single actors against. */
extern const struct shape PAIR;

/*
 * Zeroes the section and writes the descriptor of `sh` and a new
 * generation, as the runner does: the generation last, with release. Only
 * while no actor is alive (the fixture guarantees that between tests).
 */
void describe(const struct shape *sh);

int64_t hist(int64_t key);
int64_t hist_sum(const struct shape *sh);

/* ---- actors and the fixture -------------------------------------------------- */

/* interop_litmus_start_compiled for the current generation; a started
 * actor is tracked until join_actor joins it. */
int64_t start_actor(int actor, interop_litmus_kernel_fn kernel, int32_t registers, int64_t location_bytes,
                    int64_t stall_ms);
int64_t join_actor(int64_t h, int64_t timeout_ms, int64_t *out4);

void fixture_begin(void);
/* Ends what the test left running; an actor that cannot be joined keeps its memory. */
void fixture_end(void);

/* A test body runs between fixture_begin and fixture_end even when a CHECK returns early. */
#define LITMUS_TEST(name)                     \
    static void name##_body(void);            \
    static void name(void)                    \
    {                                         \
        fixture_begin();                      \
        if (section != NULL) name##_body();   \
        fixture_end();                        \
    }                                         \
    static void name##_body(void)

/* One actor's kernel, with the registers it writes and the bytes of an instance it reaches. */
struct actor_kernel {
    interop_litmus_kernel_fn fn;
    int32_t registers;
    int64_t location_bytes;
};
#define KERNEL(fn, registers, location_bytes) {(fn), (registers), (location_bytes)}

/* Non-zero: the start instant run_test writes for round 1 before releasing it
 * (a runner never does; the pacing test does, to show a bad one is ignored). */
extern int64_t first_start_ns;

/*
 * The runner's part, and what every run must satisfy. Starts one actor per
 * kernel, waits until all are ready and releases round 1. With max_rounds 0
 * it then sets stop once enough() holds or budget_ms has passed, as the
 * Java runner does at the end of its time budget. Joins the actors, then
 * checks that each ran every round and left done, that the rounds were
 * consumed exactly once, and that the histogram holds one count per sample.
 * Returns the rounds run, or 0 with the test failed.
 */
int64_t run_test(const struct shape *sh, const struct actor_kernel *kernels, bool (*enough)(void), int64_t budget_ms);

bool never_enough(void);

/* Unbounded runs stop after this many rounds (2 million samples at stride
 * 1024: a fraction of a second on an idle machine), or after
 * ROUNDS_BUDGET_MS on a busy one, whichever comes first. */
#define ROUNDS_WANTED    2000
#define ROUNDS_BUDGET_MS 1500
bool rounds_reached(void);

/* native.mk sets INTEROP_UNDER_QEMU=1 when it runs the tests under qemu-user. */
bool under_emulator(void);

/* x86_64 shows store buffering natively. Under an emulator, on another
 * architecture this runner cannot vouch for, or under a sanitizer (whose
 * calls around every atomic access shrink the window in which a store waits
 * in the store buffer), seeing it is not required. */
bool store_buffering_expected(void);

/* ---- store buffering --------------------------------------------------------- */

/* Runs until stopped: after ROUNDS_WANTED rounds, on what it waits for, or at its budget. */
extern const struct shape SB;
/* How long a test may run SB to see store buffering at least once. */
#define OBSERVE_BUDGET_MS 3000

/* Outcome keys (actor 0's r0 * 4 + actor 1's r0). */
#define SB_BOTH_ZERO 0 /* forbidden under seq_cst: each load missed the other's store */
#define SB_BOTH_ONE  5 /* each store reached the other before its load: the actors ran in step */

bool sb_forbidden_seen(void);

/* run_test of SB with these two kernels (one register, 16 bytes each),
 * failing the test if a load saw a value other than 0 or 1. */
int64_t run_sb(interop_litmus_kernel_fn actor0, interop_litmus_kernel_fn actor1, bool (*enough)(void),
               int64_t budget_ms);

void format_sb(char *buf, size_t len, int64_t rounds);

/*
 * The verdict where store buffering must show. Not seeing it proves nothing
 * unless the actors ran in step, i.e. executed an instance at the same time;
 * (1,1) witnesses that, and an SB whose kernels are too strong (a relaxed
 * kernel stamped as seq_cst) shows (1,1) readily and (0,0) never. Without the
 * witness, the machine gave the actors no overlapping time (other load on
 * few cores), and the test is skipped, saying so.
 */
void expect_store_buffering(int64_t rounds);

#endif /* INTEROP_TEST_LITMUS_FIXTURE_H */
