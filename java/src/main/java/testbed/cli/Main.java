package testbed.cli;

import testbed.Mode;
import testbed.cancel.CancellationSuite;
import testbed.interop.GrpcInteropSuite;
import testbed.counters.CountersSuite;
import testbed.harness.Session;
import testbed.harness.Suite;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.litmus.engine.Budget;
import testbed.litmus.engine.ForkedJvm;
import testbed.litmus.engine.JitMode;
import testbed.litmus.engine.LitmusSuite;
import testbed.report.CaseResult;
import testbed.report.Report;
import testbed.report.ReportWriter;
import testbed.report.SuiteResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line: {@code run}, {@code bench}, and {@code hold} (a test aid).
 *
 * <p>Exit codes: 0 every case passed (expected failures included), 1 a case
 * failed or erred, 2 the run could not start (usage, toolchain, peer, region).
 */
public final class Main {
    static final String USAGE = """
            usage: interop-testbed run   [--mode quick|default|tough] [--report DIR] [--suite NAME] [--filter REGEX]
                   interop-testbed bench [--mode quick|default|tough] [--report DIR]
                   interop-testbed litmus --file FILE.litmus [--runtimes java,c] [--mode quick|default|tough] [--report DIR]
                   interop-testbed litmus-model --file FILE_OR_DIR [--file ...] [--runtimes java,c]
                   interop-testbed hold  (test aid: open a session, print its peer pid and region, wait)
            suites: counters, cancellation, interop, scopes, contract, litmus (--filter selects litmus tests by name, e.g. 'sb_.*_acq_rel'), audit""";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            return switch (o.command) {
                case "run" -> {
                    // A terminal gets a status line under the suites' output (harness.Progress).
                    PrintStream console = testbed.harness.Progress.console(out);
                    try {
                        yield runSuites(o, console, err);
                    } finally {
                        if (console != out) console.close();
                    }
                }
                case "bench" -> testbed.bench.AtomicIncrementBench.run(o.mode.label(), o.reportDir);
                case "hold" -> hold(out);
                case "litmus-group" -> litmusGroup(o, out);
                case "litmus" -> {
                    if (o.files.size() != 1) throw new IllegalArgumentException("litmus needs one --file");
                    yield LitmusCommands.run(o.files.get(0), o.runtimes, o.mode, o.reportDir, out, err);
                }
                case "litmus-model" -> {
                    if (o.files.isEmpty()) throw new IllegalArgumentException("litmus-model needs at least one --file");
                    yield LitmusCommands.model(o.files, o.runtimes, out, err);
                }
                default -> throw new IllegalStateException("unreachable");
            };
        } catch (RuntimeException e) {
            // Setup faults (no shim, no peer, bad region) are one line, not a stack trace.
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("testbed.debug")) e.printStackTrace(err);
            return 2;
        }
    }

    /** The suite that holds a run's own fault: the case that says why the run stopped. */
    static final String RUN_SUITE = "run";

    private static int runSuites(Options o, PrintStream out, PrintStream err) {
        String started = Instant.now().toString();
        long t0 = System.nanoTime();
        try {
            ReportWriter.clear(o.reportDir);
        } catch (IOException e) {
            err.println("error: cannot remove the previous report in " + o.reportDir + ": " + e.getMessage());
            return 2;
        }
        out.println("==> interop-testbed " + testbed.Version.VERSION + ", " + o.mode.label() + " mode");
        List<SuiteResult> suites = new ArrayList<>();
        Map<String, Object> host = Session.machine();
        String aborted = null;
        // The session opens when a suite first asks for the region or the peer: a run of the
        // contract check or the audit alone starts no peer.
        Session session = Session.deferred(out);
        try {
            java.util.regex.Pattern f = java.util.regex.Pattern.compile(o.filter == null ? ".*" : o.filter);
            Suite.Settings settings = new Suite.Settings(o.mode, name -> f.matcher(name).matches());
            List<Suite> chosen = SuiteRegistry.ALL.stream().filter(s -> o.suite == null || o.suite.equals(s.name())).toList();
            for (int i = 0; i < chosen.size(); i++) {
                Suite suite = chosen.get(i);
                if (chosen.subList(i, chosen.size()).stream().noneMatch(Suite::usesSession) && session.isOpen()) {
                    host = session.host();
                    session.close(); // stops the peer: the suites left measure this machine without it
                }
                out.println("==> suite " + suite.name());
                suites.add(suite.run(session, settings, out));
            }
            if (session.isOpen()) host = session.host();
            host.put("guest", testbed.guest.GuestRuntime.shared().describe()); // with the engine, if a suite started it
        } catch (RuntimeException e) {
            // A setup fault (no shim, no peer, a refused region) or a suite that threw: the
            // report says so as an ERROR case, so a CI reading junit.xml cannot take it for green.
            aborted = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("error: " + aborted);
            if (Boolean.getBoolean("testbed.debug")) e.printStackTrace(err);
            suites.add(new SuiteResult(RUN_SUITE, "The run itself: why it stopped before its suites finished.",
                    List.of(CaseResult.error("run_aborted", "The run stopped before every suite had run", aborted,
                            (System.nanoTime() - t0) / 1e6))));
            if (session.isOpen()) host = session.host();
        } finally {
            try {
                session.close();
            } catch (RuntimeException e) {
                err.println("error: " + e.getMessage());
            }
        }
        Report report = Report.of(started, Instant.now().toString(), o.mode.label(), host, suites);
        long written = System.nanoTime();
        try {
            ReportWriter.writeAll(report, o.reportDir);
            written = System.nanoTime() - written;
        } catch (IOException e) {
            err.println("error: cannot write the report to " + o.reportDir + ": " + e.getMessage());
            return 2;
        }
        ReportWriter.printSummary(report, out);
        out.printf(java.util.Locale.ROOT, "report: %s (also report.json, junit.xml), written in %.0f ms: report.html %,d bytes, report.json %,d bytes%n",
                o.reportDir.resolve(ReportWriter.HTML), written / 1e6, o.reportDir.resolve(ReportWriter.HTML).toFile().length(),
                o.reportDir.resolve(ReportWriter.JSON).toFile().length());
        if (aborted != null) return 2;
        return report.passed() ? 0 : 1;
    }

    /** The child side of a forked litmus group: runs the named tests, writes their cases as JSON. */
    private static int litmusGroup(Options o, PrintStream out) {
        if (o.out == null || o.tests.isEmpty()) throw new IllegalArgumentException("litmus-group needs --out and at least one --test");
        List<LitmusCase> tests = new ArrayList<>();
        if (!o.files.isEmpty()) {
            try {
                tests.addAll(LitmusCommands.fileTests(o.files.get(0), o.runtimes, o.tests));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + o.files.get(0) + ": " + e.getMessage(), e);
            }
        } else {
            Map<String, LitmusCase> byName = new java.util.HashMap<>();
            for (LitmusCase t : CanonicalSuite.all()) byName.put(t.name(), t);
            for (String n : o.tests) {
                LitmusCase t = byName.get(n);
                if (t == null) throw new IllegalArgumentException("unknown litmus test '" + n + "'");
                tests.add(t);
            }
        }
        Budget budget = new Budget(java.time.Duration.ofMillis(o.runMs), o.stride, Budget.DEFAULT_STALL);
        // The JIT mode is checked before anything opens; the group's kernels are Go's in the
        // peer the parent built for the run (--peer), C's compiled here.
        List<CaseResult> cases = ForkedJvm.runHere(tests, budget, o.jit, o.jitSplit, o.peer, o.group, out);
        try {
            java.nio.file.Files.writeString(o.out, ReportWriter.mapper().writeValueAsString(cases));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + o.out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /** Opens a session and waits, so that a test can kill this JVM and look for leftovers. */
    private static int hold(PrintStream out) {
        try (Session session = Session.openDefault(System.err)) {
            out.println("HOLDING peer_pid=" + session.hello().getPid() + " region=" + session.region().path());
            out.flush();
            Thread.sleep(120_000);
            return 0;
        } catch (InterruptedException e) {
            return 1;
        }
    }

    record Options(String command, Mode mode, Path reportDir, String suite, String filter, long runMs, int stride,
                   Path out, List<String> tests, String group, List<Path> files, List<testbed.litmus.ActorRuntime> runtimes, Path peer,
                   JitMode jit, int jitSplit) {
        static Options parse(String[] args) {
            String command = args[0];
            if (!List.of("run", "bench", "hold", "litmus-group", "litmus", "litmus-model").contains(command)) {
                throw new IllegalArgumentException("unknown command '" + command + "'");
            }
            Mode mode = Mode.DEFAULT;
            Path report = Path.of("build", "report");
            String suite = null;
            String filter = null;
            long runMs = 100;
            int stride = Budget.DEFAULT_STRIDE;
            Path out = null;
            String group = null;
            List<String> tests = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            List<testbed.litmus.ActorRuntime> runtimes = null;
            Path peer = null;
            // A litmus-group child is told the JIT mode its parent started it in, and checks it.
            JitMode jit = JitMode.JVM_DEFAULT;
            int jitSplit = 1;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value");
                switch (a) {
                    case "--mode" -> mode = Mode.parse(args[++i]);
                    case "--report" -> report = Path.of(args[++i]);
                    case "--suite" -> {
                        suite = args[++i];
                        if (SuiteRegistry.named(suite).isEmpty()) {
                            throw new IllegalArgumentException("unknown suite '" + suite + "'; the suites are " + String.join(", ", SuiteRegistry.names()));
                        }
                    }
                    case "--filter" -> filter = args[++i];
                    case "--run-ms" -> runMs = Long.parseLong(args[++i]);
                    case "--stride" -> stride = Integer.parseInt(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--test" -> tests.add(args[++i]);
                    case "--group" -> group = args[++i];
                    case "--file" -> files.add(Path.of(args[++i]));
                    case "--peer" -> peer = Path.of(args[++i]);
                    case "--jit" -> jit = JitMode.parse(args[++i]);
                    case "--jit-split" -> jitSplit = Integer.parseInt(args[++i]);
                    case "--runtimes" -> runtimes = java.util.Arrays.stream(args[++i].split(",")).map(testbed.litmus.ActorRuntime::parse).toList();
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            return new Options(command, mode, report, suite, filter, runMs, stride, out, tests, group, files, runtimes, peer, jit, jitSplit);
        }
    }
}
