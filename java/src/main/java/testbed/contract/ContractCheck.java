package testbed.contract;

import testbed.Mode;
import testbed.report.CaseResult;
import testbed.report.Report;
import testbed.report.ReportWriter;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code make contract}'s entry point: runs the contract suite alone and prints
 * one line per case, then every fault as {@code path:line:col: message} (the
 * form compilers use; in GitHub Actions also as an annotation), then a count.
 *
 * <pre>
 * ContractCheck [--schema DIR] [--against INPUT] [--branch NAME] [--baseline-image FILE]
 *               [--corpus DIR] [--only CASE,...] [--report DIR]
 * </pre>
 *
 * {@code --schema} checks another schema directory than proto/ (a fixture's
 * after/, an edited copy); {@code --against} replaces the default baseline
 * (branch main, else the image proto/baseline.binpb; {@code --branch} and
 * {@code --baseline-image} change those) with any buf input; {@code --corpus}
 * reads another wire-conformance corpus; {@code --report} writes report.json,
 * report.html and junit.xml there.
 *
 * <p>Exit status: 0 every case passed (the broken variant's expected failure
 * included), 1 a case failed or erred, 2 bad usage.
 */
public final class ContractCheck {
    static final String USAGE = "usage: ContractCheck [--schema DIR] [--against INPUT] [--branch NAME] [--baseline-image FILE]\n"
            + "                     [--corpus DIR] [--only CASE,...] [--report DIR]\ncases: " + String.join(", ", ContractSuite.CASES);

    private ContractCheck() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ContractConfig config = ContractConfig.fromSystemProperties();
        Set<String> only = null;
        Path report = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            }
            if (i + 1 >= args.length) return usage(err, "option " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--schema" -> config = config.withSchema(Path.of(v));
                case "--against" -> config = config.withAgainst(v);
                case "--branch" -> config = config.withBaseline(v, config.baselineImage());
                case "--baseline-image" -> config = config.withBaseline(config.baselineBranch(), Path.of(v));
                case "--corpus" -> config = config.withCorpus(Path.of(v));
                case "--report" -> report = Path.of(v);
                case "--only" -> {
                    only = Set.of(v.split(","));
                    for (String name : only) {
                        if (!ContractSuite.CASES.contains(name)) return usage(err, "unknown case '" + name + "'");
                    }
                }
                default -> {
                    return usage(err, "unknown option '" + a + "'");
                }
            }
        }
        String started = Instant.now().toString();
        out.println("==> contract: " + config.display(config.schemaDir()) + " (buf " + config.display(config.buf()) + ")");
        Set<String> chosen = only;
        SuiteResult suite = new ContractSuite(config, out, name -> chosen == null || chosen.contains(name)).run(Mode.DEFAULT);

        boolean github = "true".equals(System.getenv("GITHUB_ACTIONS"));
        out.println();
        for (CaseResult c : suite.cases()) {
            out.printf(Locale.ROOT, "  %s  %-40s %s%n", c.status().label(), ContractSuite.NAME + "/" + c.name(), c.message());
            if (c.status() == Status.ERROR) {
                // The reason a case could not run is itself the fault line (a file and line where known).
                out.println(c.message());
                if (github) out.println(annotation(c.message()));
            } else if (c.details().get(ContractSuite.PROBLEMS) instanceof List<?> lines && !lines.isEmpty()) {
                boolean expected = c.status() == Status.EXPECTED_FAILURE;
                for (Object l : lines) {
                    // Real faults start at column 0, where editors and CI problem matchers look for them.
                    out.println(expected ? "      (expected) " + l : String.valueOf(l));
                    if (github && !expected) out.println(annotation(String.valueOf(l)));
                }
            }
        }
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("arch", System.getProperty("os.arch"));
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        host.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        Report r = Report.of(started, Instant.now().toString(), Mode.DEFAULT.label(), host, List.of(suite));
        var s = r.summary();
        out.printf(Locale.ROOT, "contract: %d cases: %d passed, %d failed, %d errors, %d expected failures, %d skipped%n",
                s.get("cases"), s.get("passed"), s.get("failed"), s.get("error"), s.get("expected_failure"), s.get("skipped"));
        if (report != null) {
            try {
                ReportWriter.writeAll(r, report);
                out.println("report: " + report.resolve(ReportWriter.HTML));
            } catch (IOException e) {
                err.println("error: cannot write the report to " + report + ": " + e.getMessage());
                return 2;
            }
        }
        return r.passed() ? 0 : 1;
    }

    /** A GitHub Actions error annotation for a "path:line:col: message" line. */
    static String annotation(String line) {
        var m = java.util.regex.Pattern.compile("^([^:\\s]+):(\\d+)(?::(\\d+))?: (.*)$").matcher(line);
        if (!m.matches()) return "::error::" + escape(line);
        return "::error file=" + m.group(1) + ",line=" + m.group(2) + (m.group(3) != null ? ",col=" + m.group(3) : "")
                + "::" + escape(m.group(4));
    }

    private static String escape(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static int usage(PrintStream err, String why) {
        err.println("error: " + why);
        err.println(USAGE);
        return 2;
    }
}
