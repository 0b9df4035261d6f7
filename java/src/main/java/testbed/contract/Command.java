package testbed.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import testbed.proc.ChildProcess;

/**
 * Runs one external tool (buf, the Go contract command, a test binary) to
 * completion within a time bound, feeding it standard input and collecting its
 * output. A tool that overruns is killed, with its children.
 */
final class Command {
    /** What the tool did. */
    record Result(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** The first non-blank line of stderr, else of stdout; "" when both are empty. */
        String firstLine() {
            for (String text : List.of(stderr, out())) {
                for (String l : text.split("\n")) {
                    if (!l.isBlank()) return l.strip();
                }
            }
            return "";
        }
    }

    private Command() {}

    /**
     * Runs {@code argv} in {@code dir}, with {@code env} added to the environment
     * (a null value removes the variable).
     *
     * @throws ContractException when the tool is missing, cannot start, or overruns {@code timeout}
     */
    static Result run(Path dir, Duration timeout, byte[] stdin, Map<String, String> env, List<String> argv) {
        Path tool = Path.of(argv.get(0));
        if (tool.isAbsolute() && !Files.isExecutable(tool)) {
            throw new ContractException(tool + ": not found or not executable");
        }
        ChildProcess.Result r;
        try {
            r = ChildProcess.of(argv).directory(dir).env(env).stdin(stdin).bound(timeout).run();
        } catch (ChildProcess.StartFailed e) {
            throw new ContractException(argv.get(0) + ": cannot start: " + e.reason());
        } catch (IOException e) {
            throw new ContractException(argv.get(0) + ": cannot keep its input or output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContractException(tool.getFileName() + " was interrupted");
        }
        if (r.timedOut()) {
            throw new ContractException(tool.getFileName() + " did not finish within " + timeout.toSeconds()
                    + " s (" + String.join(" ", argv) + ")");
        }
        return new Result(r.exitCode(), r.stdout(), r.err());
    }

    static Result run(Path dir, Duration timeout, List<String> argv) {
        return run(dir, timeout, null, Map.of(), argv);
    }
}
