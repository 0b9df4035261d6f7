/*
 * Reading and checking the litmus section's descriptor (litmus_descriptor.h).
 */
#include <stdatomic.h>

#include "litmus_descriptor.h"

/*
 * True if `count` items of `width` bytes, `stride` apart from `offset`, lie
 * at or after `from` and end before INT64_MAX; offset and stride must be
 * 8-aligned. Bounds beyond that are the runner's: the shim does not know how
 * large the section is.
 */
static bool span_ok(int64_t offset, int64_t stride, int64_t count, int64_t width, int64_t from)
{
    int64_t last, end;
    if (offset < from || stride < 0 || !litmus_aligned8(offset) || !litmus_aligned8(stride)) return false;
    if (__builtin_mul_overflow(stride, count - 1, &last)) return false;
    if (__builtin_add_overflow(offset, last, &end) || __builtin_add_overflow(end, width, &end)) return false;
    return true;
}

static int64_t load_field(const unsigned char *s, int64_t off)
{
    return atomic_load_explicit((const _Atomic int64_t *)(const void *)(s + off), memory_order_relaxed);
}

void litmus_read_descriptor(const unsigned char *s, struct descriptor *d)
{
    d->n_actors = load_field(s, INTEROP_LITMUS_N_ACTORS);
    d->stride = load_field(s, INTEROP_LITMUS_STRIDE);
    d->n_gather = load_field(s, INTEROP_LITMUS_N_GATHER);
    d->max_rounds = load_field(s, INTEROP_LITMUS_MAX_ROUNDS);
    d->loc_offset = load_field(s, INTEROP_LITMUS_LOC_OFFSET);
    d->loc_stride = load_field(s, INTEROP_LITMUS_LOC_STRIDE);
    d->hist_offset = load_field(s, INTEROP_LITMUS_HIST_OFFSET);
    d->hist_len = load_field(s, INTEROP_LITMUS_HIST_LEN);
    for (int j = 0; j < INTEROP_LITMUS_MAX_GATHER; j++) {
        d->gather_offset[j] = load_field(s, INTEROP_LITMUS_GATHER_OFFSET(j));
        d->gather_stride[j] = load_field(s, INTEROP_LITMUS_GATHER_STRIDE(j));
    }
    for (int b = 0; b < INTEROP_LITMUS_MAX_ACTORS; b++) {
        d->result_offset[b] = load_field(s, INTEROP_LITMUS_RESULT_OFFSET(b));
        d->result_stride[b] = load_field(s, INTEROP_LITMUS_RESULT_STRIDE(b));
    }
    d->radix = load_field(s, INTEROP_LITMUS_RADIX);
}

/* True if hist_len is radix^n_gather and at most HIST_MAX (n_gather already checked). */
static bool hist_len_ok(const struct descriptor *d)
{
    if (d->radix < INTEROP_LITMUS_RADIX_MIN || d->radix > INTEROP_LITMUS_HIST_MAX) return false;
    int64_t len = 1;
    for (int64_t j = 0; j < d->n_gather; j++) {
        len *= d->radix;
        if (len > INTEROP_LITMUS_HIST_MAX) return false;
    }
    return d->hist_len == len;
}

/*
 * Bytes of actor a's register window in each record: from its r0 to the
 * nearest r0 of another actor interleaved with it (an array of the same
 * stride starting less than a stride away: its own record's r0, or the next
 * record's), or to its own next record; 0 without registers. Its kernel's
 * registers must fit, so no two actors write the same bytes. The offsets were
 * checked for overflow (span_ok) before this runs.
 */
static int64_t register_window(const struct descriptor *d, int32_t a)
{
    int64_t stride = d->result_stride[a], from = d->result_offset[a];
    if (stride == 0) return 0;
    int64_t end = from + stride;
    for (int64_t b = 0; b < d->n_actors; b++) {
        int64_t at = d->result_offset[b];
        if (b == a || d->result_stride[b] != stride || at == from || at <= from - stride || at >= from + stride) continue;
        int64_t next = at > from ? at : at + stride;
        if (next < end) end = next;
    }
    return end - from;
}

/* interop_litmus.h lists these checks, and the errno each one gives. */
bool litmus_descriptor_ok(const struct descriptor *d, int32_t actor, struct reach k)
{
    if (d->n_actors < INTEROP_LITMUS_MIN_ACTORS || d->n_actors > INTEROP_LITMUS_MAX_ACTORS) return false;
    if (actor >= d->n_actors) return false;
    if (d->stride < 1 || d->max_rounds < 0) return false;
    if (d->n_gather < 1 || d->n_gather > INTEROP_LITMUS_MAX_GATHER) return false;
    if (!hist_len_ok(d)) return false;
    if (!span_ok(d->hist_offset, 8, d->hist_len, 8, INTEROP_LITMUS_HIST)) return false;
    if (d->loc_stride < 8) return false;
    if (!span_ok(d->loc_offset, d->loc_stride, d->stride, d->loc_stride, INTEROP_LITMUS_DATA)) return false;
    /* The kernel's locations lie inside its instance, which the consumer zeroes. */
    if (k.last_location > d->loc_stride - 8) return false;
    for (int64_t j = 0; j < d->n_gather; j++) {
        if (!span_ok(d->gather_offset[j], d->gather_stride[j], d->stride, 8, INTEROP_LITMUS_DATA)) return false;
    }
    /* A result array of stride 0 (an actor without registers) holds nothing to zero. */
    for (int64_t b = 0; b < d->n_actors; b++) {
        if (d->result_stride[b] != 0 &&
            !span_ok(d->result_offset[b], d->result_stride[b], d->stride, d->result_stride[b], INTEROP_LITMUS_DATA))
            return false;
    }
    return register_window(d, actor) >= 8 * k.registers;
}

