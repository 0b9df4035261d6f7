package testbed.litmus.engine;

import testbed.litmus.LitmusCase;
import testbed.report.CaseResult;
import testbed.report.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case from a test's runs in several JIT modes, each in its own JVM: the histograms are
 * added up outcome by outcome and the verdict is judged on that union
 * ({@link HistogramVerdict}), so an outcome the model forbids fails the case whichever mode
 * showed it, and the message names the modes that did. Each mode's own histogram, its JVM's
 * checked flags and its figures stay in the details (docs/REPORT.md, "litmus").
 */
final class ModeUnion {
    private ModeUnion() {}

    /** One run of a test: the JIT mode of the JVM it ran in, and the case that JVM reported. */
    record Run(JitMode jvm, CaseResult result) {
        boolean measured() {
            return result.status() != Status.ERROR && result.details().get("histogram") instanceof List<?>;
        }
    }

    /** The case of {@code t} over {@code runs} (in the order they ran), judged on the union of their histograms. */
    static CaseResult of(LitmusCase t, List<Run> runs) {
        if (runs.isEmpty()) throw new IllegalArgumentException(t.name() + ": no run to judge");
        boolean jit = JitPlan.applies(t);
        List<Run> measured = runs.stream().filter(Run::measured).toList();
        List<String> errors = new ArrayList<>();
        for (Run r : runs) if (!r.measured()) errors.add(jit ? r.jvm().label() + ": " + r.result().message() : r.result().message());
        double duration = runs.stream().mapToDouble(r -> r.result().durationMs()).sum();
        String title = runs.get(0).result().title();

        Map<String, Object> details = new LinkedHashMap<>();
        if (measured.isEmpty()) {
            putJvmMode(details, t, runs);
            details.put("runs_by_jvm_mode", runRows(runs));
            return new CaseResult(t.name(), title, Status.ERROR, String.join("; ", errors), duration, Map.of(), details);
        }

        Map<List<Long>, Long> counts = new LinkedHashMap<>();
        Map<List<Long>, Map<String, Long>> byMode = new LinkedHashMap<>();
        Map<String, Object> histogramByMode = new LinkedHashMap<>();
        long samples = 0, rounds = 0, evidenceNs = 0;
        double elapsedMs = 0, leadNs = 0;
        EvidenceGoal goal = EvidenceGoal.of(t);
        List<String> evidenceByMode = new ArrayList<>();
        for (Run r : measured) {
            Map<String, Object> m = r.result().metrics();
            samples += number(m, "samples");
            rounds += number(m, "rounds");
            elapsedMs += decimal(m, "elapsed_ms");
            evidenceNs += (long) (decimal(m, "evidence_ms") * 1e6);
            leadNs = Math.max(leadNs, decimal(m, "start_lead_ns"));
            if (!goal.none()) {
                long seen = number(m, "evidence_seen");
                evidenceByMode.add(r.jvm().label() + ": " + goal.progress(seen, (long) (decimal(m, "evidence_ms") * 1e6),
                        (long) (decimal(m, "elapsed_ms") * 1e6)));
            }
            List<Map<String, Object>> modeRows = new ArrayList<>();
            for (Map<?, ?> row : rows(r.result().details().get("histogram"))) {
                List<Long> outcome = outcome(String.valueOf(row.get("outcome")));
                long n = ((Number) row.get("count")).longValue();
                counts.merge(outcome, n, Long::sum);
                byMode.computeIfAbsent(outcome, k -> new LinkedHashMap<>()).merge(r.jvm().label(), n, Long::sum);
                Map<String, Object> slim = new LinkedHashMap<>();
                for (String k : List.of("outcome", "state", "count", "frequency", "expectation")) slim.put(k, row.get(k));
                modeRows.add(slim);
            }
            histogramByMode.put(r.jvm().label(), modeRows);
        }
        counts.values().removeIf(n -> n == 0);
        long elapsedNs = (long) (elapsedMs * 1e6);
        boolean reached = !goal.none() && goal.count(t, t.source().serialOutcomes(), counts) >= goal.target();
        HistogramVerdict.Judged judged = HistogramVerdict.judge(t,
                new HistogramVerdict.Observed(counts, jit ? byMode : Map.of(), samples, elapsedNs, reached ? evidenceNs : -1,
                        jit && measured.size() > 1 ? String.join("; ", evidenceByMode) : null), goal);

        Status status = judged.status();
        String message = judged.message();
        if (!errors.isEmpty()) {
            // A forbidden outcome is the finding even when another mode erred; anything else
            // rests on fewer modes than planned, which the run must not pass as green.
            if (status == Status.FAILED && !t.selfCheck()) {
                message += "; erred in " + String.join("; ", errors);
            } else {
                status = Status.ERROR;
                message = String.join("; ", errors) + "; in the other modes: " + message;
            }
        }

        Map<String, Object> metrics = new LinkedHashMap<>(judged.metrics());
        Map<String, Object> first = measured.get(0).result().metrics();
        metrics.put("rounds", rounds);
        if (first.containsKey("stride")) metrics.put("stride", first.get("stride"));
        metrics.put("start_lead_ns", leadNs);
        metrics.put("elapsed_ms", elapsedMs);
        if (first.containsKey("guest_compilations")) metrics.put("guest_compilations", first.get("guest_compilations"));

        for (Map.Entry<String, Object> e : measured.get(0).result().details().entrySet()) {
            switch (e.getKey()) {
                case "jvm_mode", "jvm_verified" -> { }
                case "verdict" -> details.put("verdict", judged.verdict());
                case "observation_expected_here" -> {
                    details.put(e.getKey(), e.getValue());
                    putJvmMode(details, t, runs);
                }
                case "histogram" -> {
                    details.put("histogram", judged.histogram());
                    if (jit) details.put("histogram_by_jvm_mode", histogramByMode);
                }
                case "observation" -> details.put("observation", Outcomes.observation(t, counts));
                case "actor_runs" -> {
                    details.put("actor_runs", actorRows(measured));
                    details.put("runs_by_jvm_mode", runRows(runs));
                }
                default -> details.put(e.getKey(), e.getValue());
            }
        }
        return new CaseResult(t.name(), title, status, message, duration, metrics, details);
    }

    /** {@code jvm_mode}: the modes the test ran in, or why it ran once; {@code jvm_mode_note} says which JVM then. */
    private static void putJvmMode(Map<String, Object> details, LitmusCase t, List<Run> runs) {
        if (JitPlan.applies(t)) {
            details.put("jvm_mode", String.join(", ", runs.stream().map(r -> r.jvm().label()).toList()));
        } else {
            details.put("jvm_mode", t.hasGuest() ? JitMode.JVM_DEFAULT.label() : "not_applicable");
            details.put("jvm_mode_note", JitPlan.whyOnce(t) + " (in a " + runs.get(0).jvm().label() + " JVM)");
        }
    }

    private static List<Map<String, Object>> runRows(List<Run> runs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> row = new LinkedHashMap<>();
            Map<String, Object> m = r.result().metrics();
            row.put("jvm_mode", r.jvm().label());
            row.put("status", r.result().status().name());
            row.put("samples", number(m, "samples"));
            row.put("samples_per_second", decimal(m, "samples_per_second"));
            row.put("forbidden", number(m, "forbidden"));
            row.put("interesting", number(m, "interesting"));
            row.put("elapsed_ms", decimal(m, "elapsed_ms"));
            // The run's wall time: its actors' start (a Java kernel's rehearsal) and end besides elapsed_ms.
            row.put("duration_ms", r.result().durationMs());
            row.put("start_lead_ns", number(m, "start_lead_ns"));
            row.put("jvm_verified", String.valueOf(r.result().details().getOrDefault("jvm_verified", "")));
            row.put("message", r.result().message());
            out.add(row);
        }
        return out;
    }

    private static List<Map<String, Object>> actorRows(List<Run> runs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Run r : runs) {
            for (Map<?, ?> row : rows(r.result().details().get("actor_runs"))) {
                Map<String, Object> withMode = new LinkedHashMap<>();
                withMode.put("jvm_mode", r.jvm().label());
                row.forEach((k, v) -> withMode.put(String.valueOf(k), v));
                out.add(withMode);
            }
        }
        return out;
    }

    /** The values of an outcome key: "1, 0" is [1, 0] (OutcomeSpec.format, read back). */
    static List<Long> outcome(String key) {
        List<Long> v = new ArrayList<>();
        for (String part : key.split(",")) v.add(Long.parseLong(part.strip()));
        return List.copyOf(v);
    }

    private static List<Map<?, ?>> rows(Object value) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (value instanceof List<?> list) for (Object o : list) if (o instanceof Map<?, ?> m) out.add(m);
        return out;
    }

    private static long number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    private static double decimal(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : 0;
    }
}
