package testbed.litmus;

import testbed.litmus.lang.Strength;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One actor of a litmus test: the runtime it runs in, its role, the modes of its
 * operations, its locations p and q (0 = x, 1 = y) and values.
 *
 * <p>{@code actualModes} is what the kernel really uses; it equals {@code modes} except
 * in a deliberately broken variant, where the test <em>declares</em> stronger modes
 * (and so expects more to be forbidden) than the actor runs.
 */
public record ActorSpec(Runtime runtime, Role role, List<String> modes, int p, int q, long v1, long v2,
                        List<String> actualModes) {

    public ActorSpec {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(role, "role");
        modes = List.copyOf(modes);
        actualModes = actualModes == null ? modes : List.copyOf(actualModes);
    }

    public static ActorSpec of(Runtime rt, Role role, List<String> modes, int p, int q, long v1, long v2) {
        return new ActorSpec(rt, role, modes, p, q, v1, v2, null);
    }

    /** The same actor running {@code actual} modes while declaring its own. */
    public ActorSpec secretlyRunning(List<String> actual) {
        return new ActorSpec(runtime, role, modes, p, q, v1, v2, actual);
    }

    public boolean broken() {
        return !modes.equals(actualModes);
    }

    /** The kernel this actor runs: ROLE.MODE1[.MODE2] in its runtime's mode names. */
    public String kernel() {
        return role.token() + "." + String.join(".", actualModes);
    }

    /** The declared kernel (what the expectations are computed from). */
    public String declaredKernel() {
        return role.token() + "." + String.join(".", modes);
    }

    /**
     * Refuses an actor its runtime cannot run: a wrong number of modes, a mode that the
     * runtime lacks for that operation, or a fence in a runtime without one.
     */
    public void validate() {
        if (role == Role.ST_FENCE_LD && !runtime.hasFence()) {
            throw new IllegalArgumentException(runtime + " has no standalone fence: role " + role.token() + " cannot run there");
        }
        List<Op.Kind> kinds = role.modedOps();
        for (List<String> ms : List.of(modes, actualModes)) {
            if (ms.size() != kinds.size()) {
                throw new IllegalArgumentException("role " + role.token() + " takes " + kinds.size() + " mode(s), got " + ms);
            }
            for (int i = 0; i < kinds.size(); i++) {
                String m = ms.get(i);
                runtime.strength(m); // unknown mode names are refused with the runtime's list
                List<String> allowed = switch (kinds.get(i)) {
                    case LOAD -> runtime.loadModes();
                    case STORE -> runtime.storeModes();
                    case FADD, CAS -> runtime.rmwModes();
                    case FENCE -> List.of();
                };
                if (!allowed.contains(m)) {
                    throw new IllegalArgumentException(runtime + " has no " + kinds.get(i).name().toLowerCase(java.util.Locale.ROOT)
                            + " with mode '" + m + "' (it has: " + String.join(", ", allowed) + ")");
                }
            }
        }
        if (p < 0 || p > 1 || q < 0 || q > 1) throw new IllegalArgumentException("locations must be x (0) or y (1)");
    }

    /** Operations in program order with the declared strengths; registers numbered from {@code firstRegister}. */
    public List<Op> ops(int firstRegister) {
        List<Op> ops = new ArrayList<>();
        List<Op.Kind> kinds = role.modedOps();
        Strength s0 = runtime.strength(modes.get(0));
        Strength s1 = kinds.size() > 1 ? runtime.strength(modes.get(1)) : null;
        int reg = firstRegister;
        switch (role) {
            case ST -> ops.add(new Op(Op.Kind.STORE, p, v1, -1, s0));
            case ST_ST -> {
                ops.add(new Op(Op.Kind.STORE, p, v1, -1, s0));
                ops.add(new Op(Op.Kind.STORE, q, v2, -1, s1));
            }
            case ST_LD -> {
                ops.add(new Op(Op.Kind.STORE, p, v1, -1, s0));
                ops.add(new Op(Op.Kind.LOAD, q, 0, reg, s1));
            }
            case ST_FENCE_LD -> {
                ops.add(new Op(Op.Kind.STORE, p, v1, -1, s0));
                ops.add(new Op(Op.Kind.FENCE, -1, 0, -1, Strength.SEQ_CST));
                ops.add(new Op(Op.Kind.LOAD, q, 0, reg, s1));
            }
            case LD_ST -> {
                ops.add(new Op(Op.Kind.LOAD, p, 0, reg, s0));
                ops.add(new Op(Op.Kind.STORE, q, v1, -1, s1));
            }
            case LD_LD -> {
                ops.add(new Op(Op.Kind.LOAD, p, 0, reg, s0));
                ops.add(new Op(Op.Kind.LOAD, q, 0, reg + 1, s1));
            }
            case FADD -> ops.add(new Op(Op.Kind.FADD, p, 1, reg, s0));
            case CAS -> ops.add(new Op(Op.Kind.CAS, p, v1, reg, s0));
        }
        return ops;
    }

    /** Short label: runtime letter and kernel, e.g. "J st_ld.release.acquire". */
    public String label() {
        return runtime.letter() + " " + declaredKernel() + (broken() ? " (runs " + kernel() + ")" : "");
    }
}
