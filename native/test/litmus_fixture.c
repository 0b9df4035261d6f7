/*
 * The runner's side of a litmus test for the C tests (litmus_fixture.h).
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "litmus_fixture.h"

#define MAX_STARTED 8

unsigned char *section;
int64_t generation;
static int64_t started[MAX_STARTED];
static int n_started;

static int64_t result_offset(const struct shape *sh, int actor)
{
    return INTEROP_LITMUS_DATA + sh->stride * LOC_STRIDE + actor * sh->stride * RESULT_STRIDE;
}

const struct shape PAIR = {2, 64, 1, 2, {REGISTER(0, 0), REGISTER(1, 0)}, 4};

int64_t hist_len(const struct shape *sh)
{
    int64_t len = 1;
    for (int j = 0; j < sh->n_gather; j++) len *= sh->radix;
    return len;
}

void describe(const struct shape *sh)
{
    memset(section, 0, SECTION_BYTES);
    set(INTEROP_LITMUS_N_ACTORS, sh->n_actors);
    set(INTEROP_LITMUS_STRIDE, sh->stride);
    set(INTEROP_LITMUS_N_GATHER, sh->n_gather);
    set(INTEROP_LITMUS_MAX_ROUNDS, sh->max_rounds);
    set(INTEROP_LITMUS_LOC_OFFSET, INTEROP_LITMUS_DATA);
    set(INTEROP_LITMUS_LOC_STRIDE, LOC_STRIDE);
    set(INTEROP_LITMUS_HIST_OFFSET, INTEROP_LITMUS_HIST);
    set(INTEROP_LITMUS_RADIX, sh->radix);
    set(INTEROP_LITMUS_HIST_LEN, hist_len(sh));
    for (int j = 0; j < sh->n_gather; j++) {
        const struct value *v = &sh->gather[j];
        bool reg = v->actor >= 0;
        set(INTEROP_LITMUS_GATHER_OFFSET(j), reg ? result_offset(sh, v->actor) + 8 * v->reg : INTEROP_LITMUS_DATA + v->loc);
        set(INTEROP_LITMUS_GATHER_STRIDE(j), reg ? RESULT_STRIDE : LOC_STRIDE);
    }
    for (int a = 0; a < sh->n_actors; a++) {
        set(INTEROP_LITMUS_RESULT_OFFSET(a), result_offset(sh, a));
        set(INTEROP_LITMUS_RESULT_STRIDE(a), RESULT_STRIDE);
    }
    set(INTEROP_LITMUS_GENERATION, ++generation);
}

int64_t hist(int64_t key) { return get(INTEROP_LITMUS_HIST + 8 * key); }

int64_t hist_sum(const struct shape *sh)
{
    int64_t sum = 0;
    for (int64_t k = 0; k < hist_len(sh); k++) sum += hist(k);
    return sum;
}

/* ---- actors and the fixture -------------------------------------------------- */

static int64_t track(int64_t h)
{
    if (h > 0 && n_started < MAX_STARTED) started[n_started++] = h;
    return h;
}

int64_t start_actor(int actor, interop_litmus_kernel_fn kernel, int32_t registers, int64_t location_bytes,
                    int64_t stall_ms)
{
    return track(interop_litmus_start_compiled(section, actor, (void *)kernel, registers, location_bytes, generation,
                                               stall_ms));
}

int64_t join_actor(int64_t h, int64_t timeout_ms, int64_t *out4)
{
    int64_t rc = interop_litmus_join(h, timeout_ms, out4);
    if (rc == 0) {
        for (int i = 0; i < n_started; i++) {
            if (started[i] == h) started[i] = started[--n_started];
        }
    }
    return rc;
}

void fixture_begin(void)
{
    if (section == NULL) section = aligned_alloc(4096, SECTION_BYTES);
    n_started = 0;
}

void fixture_end(void)
{
    if (section == NULL) {
        test_fail(__FILE__, __LINE__, "cannot allocate a %d-byte litmus section", SECTION_BYTES);
        return;
    }
    if (n_started == 0) return;
    int left = n_started;
    set(INTEROP_LITMUS_ABORT, 1);
    for (int i = n_started - 1; i >= 0; i--) join_actor(started[i], JOIN_MS, NULL);
    if (n_started > 0) {
        test_fail(__FILE__, __LINE__, "%d litmus actors did not leave after abort; their section is abandoned",
                  n_started);
        section = NULL;
    } else if (!test_failed()) {
        test_fail(__FILE__, __LINE__, "%d litmus actors were left unjoined", left);
    }
    n_started = 0;
}

int64_t first_start_ns;

int64_t run_test(const struct shape *sh, const struct actor_kernel *kernels, bool (*enough)(void), int64_t budget_ms)
{
    int64_t handles[INTEROP_LITMUS_MAX_ACTORS], out[INTEROP_LITMUS_MAX_ACTORS][4];
    describe(sh);
    if (first_start_ns != 0) set(INTEROP_LITMUS_START_NS, first_start_ns);
    for (int a = 0; a < sh->n_actors; a++) {
        const struct actor_kernel *k = &kernels[a];
        handles[a] = start_actor(a, k->fn, k->registers, k->location_bytes, JOIN_MS);
        if (handles[a] <= 0) {
            test_fail(__FILE__, __LINE__, "start(actor %d, %d registers, %lld location bytes) returned %lld", a,
                      k->registers, (long long)k->location_bytes, (long long)handles[a]);
            return 0;
        }
    }
    if (!wait_at_least((const int64_t *)(const void *)word(INTEROP_LITMUS_READY), sh->n_actors, SETTLE_MS)) {
        test_fail(__FILE__, __LINE__, "ready is %lld after %d ms, expected %d", (long long)get(INTEROP_LITMUS_READY),
                  SETTLE_MS, sh->n_actors);
        return 0;
    }
    int64_t began = monotonic_ms();
    set(INTEROP_LITMUS_EPOCH, 1);
    if (sh->max_rounds == 0) {
        while (!enough() && monotonic_ms() - began < budget_ms && get(INTEROP_LITMUS_DONE) == 0) sleep_ms(2);
        set(INTEROP_LITMUS_STOP, 1);
    }
    for (int a = 0; a < sh->n_actors; a++) {
        int64_t rc = join_actor(handles[a], JOIN_MS, out[a]);
        if (rc != 0) {
            test_fail(__FILE__, __LINE__, "join(actor %d) returned %lld after round %lld", a, (long long)rc,
                      (long long)get(INTEROP_LITMUS_ROUNDS));
            return 0;
        }
    }

    int64_t rounds = get(INTEROP_LITMUS_ROUNDS), consumed = 0;
    for (int a = 0; a < sh->n_actors; a++) {
        if (out[a][INTEROP_LITMUS_OUT_ROUNDS_RUN] != rounds ||
            out[a][INTEROP_LITMUS_OUT_ABORTED] != INTEROP_LITMUS_LEFT_DONE ||
            out[a][INTEROP_LITMUS_OUT_ELAPSED_NS] <= 0) {
            test_fail(__FILE__, __LINE__, "actor %d: ran %lld of %lld rounds, left %lld, elapsed %lld ns", a,
                      (long long)out[a][0], (long long)rounds, (long long)out[a][2], (long long)out[a][3]);
            return 0;
        }
        consumed += out[a][INTEROP_LITMUS_OUT_ROUNDS_CONSUMED];
    }
    if (rounds < 1 || (sh->max_rounds > 0 && rounds != sh->max_rounds) || consumed != rounds ||
        get(INTEROP_LITMUS_DONE) != 1 || get(INTEROP_LITMUS_EPOCH) != rounds || get(INTEROP_LITMUS_ARRIVED) != 0) {
        test_fail(__FILE__, __LINE__, "rounds word %lld, consumed %lld, epoch %lld, done %lld, arrived %lld; max_rounds %lld",
                  (long long)rounds, (long long)consumed, (long long)get(INTEROP_LITMUS_EPOCH),
                  (long long)get(INTEROP_LITMUS_DONE), (long long)get(INTEROP_LITMUS_ARRIVED),
                  (long long)sh->max_rounds);
        return 0;
    }
    int64_t sum = hist_sum(sh);
    if (sum != rounds * sh->stride) {
        test_fail(__FILE__, __LINE__, "the histogram holds %lld samples, expected %lld rounds x %lld", (long long)sum,
                  (long long)rounds, (long long)sh->stride);
        return 0;
    }
    return rounds;
}

bool never_enough(void) { return false; }

bool rounds_reached(void) { return get(INTEROP_LITMUS_ROUNDS) >= ROUNDS_WANTED; }

bool under_emulator(void)
{
    const char *qemu = getenv("INTEROP_UNDER_QEMU");
    return qemu != NULL && strcmp(qemu, "1") == 0;
}

bool store_buffering_expected(void)
{
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    return false;
#elif defined(__x86_64__)
    return !under_emulator();
#else
    return false;
#endif
}

/* ---- store buffering --------------------------------------------------------- */

const struct shape SB = {2, 1024, 0, 2, {REGISTER(0, 0), REGISTER(1, 0)}, 4};
bool sb_forbidden_seen(void) { return hist(SB_BOTH_ZERO) > 0; }

int64_t run_sb(interop_litmus_kernel_fn actor0, interop_litmus_kernel_fn actor1, bool (*enough)(void),
               int64_t budget_ms)
{
    const struct actor_kernel kernels[] = {KERNEL(actor0, 1, 16), KERNEL(actor1, 1, 16)};
    int64_t rounds = run_test(&SB, kernels, enough, budget_ms);
    if (rounds > 0 && hist(0) + hist(1) + hist(4) + hist(5) != hist_sum(&SB)) {
        test_fail(__FILE__, __LINE__, "SB loaded a value other than 0 or 1");
        return 0;
    }
    return rounds;
}

void format_sb(char *buf, size_t len, int64_t rounds)
{
    snprintf(buf, len, "(0,0) %lld, (0,1) %lld, (1,0) %lld, (1,1) %lld in %lld rounds", (long long)hist(0),
             (long long)hist(1), (long long)hist(4), (long long)hist(5), (long long)rounds);
}

void expect_store_buffering(int64_t rounds)
{
    char buf[200];
    format_sb(buf, sizeof buf, rounds);
    if (sb_forbidden_seen()) return;
    if (hist(SB_BOTH_ONE) > 0) {
        test_fail(__FILE__, __LINE__, "the actors ran in step, yet sb_forbidden_seen never fired: %s", buf);
    } else {
        /* Whole rounds of (0,1) or (1,0) only: one actor ran its round, then the other. */
        bool serial = hist(1) % SB.stride == 0 && hist(4) % SB.stride == 0;
        test_skip("the actors never ran in step within %d ms (%s), so (0,0) could not show: %s", OBSERVE_BUDGET_MS,
                  serial ? "each round ran one actor after the other: they shared a core of a busy machine"
                         : "a busy machine",
                  buf);
    }
}

