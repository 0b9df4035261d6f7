package testbed.audit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import testbed.proc.ChildProcess;

/**
 * Runs one external program of the audit (a compiler, objdump, go, a JVM) to its end within a
 * bound, its stderr merged into its stdout, through {@link ChildProcess}: the bound holds for a
 * program that hangs without writing, and a program that overruns is killed with its children.
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
        ChildProcess.Result r;
        try {
            r = ChildProcess.of(argv).directory(dir).env(env).mergeStderr().bound(bound).run();
        } catch (ChildProcess.StartFailed e) {
            throw new Failed(argv.getFirst() + " cannot be run (" + missing + ")");
        } catch (IOException e) {
            throw new Failed(argv.getFirst() + ": cannot keep its output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed(argv.getFirst() + ": interrupted");
        }
        if (r.timedOut()) {
            throw new Failed(argv.getFirst() + " did not finish within " + bound.toSeconds() + " s; killed it");
        }
        String out = r.out();
        if (r.exitCode() != 0) {
            String first = out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElse("(no output)");
            throw new Failed(argv.getFirst() + " failed (exit " + r.exitCode() + "): " + first);
        }
        return out;
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
