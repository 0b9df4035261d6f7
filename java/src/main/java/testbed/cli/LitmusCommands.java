package testbed.cli;

import testbed.Mode;
import testbed.litmus.Binding;
import testbed.litmus.FileTest;
import testbed.litmus.FileTests;
import testbed.litmus.LitmusCase;
import testbed.litmus.ActorRuntime;
import testbed.litmus.engine.Budget;
import testbed.litmus.engine.LitmusSuite;
import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.model.Judgement;
import testbed.report.CaseResult;
import testbed.report.Report;
import testbed.report.ReportWriter;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code litmus-model} (judge files, nothing runs, {@link LitmusModelCommand}) and
 * {@code litmus} (judge one file and run it, {@link LitmusCommand}) do: the two commands
 * behind {@code make litmus-model} and {@code make litmus}.
 * Exit codes: 0 nothing the model forbids was observed, 1 something was (or a case
 * erred), 2 a file was refused.
 */
final class LitmusCommands {
    private LitmusCommands() {}

    /** Judges every file (directories: every .litmus file under them) and prints herd7-style lines. */
    static int model(List<Path> paths, List<ActorRuntime> runtimes, PrintStream out, PrintStream err) {
        List<Path> files;
        try {
            files = expand(paths);
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        long nanos = 0;
        int refused = 0;
        for (Path f : files) {
            try {
                LitmusProgram p = LitmusParser.parse(f);
                Binding.BoundProgram bound = runtimes == null ? Binding.asC11(p) : Binding.bind(p, runtimes);
                Judgement j = testbed.litmus.model.Rc11Model.judge(bound.effective(), bound.semantics());
                nanos += j.nanos();
                printJudgement(out, f, bound, j, runtimes != null);
            } catch (LitmusFileException e) {
                err.println(e.getMessage());
                refused++;
            } catch (IOException e) {
                err.println(f + ": cannot read: " + e.getMessage());
                refused++;
            }
        }
        if (files.size() > 1) {
            out.printf(Locale.ROOT, "judged %d files in %.1f ms%s%n", files.size() - refused, nanos / 1e6,
                    refused == 0 ? "" : "; " + refused + " refused");
        }
        return refused == 0 ? 0 : 2;
    }

    /** Judges one file, runs it bound to {@code runtimes} (or every default pairing), reports. */
    static int run(Path file, List<ActorRuntime> runtimes, Mode mode, Path reportDir, PrintStream out, PrintStream err) {
        String started = Instant.now().toString();
        try {
            ReportWriter.clear(reportDir);
        } catch (IOException e) {
            err.println("error: cannot remove the previous report in " + reportDir + ": " + e.getMessage());
            return 2;
        }
        LitmusProgram p;
        List<FileTest> tests;
        try {
            p = LitmusParser.parse(file);
            tests = FileTests.of(p, runtimes);
        } catch (LitmusFileException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        Binding.BoundProgram c11 = Binding.asC11(p);
        printJudgement(out, file, c11, testbed.litmus.model.Rc11Model.judge(c11.effective(), c11.semantics()), false);
        // Each binding is judged as it runs: its histogram is classified by its own model line.
        out.println("Bindings (each judged with the orders its runtimes run):");
        for (FileTest t : tests) {
            out.printf(Locale.ROOT, "  %-32s %-24s %s%n", t.name(), t.source().bound().runtimes().stream().map(ActorRuntime::label).toList(),
                    t.judgement().modelLine().replace("\n", "; "));
        }
        List<LitmusCase> runnable = new ArrayList<>();
        List<CaseResult> cases = new ArrayList<>();
        for (FileTest t : tests) {
            if (t.runnable()) {
                runnable.add(t.test());
            } else {
                out.println("  SKIP   litmus/" + t.name() + "  " + t.notRunnable());
                cases.add(new CaseResult(t.name(), p.name() + " " + t.source().bound().runtimes(), Status.SKIPPED,
                        t.notRunnable(), 0, Map.of(), t.source().details()));
            }
        }
        if (!runnable.isEmpty()) {
            List<String> source = new ArrayList<>(List.of("--file", file.toString()));
            if (runtimes != null) source.addAll(List.of("--runtimes", String.join(",", runtimes.stream().map(ActorRuntime::label).toList())));
            Budget budget = Budget.of(LitmusSuite.perTestCap(mode));
            out.printf(Locale.ROOT, "==> running %d binding(s), %d ms each (%s mode; a binding with a Java actor splits it across its JIT modes)%n",
                    runnable.size(), budget.run().toMillis(), mode.label());
            source.addAll(LitmusSuite.peerArgs(testbed.litmus.engine.CompiledKernels.goPeer(runnable, out)));
            cases.addAll(LitmusSuite.runInModes("file", runnable, source, mode, budget, out));
        }
        for (CaseResult c : cases) printObservation(out, c);
        SuiteResult suite = new SuiteResult(LitmusSuite.NAME, "The litmus file " + file + ", judged by the model and run.", cases);
        Report report = Report.of(started, Instant.now().toString(), mode.label(), testbed.harness.Session.machine(), List.of(suite));
        try {
            ReportWriter.writeAll(report, reportDir);
        } catch (IOException e) {
            err.println("error: cannot write the report to " + reportDir + ": " + e.getMessage());
            return 2;
        }
        ReportWriter.printSummary(report, out);
        out.println("report: " + reportDir.resolve(ReportWriter.HTML) + " (also report.json, junit.xml)");
        return report.passed() ? 0 : 1;
    }

    private static void printJudgement(PrintStream out, Path file, Binding.BoundProgram bound, Judgement j, boolean showBinding) {
        out.println("Test " + j.test() + " (" + file + ")" + (showBinding ? ", bound to " + bound.runtimes().stream().map(ActorRuntime::label).toList() : ", as C11"));
        if (showBinding) {
            for (Binding.BoundThread t : bound.threads()) {
                for (Binding.BoundStatement s : t.statements()) {
                    out.printf(Locale.ROOT, "  P%d %-8s line %-4d %-12s -> %s %s%s%n", t.index(), t.runtime().label(), s.declared().at().line(),
                            s.declaredOrder(), t.runtime().label(), s.mode(),
                            s.declaredOrder().equals(s.effectiveOrder()) ? "" : " (runs as " + s.effectiveOrder() + ")");
                }
            }
        }
        out.println("States " + j.allowed().size());
        for (String line : j.outcomeLines()) out.println(line);
        out.println("Condition " + j.condition().text());
        out.println(j.modelLine());
        out.printf(Locale.ROOT, "Time %s %.2f ms, %,d candidate executions%n", j.test(), j.nanos() / 1e6, j.candidates());
    }

    private static void printObservation(PrintStream out, CaseResult c) {
        Object observation = c.details().get("observation");
        if (observation == null) return;
        out.println();
        out.println("Histogram " + c.name() + " (" + c.status().label().trim() + ")");
        Object hist = c.details().get("histogram");
        if (hist instanceof List<?> rows) {
            for (Object r : rows) {
                if (r instanceof Map<?, ?> row && ((Number) row.get("count")).longValue() > 0) {
                    out.printf(Locale.ROOT, "%,14d  %-40s %s%n", ((Number) row.get("count")).longValue(), row.get("state"), row.get("expectation"));
                }
            }
        }
        out.println(observation);
    }

    private static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".litmus")).sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        if (files.isEmpty()) throw new IOException("no litmus files in " + paths);
        return files;
    }
}
