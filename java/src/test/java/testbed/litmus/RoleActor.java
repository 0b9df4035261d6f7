package testbed.litmus;

import testbed.litmus.kernel.KernelPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * An actor as the hand-written role kernels described it (role, modes, locations p and q as
 * 0 = x, 1 = y, values): the terms the shape rules were written in. {@link #of(ActorSpec)}
 * reads a planned actor back into them, so the rules can judge the actors the files give.
 */
record RoleActor(ActorRuntime runtime, Role role, List<String> modes, int p, int q, long v1, long v2) {

    RoleActor {
        modes = List.copyOf(modes);
    }

    static RoleActor of(ActorRuntime rt, Role role, List<String> modes, int p, int q, long v1, long v2) {
        return new RoleActor(rt, role, modes, p, q, v1, v2);
    }

    static List<RoleActor> of(List<ActorSpec> actors) {
        return actors.stream().map(RoleActor::of).toList();
    }

    /** The role actor whose kernel does what {@code a} declares. */
    static RoleActor of(ActorSpec a) {
        List<KernelPlan.Step> s = a.declared().steps();
        String shape = String.join(" ", s.stream().map(x -> x.getClass().getSimpleName()).toList());
        List<String> modes = s.stream().filter(x -> !(x instanceof KernelPlan.Fence)).map(KernelPlan.Step::mode).toList();
        return switch (shape) {
            case "Store" -> new RoleActor(a.runtime(), Role.ST, modes, loc(s, 0), loc(s, 0), value(s, 0), 0);
            case "Store Store" -> new RoleActor(a.runtime(), Role.ST_ST, modes, loc(s, 0), loc(s, 1), value(s, 0), value(s, 1));
            case "Store Load" -> new RoleActor(a.runtime(), Role.ST_LD, modes, loc(s, 0), loc(s, 1), value(s, 0), 0);
            case "Store Fence Load" -> new RoleActor(a.runtime(), Role.ST_FENCE_LD, modes, loc(s, 0), loc(s, 2), value(s, 0), 0);
            case "Load Store" -> new RoleActor(a.runtime(), Role.LD_ST, modes, loc(s, 0), loc(s, 1), value(s, 1), 0);
            case "Load Load" -> new RoleActor(a.runtime(), Role.LD_LD, modes, loc(s, 0), loc(s, 1), 0, 0);
            case "FetchAdd" -> new RoleActor(a.runtime(), Role.FADD, modes, loc(s, 0), loc(s, 0), 1, 0);
            case "CompareExchange" -> new RoleActor(a.runtime(), Role.CAS, modes, loc(s, 0), loc(s, 0),
                    ((KernelPlan.CompareExchange) s.get(0)).desired(), 0);
            default -> throw new IllegalArgumentException("no role kernel ran {" + a.declared().text() + "}");
        };
    }

    /** ROLE.MODE1[.MODE2], the role kernel's name. */
    String kernel() {
        return role.token() + "." + String.join(".", modes);
    }

    private static int loc(List<KernelPlan.Step> s, int i) {
        long at = switch (s.get(i)) {
            case KernelPlan.Load l -> l.at();
            case KernelPlan.Store st -> st.at();
            case KernelPlan.FetchAdd f -> f.at();
            case KernelPlan.CompareExchange c -> c.at();
            default -> throw new IllegalArgumentException("no location: " + s.get(i));
        };
        return (int) (at / 8);
    }

    private static long value(List<KernelPlan.Step> s, int i) {
        return ((KernelPlan.Store) s.get(i)).value();
    }

    @Override
    public String toString() {
        return runtime.letter() + " " + kernel() + new ArrayList<>(List.of(p, q, (int) v1, (int) v2));
    }
}
