package testbed.audit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external program of the audit (a compiler, objdump, go, a JVM) to its end within a
 * bound, its stderr merged into its stdout. The output goes to a file, not a pipe, so the bound
 * holds for a program that hangs without writing; a program that overruns is killed with its
 * children.
 */
final class Tool {

    /** A program that could not be run, failed, or overran: the message says which and why. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private Tool() {}

    /**
     * The output of {@code argv} run in {@code dir} (null: here) with {@code env} added (a null
     * value removes the variable).
     *
     * @throws Failed when it cannot start (the message names {@code missing}, the Debian package or
     *     the install step), exits non-zero (with its first line of output) or overruns {@code bound}
     */
    static String run(List<String> argv, Path dir, Map<String, String> env, Duration bound, String missing) throws Failed {
        Path log = null;
        Process p = null;
        try {
            log = Files.createTempFile("testbed-audit", ".log");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (dir != null) pb.directory(dir.toFile());
            env.forEach((k, v) -> {
                if (v == null) pb.environment().remove(k);
                else pb.environment().put(k, v);
            });
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new Failed(argv.getFirst() + " cannot be run (" + missing + ")");
            }
            if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Failed(argv.getFirst() + " did not finish within " + bound.toSeconds() + " s; killed it");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String first = out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElse("(no output)");
                throw new Failed(argv.getFirst() + " failed (exit " + p.exitValue() + "): " + first);
            }
            return out;
        } catch (IOException e) {
            throw new Failed(argv.getFirst() + ": cannot keep its output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed(argv.getFirst() + ": interrupted");
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // A leftover log in the temporary directory harms nothing.
                }
            }
        }
    }

    /** Whether {@code program} is on the PATH (or is an executable path). */
    static boolean exists(String program) {
        if (program.contains("/")) return Files.isExecutable(Path.of(program));
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }
}
