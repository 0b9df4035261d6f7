package testbed.scopes;

import io.grpc.Context;
import io.grpc.Deadline;
import testbed.proto.v1.CallRecord;
import testbed.proto.v1.HoldResult;
import testbed.proto.v1.HoldSpec;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.TimeUnit;

/**
 * The context cases: whether a gRPC {@code Context} deadline attached around the scope
 * reaches the calls its forks make, as grpc-timeout in Go. A plain fork loses it (grpc-java's
 * Context is a ThreadLocal); {@link GrpcContextForks#fork} carries it. Each method is one case
 * of {@link ScopesSuite#CASES}, named after it.
 */
final class ContextAcrossForks {
    private ContextAcrossForks() {}

    /** context_lost_across_forks: plain forks; Go must see no deadline on any of the three calls. */
    static void contextLostAcrossForks(Run r) throws Exception {
        contextAcrossForks(r, false, ScopeCalls.CALL_BOUND, 5);
    }

    /** context_propagated_across_forks: GrpcContextForks.fork; Go must see the owner's deadline on all three calls. */
    static void contextPropagatedAcrossForks(Run r) throws Exception {
        contextAcrossForks(r, true, ScopeCalls.CALL_BOUND, 5);
    }

    /**
     * Three forks call HoldUnary (its errgroup succeeds after {@code succeedAfterMs}; 0: never)
     * with a blocking stub and no deadline of their own, inside a Context whose deadline is
     * {@link ScopesSuite#SCOPE_DEADLINE}. The scope itself is bounded by {@code bound}
     * ({@code Configuration.withTimeout}, which sends nothing to Go): without the owner's
     * Context, nothing else would end a stalled call.
     */
    static void contextAcrossForks(Run r, boolean propagate, Duration bound, int succeedAfterMs) throws Exception {
        r.structured = false;
        Context.CancellableContext ctx = Context.current().withDeadline(
                Deadline.after(ScopesSuite.SCOPE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS), r.deadlineTimer());
        try {
            ctx.call(() -> {
                try (var scope = StructuredTaskScope.open(Joiner.<HoldResult>allSuccessfulOrThrow(),
                        cfg -> cfg.withName(r.scopeId).withTimeout(bound))) {
                    for (int k = 0; k < 3; k++) {
                        HoldSpec spec = r.spec("f" + k, 2).setSucceedAfterMs(succeedAfterMs).build();
                        r.expectedEnds.put(spec.getCallId(), "ok");
                        Callable<HoldResult> call = () -> r.calls.blocking(r.callScopeId).holdUnary(ScopeCalls.unary(spec)).getResult();
                        if (propagate) GrpcContextForks.fork(scope, call);
                        else scope.fork(call);
                    }
                    scope.join();
                }
                r.closed();
                return null;
            });
        } finally {
            ctx.cancel(null);
        }
        r.javaSaw = propagate ? "forks ran inside the owner's Context" : "forks ran in the root Context";
        long deadlineMs = ScopesSuite.SCOPE_DEADLINE.toMillis();
        r.recordChecks.add(records -> {
            for (CallRecord c : records) {
                long ms = c.getDeadlineRemainingMs();
                if (propagate && (ms <= 0 || ms > deadlineMs)) {
                    r.problem("call " + c.getCallId() + " reached Go with deadline " + ms + " ms, want (0, " + deadlineMs + "]");
                }
                if (!propagate && ms != -1) {
                    r.problem("call " + c.getCallId() + " reached Go with a " + ms + " ms deadline: the owner's Context did cross the fork; docs/SCOPES.md says it does not, update it");
                }
            }
        });
        r.recordChecks.add(records -> {
            long with = records.stream().filter(c -> c.getDeadlineRemainingMs() >= 0).count();
            r.javaSaw += "; Go saw a deadline on " + with + " of " + records.size() + " forks";
        });
    }
}
