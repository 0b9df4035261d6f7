package testbed.cancel;

import io.grpc.Context;
import io.grpc.Status;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static testbed.cancel.TrialChecks.LEAK_BOUND;
import static testbed.cancel.TrialChecks.joinOrFail;
import static testbed.cancel.TrialChecks.leakLine;
import static testbed.cancel.TrialChecks.spec;
import static testbed.cancel.TrialChecks.stoppedCheck;

/**
 * The broken variants: each plants the fault one check exists to find (work that ignores its
 * cancel, a scope that ends by itself), and the suite declares the phrase of that check's
 * message that must catch it. Each runs once and cleans up after itself, so that nothing it
 * planted outlives the case.
 */
final class PlantedLeaks {
    /** The broken handler's goroutines sleep this long, well past {@link TrialChecks#LEAK_BOUND}, then end. */
    static final int IGNORE_CONTEXT_MS = 7_000;
    /** The broken native workers' join bound: they never stop by themselves, so the full bound would only cost time. */
    static final Duration BROKEN_NATIVE_JOIN_BOUND = Duration.ofSeconds(1);

    private final TrialChecks checks;
    private final CancelCalls calls;
    private final NativeWorkerCases nativeWorkers;
    private final StructuredScopeCases scopes;

    PlantedLeaks(TrialChecks checks, NativeWorkerCases nativeWorkers, StructuredScopeCases scopes) {
        this.checks = checks;
        this.calls = checks.calls;
        this.nativeWorkers = nativeWorkers;
        this.scopes = scopes;
    }

    /** C workers started without the cancel flag: the native worker count must name them ({@link NativeWorkerCases#NATIVE_LEAK}). */
    Trial nativeWorkerIgnoresCancelFlagLeak(String id) {
        return nativeWorkers.nativeWorkerCancelledViaGoHandler(id, true, BROKEN_NATIVE_JOIN_BOUND);
    }

    /** A scope's virtual-thread task that ignores the interrupt: the watchdog must name it ({@link TaskWatchdog#JAVA_TASK_LEAK}). */
    Trial javaTaskIgnoresInterruptLeak(String id) {
        return scopes.javaStructuredScopeCancelsStreamsAndVirtualThreads(id, true);
    }

    /**
     * The client stream's subtask cancels its own call, so the scope ends by itself: the
     * owner-cancel check must say so ({@link OwnerCancelledScope#NOT_CANCELLED_BY_OWNER}).
     */
    Trial javaStructuredScopeEndsBeforeOwnerCancel(String id) {
        return scopes.javaStructuredScopeCancelsClientStream(id, true);
    }

    /**
     * Java cancels a unary call (io.grpc.Context cancellation) whose handler's goroutines
     * ignore their context; the leak check must name them. The trial then waits for them to
     * end by themselves, so nothing outlives the case.
     */
    Trial goHandlerIgnoresContextLeak(String id) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        AtomicReference<Throwable> end = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().name("cancel-ignored-" + id).start(() -> ctx.run(() -> {
            try {
                calls.blocking(id).withDeadlineAfter(CancelCalls.CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                        .work(WorkRequest.newBuilder().setSpec(spec(id, 3).setIgnoreContext(true).setIgnoreContextMs(IGNORE_CONTEXT_MS)).build());
            } catch (Throwable t) {
                end.set(t);
            }
        }));
        checks.awaitGoroutines(id, 3);
        long t0 = System.nanoTime();
        ctx.cancel(new CancellationException("SCOPE_CLOSED by testbed.java"));
        joinOrFail(caller, "the Java caller of " + id);
        Status js = TrialChecks.statusOf(end.get());
        int leaked = calls.goroutinesAfter(id, LEAK_BOUND);
        ObserveResponse o = calls.observe(id); // the broken goroutines end after IGNORE_CONTEXT_MS
        List<String> problems = new ArrayList<>();
        if (leaked > 0) problems.add(leakLine(id, o, leaked, LEAK_BOUND.toMillis() + " ms after the cancel"));
        else stoppedCheck(o, problems);
        int left = calls.goroutinesAfter(id, LEAK_BOUND);
        if (left > 0) problems.add(left + " goroutine(s) of scope " + id + " did not end even after the broken handler's sleep");
        return Trial.saw(js.getCode().name(), o.getContextError() + " (ignored)")
                .latency(o.getLastStoppedNs() == 0 ? Trial.NONE : o.getLastStoppedNs() - t0).leaked(leaked).problems(problems);
    }
}
