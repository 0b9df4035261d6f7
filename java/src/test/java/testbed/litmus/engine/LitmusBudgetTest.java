package testbed.litmus.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import testbed.Mode;

/** The suite's time plan: a share per test, re-planned before each group from the time left. */
class LitmusBudgetTest {

    @Test
    void aFullBudgetGivesTheQuickPlan() {
        long per = LitmusSuite.budget(Mode.QUICK, 246, 12).run().toMillis();
        // 60 s, less 12 group overheads, 246 test overheads and 2 broken-variant reserves.
        long expected = (60_000 - 12 * 1_800 - 246 * 40 - 2 * LitmusSuite.SELF_CHECK_RESERVE.toMillis()) / 246;
        assertEquals(expected, per);
    }

    @Test
    void aGroupBehindPlanShortensTheTestsAfterIt() {
        long planned = LitmusSuite.share(Mode.QUICK, 60_000, 246, 12, 2).run().toMillis();
        // Half the time gone with a third of the tests run.
        long behind = LitmusSuite.share(Mode.QUICK, 30_000, 164, 8, 2).run().toMillis();
        assertTrue(behind < planned, "behind plan: " + behind + " ms per test, planned " + planned);
    }

    @Test
    void theGuestTestsTakeNothingFromTheCanonicalOnes() {
        var all = testbed.litmus.CanonicalSuite.all();
        var withoutGuests = all.stream().filter(t -> !LitmusSuite.hasGuest(t)).toList();
        assertTrue(all.size() > withoutGuests.size(), "the suite has guest tests");
        assertEquals(LitmusSuite.canonicalBudget(Mode.QUICK, withoutGuests), LitmusSuite.canonicalBudget(Mode.QUICK, all));
        assertEquals(LitmusSuite.budget(Mode.QUICK, withoutGuests.size(), LitmusSuite.groups(withoutGuests).size()),
                LitmusSuite.canonicalBudget(Mode.QUICK, all));
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
    void noTimeLeftStillGivesEachTestItsMinimumAndFewTestsTheirCap() {
        assertEquals(LitmusSuite.MIN_RUN, LitmusSuite.share(Mode.QUICK, 0, 100, 5, 2).run());
        assertEquals(LitmusSuite.perTestCap(Mode.QUICK), LitmusSuite.share(Mode.QUICK, 60_000, 3, 1, 0).run());
    }
}
