package testbed.scopes;

import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import testbed.proto.v1.HoldRequest;
import testbed.proto.v1.HoldResponse;
import testbed.proto.v1.HoldSpec;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The interrupt cases: the scope's owner interrupted in join(), and a subtask blocked in a
 * call of each grpc-java stub kind interrupted by the scope's cancel. A call must end in Go
 * when its subtask is interrupted: the blocking stub and the future (cancelled by its waiter)
 * do; {@code BlockingClientCall} does only when the subtask cancels it, and the broken variant
 * that leaves it alone shows its Go errgroup still running. Each method is one case of
 * {@link ScopesSuite#CASES}, named after it.
 */
final class Interrupts {
    private Interrupts() {}

    /** How the blocked subtask calls: which stub, and for the V2 blocking call whether it cancels the call on interrupt. */
    enum Stub { BLOCKING, FUTURE, BLOCKING_V2, BLOCKING_V2_NO_CANCEL }

    /** owner_interrupted: the owner, in join() with two streams open, is interrupted; close() cancels both; the dump saw both subtasks in the scope's container. */
    static void ownerInterrupted(Run r) throws Exception {
        CountDownLatch forked = new CountDownLatch(1);
        AtomicReference<String> saw = new AtomicReference<>("owner ended without a verdict");
        Thread owner = Thread.ofVirtual().name("scopes-owner-" + r.scopeId).start(() -> {
            try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
                scope.fork(r.stream(r.spec("s0", 4), "cancelled_by_notice", true));
                scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
                forked.countDown();
                scope.join();
                saw.set("join returned normally");
                r.problem("join returned normally, want InterruptedException");
            } catch (InterruptedException e) {
                saw.set("InterruptedException in join");
            } catch (Exception e) {
                saw.set(e.toString());
                r.problem("the owner saw " + e + ", want InterruptedException");
            }
            r.closed();
        });
        int open = -1;
        try {
            if (!forked.await(ScopeCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the owner did not fork within " + ScopeCalls.CALL_BOUND.toSeconds() + " s");
            }
            r.awaitGoroutines(8);
            // While the scope is open, the dump must see its two subtasks in its container: else
            // the Java leftover count, which looks for that container, would be blind.
            open = JavaThreads.snapshot().inScope(r.scopeId).size();
            if (open != 2) r.problem("the thread dump found " + open + " thread(s) in the open scope's container, want its 2 subtasks");
        } finally {
            // Whatever happened above, the owner is interrupted and joined: never left running.
            owner.interrupt();
            if (!owner.join(ScopeCalls.CALL_BOUND)) {
                throw new IllegalStateException("the interrupted owner did not end within " + ScopeCalls.CALL_BOUND.toSeconds() + " s");
            }
        }
        r.javaSaw = saw.get() + "; the dump saw " + open + " subtasks in the open scope";
    }

    /** interrupt_cancels_blocking_stub: grpc-java's blocking unary call cancels the call when its thread is interrupted. */
    static void interruptCancelsBlockingStub(Run r) throws Exception {
        interruptCancels(r, Stub.BLOCKING);
    }

    /** interrupt_cancels_async_stub: the subtask waiting on a future-stub call cancels the future when interrupted. */
    static void interruptCancelsAsyncStub(Run r) throws Exception {
        interruptCancels(r, Stub.FUTURE);
    }

    /** interrupt_cancels_blocking_v2: the subtask blocked in BlockingClientCall.read cancels the call when interrupted. */
    static void interruptCancelsBlockingV2(Run r) throws Exception {
        interruptCancels(r, Stub.BLOCKING_V2);
    }

    /**
     * blocking_v2_interrupt_alone_leaks (broken variant): the interrupted subtask leaves its
     * BlockingClientCall alone, so the call's handler and its errgroup of 3 are still running
     * after close(); the call is cancelled only after the leftovers are counted.
     */
    static void blockingV2InterruptAloneLeaks(Run r) throws Exception {
        interruptCancels(r, Stub.BLOCKING_V2_NO_CANCEL);
    }

    private static final Pattern NEVER_RETURNED =
            Pattern.compile("never returned after close\\(\\): (\\d+) goroutine\\(s\\) of scope ");

    /**
     * What catches blocking_v2_interrupt_alone_leaks: the abandoned call's handler had not
     * returned (it filed no record) and the scope still counts at least its errgroup's 3
     * goroutines, {@link Leftovers#LEAK_BOUND} after close().
     */
    static boolean abandonedCallShown(String problem) {
        var m = NEVER_RETURNED.matcher(problem);
        return m.find() && Integer.parseInt(m.group(1)) >= 3;
    }

    /** A subtask blocked in a call of the given stub; a Java sibling fails, so the scope interrupts it. */
    private static void interruptCancels(Run r, Stub stub) throws Exception {
        r.structured = false;
        HoldSpec spec = r.spec("blocked", 3).build();
        if (stub != Stub.BLOCKING_V2_NO_CANCEL) r.expectedEnds.put("blocked", "canceled");
        AtomicReference<String> blockedSaw = new AtomicReference<>("-");
        AtomicReference<BlockingClientCall<HoldRequest, HoldResponse>> abandoned = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<Object>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(() -> {
                try {
                    return callBlocked(r, stub, spec, abandoned);
                } catch (Throwable t) {
                    blockedSaw.set(ScopeCalls.describe(t));
                    throw t;
                }
            });
            scope.fork(() -> {
                r.awaitGoroutines(3);
                throw new IllegalStateException("sibling failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException (" + e.getCause().getMessage() + "); the blocked subtask saw " + blockedSaw.get();
        }
        r.closed();
        if (abandoned.get() != null) {
            r.cleanups.add(() -> {
                abandoned.get().cancel("the broken variant's call, cancelled after the leak check", null);
                r.awaitNoGoroutines(Duration.ofSeconds(5));
            });
        }
    }

    private static Object callBlocked(Run r, Stub stub, HoldSpec spec, AtomicReference<BlockingClientCall<HoldRequest, HoldResponse>> abandoned)
            throws Exception {
        switch (stub) {
            case BLOCKING -> {
                // grpc-java's blocking unary call cancels the call when its thread is interrupted.
                return r.calls.blocking(r.callScopeId).withDeadlineAfter(ScopeCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                        .holdUnary(ScopeCalls.unary(spec));
            }
            case FUTURE -> {
                var f = r.calls.future(r.callScopeId).holdUnary(ScopeCalls.unary(spec));
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    f.cancel(true); // the future does not cancel its call because the waiter was interrupted
                    throw e;
                }
            }
            default -> {
                BlockingClientCall<HoldRequest, HoldResponse> call = r.calls.blockingV2(r.callScopeId).hold();
                try {
                    call.write(HoldRequest.newBuilder().setStart(spec).build());
                    HoldResponse started = call.read();
                    if (!started.hasStarted()) throw new IllegalStateException("Hold: first reply " + started + ", want started");
                    return call.read();
                } catch (InterruptedException e) {
                    if (stub == Stub.BLOCKING_V2) {
                        call.cancel("subtask cancelled", e); // BlockingClientCall does not cancel on interrupt by itself
                    } else {
                        abandoned.set(call);
                    }
                    throw e;
                } catch (StatusException e) {
                    throw e;
                }
            }
        }
    }
}
