package testbed.harness;

import org.junit.jupiter.api.Test;
import testbed.report.Status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerdictTest {
    private static final Expectation LEAK = Expectation.caughtBy("leak:");

    @Test
    void aCaseThatHoldsPassesWithItsFiguresAndFailsWithItsProblem() {
        assertEquals(new Verdict(Status.PASSED, "p50 3 us"), Verdict.of(Expectation.HOLDS, null, "p50 3 us"));
        assertEquals(new Verdict(Status.FAILED, "leak: 2 goroutines"), Verdict.of(Expectation.HOLDS, "leak: 2 goroutines", "p50 3 us"));
    }

    @Test
    void aBrokenVariantIsCaughtOnlyByTheFaultItPlants() {
        Verdict caught = Verdict.of(LEAK, "leak: 2 goroutines; failed at trial 1 of 1", "no leftover");
        assertEquals(Status.EXPECTED_FAILURE, caught.status());
        assertEquals("caught: leak: 2 goroutines; failed at trial 1 of 1", caught.message());

        Verdict unseen = Verdict.of(LEAK, null, "no leftover after close()");
        assertEquals(Status.FAILED, unseen.status());
        assertEquals("the broken variant was not caught: no leftover after close(), so this run does not prove the check can fail",
                unseen.message());

        Verdict wrong = Verdict.of(LEAK, "Java saw OK, want CANCELLED", "no leftover");
        assertEquals(Status.FAILED, wrong.status(), "a failure for another reason proves nothing about the check");
        assertTrue(wrong.message().startsWith(Verdict.NOT_CAUGHT), wrong.message());
        assertTrue(wrong.message().contains("'leak:'") && wrong.message().endsWith("Java saw OK, want CANCELLED"), wrong.message());
    }

    @Test
    void anExpectationByPredicateSaysInWordsWhatCatchesIt() {
        Expectation lost = Expectation.caughtWhen("an update lost", p -> p.contains("lost"));
        assertTrue(lost.broken());
        assertTrue(lost.caught("3 updates lost"));
        assertFalse(lost.caught(null));
        assertFalse(Expectation.HOLDS.caught("3 updates lost"), "a case that holds catches nothing");
        assertTrue(Verdict.of(lost, "slot off by one", "exact").message().contains("an update lost"));
    }

    @Test
    void aCaseDeclarationRefusesWhatTheReportCouldNotName() {
        assertThrows(IllegalArgumentException.class, () -> CaseSpec.holds("Not Snake", "t", TrialCount.once()));
        assertThrows(IllegalArgumentException.class, () -> TrialCount.scaled(0));
        CaseSpec c = CaseSpec.holds("java_deadline_unary", "A deadline.", TrialCount.quickOr(1, 3));
        assertEquals(1, c.trialsIn(testbed.Mode.QUICK));
        assertEquals(3, c.trialsIn(testbed.Mode.TOUGH));
        assertEquals(new Verdict(Status.PASSED, "ok").result(c, 1.0, null, null).name(), "java_deadline_unary");
    }
}
