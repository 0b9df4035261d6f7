package testbed.litmus.engine;

import testbed.litmus.ArchModel;
import testbed.litmus.OutcomeExpectation;
import testbed.litmus.LitmusCase;
import testbed.litmus.OutcomeSpec;
import testbed.harness.Expectation;
import testbed.harness.Verdict;
import testbed.report.Status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A test's verdict over what it observed, in one place for both of its uses: one run's
 * histogram (the forked group judges each run as it ends) and the union of a test's runs in
 * several JIT modes (the suite judges the case on it). An outcome the model forbids fails the
 * case whichever mode showed it, and the message names the modes that did.
 */
final class HistogramVerdict {
    private HistogramVerdict() {}

    /** How a forbidden outcome is reported: the problem that fails a test, and catches its broken variant. */
    private static final String FORBIDDEN = "forbidden observed: ";

    /**
     * What catches a broken variant (a self-check, whose kernel is built weaker than declared):
     * an outcome its model forbids. Interesting outcomes alone do not: they are allowed.
     */
    static final Expectation FORBIDDEN_OBSERVED = Expectation.caughtWhen("a forbidden outcome observed",
            p -> p.startsWith(FORBIDDEN));

    /**
     * What a test observed.
     *
     * @param counts     outcome to samples
     * @param byMode     outcome to JIT mode label to samples, for the union of runs in JIT modes;
     *                   empty for one run (nothing to tell apart)
     * @param samples    samples in all
     * @param elapsedNs  time the actors ran, over all runs
     * @param evidenceNs time to the evidence goal's target (summed over runs), or -1 if not reached
     * @param evidenceByMode how each JIT mode fared toward the goal ("c1: target 5 reached in 5 ms; ..."),
     *                   for runs in several modes; null for one run
     */
    record Observed(Map<List<Long>, Long> counts, Map<List<Long>, Map<String, Long>> byMode, long samples, long elapsedNs,
                    long evidenceNs, String evidenceByMode) {
        Observed {
            counts = new LinkedHashMap<>(counts);
            byMode = new LinkedHashMap<>(byMode);
        }
    }

    /**
     * @param verdict   {@code forbidden_observed}, {@code interesting_observed}, {@code allowed_not_seen},
     *                  {@code no_overlap} or {@code ok}
     * @param histogram the report's rows: every outcome the test names, and every other one seen
     * @param metrics   the counts and rates the verdict rests on, in the report's order
     */
    record Judged(String verdict, Status status, String message, List<Map<String, Object>> histogram, Map<String, Object> metrics) {
    }

    static Judged judge(LitmusCase t, Observed o, EvidenceGoal goal) {
        Map<List<Long>, Long> observed = o.counts();
        long samples = o.samples();
        List<Map<String, Object>> rows = new ArrayList<>();
        long forbidden = 0, interesting = 0;
        List<String> forbiddenSeen = new ArrayList<>();
        List<OutcomeSpec> listed = new ArrayList<>(t.outcomes());
        for (List<Long> v : observed.keySet()) if (t.outcomes().stream().noneMatch(s -> s.values().equals(v))) listed.add(t.classify(v));
        for (OutcomeSpec s : listed) {
            long count = observed.getOrDefault(s.values(), 0L);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("outcome", s.key());
            row.put("state", t.source().judgement().label(s.values()));
            row.put("count", count);
            row.put("frequency", samples == 0 ? 0.0 : (double) count / samples);
            row.put("expectation", s.expectation().name());
            row.put("description", s.description());
            if (!o.byMode().isEmpty()) row.put("seen_in", seenIn(o.byMode().get(s.values())));
            rows.add(row);
            if (count > 0 && s.expectation() == OutcomeExpectation.FORBIDDEN) {
                forbidden += count;
                String modes = o.byMode().isEmpty() ? "" : " [" + seenIn(o.byMode().get(s.values())) + "]";
                forbiddenSeen.add(String.format(Locale.ROOT, "(%s) %,d times%s", s.key(), count, modes));
            }
            if (s.expectation() == OutcomeExpectation.INTERESTING) interesting += count;
        }
        double seconds = o.elapsedNs() / 1e9;
        String verdict;
        if (forbidden > 0) verdict = "forbidden_observed";
        else if (interesting > 0) verdict = "interesting_observed";
        else if (t.hasInteresting()) verdict = "allowed_not_seen";
        else verdict = "ok";

        String rate = String.format(Locale.ROOT, "%,d samples at %.1f M/s", samples, samples / seconds / 1e6);
        // A test with a guest actor must show that its actors overlapped (docs/GUEST.md): the
        // guest visits a round's instances far more slowly than its partner, so without a
        // witness "nothing forbidden seen" would say nothing. Forbidden outcomes still fail.
        Set<List<Long>> serial = t.source().serialOutcomes();
        long overlap = Outcomes.overlapWitnesses(serial, observed);
        boolean needsWitness = t.hasGuest() && !t.selfCheck();
        if (needsWitness && overlap == 0 && forbidden == 0) verdict = "no_overlap";
        // Said after every message but a not-caught variant's: whether the actors overlapped, and the evidence.
        String overlapAndEvidence = needsWitness && !verdict.equals("no_overlap")
                ? String.format(Locale.ROOT, "; overlap witnessed %,d times", overlap) : "";
        long evidence = goal.count(t, serial, observed);
        if (!goal.none()) {
            overlapAndEvidence += "; evidence: " + (o.evidenceByMode() == null ? goal.describe(evidence, o.evidenceNs(), o.elapsedNs())
                    : o.evidenceByMode() + " (bound " + goal.bound().toSeconds() + " s in each)");
        }
        Status status;
        String message;
        if (verdict.equals("no_overlap")) {
            status = Status.SKIPPED;
            message = "inconclusive: no outcome showed the actors overlapping (only serial outcomes), so the test shows nothing; " + rate + overlapAndEvidence;
        } else {
            String problem = forbidden > 0 ? FORBIDDEN + String.join(", ", forbiddenSeen) + " in " + rate + overlapAndEvidence : null;
            String figures = t.selfCheck() ? "no forbidden outcome in " + rate : switch (verdict) {
                case "interesting_observed" -> String.format(Locale.ROOT, "interesting observed: %,d (%.4f%%) in %s",
                        interesting, 100.0 * interesting / samples, rate) + overlapAndEvidence;
                case "allowed_not_seen" -> "relaxed outcome allowed, not seen here (on " + ArchModel.arch() + ": "
                        + ArchModel.expect(t, ArchModel.arch()).name().toLowerCase(Locale.ROOT).replace('_', ' ') + "); " + rate + overlapAndEvidence;
                default -> "nothing forbidden seen; " + rate + overlapAndEvidence;
            };
            Verdict v = Verdict.of(t.selfCheck() ? FORBIDDEN_OBSERVED : Expectation.HOLDS, problem, figures);
            status = v.status();
            message = v.message();
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("samples", samples);
        metrics.put("samples_per_second", samples / seconds);
        metrics.put("interesting", interesting);
        metrics.put("interesting_per_second", interesting / seconds);
        metrics.put("forbidden", forbidden);
        metrics.put("overlap_witnesses", overlap);
        metrics.put("overlap_per_second", overlap / seconds);
        if (!goal.none()) {
            metrics.put("evidence_target", goal.target());
            metrics.put("evidence_seen", evidence);
            metrics.put("evidence_ms", (o.evidenceNs() < 0 ? o.elapsedNs() : o.evidenceNs()) / 1e6);
            metrics.put("evidence_bound_ms", goal.bound().toMillis());
        }
        return new Judged(verdict, status, message, rows, metrics);
    }

    /** "c1: 5, c2_stress_77: 12": the modes that saw an outcome, with their counts; "" if none did. */
    static String seenIn(Map<String, Long> byMode) {
        if (byMode == null) return "";
        List<String> parts = new ArrayList<>();
        byMode.forEach((mode, n) -> {
            if (n > 0) parts.add(String.format(Locale.ROOT, "%s: %,d", mode, n));
        });
        return String.join(", ", parts);
    }
}
