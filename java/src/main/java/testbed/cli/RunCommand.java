package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import testbed.harness.Progress;
import testbed.harness.Session;
import testbed.harness.Suite;
import testbed.report.CaseResult;
import testbed.report.Report;
import testbed.report.ReportWriter;
import testbed.report.SuiteResult;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code run} ({@code make run}): every suite of {@link SuiteRegistry}, or the one named, in
 * one session that opens when a suite first asks for the region or the peer; writes the
 * report. Exit codes as {@link Main}'s: 2 also when the run stopped before its suites
 * finished (the report then holds the reason as an ERROR case).
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run every suite (or one), print a line per case, write the report.")
final class RunCommand implements Callable<Integer> {
    /** The suite that holds a run's own fault: the case that says why the run stopped. */
    static final String RUN_SUITE = "run";

    @Mixin
    ModeOption mode;

    @Mixin
    ReportOption report;

    @Option(names = "--suite", converter = SuiteName.class, completionCandidates = SuiteName.class, paramLabel = "NAME",
            description = "Run only this suite: ${COMPLETION-CANDIDATES}.")
    String suite;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Run only the cases whose names match, in every suite, e.g. 'sb_.*_acq_rel' or 'cause_.*'.")
    Pattern filter; // picocli refuses a malformed expression before anything starts

    private final Main.Io io;

    RunCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        // A terminal gets a status line under the suites' output (harness.Progress).
        PrintStream console = Progress.console(io.out());
        try {
            return runSuites(console, io.err());
        } finally {
            if (console != io.out()) console.close();
        }
    }

    private int runSuites(PrintStream out, PrintStream err) {
        String started = Instant.now().toString();
        long t0 = System.nanoTime();
        try {
            ReportWriter.clear(report.dir);
        } catch (IOException e) {
            err.println("error: cannot remove the previous report in " + report.dir + ": " + e.getMessage());
            return 2;
        }
        out.println("==> interop-testbed " + testbed.Version.VERSION + ", " + mode.mode.label() + " mode");
        List<SuiteResult> suites = new ArrayList<>();
        String aborted = null;
        // The session opens when a suite first asks for the region or the peer: a run of the
        // contract check or the audit alone starts no peer.
        Session session = Session.deferred(out);
        try {
            Pattern f = filter == null ? Pattern.compile(".*") : filter;
            Suite.Settings settings = new Suite.Settings(mode.mode, name -> f.matcher(name).matches());
            List<Suite> chosen = SuiteRegistry.ALL.stream().filter(s -> suite == null || suite.equals(s.name())).toList();
            for (int i = 0; i < chosen.size(); i++) {
                Suite s = chosen.get(i);
                if (chosen.subList(i, chosen.size()).stream().noneMatch(Suite::usesSession)) {
                    session.close(); // stops the peer, if a suite started it: the suites left measure this machine without it
                }
                out.println("==> suite " + s.name());
                suites.add(s.run(session, settings, out));
            }
        } catch (RuntimeException e) {
            // A setup fault (no shim, no peer, a refused region) or a suite that threw: the
            // report says so as an ERROR case, so a CI reading junit.xml cannot take it for green.
            aborted = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("error: " + aborted);
            if (Boolean.getBoolean("testbed.debug")) e.printStackTrace(err);
            suites.add(new SuiteResult(RUN_SUITE, "The run itself: why it stopped before its suites finished.",
                    List.of(CaseResult.error("run_aborted", "The run stopped before every suite had run", aborted,
                            (System.nanoTime() - t0) / 1e6))));
        } finally {
            try {
                session.close();
            } catch (RuntimeException e) {
                err.println("error: " + e.getMessage());
            }
        }
        Map<String, Object> host = session.host();
        if (aborted == null) host.put("guest", testbed.guest.GuestRuntime.shared().describe()); // with the engine, if a suite started it
        Report result = Report.of(started, Instant.now().toString(), mode.mode.label(), host, suites);
        long written = System.nanoTime();
        try {
            ReportWriter.writeAll(result, report.dir);
            written = System.nanoTime() - written;
        } catch (IOException e) {
            err.println("error: cannot write the report to " + report.dir + ": " + e.getMessage());
            return 2;
        }
        ReportWriter.printSummary(result, out);
        out.printf(Locale.ROOT, "report: %s (also report.json, junit.xml), written in %.0f ms: report.html %,d bytes, report.json %,d bytes%n",
                report.dir.resolve(ReportWriter.HTML), written / 1e6, report.dir.resolve(ReportWriter.HTML).toFile().length(),
                report.dir.resolve(ReportWriter.JSON).toFile().length());
        if (aborted != null) return 2;
        if (filter != null && suites.stream().allMatch(s -> s.cases().isEmpty())) {
            // Nothing ran, so nothing passed: a filter with a typo must not read as green.
            err.println("error: no case matches --filter '" + filter + "'" + (suite == null ? "" : " in suite " + suite));
            return 2;
        }
        return result.passed() ? 0 : 1;
    }

    /** A suite's name, checked against {@link SuiteRegistry}, the one list of them. */
    static final class SuiteName implements CommandLine.ITypeConverter<String>, Iterable<String> {
        @Override
        public String convert(String value) {
            if (SuiteRegistry.named(value).isEmpty()) {
                throw new CommandLine.TypeConversionException("unknown suite '" + value + "'; the suites are "
                        + String.join(", ", SuiteRegistry.names()));
            }
            return value;
        }

        @Override
        public Iterator<String> iterator() {
            return SuiteRegistry.names().iterator();
        }
    }
}
