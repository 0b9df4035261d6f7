package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evidence goals: which tests have one, when a test with one stops, and that each
 * bound keeps a miss on a correct tree below one in a million at the rates measured on
 * the build machine (docs/LITMUS.md, "Verdicts that rest on an observation").
 */
@Timeout(30)
class EvidenceGoalTest {

    /**
     * The lowest rate of each kind seen on the 2-core build machine (per second): broken
     * variants from {@code make litmus-rates} (15 runs of 1 s); guest tests from the same (5
     * runs of 3 s, after the guest's reversed sweep) and from 50 runs of
     * {@code native/tools/litmus-luck}, where one execution of mp_vc_sc took 1.56 s to its
     * first witness. A miss within the bound at half that rate, e^(-rate/2 * bound), must stay
     * below 1e-6.
     */
    static final Map<String, Double> LOWEST_MEASURED = Map.of(
            "selfcheck_sb_cc_sc_declared_one_acq_rel", 921.8,
            "selfcheck_sb_jc_sc_declared_one_acq_rel", 198.6,
            "mp_jv_sc", 40.9,
            "mp_vc_sc", 1 / 1.563);

    @Test
    void eachBoundKeepsAMissBelowOneInAMillionAtHalfTheLowestRateMeasured() {
        for (Map.Entry<String, Double> e : LOWEST_MEASURED.entrySet()) {
            LitmusCase t = CanonicalSuite.all().stream().filter(x -> x.name().equals(e.getKey())).findFirst().orElseThrow();
            EvidenceGoal goal = EvidenceGoal.of(t);
            double miss = Math.exp(-(e.getValue() / 2) * goal.bound().toMillis() / 1000.0);
            assertTrue(miss < 1e-6, e.getKey() + ": a miss within " + goal.bound() + " at half of " + e.getValue() + "/s is " + miss);
        }
    }

    @Test
    void brokenVariantsWaitForAForbiddenOutcomeGuestTestsForOverlapOthersForNothing() {
        for (LitmusCase t : CanonicalSuite.all()) {
            EvidenceGoal g = EvidenceGoal.of(t);
            if (t.selfCheck()) assertEquals(EvidenceGoal.Kind.FORBIDDEN, g.kind(), t.name());
            else if (t.hasGuest()) assertEquals(EvidenceGoal.Kind.OVERLAP, g.kind(), t.name());
            else assertTrue(g.none(), t.name());
        }
    }

    @Test
    void aBrokenVariantStopsOnceCaughtEnoughAndAGuestTestRunsItsBudgetFirst() {
        Budget budget = Budget.of(Duration.ofMillis(200));
        long ms = 1_000_000L;
        EvidenceGoal broken = new EvidenceGoal(EvidenceGoal.Kind.FORBIDDEN, 5, Duration.ofSeconds(5));
        assertTrue(broken.done(10 * ms, budget, 5), "caught five times: done before its budget");
        assertFalse(broken.done(4_000 * ms, budget, 4), "four sightings: it looks on, past its budget");
        assertTrue(broken.done(5_000 * ms, budget, 0), "the bound ends it, caught or not");
        EvidenceGoal guest = new EvidenceGoal(EvidenceGoal.Kind.OVERLAP, 1, Duration.ofSeconds(5));
        assertFalse(guest.done(10 * ms, budget, 3), "a witness does not cut the budget short");
        assertTrue(guest.done(200 * ms, budget, 1));
        assertFalse(guest.done(1_000 * ms, budget, 0), "no witness yet: it runs on");
        assertTrue(guest.done(5_000 * ms, budget, 0));
        assertTrue(EvidenceGoal.NONE.done(200 * ms, budget, 0));
        assertFalse(EvidenceGoal.NONE.done(199 * ms, budget, 0));
        assertEquals(Duration.ofSeconds(5), guest.limit(budget));
        assertEquals(Duration.ofMillis(200), EvidenceGoal.NONE.limit(budget));
    }
}
