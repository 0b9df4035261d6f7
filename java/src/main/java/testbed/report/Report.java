package testbed.report;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one result model of a run; report.json is this record, and report.html
 * and junit.xml are rendered from it. The shape is documented in docs/REPORT.md.
 *
 * @param schema   "interop-testbed/report/v1"; bumped on an incompatible change
 * @param startedAt ISO-8601 instant
 * @param finishedAt ISO-8601 instant
 * @param mode     quick, default or tough
 * @param host     the machine and toolchains: arch, os, cpus, jvm, and what the peer said of itself
 * @param suites   every suite that ran
 * @param summary  counts per status name, and "cases"
 */
public record Report(
        String schema,
        String startedAt,
        String finishedAt,
        String mode,
        Map<String, Object> host,
        List<SuiteResult> suites,
        Map<String, Integer> summary) {

    public static final String SCHEMA = "interop-testbed/report/v1";

    public static Report of(String startedAt, String finishedAt, String mode,
                            Map<String, Object> host, List<SuiteResult> suites) {
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) counts.put(s, 0);
        int total = 0;
        for (SuiteResult suite : suites) {
            for (CaseResult c : suite.cases()) {
                counts.merge(c.status(), 1, Integer::sum);
                total++;
            }
        }
        Map<String, Integer> summary = new LinkedHashMap<>();
        summary.put("cases", total);
        counts.forEach((s, n) -> summary.put(s.name().toLowerCase(java.util.Locale.ROOT), n));
        return new Report(SCHEMA, startedAt, finishedAt, mode, new LinkedHashMap<>(host), List.copyOf(suites), summary);
    }

    /** True when no case failed or erred. */
    public boolean passed() {
        return suites.stream().flatMap(s -> s.cases().stream()).noneMatch(c -> c.status().failsRun());
    }
}
