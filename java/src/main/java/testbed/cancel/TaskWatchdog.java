package testbed.cancel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Enforces {@link #JAVA_TASK_BOUND} on a StructuredTaskScope's Java tasks: once {@link
 * #cancelled} is called it waits for every task to call {@link #taskEnded}, at most that
 * bound; tasks still running then are counted as leaked and released ({@link #released} turns
 * true), since the scope's close would otherwise wait for them without end. {@link #finish}
 * names the leak.
 */
final class TaskWatchdog {
    /** Java tasks must end within this long after the scope was cancelled; the watchdog then releases them. */
    static final Duration JAVA_TASK_BOUND = TrialChecks.LEAK_BOUND;
    /** What the watchdog reports when a Java task outlived {@link #JAVA_TASK_BOUND}; a broken variant must show it. */
    static final String JAVA_TASK_LEAK = "Java task(s) still running";

    /** What a Java task of a scope saw: whether it ended on the interrupt, and when it ended. */
    record JavaWork(boolean interrupted, long endNs) {}

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final CountDownLatch done;
    private final AtomicBoolean release = new AtomicBoolean();
    private final AtomicLong leaked = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final int tasks;
    private final Thread thread;

    /** A watchdog of {@code tasks} tasks of the scope of call {@code id}. */
    TaskWatchdog(String id, int tasks) {
        this.tasks = tasks;
        done = new CountDownLatch(tasks);
        thread = Thread.ofVirtual().name("cancel-scope-watchdog-" + id).start(() -> {
            try {
                cancelled.await(CancelCalls.CALL_BOUND.toSeconds() + 1, TimeUnit.SECONDS);
                if (!done.await(JAVA_TASK_BOUND.toMillis(), TimeUnit.MILLISECONDS)) leaked.set(done.getCount());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                release.set(true);
            }
        });
    }

    /** The scope was cancelled: the bound starts now. */
    void cancelled() {
        cancelled.countDown();
    }

    /** A task began to run (so that one that never ran is not counted as still running). */
    void taskStarted() {
        started.incrementAndGet();
    }

    void taskEnded() {
        done.countDown();
    }

    /** Whether a task still running should give up: the watchdog's bound passed, or the scope is closed. */
    boolean released() {
        return release.get();
    }

    void release() {
        release.set(true);
    }

    /** After the scope closed: ends the watchdog and adds the leak, if any, to {@code problems}. */
    void finish(List<String> problems) {
        cancelled.countDown();
        release.set(true);
        TrialChecks.joinOrFail(thread, "the scope's watchdog");
        long neverRan = Math.max(0, tasks - started.get());
        long running = leaked.get() - Math.min(leaked.get(), neverRan);
        if (running > 0) {
            problems.add("leak: " + running + " " + JAVA_TASK_LEAK + " " + JAVA_TASK_BOUND.toMillis()
                    + " ms after the scope was cancelled (released by the watchdog)");
        }
        if (neverRan > 0) problems.add(neverRan + " Java task(s) of the scope never ran");
    }
}
