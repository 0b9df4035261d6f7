package testbed.cancel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nanosecond durations measured over repeated trials, summarised by nearest-rank
 * percentiles. Not thread-safe: one case fills one sample.
 */
final class LatencySample {
    private final List<Long> nanos = new ArrayList<>();

    void add(long ns) {
        nanos.add(ns);
    }

    int count() {
        return nanos.size();
    }

    /** The nearest-rank {@code p}-th percentile (0 &le; p &le; 100; 0 is the smallest) in nanoseconds; 0 when empty. */
    long percentile(double p) {
        if (nanos.isEmpty()) return 0;
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.max(0, rank(p, sorted.length) - 1)];
    }

    /**
     * How many durations lie beyond the nearest-rank {@code p}-th percentile: what a tail
     * percentile rests on (p99 of 2,000 durations rests on 20, of 100 on 1).
     */
    int beyond(double p) {
        return nanos.size() - rank(p, nanos.size());
    }

    /** The 1-based nearest rank of the {@code p}-th percentile of {@code n}: ceil(p n / 100), within 1..n. */
    static int rank(double p, int n) {
        // p * n before the division: 99 * 2000 / 100 is 1980 exactly, where 0.99 * 2000 need not be.
        return Math.max(Math.min(n, 1), Math.min(n, (int) Math.ceil(p * n / 100.0)));
    }

    /** The nearest-rank {@code p}-th percentile of the last {@code n} durations added. */
    long tailPercentile(int n, double p) {
        LatencySample tail = new LatencySample();
        tail.nanos.addAll(nanos.subList(Math.max(0, nanos.size() - n), nanos.size()));
        return tail.percentile(p);
    }

    long max() {
        return percentile(100);
    }

    /**
     * One report row: the measure's name, trials, and p50, p99 and max in microseconds, then
     * min, p25 and p75, which the report's box plot draws (docs/REPORT.md).
     */
    Map<String, Object> row(String measure) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("measure", measure);
        r.put("trials", count());
        r.put("p50_us", percentile(50) / 1e3);
        r.put("p99_us", percentile(99) / 1e3);
        r.put("max_us", max() / 1e3);
        r.put("min_us", percentile(0) / 1e3);
        r.put("p25_us", percentile(25) / 1e3);
        r.put("p75_us", percentile(75) / 1e3);
        return r;
    }
}
