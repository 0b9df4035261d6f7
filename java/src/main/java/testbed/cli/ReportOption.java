package testbed.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --report DIR}: where a command writes its report or its bench's JSON. */
final class ReportOption {
    @Option(names = "--report", defaultValue = "build/report", paramLabel = "DIR",
            description = "Where the report goes (default: ${DEFAULT-VALUE}).")
    Path dir;
}
