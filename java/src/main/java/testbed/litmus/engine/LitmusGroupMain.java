package testbed.litmus.engine;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import testbed.litmus.ActorRuntime;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.FileTests;
import testbed.litmus.LitmusCase;
import testbed.report.CaseResult;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The main of a forked litmus JVM, the child side of {@link ForkedJvm#fork}: finds the tests
 * it is named by name (among the canonical ones, or among a user file's when {@code --file}
 * is given), runs them ({@link ForkedJvm#runHere}) and writes their cases as JSON to
 * {@code --out}. Not a user's command: only {@link ForkedJvm} starts it.
 *
 * <p>Exit codes: 0 the cases were written (whatever their verdicts), 2 the arguments were
 * refused or the cases could not be written; the parent reads a missing file as every test an
 * ERROR with the exit code and the last line of stderr.
 */
@Command(name = "litmus-group", description = "Run named litmus tests in this JVM and write their cases as JSON (started by ForkedJvm).")
public final class LitmusGroupMain implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Where the cases go, as a JSON array.")
    Path out;

    @Option(names = "--test", required = true, description = "A test to run, by name (repeatable).")
    List<String> tests;

    @Option(names = "--group", description = "The fork's name (ForkPlan.Fork#name), which the crash injection matches.")
    String group;

    @Option(names = "--run-ms", defaultValue = "100", description = "Each test's run, in ms (a Java actor's test: its share of it).")
    long runMs;

    @Option(names = "--stride", description = "Rounds between two checks of the clock.")
    int stride = Budget.DEFAULT_STRIDE;

    @Option(names = "--jit", converter = JitModeConverter.class, description = "The JIT mode the parent started this JVM in; checked first.")
    JitMode jit = JitMode.JVM_DEFAULT;

    @Option(names = "--jit-split", defaultValue = "1", description = "The JIT modes a Java actor's test is split across.")
    int jitSplit;

    @Option(names = "--peer", description = "The Go peer the parent built for the run (with the group's Go kernels).")
    Path peer;

    @Option(names = "--file", description = "A user's litmus file whose tests --test names.")
    Path file;

    @Option(names = "--runtimes", split = ",", converter = RuntimeConverter.class, description = "The runtimes the file is bound to.")
    List<ActorRuntime> runtimes;

    private final PrintStream progress;

    LitmusGroupMain(PrintStream progress) {
        this.progress = progress;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args}, runs the group; the exit code as the class comment states it. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new LitmusGroupMain(out));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("testbed.debug")) e.printStackTrace(err);
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        List<LitmusCase> chosen = new ArrayList<>();
        if (file != null) {
            try {
                chosen.addAll(FileTests.named(file, runtimes, tests));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
            }
        } else {
            Map<String, LitmusCase> byName = new HashMap<>();
            for (LitmusCase t : CanonicalSuite.all()) byName.put(t.name(), t);
            for (String n : tests) {
                LitmusCase t = byName.get(n);
                if (t == null) throw new IllegalArgumentException("unknown litmus test '" + n + "'");
                chosen.add(t);
            }
        }
        Budget budget = new Budget(Duration.ofMillis(runMs), stride, Budget.DEFAULT_STALL);
        // The JIT mode is checked before anything opens; the group's kernels are Go's in the
        // peer the parent built for the run (--peer), C's compiled here.
        List<CaseResult> cases = ForkedJvm.runHere(chosen, budget, jit, jitSplit, peer, group, progress);
        try {
            Files.writeString(out, ReportWriter.mapper().writeValueAsString(cases));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return 0;
    }

    static final class JitModeConverter implements CommandLine.ITypeConverter<JitMode> {
        @Override
        public JitMode convert(String value) {
            return JitMode.parse(value);
        }
    }

    static final class RuntimeConverter implements CommandLine.ITypeConverter<ActorRuntime> {
        @Override
        public ActorRuntime convert(String value) {
            return ActorRuntime.parse(value);
        }
    }
}
