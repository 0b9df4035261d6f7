package testbed.cancel;

import org.junit.jupiter.api.Test;
import testbed.report.CaseResult;
import testbed.report.Status;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CancelBenchTest {
    private static CaseResult row(String name, double p99, double rttP50) {
        return new CaseResult(name, "", Status.PASSED, "", 1, Map.of("trials", 10, "latency_p50_us", p99 / 2,
                "latency_p99_us", p99, "latency_max_us", p99 * 2, "rtt_p50_us", rttP50, "rtt_p99_us", rttP50 * 3), Map.of());
    }

    @Test
    void theTableSetsP99AgainstTwiceTheRoundTrip() {
        String t = CancelBench.table(List.of(row("java_to_go", 300, 200), row("go_to_java", 500, 200)));
        assertTrue(t.lines().anyMatch(l -> l.startsWith("java_to_go") && l.contains("0.75x") && l.contains("1.50x") && l.endsWith("meets goal")), t);
        assertTrue(t.lines().anyMatch(l -> l.startsWith("go_to_java") && l.contains("2.50x") && l.endsWith("below goal")), t);
    }

    @Test
    void aRowThatHoldsItsAssertionsCanStillBeBelowTheGoal() {
        assertEquals(CancelBench.BELOW, CancelBench.verdict(row("java_to_go", 500, 200)));
        assertEquals(CancelBench.MEETS, CancelBench.verdict(row("java_to_go", 400, 200)));
        assertEquals("no figures", CancelBench.verdict(CaseResult.error("go_to_java", "", "the peer died", 1)));
    }

    @Test
    void aDirectionThatCouldNotRunSaysWhy() {
        String t = CancelBench.table(List.of(CaseResult.error("go_to_java", "", "the peer died", 1)));
        assertTrue(t.lines().anyMatch(l -> l.startsWith("go_to_java") && l.endsWith("ERROR: the peer died")), t);
    }
}
