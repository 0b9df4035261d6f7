package testbed.litmus.runtime;

import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan;

import java.util.List;

/**
 * The runtime tests' shorthand for a kernel, as the retired role kernels were named:
 * {@code ROLE.MODE1[.MODE2]} on locations at byte offsets p and q with values v1 and v2, turned
 * into the {@link KernelPlan} the generators compile. A compare-exchange expects the value at q
 * (a location of its own, which starts at 0).
 */
final class RoleKernels {

    private RoleKernels() {}

    static KernelPlan plan(ActorRuntime rt, String kernel, long p, long q, long v1, long v2) {
        String[] parts = kernel.split("\\.");
        String m1 = parts.length > 1 ? parts[1] : null, m2 = parts.length > 2 ? parts[2] : null;
        List<KernelPlan.Step> steps = switch (parts[0]) {
            case "st" -> List.of(new KernelPlan.Store(p, v1, m1));
            case "st_st" -> List.of(new KernelPlan.Store(p, v1, m1), new KernelPlan.Store(q, v2, m2));
            case "st_ld" -> List.of(new KernelPlan.Store(p, v1, m1), new KernelPlan.Load(q, m2, 0));
            case "ld_st" -> List.of(new KernelPlan.Load(p, m1, 0), new KernelPlan.Store(q, v1, m2));
            case "ld_ld" -> List.of(new KernelPlan.Load(p, m1, 0), new KernelPlan.Load(q, m2, 1));
            case "st_fence_ld" -> List.of(new KernelPlan.Store(p, v1, m1), new KernelPlan.Fence(rt == ActorRuntime.JAVA ? "full" : "seq_cst"),
                    new KernelPlan.Load(q, m2, 0));
            case "fadd" -> List.of(new KernelPlan.FetchAdd(p, 1, m1, 0));
            case "cas" -> List.of(new KernelPlan.CompareExchange(p, q, v1, m1, failure(m1), 0));
            default -> throw new IllegalArgumentException("no role '" + parts[0] + "'");
        };
        int registers = (int) steps.stream().filter(s -> s.register() >= 0).map(KernelPlan.Step::register).distinct().count();
        return new KernelPlan(rt, steps, registers);
    }

    /** The strongest failure order C11 allows with a success order, as the role kernels used. */
    private static String failure(String success) {
        return switch (success) {
            case "release" -> "relaxed";
            case "acq_rel" -> "acquire";
            default -> success;
        };
    }
}
