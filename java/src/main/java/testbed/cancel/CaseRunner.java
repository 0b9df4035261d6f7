package testbed.cancel;

import testbed.Mode;
import testbed.harness.CaseSpec;
import testbed.harness.CaseTrials;
import testbed.harness.Verdict;
import testbed.report.CaseResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs the trials of one cancellation case and turns what they saw into its report entry:
 * the runner, not the case, owns the measuring. Beside every trial it samples the loopback
 * unary round trip; it gathers each trial's durations by measure, counts what each side saw,
 * and judges the case with {@link Verdict#of}.
 */
final class CaseRunner {
    /** Unary round trips before the first case, and beside each trial of every case. */
    static final int WARM_UP_ECHOES = 300;
    static final int ECHOES_PER_TRIAL = 5;
    /** A case whose trials may not reach the Go handler runs at most this many times its trials. */
    static final int ATTEMPTS_PER_TRIAL = 3;

    /** One trial of a case, on a call id no other trial uses. */
    @FunctionalInterface
    interface TrialBody {
        Trial run(String callId);
    }

    private final CancelCalls calls;
    private final PrintStream progress;
    private final String nonce = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    CaseRunner(CancelCalls calls, PrintStream progress) {
        this.calls = calls;
        this.progress = progress;
    }

    /** A call id no other trial of this runner's session uses. */
    String callId(String name, int i) {
        return name + "-" + nonce + "-" + i;
    }

    /**
     * Cold, a unary round trip is several times slower than warm: warms the channel and both
     * JITs, so that the round trip sampled beside each case's trials ({@link #run}) is the
     * warm one.
     */
    void warmUp() {
        LatencySample warm = new LatencySample();
        for (int i = 0; i < WARM_UP_ECHOES; i++) warm.add(calls.echoNanos());
        progress.printf(Locale.ROOT, "  cancellation: %d warm-up round trips, the last 50 p50 %.1f us%n",
                WARM_UP_ECHOES, warm.tailPercentile(50, 50) / 1e3);
    }

    /**
     * Runs the trials {@code spec} plans in {@code mode}; never throws: a fault becomes an ERROR
     * case. Trials that did not exercise the case ({@link Trial#exercised}) are counted apart and
     * replaced, up to {@value #ATTEMPTS_PER_TRIAL} attempts per trial; a case that could not
     * gather its trials fails as "not exercised". The case stops at its first trial that found
     * a problem ({@link CaseTrials}: "failed at trial K of N; M not run"), and is judged by its
     * expectation ({@link Verdict#of}).
     */
    CaseResult run(CaseSpec spec, Mode mode, TrialBody body) {
        int trials = spec.trialsIn(mode);
        progress.printf(Locale.ROOT, "  cancellation/%s: %d trial(s)%n", spec.name(), trials);
        long t0 = System.nanoTime();
        Measures m = new Measures();
        CaseTrials run = new CaseTrials(trials);
        int exercised = 0;
        int attempts = 0;
        calls.resetWaits();
        try {
            while (run.more() && attempts < trials * ATTEMPTS_PER_TRIAL) {
                int i = attempts++;
                for (int e = 0; e < ECHOES_PER_TRIAL; e++) m.rtt.add(calls.echoNanos());
                Trial t = body.run(callId(spec.name(), i));
                m.add(t);
                if (t.exercised()) exercised++;
                run.record(t.exercised(), t.problem() == null ? List.of() : List.of(t.problem()));
            }
        } catch (RuntimeException e) {
            return CaseResult.error(spec.name(), spec.title(), e.getMessage() == null ? e.toString() : e.getMessage(), ms(t0));
        }
        String problem = run.headline();
        if (problem == null && exercised < trials) {
            problem = String.format(Locale.ROOT, "not exercised: only %d of %d trial(s) reached the Go handler in %d attempts",
                    exercised, trials, attempts);
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("trials", exercised);
        metrics.put("trials_not_exercised", attempts - exercised);
        run.putMetrics(metrics);
        String figures = m.figures(metrics, calls.maxWaitNs())
                + (attempts > exercised ? "; " + (attempts - exercised) + " attempt(s) never reached the Go handler" : "");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("observed", m.observed());
        details.put("latency", m.rows());
        return Verdict.of(spec.expectation(), problem, m.summary() + "; " + figures).result(spec, ms(t0), metrics, details);
    }

    /** What a case's trials measured: durations by measure, the round trips beside them, and what each side saw. */
    private static final class Measures {
        final Map<String, LatencySample> byMeasure = new LinkedHashMap<>();
        final LatencySample rtt = new LatencySample();
        /** "side\0saw" to the number of trials that saw it, in the order first seen. */
        final Map<String, Integer> seen = new LinkedHashMap<>();
        int leaked;

        void add(Trial t) {
            seen.merge("java\u0000" + t.javaSaw(), 1, Integer::sum);
            seen.merge("go\u0000" + t.goSaw(), 1, Integer::sum);
            LatencySample s = byMeasure.computeIfAbsent(t.measure(), k -> new LatencySample());
            long[] many = t.latenciesNs();
            if (many != null) {
                for (long ns : many) s.add(ns);
            } else if (t.latencyNs() != Trial.NONE) {
                s.add(t.latencyNs());
            }
            t.others().forEach((k, ns) -> {
                LatencySample o = byMeasure.computeIfAbsent(k, x -> new LatencySample());
                for (long n : ns) o.add(n);
            });
            leaked = Math.max(leaked, t.leakedGoroutines());
        }

        /** Puts every measure's percentiles, the round trip's and the leak count into {@code metrics}; returns them in words. */
        String figures(Map<String, Object> metrics, long maxWaitNs) {
            List<String> parts = new ArrayList<>();
            byMeasure.forEach((measure, sample) -> {
                if (sample.count() == 0) return;
                String prefix = prefix(measure);
                metrics.put(prefix + "_p50_us", sample.percentile(50) / 1e3);
                metrics.put(prefix + "_p99_us", sample.percentile(99) / 1e3);
                metrics.put(prefix + "_max_us", sample.max() / 1e3);
                parts.add(String.format(Locale.ROOT, "%s p50 %.1f us, p99 %.1f us, max %.1f us over %d",
                        prefix, sample.percentile(50) / 1e3, sample.percentile(99) / 1e3, sample.max() / 1e3, sample.count()));
            });
            metrics.put("rtt_p50_us", rtt.percentile(50) / 1e3);
            metrics.put("rtt_p99_us", rtt.percentile(99) / 1e3);
            metrics.put("leaked_goroutines", leaked);
            metrics.put("bound_wait_max_ms", maxWaitNs / 1e6);
            return (parts.isEmpty() ? "no duration measured" : String.join("; ", parts))
                    + String.format(Locale.ROOT, " (rtt p50 %.1f us)", rtt.percentile(50) / 1e3);
        }

        /** The report's latency table: one row per measure that has samples, then the round trip. */
        List<Map<String, Object>> rows() {
            List<Map<String, Object>> rows = new ArrayList<>();
            byMeasure.forEach((measure, sample) -> {
                if (sample.count() > 0) rows.add(sample.row(measure));
            });
            rows.add(rtt.row("loopback_unary_rtt"));
            return rows;
        }

        /** The report's observed table: one row per side and what it saw, with its count. */
        List<Map<String, Object>> observed() {
            List<Map<String, Object>> observed = new ArrayList<>();
            seen.forEach((k, count) -> {
                String[] parts = k.split("\u0000", 2);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("side", parts[0]);
                row.put("saw", parts[1]);
                row.put("count", count);
                observed.add(row);
            });
            return observed;
        }

        /** "java saw X xN, go saw Y xM": the observed table in words. */
        String summary() {
            List<String> parts = new ArrayList<>();
            for (Map<String, Object> r : observed()) parts.add(r.get("side") + " saw " + r.get("saw") + " x" + r.get("count"));
            return String.join(", ", parts);
        }

        private static String prefix(String measure) {
            return measure.equals(Trial.CANCEL_TO_LAST_STOP) ? "latency" : measure;
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
