package testbed.harness;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaseTrialsTest {
    @Test
    void aCaseWhoseTrialsAllHoldRunsThemAll() {
        CaseTrials run = new CaseTrials(3);
        int ran = 0;
        while (run.more()) {
            run.record(true, List.of());
            ran++;
        }
        assertEquals(3, ran);
        assertFalse(run.failed());
        assertNull(run.headline());
        assertEquals("", run.stoppedAt());
        Map<String, Object> metrics = new LinkedHashMap<>();
        run.putMetrics(metrics);
        assertEquals(Map.of("trials_not_run", 0), metrics);
    }

    @Test
    void aCaseStopsAtItsFirstFailedTrialAndSaysHowManyWereNotRun() {
        CaseTrials run = new CaseTrials(50);
        assertFalse(run.record(true, List.of()));
        assertTrue(run.record(true, List.of("Java saw OK, want CANCELLED")));
        assertFalse(run.more(), "no trial runs after a failed one");
        assertThrows(IllegalStateException.class, () -> run.record(true, List.of()));
        assertEquals("failed at trial 2 of 50; 48 not run", run.stoppedAt());
        assertEquals("Java saw OK, want CANCELLED; failed at trial 2 of 50; 48 not run", run.headline());
        Map<String, Object> metrics = new LinkedHashMap<>();
        run.putMetrics(metrics);
        assertEquals(48, metrics.get("trials_not_run"));
        assertEquals(2, metrics.get("failed_at_trial"));
    }

    @Test
    void theLastTrialFailingLeavesNoneNotRun() {
        CaseTrials run = new CaseTrials(1);
        run.record(true, List.of("a problem"));
        assertEquals("failed at trial 1 of 1", run.stoppedAt());
    }

    @Test
    void aTrialThatDidNotCountIsReplacedUnlessItFailed() {
        CaseTrials run = new CaseTrials(2);
        run.record(false, List.of());
        assertEquals(0, run.counted(), "a trial that never reached its subject is replaced");
        run.record(false, List.of("leak: 1 goroutine(s) of scope s without a handler record"));
        assertEquals(1, run.counted(), "a failed trial decides the verdict, so it counts");
        assertEquals("failed at trial 1 of 2; 1 not run", run.stoppedAt());
    }

    @Test
    void theHeadlineIsTheWorstProblem() {
        CaseTrials run = new CaseTrials(10);
        run.record(true, List.of("Java saw UNAVAILABLE, want CANCELLED", "leak: 5 goroutine(s) of scope s", "Go saw '', want canceled"));
        assertEquals("leak: 5 goroutine(s) of scope s; Java saw UNAVAILABLE, want CANCELLED; Go saw '', want canceled", run.problem());
        assertEquals(List.of("leak: a", "leak: b", "x", "y"), CaseTrials.worstFirst(List.of("x", "leak: a", "y", "leak: b")));
        assertNull(CaseTrials.line(List.of()));
    }

    @Test
    void aCasePlansAtLeastOneTrial() {
        assertThrows(IllegalArgumentException.class, () -> new CaseTrials(0));
    }
}
