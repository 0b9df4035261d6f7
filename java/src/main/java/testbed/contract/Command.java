package testbed.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        env.forEach((k, v) -> {
            if (v == null) pb.environment().remove(k);
            else pb.environment().put(k, v);
        });
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ContractException(argv.get(0) + ": cannot start: " + e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outPump = pump(p.getInputStream(), out);
        Thread errPump = pump(p.getErrorStream(), err);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        } catch (IOException e) {
            // The tool closed its input early; its exit status and stderr say why.
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new ContractException(tool.getFileName() + " did not finish within " + timeout.toSeconds()
                        + " s (" + String.join(" ", argv) + ")");
            }
            outPump.join(5_000);
            errPump.join(5_000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContractException(tool.getFileName() + " was interrupted");
        }
        return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(Path dir, Duration timeout, List<String> argv) {
        return run(dir, timeout, null, Map.of(), argv);
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to) {
        return Thread.ofVirtual().start(() -> {
            try (from) {
                from.transferTo(to);
            } catch (IOException e) {
                // The process ended; what was read is kept.
            }
        });
    }
}
