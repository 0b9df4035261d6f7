package testbed.litmus;

import java.util.List;

/**
 * The kernel roles of docs/LITMUS.md: which operations an actor performs, in program
 * order, and which of them each of its one or two modes applies to.
 */
public enum Role {
    ST("st", List.of(Op.Kind.STORE)),
    ST_ST("st_st", List.of(Op.Kind.STORE, Op.Kind.STORE)),
    ST_LD("st_ld", List.of(Op.Kind.STORE, Op.Kind.LOAD)),
    LD_ST("ld_st", List.of(Op.Kind.LOAD, Op.Kind.STORE)),
    LD_LD("ld_ld", List.of(Op.Kind.LOAD, Op.Kind.LOAD)),
    ST_FENCE_LD("st_fence_ld", List.of(Op.Kind.STORE, Op.Kind.LOAD)),
    FADD("fadd", List.of(Op.Kind.FADD)),
    CAS("cas", List.of(Op.Kind.CAS));

    private final String token;
    private final List<Op.Kind> moded;

    Role(String token, List<Op.Kind> moded) {
        this.token = token;
        this.moded = moded;
    }

    /** The kernel-name prefix. */
    public String token() {
        return token;
    }

    /** The kinds of the operations that take a mode, in order (the fence takes none). */
    public List<Op.Kind> modedOps() {
        return moded;
    }

    /**
     * The role of a kernel named {@code role.mode1[.mode2]} (docs/LITMUS.md).
     *
     * @throws IllegalArgumentException when the name's first part is no role's token
     */
    public static Role ofKernel(String kernel) {
        int dot = kernel.indexOf('.');
        String token = dot < 0 ? kernel : kernel.substring(0, dot);
        for (Role r : values()) {
            if (r.token.equals(token)) return r;
        }
        throw new IllegalArgumentException("no role '" + token + "'");
    }

    /** Registers this role writes. */
    public int registers() {
        return (int) moded.stream().filter(k -> k != Op.Kind.STORE).count();
    }
}
