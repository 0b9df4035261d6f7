package testbed.litmus.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import testbed.Mode;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;

import java.time.Duration;
import java.util.List;

/**
 * The suite's time plan: a share per test, split across its JIT modes, after every forked
 * JVM's start-up; re-planned before each JVM from the time left; and the total each mode
 * promises kept.
 */
class LitmusBudgetTest {
    private static final List<LitmusCase> ALL = CanonicalSuite.all();

    private static List<ForkPlan.Fork> forks(Mode mode, List<LitmusCase> tests) {
        return ForkPlan.forks(LitmusSuite.packs(tests, JitPlan.of(mode, tests, 1)));
    }

    /**
     * What a plan spends if every test gets {@code perTestMs}: start-ups, the interpreter's
     * kernel rehearsals, each run's overhead and time, the broken variants' reserves.
     */
    private static long planned(List<ForkPlan.Fork> forks, long perTestMs) {
        long ms = 0;
        for (ForkPlan.Fork f : forks) {
            ms += LitmusSuite.forkOverhead(f.jit()).toMillis();
            boolean interpreted = f.jit().equals(JitMode.INTERPRETER);
            // Each Java kernel's rehearsal: none interpreted, 50 ms more under C2 alone.
            ms += f.javaKernels() * (f.jit().name().startsWith("c2") ? 50L : 0L);
            for (LitmusCase t : f.tests()) {
                // A broken variant's reserve; in the interpreter, its whole 5 s bound.
                if (t.selfCheck()) ms += interpreted && JitPlan.applies(t) ? 5_000 : LitmusSuite.SELF_CHECK_RESERVE.toMillis();
            }
            for (LitmusCase t : f.tests()) {
                ms += LitmusSuite.TEST_OVERHEAD.toMillis() + (JitPlan.applies(t) ? perTestMs / f.modesPerTest() : perTestMs);
            }
        }
        return ms;
    }

    @Test
    void aFullBudgetGivesTheQuickPlan() {
        List<ForkPlan.Fork> forks = forks(Mode.QUICK, ALL);
        // One JVM per JIT mode for the suite, one for the broken variants (in C2, the C-only one with the Java one).
        assertEquals(List.of("interpreter", "c1", "c2", "c2_stress_1", "c2"), forks.stream().map(f -> f.jit().label()).toList());
        long startUps = 2_700 + 1_800 + 3_000 + 3_000 + 3_000;
        // The interpreter rehearses nothing; C2 alone rehearses longer than the tiered default.
        long rehearsals = (forks.get(2).javaKernels() + forks.get(3).javaKernels() + forks.get(4).javaKernels()) * 50L;
        long runs = forks.stream().mapToLong(f -> f.tests().size()).sum();
        long nonGuest = ALL.stream().filter(t -> !t.hasGuest()).count();
        // Quick runs each test once, so a run is a test, and each test's share is whole.
        assertEquals(nonGuest, runs);
        long expected = (60_000 - startUps - rehearsals - runs * 40 - 2 * LitmusSuite.SELF_CHECK_RESERVE.toMillis()) / nonGuest;
        assertEquals(expected, LitmusSuite.budget(Mode.QUICK, ALL).run().toMillis());
        // The 60 s promise holds with a JVM per JIT mode, and each test samples as long as with one JVM per shape (74 ms).
        assertTrue(expected >= 74, expected + " ms a test");
    }

    @Test
    void everyModeKeepsItsPromisedTotalWithTheStartUpsOfItsJitModes() {
        for (Mode mode : Mode.values()) {
            List<ForkPlan.Fork> forks = forks(mode, ALL);
            long per = LitmusSuite.budget(mode, ALL).run().toMillis();
            int split = forks.get(0).modesPerTest();
            // The floor never props a run up past what the budget pays for...
            assertTrue(per / split > LitmusSuite.MIN_RUN.toMillis(), mode + ": " + per + " ms a test over " + split + " modes");
            // ...so what the plan spends, every JVM's start-up included, fits the promise.
            long spent = planned(forks, per);
            assertTrue(spent <= LitmusSuite.totalBudget(mode).toMillis(), mode + ": plans " + spent + " ms");
            // (A share is whole milliseconds, split across a test's modes: each run may lose one.)
            long runs = forks.stream().mapToLong(f -> (long) f.tests().size() * f.modesPerTest()).sum();
            assertTrue(spent > LitmusSuite.totalBudget(mode).toMillis() - runs - 1_000, mode + ": uses the budget, " + spent + " ms");
        }
    }

    @Test
    void aTestWithAJavaActorSplitsItsShareAcrossItsModesAndTheOthersKeepIt() {
        List<ForkPlan.Fork> forks = forks(Mode.DEFAULT, ALL);
        assertTrue(forks.stream().allMatch(f -> f.modesPerTest() == 4));
        Budget share = LitmusSuite.budget(Mode.DEFAULT, ALL);
        assertEquals(share.run().dividedBy(4), share.perMode(4).run());
        assertEquals(share.stride(), share.perMode(4).stride());
        assertEquals(share.stall(), share.perMode(4).stall());
        // Tough: six modes, each JVM's start-up paid six times over for a test with a Java actor.
        assertTrue(forks(Mode.TOUGH, ALL).stream().allMatch(f -> f.modesPerTest() == 6));
        // The start-ups of one JVM per mode cost default mode time it used to sample with.
        assertTrue(forks.size() > forks(Mode.QUICK, ALL).size(), forks.size() + " JVMs");
    }

    @Test
    void aJvmBehindPlanShortensTheTestsAfterIt() {
        List<ForkPlan.Fork> forks = forks(Mode.QUICK, ALL);
        long planned = LitmusSuite.share(Mode.QUICK, LitmusSuite.totalBudget(Mode.QUICK).toMillis(), forks).run().toMillis();
        // The first JVM done, and 10 s less left than the rest were planned to take.
        List<ForkPlan.Fork> rest = forks.subList(1, forks.size());
        long restPlanned = rest.stream().mapToLong(f -> LitmusSuite.overheadMs(f) + (long) (f.shares() * planned)).sum();
        long behind = LitmusSuite.share(Mode.QUICK, restPlanned - 10_000, rest).run().toMillis();
        assertTrue(behind < planned, "behind plan: " + behind + " ms per test, planned " + planned);
    }

    @Test
    void theGuestTestsTakeNothingFromTheCanonicalOnes() {
        var withoutGuests = ALL.stream().filter(t -> !LitmusSuite.hasGuest(t)).toList();
        assertTrue(ALL.size() > withoutGuests.size(), "the suite has guest tests");
        assertEquals(LitmusSuite.budget(Mode.QUICK, withoutGuests), LitmusSuite.budget(Mode.QUICK, ALL));
    }

    @Test
    void theGuestGroupIsChargedItsColdStartInItsOwnBudget() {
        long per = LitmusSuite.guestShare(Mode.QUICK, LitmusSuite.guestBudget(Mode.QUICK).toMillis(), 16).run().toMillis();
        // 20 s, less the group's JVM, the guest's cold start, and 16 x (40 ms + 600 ms) start-ups.
        assertEquals((20_000 - 1_800 - 4_000 - 16 * 640) / 16, per);
        // Without the room for it, a guest test still gets its minimum, never a negative run.
        assertEquals(LitmusSuite.MIN_RUN, LitmusSuite.guestShare(Mode.QUICK, 5_000, 16).run());
    }

    @Test
    void progressCountsDownWhatTheRunWillTakeNotTheWholeBudget() {
        int guests = (int) ALL.stream().filter(LitmusSuite::hasGuest).count();
        Duration full = LitmusSuite.planned(Mode.QUICK, forks(Mode.QUICK, ALL), guests);
        Duration whole = LitmusSuite.totalBudget(Mode.QUICK).plus(LitmusSuite.guestBudget(Mode.QUICK));
        // A full run spends its budget, up to the rounding of each test's share.
        assertTrue(full.compareTo(whole) <= 0 && full.compareTo(whole.minusSeconds(1)) > 0, full + " of " + whole);
        // Three tests each reach their cap long before the budget: a few seconds, not 80.
        List<LitmusCase> three = ALL.stream().filter(t -> t.name().startsWith("sb_jc_")).limit(3).toList();
        Duration few = LitmusSuite.planned(Mode.QUICK, forks(Mode.QUICK, three), 0);
        assertTrue(few.compareTo(Duration.ofSeconds(20)) < 0, few.toString());
        assertTrue(few.compareTo(LitmusSuite.perTestCap(Mode.QUICK).multipliedBy(3)) > 0, few + ": the runs and the JVM start-ups");
    }

    @Test
    void noTimeLeftStillGivesEachRunItsMinimumAndFewTestsTheirCap() {
        assertEquals(LitmusSuite.MIN_RUN, LitmusSuite.share(Mode.QUICK, 0, forks(Mode.QUICK, ALL)).run());
        // Default splits a test over four modes: its minimum is four runs' minimum.
        assertEquals(LitmusSuite.MIN_RUN.multipliedBy(4), LitmusSuite.share(Mode.DEFAULT, 0, forks(Mode.DEFAULT, ALL)).run());
        List<LitmusCase> three = ALL.stream().filter(t -> t.name().startsWith("sb_jc_")).limit(3).toList();
        assertEquals(LitmusSuite.perTestCap(Mode.QUICK), LitmusSuite.share(Mode.QUICK, 60_000, forks(Mode.QUICK, three)).run());
        assertEquals(Duration.ofMillis(1250), LitmusSuite.share(Mode.DEFAULT, 240_000, forks(Mode.DEFAULT, three)).run().dividedBy(4));
    }
}
