package testbed.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import testbed.proc.ChildProcess;

/**
 * One run of jcstress (its {@code org.openjdk.jcstress.Main}) as a child process, bounded in
 * time, leaving no process behind.
 *
 * <p>jcstress forks a JVM per test configuration. Each fork is started with a system property
 * that names this run ({@value #MARK_PROPERTY}); when the run ends, by itself, by the time bound
 * or because this JVM is shutting down, every live process whose command line carries that mark,
 * and every descendant of the jcstress process, is killed by its pid ({@link ChildProcess}). The mark is unique per
 * run, so no other process can match it.
 */
final class JcstressProcess {
    static final String MAIN = "org.openjdk.jcstress.Main";
    static final String MARK_PROPERTY = "testbed.bench.jcstress.run";

    private static final Pattern PROGRESS = Pattern.compile("^\\.+ \\[([A-Z_ -]+)] (\\S+)");

    private JcstressProcess() {}

    /** What the run printed, where it was kept, how it ended, and the mark its processes carried. */
    record Outcome(List<String> lines, Path log, int exitCode, boolean timedOut, double seconds, List<String> command,
                   String mark) {}

    /**
     * Runs jcstress and waits for it, at most {@code bound}.
     *
     * @param java      the java launcher for jcstress and its forks
     * @param classpath jcstress-core and the compiled jcstress tests
     * @param args      jcstress's own options ({@code -m}, {@code -t}, ...), without {@code -jvmArgs}
     * @param forkArgs  the options of every forked JVM (jcstress's {@code -jvmArgs}; one JVM configuration)
     * @param work      working directory: jcstress writes its result blob and {@code results/} there
     * @param progress  gets one line per test configuration finished
     */
    static Outcome run(Path java, String classpath, List<String> args, String forkArgs, Path work, Duration bound,
                       PrintStream progress) throws IOException {
        return run(java, classpath, MAIN, args, forkArgs, work, bound, progress);
    }

    /** As {@link #run(Path, String, List, String, Path, Duration, PrintStream)}, with another main class (for tests). */
    static Outcome run(Path java, String classpath, String mainClass, List<String> args, String forkArgs, Path work,
                       Duration bound, PrintStream progress) throws IOException {
        Files.createDirectories(work);
        String mark = UUID.randomUUID().toString();
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-D" + MARK_PROPERTY + "=" + mark, "-cp", classpath, mainClass));
        cmd.addAll(args);
        cmd.add("-jvmArgs");
        cmd.add((forkArgs + " -D" + MARK_PROPERTY + "=" + mark).trim());
        Path log = work.resolve("jcstress.out");
        List<String> lines = new ArrayList<>();
        ChildProcess.Result r;
        try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            Copier copier = new Copier(w, lines, progress);
            r = ChildProcess.of(cmd).directory(work).lines(copier::accept).bound(bound).alsoKill(() -> marked(mark)).run();
        } catch (ChildProcess.StartFailed e) {
            throw (IOException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while jcstress ran", e);
        }
        List<String> copy;
        synchronized (lines) {
            copy = List.copyOf(lines);
        }
        return new Outcome(copy, log, r.exitCode(), r.timedOut(), r.elapsed().toNanos() / 1e9, cmd, mark);
    }

    /** Live processes whose command line carries {@code mark}. */
    static List<ProcessHandle> marked(String mark) {
        String needle = "-D" + MARK_PROPERTY + "=" + mark;
        return ProcessHandle.allProcesses().filter(h -> {
            Optional<String> line = h.info().commandLine();
            return line.isPresent() && line.get().contains(needle) && h.pid() != ProcessHandle.current().pid();
        }).toList();
    }

    /** Keeps each line in the log and the list, and prints one progress line per configuration finished. */
    private static final class Copier {
        private final BufferedWriter log;
        private final List<String> lines;
        private final PrintStream progress;
        private String pending;
        private boolean lost;

        Copier(BufferedWriter log, List<String> lines, PrintStream progress) {
            this.log = log;
            this.lines = lines;
            this.progress = progress;
        }

        void accept(String line) {
            try {
                if (!lost) {
                    log.write(line);
                    log.newLine();
                }
            } catch (IOException e) {
                lost = true;
                progress.println("  jcstress: output lost: " + e.getMessage());
            }
            synchronized (lines) {
                lines.add(line);
            }
            Matcher m = PROGRESS.matcher(line);
            if (m.find()) {
                pending = String.format(Locale.ROOT, "  jcstress [%s] %s", m.group(1).trim(), m.group(2));
            } else if (pending != null && line.trim().startsWith("Fork:")) {
                progress.println(pending + ", " + line.trim().toLowerCase(Locale.ROOT));
                pending = null;
            } else if (line.startsWith("RUN RESULTS:")) {
                pending = null;
            }
        }
    }
}
