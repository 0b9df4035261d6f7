package testbed.cancel;

import testbed.Mode;
import testbed.harness.Session;
import testbed.report.CaseResult;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code make bench-cancel}: cancel propagation latency, Java to Go and Go to Java, set
 * beside the loopback unary round trip measured in the same run (5 round trips before
 * every trial), printed as a table and written to {@code bench-cancel.json}. The goal
 * (issue 4) is a p99 of at most twice the round trip; the figures are reported, never
 * asserted: a shared machine would make such a threshold flaky.
 */
public final class CancelBench {
    /** Trials per direction at scale 1 (quick 0.2x, tough 10x). */
    static final int TRIALS = 500;

    private CancelBench() {}

    public static void main(String[] args) {
        Mode mode = Mode.DEFAULT;
        Path report = Path.of("build", "report");
        if (args.length % 2 != 0) {
            System.err.println("error: option '" + args[args.length - 1] + "' needs a value (usage: CancelBench [--mode M] [--report DIR])");
            System.exit(2);
        }
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--mode" -> mode = Mode.parse(args[i + 1]);
                case "--report" -> report = Path.of(args[i + 1]);
                default -> {
                    System.err.println("error: unknown option '" + args[i] + "' (usage: CancelBench [--mode M] [--report DIR])");
                    System.exit(2);
                }
            }
        }
        System.exit(run(mode, report, System.out));
    }

    static int run(Mode mode, Path reportDir, PrintStream out) {
        int trials = (int) mode.scale(TRIALS);
        List<CaseResult> rows;
        Map<String, Object> host;
        try (Session session = Session.openDefault(out)) {
            host = session.host();
            // The trials' progress is not printed: the table is the output.
            rows = new CancellationSuite(session, new PrintStream(OutputStream.nullOutputStream())).benchDirections(trials);
        }
        String load = loadAverage();
        out.println();
        out.println(table(rows));
        out.println("load average (1, 5, 15 min) at the end: " + load + " on " + Runtime.getRuntime().availableProcessors()
                + " CPUs: p99 on a busy machine measures its scheduler as much as the cancel path");
        List<Map<String, Object>> json = new ArrayList<>();
        boolean ok = true;
        for (CaseResult r : rows) {
            Map<String, Object> row = new LinkedHashMap<>(r.metrics());
            row.put("direction", r.name());
            // "assertions": whether every trial's checks held; "goal": whether the p99 met
            // issue 4's goal. A row can hold its assertions and still be below the goal.
            row.put("assertions", r.status().name());
            row.put("goal", verdict(r));
            row.put("message", r.message());
            json.add(row);
            ok &= r.status() == testbed.report.Status.PASSED;
        }
        try {
            Files.createDirectories(reportDir);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("mode", mode.label());
            doc.put("host", host);
            doc.put("jvm_args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            doc.put("load_average", load);
            doc.put("rows", json);
            Files.writeString(reportDir.resolve("bench-cancel.json"), ReportWriter.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } catch (IOException e) {
            out.println("error: cannot write " + reportDir.resolve("bench-cancel.json") + ": " + e.getMessage());
            return 2;
        }
        List<String> goals = new ArrayList<>();
        for (CaseResult r : rows) goals.add(r.name() + " " + verdict(r));
        out.println("goal (p99 <= 2x rtt p50): " + String.join(", ", goals) + " (a benchmark: reported, not an exit status)");
        out.println("bench: " + reportDir.resolve("bench-cancel.json"));
        if (!ok) out.println("error: a trial failed its assertions (see the message column); the figures above include it");
        return ok ? 0 : 1;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static final String MEETS = "meets goal";
    static final String BELOW = "below goal";

    /** Whether the direction's p99 is at most twice its round trip's p50; "no figures" when it has none. */
    static String verdict(CaseResult r) {
        Object p99 = r.metrics().get("latency_p99_us");
        Object rtt = r.metrics().get("rtt_p50_us");
        if (!(p99 instanceof Double l) || !(rtt instanceof Double t) || t == 0) return "no figures";
        return l / t <= 2.0 ? MEETS : BELOW;
    }

    /** The table: per direction, latency and round-trip percentiles in microseconds, and p99 against 2x the round trip. */
    static String table(List<CaseResult> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-11s %7s %9s %9s %9s %9s %9s %12s %12s  %s%n",
                "direction", "trials", "p50 us", "p99 us", "max us", "rtt p50", "rtt p99", "p50/rtt p50", "p99/rtt p50", "p99 <= 2x rtt p50?"));
        for (CaseResult r : rows) {
            Map<String, Object> m = r.metrics();
            if (m.isEmpty()) {
                b.append(String.format(Locale.ROOT, "%-11s %s: %s%n", r.name(), r.status(), r.message()));
                continue;
            }
            double p99 = (Double) m.get("latency_p99_us");
            double rtt = (Double) m.get("rtt_p50_us");
            double ratio = rtt == 0 ? Double.NaN : p99 / rtt;
            double p50 = (Double) m.get("latency_p50_us");
            b.append(String.format(Locale.ROOT, "%-11s %7d %9.1f %9.1f %9.1f %9.1f %9.1f %11.2fx %11.2fx  %s%n",
                    r.name(), (Integer) m.get("trials"), p50, p99, (Double) m.get("latency_max_us"),
                    rtt, (Double) m.get("rtt_p99_us"), rtt == 0 ? Double.NaN : p50 / rtt, ratio, verdict(r)));
        }
        return b.toString();
    }
}
