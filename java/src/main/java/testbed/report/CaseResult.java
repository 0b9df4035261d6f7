package testbed.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One case of one suite, as it appears in report.json.
 *
 * @param name      stable snake_case name, unique within its suite
 * @param title     one sentence a person can read
 * @param status    the verdict
 * @param message   why: the figure or the fault behind the verdict, one line
 * @param durationMs wall time of the case
 * @param metrics   flat numbers (counts, nanoseconds) for tables and trends
 * @param details   suite-specific structure (per-runtime rows, histograms)
 */
public record CaseResult(
        String name,
        String title,
        Status status,
        String message,
        double durationMs,
        Map<String, Object> metrics,
        Map<String, Object> details) {

    public CaseResult {
        Objects.requireNonNull(name, "a case has no name");
        Objects.requireNonNull(status, "a case has no status");
        title = title == null ? "" : title;
        message = message == null ? "" : message;
        metrics = metrics == null ? Map.of() : new LinkedHashMap<>(metrics);
        details = details == null ? Map.of() : new LinkedHashMap<>(details);
    }

    /** A case that could not be carried out, with the reason. */
    public static CaseResult error(String name, String title, String reason, double durationMs) {
        return new CaseResult(name, title, Status.ERROR, reason, durationMs, Map.of(), Map.of());
    }
}
