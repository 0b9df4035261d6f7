package testbed.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import testbed.bench.AtomicIncrementBench;

import java.util.concurrent.Callable;

/** {@code bench atomic} ({@code make bench}): {@link AtomicIncrementBench}, under JMH. */
@Command(name = "atomic", mixinStandardHelpOptions = true,
        description = "What one seq_cst atomic increment in the shared region costs through each binding (VarHandle, FFM,"
                + " FFM critical, jnr-ffi), one thread and two, under JMH; a table with error bars and the ratio to VarHandle,"
                + " and DIR/bench.json.",
        footer = {"", "Exit codes: 0 the bench ran, 1 a slot did not hold exactly the increments made, 2 it could not run."})
final class BenchAtomicCommand implements Callable<Integer> {
    @Mixin
    ModeOption mode;

    @Mixin
    ReportOption report;

    private final Main.Io io;

    BenchAtomicCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return AtomicIncrementBench.run(mode.mode, report.dir, io.out());
    }
}
