package testbed.litmus.engine;

import testbed.Mode;
import testbed.litmus.ActorSpec;
import testbed.litmus.LitmusCase;
import testbed.litmus.ActorRuntime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which JIT modes each test of a run is run in (docs/LITMUS.md, "JIT modes"):
 *
 * <ul>
 *   <li>quick: one mode per test, rotating over the tests that have a Java actor, in suite
 *       order, so that a run of four or more such tests uses all four modes; a broken variant
 *       runs in C2, where it can be caught;</li>
 *   <li>default: the interpreter, C1, C2 and C2 with stress, for every such test;</li>
 *   <li>tough: the same with two more stress seeds, six modes in all.</li>
 * </ul>
 *
 * A test with no Java actor runs once: the JIT compiles nothing its C and Go actors run.
 * A test with a guest actor runs once, in the JVM's default mode, with JVMCI: the guest's
 * kernels are compiled by Graal through JVMCI, whatever C1 and C2 do (docs/GUEST.md).
 */
public final class JitPlan {
    /** Property that fixes the run's first stress seed, to repeat a run; otherwise the clock picks it. */
    public static final String STRESS_SEED_PROPERTY = "testbed.litmus.stress-seed";

    private final List<JitMode> modes;
    private final int split;
    private final Map<String, List<JitMode>> byTest = new LinkedHashMap<>();

    private JitPlan(List<JitMode> modes, int split) {
        this.modes = modes;
        this.split = split;
    }

    /** The plan for {@code tests} in run mode {@code mode}, stress seeds from {@code seed} on. */
    public static JitPlan of(Mode mode, List<LitmusCase> tests, long seed) {
        List<JitMode> all = modes(mode, seed);
        JitPlan plan = new JitPlan(all, mode == Mode.QUICK ? 1 : all.size());
        // Quick rotates from C2, the mode a long-running JVM ends in, so that a run of one
        // test (make litmus MODE=quick) sees its kernels as production code would.
        List<JitMode> rotation = List.of(JitMode.C2, all.get(3), JitMode.C1, JitMode.INTERPRETER);
        int next = 0;
        for (LitmusCase t : tests) {
            List<JitMode> m;
            if (!applies(t)) m = List.of();
            // A broken variant must be caught to prove the suite can fail, and interpreted its
            // Java actor samples too slowly to show store buffering (uncaught in its 5 s bound):
            // in quick mode it runs in C2 and takes no turn from the rotation.
            else if (mode == Mode.QUICK && t.selfCheck()) m = List.of(JitMode.C2);
            else if (mode == Mode.QUICK) m = List.of(rotation.get(next++ % rotation.size()));
            else m = plan.modes;
            plan.byTest.put(t.name(), m);
        }
        return plan;
    }

    /** Every mode a test of this run mode may run in, in the order a test runs them. */
    static List<JitMode> modes(Mode mode, long seed) {
        List<JitMode> m = new ArrayList<>(List.of(JitMode.INTERPRETER, JitMode.C1, JitMode.C2, JitMode.c2Stress(seed)));
        if (mode == Mode.TOUGH) {
            m.add(JitMode.c2Stress(nextSeed(seed)));
            m.add(JitMode.c2Stress(nextSeed(nextSeed(seed))));
        }
        return List.copyOf(m);
    }

    /** The run's modes, in the order a test runs them. */
    public List<JitMode> modes() {
        return modes;
    }

    /** How many modes a test with a JIT mode runs in: each run gets that share of the test's time. */
    public int split() {
        return split;
    }

    /** The modes {@code t} runs in; empty when the JIT mode does not apply to it (it runs once). */
    public List<JitMode> modesOf(LitmusCase t) {
        List<JitMode> m = byTest.get(t.name());
        if (m == null) throw new IllegalArgumentException("test '" + t.name() + "' is not in this plan");
        return m;
    }

    /** True when the JIT mode changes what one of the test's actors runs: it has a Java actor and no guest. */
    public static boolean applies(LitmusCase t) {
        if (t.hasGuest()) return false;
        for (ActorSpec a : t.actors()) if (a.runtime() == ActorRuntime.JAVA) return true;
        return false;
    }

    /** The report's {@code jvm_mode_note} for a test that runs once: why the JIT mode was not varied. */
    public static String whyOnce(LitmusCase t) {
        return t.hasGuest()
                ? "a guest test: it runs once, in the JVM's default tiered mode with JVMCI, because its kernels are compiled"
                  + " by Graal through JVMCI whatever C1 and C2 do, and -Xint would leave Graal itself interpreted (docs/GUEST.md)"
                : "no Java actor: the JIT compiles nothing its C and Go actors run, so it runs once";
    }

    /** The first stress seed of a run: the property's, else one the clock picks (1 to 2^31-1). */
    public static long runSeed() {
        String fixed = System.getProperty(STRESS_SEED_PROPERTY);
        if (fixed != null) return Long.parseLong(fixed.strip());
        return 1 + Math.floorMod(System.nanoTime() * 0x9E3779B97F4A7C15L >>> 1, Integer.MAX_VALUE - 1);
    }

    private static long nextSeed(long seed) {
        return seed >= 0xFFFF_FFFFL ? 1 : seed + 1;
    }
}
