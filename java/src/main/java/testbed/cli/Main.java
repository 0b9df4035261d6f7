package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The command line: {@code run}, {@code litmus}, {@code litmus-model}, {@code bench
 * atomic|litmus|cancel}, and {@code hold} (a test aid), parsed by picocli; one class per
 * command in this package.
 *
 * <p>Exit codes: 0 every case passed (expected failures included), 1 a case failed or erred,
 * 2 the run could not start (usage, toolchain, peer, region). A refused option or value is a
 * 2 with picocli's message (which names the valid values: {@link ModeOption}, the suites of
 * {@link SuiteRegistry}) and the command's usage; a fault in setting up is one line,
 * {@code error: ...}, not a stack trace ({@code -Dtestbed.debug=true} adds it).
 */
@Command(name = "interop-testbed", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A cross-language concurrency test bed: Java, C and Go over one shared region.",
        footer = {"", "Exit codes: 0 every case passed, 1 a case failed or erred, 2 the run could not start (usage, toolchain, peer, region)."})
public final class Main implements Callable<Integer> {
    /** Where a command writes: a test hands in its own streams, {@link #main} the process's. */
    record Io(PrintStream out, PrintStream err) { }

    private final Io io;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private Main(Io io) {
        this.io = io;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args} and runs the command they name; returns the exit code (see the class comment). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(new Io(out, err)).execute(args);
    }

    /** The command tree, writing to {@code io}. */
    static CommandLine commandLine(Io io) {
        CommandLine cl = new CommandLine(new Main(io))
                .addSubcommand(new RunCommand(io))
                .addSubcommand(new LitmusCommand(io))
                .addSubcommand(new LitmusModelCommand(io))
                .addSubcommand(new CommandLine(new BenchCommand(io))
                        .addSubcommand(new BenchAtomicCommand(io))
                        .addSubcommand(new BenchLitmusCommand(io))
                        .addSubcommand(new BenchCancelCommand(io)))
                .addSubcommand(new HoldCommand(io));
        cl.setUsageHelpWidth(100);
        cl.setOut(new PrintWriter(io.out(), true));
        cl.setErr(new PrintWriter(io.err(), true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            // Setup faults (no shim, no peer, bad region) are one line, not a stack trace.
            io.err().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("testbed.debug")) e.printStackTrace(io.err());
            return 2;
        });
        return cl;
    }

    /** No command: the usage, and the exit code of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(io.out());
        return 2;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"interop-testbed " + testbed.Version.VERSION};
        }
    }
}
