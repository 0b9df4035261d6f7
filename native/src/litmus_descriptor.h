/*
 * The litmus section's descriptor as an actor reads it at start, and the
 * checks interop_litmus_start_compiled runs on it (interop_litmus.h lists
 * them).
 * Internal to the shim.
 */
#ifndef INTEROP_SRC_LITMUS_DESCRIPTOR_H
#define INTEROP_SRC_LITMUS_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "interop.h"

/* The descriptor as the actor read it at start; the section's copy is not read again. */
struct descriptor {
    int64_t n_actors, stride, n_gather, max_rounds;
    int64_t loc_offset, loc_stride, hist_offset, hist_len;
    int64_t gather_offset[INTEROP_LITMUS_MAX_GATHER], gather_stride[INTEROP_LITMUS_MAX_GATHER];
    int64_t result_offset[INTEROP_LITMUS_MAX_ACTORS], result_stride[INTEROP_LITMUS_MAX_ACTORS];
    int64_t radix;
};

/*
 * What a kernel reaches, as its caller declares it: the offset of its
 * highest location inside an instance (each location is 8 bytes wide) and
 * the registers it writes, 8 bytes each.
 */
struct reach {
    int64_t last_location;
    int64_t registers;
};

static inline bool litmus_aligned8(int64_t v) { return (v & 7) == 0; }

/* Reads every field with relaxed loads; the caller's acquire load of the
 * generation word, made before, orders them after the runner's writes. */
void litmus_read_descriptor(const unsigned char *s, struct descriptor *d);

/*
 * The descriptor as actor `actor` running a kernel of that reach needs it.
 * The areas the consumer zeroes (locations, result arrays) and the values it
 * gathers must lie in the data area, so that a wrong descriptor cannot wipe
 * the control words; the histogram must lie at or after INTEROP_LITMUS_HIST;
 * the kernel's locations must lie inside its instance and its registers
 * inside this actor's register window.
 */
bool litmus_descriptor_ok(const struct descriptor *d, int32_t actor, struct reach k);

#endif /* INTEROP_SRC_LITMUS_DESCRIPTOR_H */
