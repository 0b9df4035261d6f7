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

    /** The nearest-rank {@code p}-th percentile (0 &lt; p &le; 100) in nanoseconds; 0 when empty. */
    long percentile(double p) {
        if (nanos.isEmpty()) return 0;
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
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

    /** One report row: the measure's name, trials, and p50, p99 and max in microseconds. */
    Map<String, Object> row(String measure) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("measure", measure);
        r.put("trials", count());
        r.put("p50_us", percentile(50) / 1e3);
        r.put("p99_us", percentile(99) / 1e3);
        r.put("max_us", max() / 1e3);
        return r;
    }
}
