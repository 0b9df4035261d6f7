package testbed.litmus;

import testbed.litmus.kernel.KernelPlan;
import testbed.litmus.lang.Strength;

import java.util.List;

/**
 * Whether a test's allowed relaxed outcome is expected to be <em>observed</em> on a given
 * architecture, as tabulated in docs/MEMORY_MODEL.md. The model says what is allowed;
 * this says what the hardware (x86-TSO, ARMv8) is known to produce. It never changes a
 * verdict: it tells a reader whether "allowed, not seen here" is a surprise.
 */
public final class ArchModel {
    /** What to expect of a relaxed outcome here. */
    public enum Observation { EXPECTED, POSSIBLE, NOT_EXPECTED, NOT_APPLICABLE }

    private ArchModel() {}

    /** This JVM's architecture: "x86_64", "aarch64" or the os.arch value. */
    public static String arch() {
        String a = System.getProperty("os.arch");
        int code = testbed.region.RegionLayout.archCode(a);
        return code == 0 ? a : testbed.region.RegionLayout.archName(code);
    }

    public static Observation expect(LitmusCase t, String arch) {
        if (!t.hasInteresting() || t.shape() == null) return Observation.NOT_APPLICABLE;
        List<ActorSpec> a = t.actors();
        // A compiler may reorder plain Java accesses, and any style (a) guest access: the
        // guest's compiler treats a view of a host buffer as memory no one else sees.
        boolean plainJava = a.stream().anyMatch(s -> (s.runtime() == ActorRuntime.JAVA || s.runtime() == ActorRuntime.JS_HOST)
                && s.actualModes().stream().anyMatch(m -> m.equals("plain")) || s.runtime() == ActorRuntime.JS_VIEW);
        return switch (arch) {
            case "x86_64" -> switch (t.shape()) {
                // TSO keeps every order but store -> later load: only shapes whose relaxed
                // outcome needs a load to pass an earlier store show up.
                case SB, R -> Observation.EXPECTED;
                default -> plainJava ? Observation.POSSIBLE : Observation.NOT_EXPECTED;
            };
            case "aarch64" -> switch (t.shape()) {
                // ARMv8 acquire/release (LDAR/STLR) are RCsc: an STLR is not passed by a later LDAR.
                // A full fence between them (DMB ISH) keeps them in order too.
                case SB -> a.stream().allMatch(s -> fenced(s) || actual(s, 0).releases() && actual(s, 1).acquires())
                        ? Observation.NOT_EXPECTED : Observation.EXPECTED;
                case MP, S, WRC, R -> Observation.EXPECTED;
                // ARMv8 is other-multi-copy-atomic: IRIW needs readers whose loads may be reordered.
                case IRIW -> a.subList(2, 4).stream().allMatch(s -> actual(s, 0).acquires())
                        ? Observation.NOT_EXPECTED : Observation.EXPECTED;
                case LB, TWO_PLUS_TWO_W -> Observation.POSSIBLE;
                case CORR -> plainJava ? Observation.POSSIBLE : Observation.NOT_EXPECTED;
                default -> Observation.NOT_APPLICABLE;
            };
            default -> Observation.POSSIBLE;
        };
    }

    /** The order of the actor's {@code access}-th memory access (fences not counted) as it runs. */
    private static Strength actual(ActorSpec s, int access) {
        List<KernelPlan.Step> accesses = s.actual().steps().stream().filter(x -> !(x instanceof KernelPlan.Fence)).toList();
        return s.runtime().strength(accesses.get(access).mode());
    }

    /** Whether the actor runs a sequentially consistent fence. */
    private static boolean fenced(ActorSpec s) {
        return s.actual().steps().stream().anyMatch(x -> x instanceof KernelPlan.Fence f
                && (f.mode().equals("seq_cst") || f.mode().equals("full")));
    }
}
