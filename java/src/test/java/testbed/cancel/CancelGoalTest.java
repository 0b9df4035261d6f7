package testbed.cancel;

import org.junit.jupiter.api.Test;
import testbed.cancel.CancelGoal.Direction;
import testbed.cancel.CancelGoal.Verdict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CancelGoalTest {
    /** {@code n} samples: {@code n - tail} of {@code body} us, then {@code tail} of {@code tailUs} us. */
    private static LatencySample sample(int n, long body, int tail, long tailUs) {
        LatencySample s = new LatencySample();
        for (int i = 0; i < n; i++) s.add((i < n - tail ? body : tailUs) * 1_000);
        return s;
    }

    /**
     * A direction of {@code n} trials: cancel p50 {@code cancel} us and p99 {@code cancelTail}
     * us; gRPC round trip p50 1000 us and p99 {@code rttTail} us; floor one-way 50 us (p99 100),
     * floor round trip 100 us (p99 400). Two percent of each sample is its tail.
     */
    private static Direction direction(String name, int n, long cancel, long cancelTail, long rttTail) {
        return new Direction(name, sample(n, cancel, n / 50, cancelTail), sample(n, 1_000, n / 50, rttTail),
                sample(n, 50, n / 50, 100), sample(n, 100, n / 50, 400), new LinkedHashMap<>(), null);
    }

    @Test
    void theP50LineIsSixTenthsOfTheRoundTripsMedianInclusive() {
        assertEquals(Verdict.MEETS, CancelGoal.p50(direction("java_to_go", 2_000, 600, 900, 1_000)).verdict());
        assertEquals(Verdict.MISSES, CancelGoal.p50(direction("go_to_java", 2_000, 601, 900, 1_000)).verdict());
        assertEquals(0.6, CancelGoal.p50(direction("java_to_go", 2_000, 600, 900, 1_000)).ratio(), 1e-12);
    }

    @Test
    void aRatioNextToTheLineIsPrintedSoThatItsSideShows() {
        assertEquals("0.602x misses", new CancelGoal.Judged(0.6017, 0.6, Verdict.MISSES, null).text());
        assertEquals("0.598x meets", new CancelGoal.Judged(0.5983, 0.6, Verdict.MEETS, null).text());
        assertEquals("0.60x meets", new CancelGoal.Judged(0.6, 0.6, Verdict.MEETS, null).text());
        assertEquals("0.57x meets", new CancelGoal.Judged(0.5712, 0.6, Verdict.MEETS, null).text());
    }

    @Test
    void theP99LineIsTheRoundTripsOwnP99NotItsMedian() {
        // cancel p99 1500 us, round trip p50 1000 us and p99 2000 us: 0.75x its p99 (and 1.5x its median).
        CancelGoal.Judged j = CancelGoal.p99(direction("go_to_java", 2_000, 400, 1_500, 2_000));
        assertEquals(0.75, j.ratio(), 1e-12);
        assertEquals(Verdict.MEETS, j.verdict());
        assertEquals(Verdict.MISSES, CancelGoal.p99(direction("go_to_java", 2_000, 400, 2_001, 2_000)).verdict());
    }

    @Test
    void aP99ThatRestsOnFewerThanTwentySamplesBeyondItIsNotJudged() {
        assertEquals(20, sample(2_000, 1, 0, 1).beyond(99));
        assertEquals(19, sample(1_999, 1, 0, 1).beyond(99));
        CancelGoal.Judged few = CancelGoal.p99(direction("java_to_go", 1_999, 400, 500, 2_000));
        assertEquals(Verdict.NOT_JUDGED, few.verdict());
        assertTrue(few.why().contains("19 sample(s) beyond it, 20 needed"), few.why());
        // the p50 line needs no tail
        assertEquals(Verdict.MEETS, CancelGoal.p50(direction("java_to_go", 400, 400, 500, 2_000)).verdict());
    }

    @Test
    void aDirectionWhoseTrialFailedItsAssertionsIsNotJudged() {
        Direction d = direction("go_to_java", 2_000, 100, 200, 2_000).failed("trial 7: Java saw OK, want CANCELLED");
        assertEquals(Verdict.NOT_JUDGED, CancelGoal.p50(d).verdict());
        assertEquals(Verdict.NOT_JUDGED, CancelGoal.p99(d).verdict());
        assertEquals("FAILED", CancelGoal.json(d, false).get("assertions"));
        Direction empty = new Direction("java_to_go");
        assertEquals("no figures", CancelGoal.p50(empty).why());
        assertTrue(Double.isNaN(CancelGoal.p50(empty).ratio()));
    }

    @Test
    void theTablePrintsEveryMeasureBesideTheFloorAndBothGoalLines() {
        String t = CancelGoal.table(List.of(direction("java_to_go", 2_000, 500, 1_500, 2_000),
                direction("go_to_java", 2_000, 700, 2_500, 2_000)), List.of(direction("go_to_java_blocking_iterator", 2_000, 900, 2_500, 2_000)));
        assertTrue(t.lines().anyMatch(l -> l.matches("java_to_go\\s+cancel\\s+2000\\s+20\\s+500\\.0\\s+1500\\.0\\s+1500\\.0")), t);
        assertTrue(t.lines().anyMatch(l -> l.matches("\\s+floor one-way\\s+2000\\s+20\\s+50\\.0\\s+100\\.0\\s+100\\.0")), t);
        // cancel / floor one-way: 500 / 50 at p50, 1500 / 100 at p99; gRPC / floor round trip: 1000 / 100, 2000 / 400
        assertTrue(t.lines().anyMatch(l -> l.matches("java_to_go\\s+cancel / grpc round trip\\s+0\\.50x\\s+0\\.75x")), t);
        assertTrue(t.lines().anyMatch(l -> l.matches("\\s+cancel / floor one-way\\s+10\\.00x\\s+15\\.00x")), t);
        assertTrue(t.lines().anyMatch(l -> l.matches("\\s+grpc round trip / floor round trip\\s+10\\.00x\\s+5\\.00x")), t);
        assertTrue(t.contains("goal p50 (cancel p50 <= 0.6x the gRPC round trip's p50): java_to_go 0.50x meets; go_to_java 0.70x misses"), t);
        assertTrue(t.contains("goal p99 (cancel p99 <= 1.0x the gRPC round trip's p99): java_to_go 0.75x meets; go_to_java 1.25x misses\n"), t);
        // a reference is measured and printed, never judged
        assertTrue(t.lines().anyMatch(l -> l.matches("go_to_java_blocking_iterator\\s+cancel\\s+2000\\s+20\\s+900\\.0.*")), t);
        assertTrue(t.contains("reference, not judged: go_to_java_blocking_iterator, cancel 0.90x the gRPC round trip's p50, 1.25x its p99"), t);
    }

    @Test
    void theJsonKeepsTheAssertionsApartFromTheGoal() {
        Map<String, Object> row = CancelGoal.json(direction("go_to_java", 2_000, 700, 1_500, 2_000), false);
        assertEquals("PASSED", row.get("assertions"));
        assertNull(row.get("problem"));
        assertEquals("misses", ((Map<?, ?>) row.get("goal_p50")).get("verdict"));
        assertEquals("meets", ((Map<?, ?>) row.get("goal_p99")).get("verdict"));
        assertEquals(14.0, (Double) ((Map<?, ?>) row.get("ratios")).get("cancel_over_floor_one_way_p50"), 1e-12);
        assertEquals(20, ((Map<?, ?>) row.get("floor_round_trip")).get("beyond_p99"));
        Map<String, Object> reference = CancelGoal.json(direction("go_to_java_blocking_iterator", 2_000, 900, 1_500, 2_000), true);
        assertEquals(true, reference.get("reference"));
        assertNull(reference.get("goal_p50"));
    }

    @Test
    void theStepsAddUpBesideTheWholeCancel() {
        Direction d = direction("go_to_java", 100, 700, 800, 2_000);
        d.steps().put("go_side", sample(100, 200, 0, 0));
        d.steps().put("wire_and_java", sample(100, 450, 0, 0));
        String s = CancelGoal.steps(List.of(d));
        assertTrue(s.lines().anyMatch(l -> l.matches("\\s+sum of the steps' p50s\\s+650\\.0\\s+\\(the cancel's own p50: 700\\.0\\)")), s);
    }

    @Test
    void percentileRanksAreExactForWholeNumbers() {
        assertEquals(1980, LatencySample.rank(99, 2_000));
        assertEquals(1, LatencySample.rank(50, 1));
        assertEquals(0, LatencySample.rank(99, 0));
        assertEquals(0, new LatencySample().beyond(99));
    }
}
