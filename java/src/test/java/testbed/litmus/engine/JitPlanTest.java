package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import testbed.Mode;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which JIT modes each test runs in, per run mode. */
class JitPlanTest {
    private static final List<LitmusCase> ALL = CanonicalSuite.all();
    private static final JitMode STRESS = JitMode.c2Stress(41);

    private static LitmusCase named(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void quickRotatesOneModePerTestOverTheTestsWithAJavaActor() {
        JitPlan plan = JitPlan.of(Mode.QUICK, ALL, 41);
        List<LitmusCase> java = ALL.stream().filter(JitPlan::applies).filter(t -> !t.selfCheck()).toList();
        List<JitMode> rotation = List.of(JitMode.C2, STRESS, JitMode.C1, JitMode.INTERPRETER);
        for (int i = 0; i < java.size(); i++) assertEquals(List.of(rotation.get(i % 4)), plan.modesOf(java.get(i)), java.get(i).name());
        Map<JitMode, Integer> used = new HashMap<>();
        for (LitmusCase t : java) used.merge(plan.modesOf(t).get(0), 1, Integer::sum);
        assertEquals(Set.copyOf(rotation), used.keySet(), "a quick run uses all four modes");
        assertTrue(used.values().stream().allMatch(n -> Math.abs(n - java.size() / 4.0) <= 1), used.toString());
        assertEquals(1, plan.split());
        // A test with no Java actor between two Java ones does not take a turn.
        assertEquals(List.of(JitMode.C2), JitPlan.of(Mode.QUICK, List.of(named("sb_jc_sc")), 41).modesOf(named("sb_jc_sc")));
        JitPlan mixed = JitPlan.of(Mode.QUICK, List.of(named("sb_jc_sc"), named("sb_cc_sc"), named("sb_jj_sc")), 41);
        assertEquals(List.of(), mixed.modesOf(named("sb_cc_sc")));
        assertEquals(List.of(STRESS), mixed.modesOf(named("sb_jj_sc")));
    }

    @Test
    void aBrokenVariantRunsInC2InQuickModeWhereverItFallsInTheRotation() {
        LitmusCase broken = named("selfcheck_sb_jc_sc_declared_one_acq_rel");
        // Three Java tests before it would have given it the interpreter's turn.
        List<LitmusCase> tests = List.of(named("sb_jc_sc"), named("sb_jj_sc"), named("mp_jc_sc"), broken, named("mp_jj_sc"));
        JitPlan plan = JitPlan.of(Mode.QUICK, tests, 41);
        assertEquals(List.of(JitMode.C2), plan.modesOf(broken));
        assertEquals(List.of(JitMode.INTERPRETER), plan.modesOf(named("mp_jj_sc")), "and it takes no turn from the others");
        // Default and tough run it in every mode: the union is judged.
        assertEquals(4, JitPlan.of(Mode.DEFAULT, tests, 41).modesOf(broken).size());
    }

    @Test
    void defaultRunsEveryTestWithAJavaActorInTheFourModes() {
        JitPlan plan = JitPlan.of(Mode.DEFAULT, ALL, 41);
        assertEquals(List.of(JitMode.INTERPRETER, JitMode.C1, JitMode.C2, STRESS), plan.modes());
        for (LitmusCase t : ALL) assertEquals(JitPlan.applies(t) ? plan.modes() : List.of(), plan.modesOf(t), t.name());
        assertEquals(4, plan.split());
    }

    @Test
    void toughAddsTwoMoreStressSeeds() {
        JitPlan plan = JitPlan.of(Mode.TOUGH, ALL, 41);
        assertEquals(List.of(JitMode.INTERPRETER, JitMode.C1, JitMode.C2, STRESS, JitMode.c2Stress(42), JitMode.c2Stress(43)), plan.modes());
        assertEquals(6, plan.split());
        assertEquals(plan.modes(), plan.modesOf(named("mp_jc_relaxed")));
        // The last seed wraps to 1, never to C2's "pick one yourself" 0.
        assertEquals(JitMode.c2Stress(1), JitPlan.of(Mode.TOUGH, ALL, 0xFFFF_FFFFL).modes().get(4));
    }

    @Test
    void onlyATestWithAJavaActorAndNoGuestRunsInJitModes() {
        assertTrue(JitPlan.applies(named("sb_jc_relaxed")));
        assertFalse(JitPlan.applies(named("sb_cg_relaxed")), "C and Go actors: nothing for the JIT");
        assertFalse(JitPlan.applies(named("sb_jh_sc")), "a guest test keeps the JVM's default mode");
        assertTrue(JitPlan.whyOnce(named("sb_cg_relaxed")).startsWith("no Java actor"));
        assertTrue(JitPlan.whyOnce(named("sb_jh_sc")).contains("JVMCI"));
        for (LitmusCase t : ALL) assertEquals(t.pairing().contains("J") && !t.hasGuest(), JitPlan.applies(t), t.name());
    }

    @Test
    void aRunPicksAFreshSeedUnlessOneIsGiven() {
        System.setProperty(JitPlan.STRESS_SEED_PROPERTY, "987");
        try {
            assertEquals(987, JitPlan.runSeed());
        } finally {
            System.clearProperty(JitPlan.STRESS_SEED_PROPERTY);
        }
        for (int i = 0; i < 1000; i++) {
            long s = JitPlan.runSeed();
            assertTrue(s >= 1 && s < Integer.MAX_VALUE, String.valueOf(s));
        }
    }
}
