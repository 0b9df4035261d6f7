package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import testbed.Mode;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which forked JVM runs each test in each of its modes. */
class ForkPlanTest {
    private static final List<LitmusCase> ALL = CanonicalSuite.all();
    private static final List<LitmusCase> CANONICAL = ALL.stream().filter(t -> !t.hasGuest()).toList();

    private static List<ForkPlan.Pack> packs(Mode mode, List<LitmusCase> tests) {
        return ForkPlan.of(LitmusSuite.groups(tests), JitPlan.of(mode, tests, 7));
    }

    @Test
    void everyTestRunsOnceInEachOfItsModesAndATestWithoutAJavaActorOnceInItsPacksHostJvm() {
        for (Mode mode : Mode.values()) {
            JitPlan plan = JitPlan.of(mode, CANONICAL, 7);
            Map<String, Integer> runs = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (ForkPlan.Pack p : packs(mode, CANONICAL)) {
                Set<JitMode> used = new java.util.LinkedHashSet<>();
                for (JitMode m : plan.modes()) {
                    if (p.tests(LitmusSuite.groups(CANONICAL)).stream().anyMatch(t -> plan.modesOf(t).contains(m))) used.add(m);
                }
                for (ForkPlan.Fork f : p.forks()) {
                    for (LitmusCase t : f.tests()) {
                        assertTrue(seen.add(t.name() + "@" + f.jit().label()), t.name() + " twice in " + f.jit().label());
                        runs.merge(t.name(), 1, Integer::sum);
                        if (JitPlan.applies(t)) assertTrue(plan.modesOf(t).contains(f.jit()), t.name() + " in " + f.name());
                        else assertEquals(ForkPlan.host(used), f.jit(), t.name() + " in " + f.name());
                    }
                    assertEquals(plan.split(), f.modesPerTest(), f.name());
                }
            }
            for (LitmusCase t : CANONICAL) assertEquals(Math.max(1, plan.modesOf(t).size()), runs.get(t.name()), mode + " " + t.name());
        }
    }

    @Test
    void shapesArePackedSoThatEachJvmHoldsAboutTwoGroupsWorthOfRuns() {
        // Quick runs each test once: the whole suite fills one JVM per mode, and the broken
        // variants one more, where one JVM per shape group took 13.
        List<ForkPlan.Pack> quick = packs(Mode.QUICK, CANONICAL);
        assertEquals(List.of(4, 1), quick.stream().map(p -> p.forks().size()).toList());
        for (Mode mode : List.of(Mode.DEFAULT, Mode.TOUGH)) {
            List<ForkPlan.Pack> packs = packs(mode, CANONICAL);
            // Every pack but a merged leftover and the broken variants' fills its JVMs.
            for (ForkPlan.Pack p : packs.subList(0, packs.size() - 2)) {
                double perFork = p.forks().stream().mapToInt(f -> f.tests().size()).average().orElse(0);
                assertTrue(perFork >= ForkPlan.RUNS_PER_FORK, p.groups() + ": " + perFork);
                assertTrue(perFork < 2 * ForkPlan.RUNS_PER_FORK, p.groups() + ": " + perFork);
            }
        }
        assertEquals(List.of("sb", "mp"), packs(Mode.DEFAULT, CANONICAL).get(0).groups());
        assertEquals("sb+mp@c2_stress_7", packs(Mode.DEFAULT, CANONICAL).get(0).forks().get(3).name());
        // Each pack's forks run in the plan's order of modes, one JVM per mode.
        for (ForkPlan.Pack p : packs(Mode.DEFAULT, CANONICAL)) {
            List<JitMode> modes = p.forks().stream().map(ForkPlan.Fork::jit).toList();
            assertEquals(JitPlan.of(Mode.DEFAULT, CANONICAL, 7).modes(), modes, p.groups().toString());
        }
    }

    @Test
    void theBrokenVariantsArePackedAloneAndLast() {
        for (Mode mode : Mode.values()) {
            List<ForkPlan.Pack> packs = packs(mode, CANONICAL);
            assertEquals(List.of("selfcheck"), packs.getLast().groups(), mode.toString());
            for (ForkPlan.Pack p : packs.subList(0, packs.size() - 1)) assertTrue(!p.groups().contains("selfcheck"), p.groups().toString());
        }
        // A small leftover before them joins the pack before it instead of costing four start-ups.
        List<LitmusCase> few = ALL.stream().filter(t -> t.name().startsWith("sb_") || t.name().startsWith("rmw_cas_")
                || t.name().startsWith("selfcheck_")).filter(t -> !t.hasGuest()).toList();
        List<ForkPlan.Pack> packs = packs(Mode.QUICK, few);
        assertEquals(List.of(List.of("sb", "rmw_cas"), List.of("selfcheck")), packs.stream().map(ForkPlan.Pack::groups).toList());
    }

    @Test
    void aTestWithoutAJavaActorRidesInAJvmThePackHasAndPrefersOneThatCompiles() {
        assertEquals(JitMode.C2, ForkPlan.host(Set.of(JitMode.C1, JitMode.C2, JitMode.INTERPRETER)));
        assertEquals(JitMode.C1, ForkPlan.host(new java.util.LinkedHashSet<>(List.of(JitMode.INTERPRETER, JitMode.C1))));
        assertEquals(JitMode.INTERPRETER, ForkPlan.host(Set.of(JitMode.INTERPRETER)));
        assertEquals(JitMode.C2, ForkPlan.host(Set.of()), "a JVM of its own when the pack has none");
        // Quick: the C-only broken variant rides with the Java one, in its mode, in one JVM.
        ForkPlan.Pack selfChecks = packs(Mode.QUICK, CANONICAL).getLast();
        assertEquals(1, selfChecks.forks().size());
        assertEquals(2, selfChecks.forks().get(0).tests().size());
        // Nothing but tests without a Java actor: one C2 JVM.
        List<LitmusCase> cOnly = CANONICAL.stream().filter(t -> t.name().startsWith("sb_cc_")).toList();
        List<ForkPlan.Fork> forks = ForkPlan.forks(packs(Mode.DEFAULT, cOnly));
        assertEquals(1, forks.size());
        assertEquals(JitMode.C2, forks.get(0).jit());
    }

    @Test
    void aTestSplitOverFourModesCountsAQuarterOfItsShareInEachJvm() {
        LitmusCase java = CANONICAL.stream().filter(t -> t.name().equals("sb_jc_sc")).findFirst().orElseThrow();
        LitmusCase c = CANONICAL.stream().filter(t -> t.name().equals("sb_cc_sc")).findFirst().orElseThrow();
        assertEquals(1.25, new ForkPlan.Fork(List.of("sb"), JitMode.C2, List.of(java, c), 4).shares(), 1e-12);
        assertEquals("sb+mp@c1", new ForkPlan.Fork(List.of("sb", "mp"), JitMode.C1, List.of(java), 4).name());
        assertThrows(IllegalArgumentException.class, () -> ForkPlan.of(LitmusSuite.groups(CanonicalSuite.guestTests()),
                JitPlan.of(Mode.QUICK, CanonicalSuite.guestTests(), 7)));
    }
}
