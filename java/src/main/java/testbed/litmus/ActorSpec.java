package testbed.litmus;

import testbed.litmus.lang.Strength;

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

    /**
     * Whether its runtime ships the kernel this actor runs; {@code cShim} answers for C, whose
     * kernels the loaded shim lists. Go's are exactly its modes for every role but
     * st_fence_ld, which {@link #validate} enforces, and the peer refuses an unknown one itself.
     */
    public boolean kernelShipped(java.util.function.Predicate<String> cShim) {
        return switch (runtime) {
            case JAVA -> testbed.litmus.runtime.JavaKernels.has(kernel());
            case C -> cShim.test(kernel());
            case GO -> true;
            case JS_VIEW, JS_HOST -> testbed.guest.GuestKernel.has(runtime, kernel());
        };
    }

    /** Short label: runtime letter and kernel, e.g. "J st_ld.release.acquire". */
    public String label() {
        return runtime.letter() + " " + declaredKernel() + (broken() ? " (runs " + kernel() + ")" : "");
    }
}
