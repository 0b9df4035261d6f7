package testbed.harness;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where a long suite is: {@code [n/N]} cases done, the time since it started, and the time
 * left against the budget its mode promises (or, for a suite without one, at the pace so far).
 *
 * <p>On a terminal ({@link #console}) it is one status line under the run's output, redrawn in
 * place as cases finish and every second between; every line the run prints goes above it.
 * Anywhere else (a CI log, a file, a test's buffer) it is a plain line, written when the last
 * case is done and otherwise at most every {@link #PLAIN_EVERY}, so a log shows the run moving
 * without a line per case on top of the suites' own.
 */
public final class Progress implements AutoCloseable {
    /** The longest a plain log goes without a progress line while cases finish. */
    public static final Duration PLAIN_EVERY = Duration.ofSeconds(10);

    private final PrintStream out;
    private final Console console;
    private final String suite;
    private final int total;
    private final Duration budget;
    private final LongSupplier clock;
    private final long t0;
    private volatile int done;
    private long lastPlain;

    private Progress(PrintStream out, String suite, int total, Duration budget, LongSupplier clock) {
        this.out = out;
        this.console = out instanceof Console c ? c : null;
        this.suite = suite;
        this.total = total;
        this.budget = budget;
        this.clock = clock;
        this.t0 = clock.getAsLong();
        this.lastPlain = t0;
        if (console != null) console.show(this);
    }

    /**
     * Progress of {@code suite}'s {@code total} cases, printed to {@code out}; {@code budget} is
     * the time the mode promises for the suite, or null when it promises none.
     */
    public static Progress start(PrintStream out, String suite, int total, Duration budget) {
        return new Progress(out, suite, total, budget, System::nanoTime);
    }

    /** As {@link #start}, on {@code clock} (nanoseconds): for tests. */
    static Progress start(PrintStream out, String suite, int total, Duration budget, LongSupplier clock) {
        return new Progress(out, suite, total, budget, clock);
    }

    /** One more case is done. */
    public void advance() {
        String plain = null;
        synchronized (this) {
            done++;
            long now = clock.getAsLong();
            if (console == null && (done >= total || now - lastPlain >= PLAIN_EVERY.toNanos())) {
                lastPlain = now;
                plain = line();
            }
        }
        // Outside this object's lock: the console's ticker takes its own lock, then reads line().
        if (console != null) console.redraw();
        else if (plain != null) out.println("  " + plain);
    }

    /** Takes the status line off a terminal; a plain log keeps what it has. */
    @Override
    public void close() {
        if (console != null) console.hide(this);
    }

    /** "[12/333] litmus: 0:23 elapsed, 0:57 left of 1:20": what the status line and the plain lines say. */
    String line() {
        long elapsed = clock.getAsLong() - t0;
        StringBuilder b = new StringBuilder().append('[').append(done).append('/').append(total).append("] ")
                .append(suite).append(": ").append(clockTime(elapsed)).append(" elapsed");
        if (budget != null) {
            long left = budget.toNanos() - elapsed;
            b.append(left >= 0 ? ", " + clockTime(left) + " left of " + clockTime(budget.toNanos())
                    : ", " + clockTime(-left) + " over its " + clockTime(budget.toNanos()));
        } else if (done > 0 && done < total) {
            b.append(", about ").append(clockTime(elapsed / done * (total - done))).append(" left at this pace");
        }
        return b.toString();
    }

    /** m:ss, or h:mm:ss from an hour. */
    static String clockTime(long nanos) {
        long s = Math.max(0, Math.round(nanos / 1e9));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /**
     * {@code out} made ready for a status line when it is the process's standard output on a
     * terminal; otherwise {@code out} itself. Everything the run prints should go through what
     * this returns, so that the status line is taken down before a line and drawn again after.
     */
    public static PrintStream console(PrintStream out) {
        java.io.Console c = System.console();
        if (out != System.out || c == null || !c.isTerminal() || out instanceof Console) return out;
        return new Console(out);
    }

    /**
     * Standard output on a terminal with one status line kept at its bottom. Bytes written go
     * above the status line: it is erased before them and drawn again after each newline. A
     * ticker redraws it every second, so the elapsed time moves while a case runs.
     */
    static final class Console extends PrintStream {
        private static final String ERASE = "\r\u001b[K";
        private final PrintStream terminal;
        private final Object lock = new Object();
        private final ScheduledExecutorService ticker;
        private Progress shown;
        private boolean drawn;
        private boolean midLine;

        Console(PrintStream terminal) {
            this(terminal, new Lines());
        }

        private Console(PrintStream terminal, Lines lines) {
            super(lines, true, StandardCharsets.UTF_8);
            this.terminal = terminal;
            lines.console = this;
            this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("progress-ticker").factory());
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
        }

        void show(Progress p) {
            synchronized (lock) {
                shown = p;
            }
            redraw();
        }

        void hide(Progress p) {
            synchronized (lock) {
                if (shown != p) return;
                erase();
                shown = null;
            }
        }

        void redraw() {
            synchronized (lock) {
                if (shown == null || midLine) return;
                terminal.print(ERASE + shown.line());
                terminal.flush();
                drawn = true;
            }
        }

        private void erase() {
            if (drawn) {
                terminal.print(ERASE);
                drawn = false;
            }
        }

        /** Bytes of the run's own output: above the status line. */
        void above(byte[] b, int off, int len) {
            synchronized (lock) {
                erase();
                terminal.write(b, off, len);
                midLine = len > 0 && b[off + len - 1] != '\n';
                terminal.flush();
            }
            redraw();
        }

        @Override
        public void close() {
            ticker.shutdownNow();
            synchronized (lock) {
                erase();
                shown = null;
            }
            terminal.flush();
        }

        private static final class Lines extends FilterOutputStream {
            Console console;

            Lines() {
                super(OutputStream.nullOutputStream());
            }

            @Override
            public void write(int b) {
                console.above(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                console.above(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                console.terminal.flush();
            }
        }
    }
}
