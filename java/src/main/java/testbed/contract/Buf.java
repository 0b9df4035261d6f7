package testbed.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The pinned buf binary (installed by {@code make contract-tools}, see
 * proto/contract.mk), run with {@code --error-format json} so that every finding
 * arrives as one parseable line.
 *
 * <p>buf's exit status: 0 nothing found, 100 findings (compile errors included,
 * as rule COMPILE), anything else a failure to run (an input that does not
 * exist, a git ref that is not there), which becomes one ContractException line.
 */
final class Buf {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int EXIT_FINDINGS = 100;

    private final Path binary;

    Buf(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new ContractException(binary + ": buf not found (make contract-tools installs the pinned version)");
        }
        this.binary = binary;
    }

    Path binary() {
        return binary;
    }

    /** {@code buf --version}. */
    String version() {
        Command.Result r = Command.run(Path.of("."), TIMEOUT, List.of(binary.toString(), "--version"));
        return r.out().strip();
    }

    /** {@code buf lint INPUT} with the rules of the input's buf.yaml; findings with buf's paths (relative to dir). */
    List<Finding> lint(Path dir, String input) {
        return findings("lint", dir, List.of(binary.toString(), "lint", input, "--error-format", "json"));
    }

    /** {@code buf breaking INPUT --against AGAINST} with the rules of the input's buf.yaml. */
    List<Finding> breaking(Path dir, String input, String against) {
        return findings("breaking", dir, List.of(binary.toString(), "breaking", input, "--against", against,
                "--error-format", "json"));
    }

    /** {@code buf build INPUT -o IMAGE}: the image a baseline is kept as. */
    List<Finding> build(Path dir, String input, Path image) {
        return findings("build", dir, List.of(binary.toString(), "build", input, "-o", image.toString(),
                "--error-format", "json"));
    }

    private List<Finding> findings(String what, Path dir, List<String> argv) {
        Command.Result r = Command.run(dir, TIMEOUT, argv);
        List<Finding> found = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) found.add(Finding.fromBufJson(line));
        }
        if (r.exitCode() == 0 || (r.exitCode() == EXIT_FINDINGS && !found.isEmpty())) return found;
        String why = r.firstLine().replaceFirst("^Failure: ", "");
        throw new ContractException("buf " + what + " failed (exit " + r.exitCode() + "): "
                + (why.isEmpty() ? "no message" : why));
    }
}
