package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code bench atomic|litmus|cancel}: the three benchmarks, behind {@code make bench},
 * {@code make bench-litmus} and {@code make bench-cancel}; each subcommand states its own
 * exit codes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: atomic (one increment per binding, under JMH), litmus (the engine against jcstress),"
                + " cancel (cancel latency beside the gRPC round trip and the floor).")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final Main.Io io;

    BenchCommand(Main.Io io) {
        this.io = io;
    }

    /** No benchmark named: the usage, and the exit code of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(io.out());
        return 2;
    }
}
