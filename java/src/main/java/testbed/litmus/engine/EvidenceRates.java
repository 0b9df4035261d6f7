package testbed.litmus.engine;

import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.report.CaseResult;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code make litmus-rates}: how fast the tests whose verdict needs an observation (the
 * broken variants, the guest tests) find it on this machine. Each test runs
 * {@code --repeat} times for exactly {@code --run-ms}, without stopping early, alternating
 * tests so a slow spell of the machine falls on all of them; it prints each run's count
 * and rate, then per test the lowest and median rate and the bound
 * {@code ln(10^6) / (lowest / 2)} that keeps a miss below one in a million runs at half the
 * lowest rate seen (docs/LITMUS.md, "Verdicts that rest on an observation").
 */
public final class EvidenceRates {
    private EvidenceRates() {}

    public static void main(String[] args) throws IOException {
        int repeat = 20;
        long runMs = 1000;
        int stride = Budget.DEFAULT_STRIDE;
        Path report = Path.of("build", "report");
        List<String> names = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--repeat" -> repeat = Integer.parseInt(args[i + 1]);
                case "--run-ms" -> runMs = Long.parseLong(args[i + 1]);
                case "--report" -> report = Path.of(args[i + 1]);
                case "--test" -> names.add(args[i + 1]);
                case "--stride" -> stride = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--repeat N --run-ms MS --report DIR [--stride N] [--test NAME ...])");
            }
        }
        List<LitmusCase> tests = new ArrayList<>();
        for (LitmusCase t : CanonicalSuite.all()) {
            boolean wanted = names.isEmpty() ? !EvidenceGoal.of(t).none() : names.contains(t.name());
            if (wanted) tests.add(t);
        }
        PrintStream out = System.out;
        Map<String, List<double[]>> runs = new LinkedHashMap<>();
        try (LitmusSession litmus = LitmusSession.open(tests, null, System.err)) {
            LitmusRunner runner = litmus.runner();
            // A fresh JVM compiles in the background and the guest engine starts cold: one
            // discarded run of each kind first.
            for (LitmusCase t : tests.stream().filter(t -> !t.hasGuest()).limit(1).toList()) runner.run(t, Budget.of(Duration.ofMillis(250)), EvidenceGoal.NONE);
            for (LitmusCase t : tests.stream().filter(LitmusCase::hasGuest).limit(1).toList()) runner.run(t, Budget.of(Duration.ofMillis(250)), EvidenceGoal.NONE);
            for (int r = 1; r <= repeat; r++) {
                for (LitmusCase t : tests) {
                    CaseResult res = runner.run(t, new Budget(Duration.ofMillis(runMs), stride, Budget.DEFAULT_STALL), EvidenceGoal.NONE);
                    long n = evidence(t, res);
                    double seconds = ((Number) res.metrics().getOrDefault("elapsed_ms", 0.0)).doubleValue() / 1000;
                    double rate = seconds == 0 ? 0 : n / seconds;
                    runs.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(new double[] {n, seconds, rate});
                    out.printf(Locale.ROOT, "run %2d  %-45s %8d in %6.3f s: %10.1f /s  (%s)%n", r, t.name(), n, seconds, rate, res.status().label().trim());
                }
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        out.println();
        out.printf(Locale.ROOT, "%-45s %6s %12s %12s %12s %s%n", "test", "runs", "lowest /s", "median /s", "zero runs", "bound for 1e-6 at half the lowest rate");
        for (Map.Entry<String, List<double[]>> e : runs.entrySet()) {
            double[] rates = e.getValue().stream().mapToDouble(x -> x[2]).sorted().toArray();
            long zero = e.getValue().stream().filter(x -> x[0] == 0).count();
            double lowest = rates[0];
            double median = rates[rates.length / 2];
            double bound = lowest == 0 ? Double.POSITIVE_INFINITY : Math.log(1e6) / (lowest / 2);
            out.printf(Locale.ROOT, "%-45s %6d %12.1f %12.1f %12d %s%n", e.getKey(), rates.length, lowest, median, zero,
                    lowest == 0 ? "none: a run saw nothing" : String.format(Locale.ROOT, "%.2f s", bound));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("test", e.getKey());
            row.put("runs", rates.length);
            row.put("lowest_per_second", lowest);
            row.put("median_per_second", median);
            row.put("runs_with_none", zero);
            row.put("bound_seconds", lowest == 0 ? null : bound);
            row.put("rates_per_second", rates);
            rows.add(row);
        }
        Files.createDirectories(report);
        Files.writeString(report.resolve("litmus-rates.json"), ReportWriter.mapper().writeValueAsString(rows));
        out.println("written: " + report.resolve("litmus-rates.json"));
    }

    /** The samples of evidence a run found: forbidden outcomes for a broken variant, overlap witnesses for a guest test. */
    private static long evidence(LitmusCase t, CaseResult res) {
        String metric = t.selfCheck() ? "forbidden" : "overlap_witnesses";
        return ((Number) res.metrics().getOrDefault(metric, 0L)).longValue();
    }
}
