package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import testbed.bench.LitmusBench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code bench litmus} ({@code make bench-litmus}): {@link LitmusBench}, the litmus engine against jcstress. */
@Command(name = "litmus", mixinStandardHelpOptions = true,
        description = "The litmus engine against jcstress " + LitmusBench.JCSTRESS_VERSION + " on the same shapes and modes,"
                + " side by side; DIR/bench-litmus.json.",
        footer = {"", "Exit codes: 0 the bench ran (whatever the ratios), 1 a test failed on either side, 2 it could not run."})
final class BenchLitmusCommand implements Callable<Integer> {
    @Mixin
    ReportOption report;

    @Option(names = "--jcstress-cp", required = true, paramLabel = "CLASSPATH",
            description = "jcstress and the tests compiled for it (make bench-litmus sets it).")
    String jcstressClasspath;

    @Option(names = "--java", paramLabel = "JAVA", description = "The java that runs jcstress (default: this JVM's).")
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));

    @Option(names = "--work", defaultValue = "build/jcstress/run", paramLabel = "DIR",
            description = "jcstress's working directory (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--reps", defaultValue = "5", paramLabel = "N", description = "Repetitions (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--run-ms", defaultValue = "0", paramLabel = "MS",
            description = "Each engine run, in ms (default: as long as jcstress sampled a configuration).")
    long runMs;

    @Option(names = "--jcstress-timeout-s", paramLabel = "S",
            description = "Kill a jcstress repetition after this long (default: " + LitmusBench.JCSTRESS_BOUND_SECONDS + ").")
    long jcstressTimeoutSeconds = LitmusBench.JCSTRESS_BOUND_SECONDS;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final Main.Io io;

    BenchLitmusCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (jcstressClasspath.isBlank()) throw refused("--jcstress-cp must not be empty (make bench-litmus sets it)");
        if (reps < 1) throw refused("--reps must be at least 1");
        if (runMs < 0) throw refused("--run-ms must not be negative");
        if (jcstressTimeoutSeconds <= 0) throw refused("--jcstress-timeout-s must be positive");
        return LitmusBench.run(new LitmusBench.Options(report.dir, work, java, jcstressClasspath, reps, runMs,
                Duration.ofSeconds(jcstressTimeoutSeconds)), io.out());
    }

    private CommandLine.ParameterException refused(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
