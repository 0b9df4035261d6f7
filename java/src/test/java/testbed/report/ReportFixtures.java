package testbed.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small reports shaped like a real run's (docs/REPORT.md), for the renderers' tests. */
final class ReportFixtures {
    private ReportFixtures() {}

    static CaseResult litmus(String name, String test, String shape, String rung, String pairing, String verdict,
                             Status status, long samples, long interesting, long forbidden) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("samples", samples);
        metrics.put("interesting", interesting);
        metrics.put("forbidden", forbidden);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("verdict", verdict);
        details.put("shape", shape);
        details.put("rung", rung);
        details.put("pairing", pairing);
        List<Map<String, Object>> actors = new ArrayList<>();
        for (String r : pairing.split("-")) actors.add(Map.of("actor", "P" + actors.size(), "runtime", runtime(r)));
        details.put("actors", actors);
        details.put("file", "/checkout/litmus/canonical/" + shape.toLowerCase() + "/" + rung + ".litmus");
        details.put("test", test);
        details.put("histogram", List.of(Map.of("outcome", "0, 0", "count", interesting, "expectation", "INTERESTING"),
                Map.of("outcome", "1, 1", "count", samples - interesting, "expectation", "ACCEPTABLE")));
        return new CaseResult(name, "litmus " + test + " " + pairing, status, verdict + " in " + samples + " samples", 10, metrics, details);
    }

    private static String runtime(String letter) {
        return switch (letter) {
            case "J" -> "java";
            case "C" -> "c";
            case "G" -> "go";
            case "V" -> "js_view";
            default -> "unknown";
        };
    }

    static SuiteResult litmusSuite() {
        return new SuiteResult("litmus", "litmus tests", List.of(
                litmus("sb_jc_relaxed", "SB+relaxed", "SB", "relaxed", "J-C", "interesting_observed", Status.PASSED, 1_000_000, 4_200, 0),
                litmus("sb_cc_relaxed", "SB+relaxed", "SB", "relaxed", "C-C", "allowed_not_seen", Status.PASSED, 1_000_000, 0, 0),
                litmus("sb_jc_sc", "SB+sc", "SB", "sc", "J-C", "ok", Status.PASSED, 1_000_000, 0, 0),
                litmus("mp_jv_sc", "MP+sc", "MP", "sc", "J-V", "ok", Status.PASSED, 20_000, 0, 0),
                litmus("iriw_jjjj_relaxed", "IRIW+relaxed", "IRIW", "relaxed", "J-J-J-J", "allowed_not_seen", Status.PASSED, 50_000, 0, 0),
                // A broken variant of the test and pairing of sb_jc_sc: a row of its own, not a clash.
                litmus("selfcheck_sb_jc_sc_declared_one_acq_rel", "SB+sc", "SB", "sc", "J-C", "forbidden_observed",
                        Status.EXPECTED_FAILURE, 100_000, 0, 7),
                litmus("lb_jc_relaxed", "LB+relaxed", "LB", "relaxed", "J-C", "forbidden_observed", Status.FAILED, 1_000_000, 0, 3),
                // An erred case knows nothing of its shape or pairing.
                CaseResult.error("wrc_jcg_sc", "WRC", "JVM wrc@c2 exited with code 134 (signal 6) before reporting", 5)));
    }

    static Map<String, Object> latencyRow(String measure, int trials, double... us) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("measure", measure);
        r.put("trials", trials);
        r.put("p50_us", us[0]);
        r.put("p99_us", us[1]);
        r.put("max_us", us[2]);
        if (us.length > 3) {
            r.put("min_us", us[3]);
            r.put("p25_us", us[4]);
            r.put("p75_us", us[5]);
        }
        return r;
    }

    static SuiteResult cancellationSuite() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("latency_p50_us", 430.0);
        m.put("rtt_p50_us", 700.0);
        return new SuiteResult("cancellation", "cancellation", List.of(
                new CaseResult("java_client_cancel_bidi_goroutines", "Java cancels a bidi stream", Status.PASSED, "ok", 100, m,
                        Map.of("latency", List.of(latencyRow("cancel_to_last_stop", 10, 430, 3400, 3400, 200, 300, 900),
                                latencyRow("loopback_unary_rtt", 50, 700, 10000, 10000, 300, 500, 1200)))),
                new CaseResult("cancel_before_start", "cancel before start", Status.PASSED, "ok", 10, Map.of("rtt_p50_us", 800.0),
                        Map.of("latency", List.of(latencyRow("java_cancel_to_java_status", 2, 170, 2000, 2000),
                                latencyRow("loopback_unary_rtt", 10, 800, 6700, 6700))))));
    }

    static SuiteResult scopesSuite() {
        List<Map<String, Object>> clean = List.of(Map.of("runtime", "go", "leftover", 0), Map.of("runtime", "java", "leftover", 0),
                Map.of("runtime", "c", "leftover", 0));
        List<Map<String, Object>> leak = List.of(Map.of("runtime", "go", "leftover", 5), Map.of("runtime", "java", "leftover", 0),
                Map.of("runtime", "c", "leftover", "n/a"));
        return new SuiteResult("scopes", "scopes", List.of(
                new CaseResult("all_succeed", "all succeed", Status.PASSED, "ok", 10, Map.of("outlive_max_us", 0.0), Map.of("leftovers", clean)),
                new CaseResult("go_handler_leaks_goroutine", "broken", Status.EXPECTED_FAILURE, "caught: leak", 10,
                        Map.of("outlive_max_us", 1_001_094.5), Map.of("leftovers", leak))));
    }

    static SuiteResult countersSuite() {
        return new SuiteResult("counters", "counters", List.of(
                new CaseResult("padded_slots_all_runtimes", "padded", Status.PASSED, "exact", 10, Map.of("lost_updates", 0L),
                        Map.of("contributions", List.of(Map.of("runtime", "java", "actors", 2, "increments", 2_000_017L),
                                Map.of("runtime", "go", "actors", 2, "increments", 2_000_136L)))),
                new CaseResult("js_atomics_view", "guest", Status.EXPECTED_FAILURE, "known hazard", 10, Map.of("lost_updates", 1_278_943L),
                        Map.of("contributions", List.of(Map.of("runtime", "js_atomics_view", "actors", 1, "increments", 50_000L),
                                Map.of("runtime", "java", "actors", 1, "increments", 21_188_608L))))));
    }

    /** A suite no view knows: the report must still show it, one cell per case. */
    static SuiteResult unknownSuite() {
        return new SuiteResult("audit", "a suite added later", List.of(
                new CaseResult("audit_ok", "fine <b>", Status.PASSED, "ok & fine", 1, Map.of(), Map.of()),
                new CaseResult("audit_skipped", "not here", Status.SKIPPED, "no tool", 0, Map.of(), Map.of())));
    }

    static Report full() {
        return Report.of("2026-01-01T00:00:00Z", "2026-01-01T00:02:03Z", "quick", Map.of("arch", "amd64", "cpus", 2),
                List.of(countersSuite(), cancellationSuite(), scopesSuite(), unknownSuite(), litmusSuite()));
    }
}
