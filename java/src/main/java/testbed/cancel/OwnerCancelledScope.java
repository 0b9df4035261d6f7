package testbed.cancel;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A StructuredTaskScope cancelled by its owner, and how it ended: the instant the owner began
 * to close it (0: never) and what its join did.
 */
record OwnerCancelledScope(long cancelNs, String joinSaw) {
    /** What the join saw when the owner was interrupted in it and closed the scope: the cancel the cases want. */
    static final String OWNER_INTERRUPTED = "join interrupted; the owner closed the scope";
    /** What the owner-cancel check reports when a scope ended by itself; a broken variant must show it. */
    static final String NOT_CANCELLED_BY_OWNER = "want it interrupted and the scope closed by its owner";

    /** Whether the owner's close is what ended the scope. */
    boolean byOwner() {
        return joinSaw.equals(OWNER_INTERRUPTED);
    }

    /**
     * An owner thread opens a scope, forks {@code subtasks} and joins. Once {@code ready} is
     * counted down (the subtasks' work runs) or {@link CancelCalls#CALL_BOUND} passed, this
     * thread interrupts the owner in its join, which throws InterruptedException; the owner then
     * leaves the scope before join completed, so its close cancels the scope (it interrupts every
     * unfinished subtask) and waits for the subtasks to end. {@code dog} is told of the cancel
     * when the owner begins to close. Returns once the scope is closed.
     */
    static OwnerCancelledScope run(String id, List<Callable<Void>> subtasks, CountDownLatch ready, TaskWatchdog dog) {
        AtomicLong cancelNs = new AtomicLong();
        AtomicReference<String> joinSaw = new AtomicReference<>("the owner never joined");
        CountDownLatch joining = new CountDownLatch(1);
        Thread owner = Thread.ofVirtual().name("cancel-scope-owner-" + id).start(() -> {
            try (var scope = StructuredTaskScope.<Void>open()) {
                for (var task : subtasks) scope.fork(task);
                joining.countDown();
                try {
                    scope.join();
                    joinSaw.set("join returned: the subtasks ended before the owner cancelled the scope");
                } catch (InterruptedException e) {
                    cancelNs.set(System.nanoTime());
                    dog.cancelled();
                    joinSaw.set(OWNER_INTERRUPTED);
                } catch (StructuredTaskScope.FailedException e) {
                    joinSaw.set("join failed: " + e.getCause());
                }
            } finally {
                joining.countDown();
                ready.countDown(); // a scope that ended by itself: the trial need not wait for its subtasks to be ready
                dog.cancelled();
            }
        });
        try {
            joining.await();
            if (!ready.await(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                joinSaw.compareAndSet("the owner never joined", "the subtasks were not ready within " + CancelCalls.CALL_BOUND.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        owner.interrupt();
        TrialChecks.joinOrFail(owner, "the scope's owner of " + id);
        return new OwnerCancelledScope(cancelNs.get(), joinSaw.get());
    }
}
