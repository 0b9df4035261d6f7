package testbed.cancel;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import testbed.cancel.TaskWatchdog.JavaWork;
import testbed.harness.CaseTrials;
import testbed.peer.PeerClient;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkStreamRequest;
import testbed.proto.v1.WorkStreamResponse;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static testbed.cancel.OwnerCancelledScope.NOT_CANCELLED_BY_OWNER;
import static testbed.cancel.TrialChecks.describe;
import static testbed.cancel.TrialChecks.spec;
import static testbed.cancel.TrialChecks.text;

/**
 * A Java StructuredTaskScope as the initiator (docs/CANCELLATION.md): a failing subtask, or
 * the scope's owner, cancels the scope, whose cancellation must reach gRPC streams (plainly
 * or with the protocol's cause) and virtual-thread work, each within its bound. The planted
 * faults of two broken variants ({@link PlantedLeaks}) are parameters of these bodies.
 */
final class StructuredScopeCases {
    private final TrialChecks checks;
    private final CancelCalls calls;

    StructuredScopeCases(TrialChecks checks) {
        this.checks = checks;
        this.calls = checks.calls;
    }

    /** The case as it holds: no task ignores the interrupt. */
    Trial javaStructuredScopeCancelsStreamsAndVirtualThreads(String id) {
        return javaStructuredScopeCancelsStreamsAndVirtualThreads(id, false);
    }

    /**
     * A StructuredTaskScope forks two subtasks that consume Go server streams (4 goroutines
     * each), two virtual-thread work loops, and one subtask that fails once both streams tick.
     * The failure cancels the scope: its threads are interrupted, which cancels each blocking
     * gRPC call (grpc-java cancels the call of an interrupted blocking iterator). Asserts: join
     * reports the failure; both calls end CANCELLED on Java and canceled in Go with every
     * goroutine stopped; both work loops saw the interrupt and ended within {@link
     * TaskWatchdog#JAVA_TASK_BOUND}. A watchdog thread enforces that bound: a task still running
     * then is named as a leak and released (the scope's close would otherwise wait for it
     * without end). With {@code ignoringTask} (the broken variant) the first work loop ignores
     * the interrupt. Latency: the failing subtask's throw to the last of the goroutines and
     * Java tasks ending.
     */
    Trial javaStructuredScopeCancelsStreamsAndVirtualThreads(String id, boolean ignoringTask) {
        String[] ids = {id + "-a", id + "-b"};
        CountDownLatch ticking = new CountDownLatch(ids.length);
        AtomicLong thrownNs = new AtomicLong();
        TaskWatchdog dog = new TaskWatchdog(id, 2);
        // Subtasks that complete after the scope was cancelled are not tracked by it (their
        // state is UNAVAILABLE), so each subtask leaves what it saw here.
        var streamEnds = new AtomicReferenceArray<Status>(ids.length);
        var workEnds = new AtomicReferenceArray<JavaWork>(2);
        String joinSaw;
        try (var scope = StructuredTaskScope.open()) {
            for (int i = 0; i < ids.length; i++) {
                String sid = ids[i];
                int k = i;
                scope.fork(() -> {
                    try {
                        Iterator<WorkStreamResponse> it = calls.blocking(sid)
                                .withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                                .workStream(WorkStreamRequest.newBuilder().setSpec(spec(sid, 4).setTickIntervalMs(1)).build());
                        boolean first = true;
                        while (it.hasNext()) {
                            it.next();
                            if (first) ticking.countDown();
                            first = false;
                        }
                        streamEnds.set(k, Status.OK);
                    } catch (StatusRuntimeException e) {
                        streamEnds.set(k, e.getStatus());
                    }
                    return null;
                });
            }
            for (int i = 0; i < 2; i++) {
                boolean ignores = ignoringTask && i == 0;
                int k = i;
                scope.fork(() -> {
                    dog.taskStarted();
                    boolean sawInterrupt = false;
                    while (!dog.released()) {
                        if (!ignores && Thread.currentThread().isInterrupted()) {
                            sawInterrupt = true;
                            break;
                        }
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            if (!ignores) {
                                sawInterrupt = true;
                                break;
                            }
                        }
                    }
                    workEnds.set(k, new JavaWork(sawInterrupt, System.nanoTime()));
                    dog.taskEnded();
                    return null;
                });
            }
            scope.fork(() -> {
                try {
                    if (!ticking.await(CancelCalls.CALL_BOUND.toSeconds(), TimeUnit.SECONDS)) throw new IllegalStateException("streams never ticked");
                    thrownNs.set(System.nanoTime());
                    throw new IllegalStateException("SCOPE_CLOSED: a subtask failed");
                } finally {
                    dog.cancelled();
                }
            });
            try {
                scope.join();
                joinSaw = "join returned normally";
            } catch (StructuredTaskScope.FailedException e) {
                joinSaw = "FailedException: " + e.getCause().getMessage();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            dog.cancelled();
            dog.release();
        }
        // The scope is closed: every subtask's thread has ended.
        List<String> problems = new ArrayList<>();
        if (!joinSaw.contains("SCOPE_CLOSED")) problems.add("the scope's join: " + joinSaw + ", want the subtask's failure");
        dog.finish(problems);
        long last = 0;
        int leaked = 0;
        List<String> goSaw = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            Status st = streamEnds.get(i);
            if (st == null || st.getCode() != Status.Code.CANCELLED) {
                problems.add("stream " + ids[i] + ": Java saw " + (st == null ? "no end" : st) + ", want CANCELLED");
            }
            ObserveResponse o = calls.observe(ids[i]);
            goSaw.add(o.getContextError());
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "' for " + ids[i] + ", want canceled");
            Trial t = checks.finishTrial(ids[i], o, "", 0, new ArrayList<>());
            if (t.problem() != null) problems.add(t.problem());
            leaked += t.leakedGoroutines();
            last = Math.max(last, o.getLastStoppedNs());
        }
        int interrupted = 0;
        for (int i = 0; i < workEnds.length(); i++) {
            JavaWork w = workEnds.get(i);
            if (w == null) {
                problems.add("virtual-thread work subtask " + i + " never ended");
            } else if (!w.interrupted()) {
                problems.add("virtual-thread work subtask " + i + " ended without seeing the interrupt");
            } else {
                interrupted++;
                last = Math.max(last, w.endNs());
            }
        }
        List<String> javaStreams = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) javaStreams.add(streamEnds.get(i) == null ? "no end" : streamEnds.get(i).getCode().name());
        return Trial.saw("scope failed; streams " + String.join(",", javaStreams) + "; " + interrupted + " of 2 virtual threads ended on the interrupt",
                        "streams " + String.join(",", goSaw))
                .latency(thrownNs.get() == 0 ? Trial.NONE : last - thrownNs.get()).leaked(leaked).problems(problems);
    }

    /**
     * The cause protocol from a StructuredTaskScope: a subtask owns a Converse stream (4
     * goroutines) and, when the scope's cancellation interrupts it, sends a CancelNotice with
     * cause {@code testbed.java/SCOPE_CLOSED} before the call ends; a sibling subtask fails
     * once the stream ticks. Asserts the Go handler's context.Cause holds that cause intact,
     * Java got it echoed as ErrorInfo, every goroutine stopped. Latency: the sibling's throw
     * to the last goroutine ended.
     */
    Trial javaStructuredScopeCauseInBand(String id) {
        CancelCause cause = TrialChecks.javaCause(id);
        CountDownLatch ticking = new CountDownLatch(1);
        AtomicLong thrownNs = new AtomicLong();
        AtomicReference<CancelCalls.Converse> owned = new AtomicReference<>();
        AtomicReference<String> ownerSaw = new AtomicReference<>("owner never ran");
        try (var scope = StructuredTaskScope.open()) {
            scope.fork(() -> {
                CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec(id, 4).build());
                owned.set(c);
                c.awaitFirstTick();
                ticking.countDown();
                try {
                    c.awaitEndInterruptibly();
                    ownerSaw.set("the call ended before the scope was cancelled");
                } catch (InterruptedException e) {
                    c.sendNotice(cause, System.nanoTime());
                    c.awaitEnd();
                    ownerSaw.set("interrupted; sent the notice");
                }
                return null;
            });
            scope.fork(() -> {
                if (!ticking.await(CancelCalls.CALL_BOUND.toSeconds(), TimeUnit.SECONDS)) throw new IllegalStateException("the stream never ticked");
                thrownNs.set(System.nanoTime());
                throw new IllegalStateException("SCOPE_CLOSED: a subtask failed");
            });
            try {
                scope.join();
            } catch (StructuredTaskScope.FailedException expected) {
                // the sibling's failure is what cancels the scope
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        List<String> problems = new ArrayList<>();
        if (!ownerSaw.get().startsWith("interrupted")) problems.add("the stream's owner: " + ownerSaw.get());
        CancelCalls.Converse c = owned.get();
        if (c == null) return Trial.saw("-", "-").problem("the stream's owner never started its call");
        Status js = c.awaitEnd();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ErrorInfo echoed = PeerClient.errorInfo(c.endError()).orElse(null);
        if (!CancelCalls.sameCause(echoed, cause)) problems.add("Java's status details hold " + echoed + ", want the cause " + text(cause) + " echoed intact");
        ObserveResponse o = calls.observe(id);
        if (!o.getCause().equals(cause)) problems.add("Go's context.Cause holds " + describe(o) + ", want " + text(cause));
        return checks.finishTrial(id, o, js.getCode() + ", ErrorInfo " + (echoed == null ? "none" : echoed.getReason()),
                thrownNs.get() == 0 ? Trial.NONE : o.getLastStoppedNs() - thrownNs.get(), problems);
    }

    /** The case as it holds: the subtask waits for the scope's cancellation. */
    Trial javaStructuredScopeCancelsClientStream(String id) {
        return javaStructuredScopeCancelsClientStream(id, false);
    }

    /**
     * A StructuredTaskScope owning a client stream: its one subtask opens a Collect call (4
     * goroutines, 3 chunks) and waits for its end; the scope's owner cancels the scope (its join
     * is interrupted and it closes the scope), whose cancellation interrupts the subtask, which
     * cancels its call (plain gRPC: an async call does not follow its thread's interrupt).
     * Asserts the owner's close is what ended the scope, the subtask saw the interrupt and ended
     * within {@link TaskWatchdog#JAVA_TASK_BOUND}, Java CANCELLED, Go canceled, every goroutine
     * stopped. Latency: the owner's close to the later of the last goroutine and the subtask
     * ending.
     *
     * <p>With {@code selfCancel} (the broken variant) the subtask cancels its own call and
     * returns without waiting for the scope's cancellation, so the scope ends by itself before
     * its owner cancels it: the statuses still read CANCELLED and canceled, and the owner-cancel
     * check (with the subtask's own, which finds no interrupt) tells that the case did not
     * exercise the scope.
     */
    Trial javaStructuredScopeCancelsClientStream(String id, boolean selfCancel) {
        CountDownLatch ready = new CountDownLatch(1);
        TaskWatchdog dog = new TaskWatchdog(id, 1);
        AtomicReference<CancelCalls.Collect> owned = new AtomicReference<>();
        AtomicReference<JavaWork> subtask = new AtomicReference<>();
        AtomicReference<String> subtaskSaw = new AtomicReference<>("the subtask never ran");
        OwnerCancelledScope closed = OwnerCancelledScope.run(id, List.of(() -> {
            dog.taskStarted();
            boolean interrupted = false;
            try {
                CancelCalls.Collect c = new CancelCalls.Collect(calls.async(id), spec(id, 4).build(), 3);
                owned.set(c);
                checks.awaitGoroutines(id, 4);
                if (selfCancel) {
                    c.requests.cancel("the subtask cancelled its own call", null);
                    c.awaitEnd();
                    subtaskSaw.set("cancelled its own call and returned");
                    return null; // the owner's finally counts `ready` once the scope has ended by itself
                }
                ready.countDown();
                try {
                    c.ended.get(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    subtaskSaw.set("the call ended before the scope was cancelled");
                } catch (InterruptedException e) {
                    interrupted = true;
                    c.requests.cancel("the scope was cancelled", e);
                    c.awaitEnd();
                    subtaskSaw.set("interrupted; cancelled its call");
                } catch (ExecutionException | TimeoutException e) {
                    subtaskSaw.set("the call did not end within " + CancelCalls.CALL_BOUND.toSeconds() + " s and no interrupt came");
                }
            } finally {
                subtask.set(new JavaWork(interrupted, System.nanoTime()));
                dog.taskEnded();
            }
            return null;
        }), ready, dog);
        List<String> problems = new ArrayList<>();
        if (!closed.byOwner()) problems.add("the scope's join: " + closed.joinSaw() + ", " + NOT_CANCELLED_BY_OWNER);
        dog.finish(problems);
        JavaWork w = subtask.get();
        if (w == null || !w.interrupted()) problems.add("the stream's subtask: " + subtaskSaw.get() + ", want it interrupted by the scope's cancellation");
        CancelCalls.Collect c = owned.get();
        if (c == null) {
            return Trial.saw("-", "-").problem("the subtask never started its Collect call; " + String.join("; ", CaseTrials.worstFirst(problems)));
        }
        Status js = c.awaitEnd();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ObserveResponse o = calls.observe(id);
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        long last = Math.max(o.getLastStoppedNs(), w == null ? 0 : w.endNs());
        return checks.finishTrial(id, o, "scope closed by its owner; " + js.getCode() + "; subtask " + (w != null && w.interrupted() ? "interrupted" : "not interrupted"),
                closed.cancelNs() == 0 ? Trial.NONE : last - closed.cancelNs(), problems);
    }
}
