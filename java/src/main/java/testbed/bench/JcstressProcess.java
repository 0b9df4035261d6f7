package testbed.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of jcstress (its {@code org.openjdk.jcstress.Main}) as a child process, bounded in
 * time, leaving no process behind.
 *
 * <p>jcstress forks a JVM per test configuration. Each fork is started with a system property
 * that names this run ({@value #MARK_PROPERTY}); when the run ends, by itself, by the time bound
 * or because this JVM is shutting down, every live process whose command line carries that mark,
 * and every descendant of the jcstress process, is killed by its pid. The mark is unique per
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
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        Thread cleanup = new Thread(() -> killAll(p, mark), "jcstress-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Thread reader = Thread.ofPlatform().daemon().name("jcstress-output").start(() -> copy(p, log, lines, progress));
            boolean finished = p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                killAll(p, mark);
            }
            reader.join(5_000);
            List<String> copy;
            synchronized (lines) {
                copy = List.copyOf(lines);
            }
            return new Outcome(copy, log, finished ? p.exitValue() : -1, !finished, (System.nanoTime() - t0) / 1e9, cmd, mark);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while jcstress ran", e);
        } finally {
            killAll(p, mark);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs (or ran) anyway.
            }
        }
    }

    /** Kills the jcstress process, its descendants, and any process carrying this run's mark. */
    static void killAll(Process p, String mark) {
        List<ProcessHandle> victims = new ArrayList<>(p.descendants().toList());
        victims.add(p.toHandle());
        victims.addAll(marked(mark));
        for (ProcessHandle h : victims) {
            if (h.isAlive()) h.destroyForcibly();
        }
        for (ProcessHandle h : victims) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // Best effort: a process that survives SIGKILL for 5 s is reported by leftovers().
            }
        }
    }

    /** Live processes whose command line carries {@code mark}. */
    static List<ProcessHandle> marked(String mark) {
        String needle = "-D" + MARK_PROPERTY + "=" + mark;
        return ProcessHandle.allProcesses().filter(h -> {
            Optional<String> line = h.info().commandLine();
            return line.isPresent() && line.get().contains(needle) && h.pid() != ProcessHandle.current().pid();
        }).toList();
    }

    private static void copy(Process p, Path log, List<String> lines, PrintStream progress) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            String pending = null;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
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
        } catch (IOException e) {
            progress.println("  jcstress: output lost: " + e.getMessage());
        }
    }
}
