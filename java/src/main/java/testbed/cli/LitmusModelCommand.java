package testbed.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code litmus-model} ({@code make litmus-model}): judges litmus files with the model and
 * prints herd7's lines; nothing runs. Exit codes in {@link LitmusCommands}.
 */
@Command(name = "litmus-model", mixinStandardHelpOptions = true,
        description = "Judge litmus files with the RC11 model and print herd7's lines; nothing runs.",
        footer = {"", "Exit codes: 0 every file was judged, 2 a file was refused."})
final class LitmusModelCommand implements Callable<Integer> {
    @Option(names = "--file", required = true, paramLabel = "FILE_OR_DIR",
            description = "A litmus file, or a directory: every .litmus file under it (repeatable).")
    List<Path> files;

    @Mixin
    RuntimesOption runtimes;

    private final Main.Io io;

    LitmusModelCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return LitmusCommands.model(files, runtimes.runtimes, io.out(), io.err());
    }
}
