package testbed.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code litmus} ({@code make litmus}): judges a litmus file with the model, runs it, prints
 * the model line, the histogram and herd's observation line, writes the report. Exit codes
 * in {@link LitmusCommands}.
 */
@Command(name = "litmus", mixinStandardHelpOptions = true,
        description = "Judge a litmus file (herd7's C dialect) with the RC11 model, run it, print the histogram, write the report.",
        footer = {"", "Exit codes: 0 nothing the model forbids was observed, 1 something was (or a case erred), 2 the file was refused."})
final class LitmusCommand implements Callable<Integer> {
    @Option(names = "--file", required = true, paramLabel = "FILE.litmus", description = "The litmus file.")
    Path file;

    @Mixin
    RuntimesOption runtimes;

    @Mixin
    ModeOption mode;

    @Mixin
    ReportOption report;

    private final Main.Io io;

    LitmusCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return LitmusCommands.run(file, runtimes.runtimes, mode.mode, report.dir, io.out(), io.err());
    }
}
