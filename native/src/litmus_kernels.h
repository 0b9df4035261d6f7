/*
 * The compiled litmus kernels (docs/LITMUS.md, "Kernels"): one function per
 * (role, modes) pair, each running its operations over every instance of a
 * round. Internal to the shim; interop_litmus.h exports the names only.
 */
#ifndef INTEROP_SRC_LITMUS_KERNELS_H
#define INTEROP_SRC_LITMUS_KERNELS_H

#include <stdint.h>

/* Where one actor's kernel works in one round; fixed when the actor starts. */
struct litmus_frame {
    unsigned char *loc; /* instance 0's locations */
    unsigned char *reg; /* instance 0's registers in this actor's result array */
    int64_t loc_stride; /* bytes from one instance's locations to the next */
    int64_t reg_stride; /* bytes from one instance's registers to the next */
    int64_t instances;  /* the descriptor's stride, >= 1 */
    int64_t p, q;       /* byte offsets of the two locations inside an instance */
    int64_t v1, v2;
};

typedef void (*litmus_kernel_fn)(const struct litmus_frame *frame);

enum litmus_role {
    LITMUS_ROLE_st,
    LITMUS_ROLE_st_st,
    LITMUS_ROLE_st_ld,
    LITMUS_ROLE_ld_st,
    LITMUS_ROLE_ld_ld,
    LITMUS_ROLE_st_fence_ld,
    LITMUS_ROLE_fadd,
    LITMUS_ROLE_cas,
};

struct litmus_kernel {
    const char *name; /* ROLE.MODE1[.MODE2] */
    litmus_kernel_fn run;
    enum litmus_role role;
};

/* The kernel of that name, or NULL (for NULL too). */
const struct litmus_kernel *litmus_kernel_find(const char *name);

/* Result registers the role writes per instance: 0, 1 (r0) or 2 (r0, r1). */
int litmus_role_registers(enum litmus_role role);

/* Whether the role touches location q (st, fadd and cas touch p only). */
int litmus_role_uses_q(enum litmus_role role);

#endif /* INTEROP_SRC_LITMUS_KERNELS_H */
