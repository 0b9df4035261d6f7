package testbed.cancel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class LatencySampleTest {
    @Test
    void aRowCarriesTheQuantilesOfABoxPlot() {
        LatencySample s = new LatencySample();
        for (long us = 100; us >= 1; us--) s.add(us * 1000); // 1..100 us, added out of order
        Map<String, Object> row = s.row("cancel_to_last_stop");
        assertEquals(100, row.get("trials"));
        assertEquals(1.0, row.get("min_us"));
        assertEquals(25.0, row.get("p25_us"));
        assertEquals(50.0, row.get("p50_us"));
        assertEquals(75.0, row.get("p75_us"));
        assertEquals(99.0, row.get("p99_us"));
        assertEquals(100.0, row.get("max_us"));
    }

    @Test
    void oneTrialIsEveryQuantile() {
        LatencySample s = new LatencySample();
        s.add(7_000);
        Map<String, Object> row = s.row("m");
        for (String k : new String[] {"min_us", "p25_us", "p50_us", "p75_us", "p99_us", "max_us"}) assertEquals(7.0, row.get(k), k);
    }
}
