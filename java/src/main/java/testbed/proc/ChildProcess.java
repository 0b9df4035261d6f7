package testbed.proc;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one external program to its end within a time bound, and leaves no process behind.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #run()} returns no later than the bound plus a few seconds of clean-up: at the
 *       bound the program is killed with its whole process tree (every descendant, then the
 *       program, each with SIGKILL), and the result says it timed out.</li>
 *   <li>When {@link #run()} returns or throws, neither the program nor any descendant it still
 *       had is alive (each is killed and waited for, up to 5 s apiece); the same holds when this
 *       JVM exits in an orderly way while the program runs.</li>
 *   <li>Captured output goes to temporary files, not pipes, so the bound holds for a program that
 *       hangs without writing, and for one whose leftover children keep its output open; only the
 *       last {@link #keepLast} bytes of each stream are kept. The files are deleted.</li>
 *   <li>A program that cannot be started is a {@link StartFailed} naming the command.</li>
 * </ul>
 *
 * <p>Standard input is the given bytes, or empty ({@code /dev/null}) when none are given.
 */
public final class ChildProcess {

    /** The default of {@link #keepLast}: enough for every tool's whole output, bounded all the same. */
    public static final int DEFAULT_KEEP_BYTES = 16 << 20;

    /** How long each killed process is waited for. */
    private static final Duration REAP = Duration.ofSeconds(5);

    /**
     * How the run ended. {@code exitCode} is -1 when it {@code timedOut}; {@code stdout} and
     * {@code stderr} are the last bytes kept of each (stderr is empty when merged into stdout or
     * inherited; both are empty for inherited output or when lines went to a consumer).
     */
    public record Result(List<String> command, int exitCode, boolean timedOut, byte[] stdout, byte[] stderr,
                         Duration elapsed) {
        /** Standard output as UTF-8 text. */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** Standard error as UTF-8 text. */
        public String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    /** The program could not be started (missing, not executable, ...); the message names the command. */
    public static final class StartFailed extends IOException {
        private final String reason;

        StartFailed(List<String> command, IOException cause) {
            super("cannot start " + String.join(" ", command) + ": " + cause.getMessage(), cause);
            this.reason = String.valueOf(cause.getMessage());
        }

        /** What the operating system said, without the command. */
        public String reason() {
            return reason;
        }
    }

    private final List<String> command;
    private Path directory;
    private final Map<String, String> env = new LinkedHashMap<>();
    private byte[] stdin;
    private Duration bound = Duration.ofMinutes(10);
    private boolean merge;
    private boolean inherit;
    private int keepLast = DEFAULT_KEEP_BYTES;
    private Consumer<String> lines;
    private Consumer<String> errLines;
    private Supplier<List<ProcessHandle>> strays = List::of;

    private ChildProcess(List<String> command) {
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        this.command = List.copyOf(command);
    }

    /** A run of {@code command} (the program, then its arguments). */
    public static ChildProcess of(List<String> command) {
        return new ChildProcess(command);
    }

    /** A run of {@code command} (the program, then its arguments). */
    public static ChildProcess of(String... command) {
        return new ChildProcess(List.of(command));
    }

    /** Runs in {@code dir}; null (the default) is this JVM's working directory. */
    public ChildProcess directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /** Adds {@code vars} to the inherited environment; a null value removes that variable. */
    public ChildProcess env(Map<String, String> vars) {
        env.putAll(vars);
        return this;
    }

    /** Feeds {@code bytes} on standard input (null: empty input). */
    public ChildProcess stdin(byte[] bytes) {
        this.stdin = bytes;
        return this;
    }

    /** Kills the process tree when the program has not ended after {@code d}. */
    public ChildProcess bound(Duration d) {
        this.bound = Objects.requireNonNull(d);
        return this;
    }

    /** Sends standard error into standard output. */
    public ChildProcess mergeStderr() {
        this.merge = true;
        return this;
    }

    /** Lets the program write to this JVM's own standard output and error. */
    public ChildProcess inheritOutput() {
        this.inherit = true;
        return this;
    }

    /** Keeps at most the last {@code bytes} of each captured stream. */
    public ChildProcess keepLast(int bytes) {
        if (bytes < 0) throw new IllegalArgumentException("keepLast " + bytes);
        this.keepLast = bytes;
        return this;
    }

    /**
     * Hands each line of standard output (with standard error merged) to {@code consumer} as it is
     * written, from another thread, instead of keeping it; {@link #run()} waits up to 5 s for the
     * last ones before it returns (only an orphan the program left holding the stream can deliver
     * a line after that).
     */
    public ChildProcess lines(Consumer<String> consumer) {
        this.lines = Objects.requireNonNull(consumer);
        this.merge = true;
        return this;
    }

    /**
     * Hands each line of standard output to {@code out} and each of standard error to {@code err},
     * apart, as they are written, from two other threads; {@link #run()} waits up to 5 s for each
     * stream's last lines before it returns. Only a process outside the killed tree that still
     * holds a stream (an orphan the program left) can deliver a line after that. A later
     * {@link #mergeStderr()} sends both streams to {@code out}.
     */
    public ChildProcess lines(Consumer<String> out, Consumer<String> err) {
        this.lines = Objects.requireNonNull(out);
        this.errLines = Objects.requireNonNull(err);
        this.merge = false;
        return this;
    }

    /**
     * Also kills, at the end, the processes {@code more} names: processes of this run that may no
     * longer descend from the program (a child whose parent already died).
     */
    public ChildProcess alsoKill(Supplier<List<ProcessHandle>> more) {
        this.strays = Objects.requireNonNull(more);
        return this;
    }

    /**
     * Runs the program to its end or its bound.
     *
     * @throws StartFailed when it cannot be started
     * @throws IOException when its input or output cannot be kept in a temporary file
     * @throws InterruptedException when this thread is interrupted; the process tree is killed first
     */
    public Result run() throws IOException, InterruptedException {
        List<Path> temps = new ArrayList<>();
        Process p = null;
        Thread cleanup = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (directory != null) pb.directory(directory.toFile());
            env.forEach((k, v) -> {
                if (v == null) pb.environment().remove(k);
                else pb.environment().put(k, v);
            });
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            } else {
                Path in = temp(temps, "in");
                Files.write(in, stdin);
                pb.redirectInput(in.toFile());
            }
            pb.redirectErrorStream(merge);
            Path out = null;
            Path err = null;
            if (inherit) {
                pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            } else if (lines == null) {
                out = temp(temps, "out");
                pb.redirectOutput(out.toFile());
                if (!merge) {
                    err = temp(temps, "err");
                    pb.redirectError(err.toFile());
                }
            }
            long t0 = System.nanoTime();
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new StartFailed(command, e);
            }
            Process started = p;
            cleanup = new Thread(() -> killTree(started.toHandle(), strays.get()), "child-process-cleanup");
            try {
                Runtime.getRuntime().addShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                cleanup = null; // The finally block below still kills the tree.
            }
            Thread reader = lines == null || inherit ? null : Thread.ofPlatform().daemon().name("child-process-output")
                    .start(() -> feed(started.getInputStream(), lines));
            Thread errReader = errLines == null || inherit ? null : Thread.ofPlatform().daemon().name("child-process-errors")
                    .start(() -> feed(started.getErrorStream(), errLines));
            boolean finished = p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) killTree(p.toHandle(), strays.get());
            if (reader != null) reader.join(REAP.toMillis());
            if (errReader != null) errReader.join(REAP.toMillis());
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            return new Result(command, finished ? p.exitValue() : -1, !finished, tail(out), tail(err), elapsed);
        } finally {
            if (p != null) killTree(p.toHandle(), strays.get());
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // The hook runs (or ran) anyway.
                }
            }
            for (Path t : temps) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // A leftover file in the temporary directory harms nothing.
                }
            }
        }
    }

    /**
     * Kills {@code root}'s descendants, {@code root} and {@code more} with SIGKILL, then waits up
     * to 5 s for each to be gone. Processes already gone are skipped.
     */
    public static void killTree(ProcessHandle root, List<ProcessHandle> more) {
        List<ProcessHandle> victims = new ArrayList<>(root.descendants().toList());
        victims.add(root);
        victims.addAll(more);
        for (ProcessHandle h : victims) {
            if (h.isAlive()) h.destroyForcibly();
        }
        for (ProcessHandle h : victims) {
            try {
                h.onExit().get(REAP.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception ignored) {
                // Best effort: a process that survives SIGKILL for 5 s cannot be helped from here.
            }
        }
    }

    /** Kills {@code root} and its descendants; see {@link #killTree(ProcessHandle, List)}. */
    public static void killTree(ProcessHandle root) {
        killTree(root, List.of());
    }

    private static Path temp(List<Path> temps, String what) throws IOException {
        Path t = Files.createTempFile("testbed-child-", "." + what);
        temps.add(t);
        return t;
    }

    private byte[] tail(Path file) throws IOException {
        if (file == null) return new byte[0];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long n = Math.min(f.length(), keepLast);
            byte[] b = new byte[(int) n];
            f.seek(f.length() - n);
            f.readFully(b);
            return b;
        }
    }

    private static void feed(java.io.InputStream stream, Consumer<String> consumer) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) consumer.accept(line);
        } catch (IOException ignored) {
            // The program closed its output by exiting, or was killed.
        }
    }
}
