package testbed.scopes;

import testbed.proto.v1.HoldSpec;

import java.util.concurrent.Callable;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.function.UnaryOperator;

/**
 * The nested cases: a scope inside a subtask, errgroups inside errgroups, and native workers
 * either the Java subtasks' (stopped by the Go handlers' flags) or started by a goroutine in
 * the peer. A Go failure in the outer scope must unwind them all. Each method is one case of
 * {@link ScopesSuite#CASES}, named after it.
 */
final class NestedScopes {
    private NestedScopes() {}

    /** nested: each stream runs a native worker of its Java subtask, stopped by the flag its Go handler sets. */
    static void nested(Run r) throws Exception {
        nestedScopes(r, spec -> spec, true);
    }

    /** nested_native_under_goroutine: each inner stream's errgroup has one more goroutine that starts, stops and joins a native worker in the peer. */
    static void nestedNativeUnderGoroutine(Run r) throws Exception {
        nestedScopes(r, r::nativeUnderGoroutine, false);
    }

    /**
     * An outer scope holding an inner scope of two streams ({@code inner} shapes each inner
     * stream's spec) and a stream whose goroutine fails: the outer join must throw
     * FailedException for the failing call, and the inner scope's streams end by the notice.
     * With {@code natives} each stream also runs a native worker on a region flag ({@link Run#stream}).
     */
    private static void nestedScopes(Run r, UnaryOperator<HoldSpec.Builder> inner, boolean natives) throws Exception {
        try (var outer = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            Callable<String> i0 = r.stream(inner.apply(r.spec("inner0", 2).setNestedGoroutines(2)), "cancelled_by_notice", natives);
            Callable<String> i1 = r.stream(inner.apply(r.spec("inner1", 2).setNestedGoroutines(2)), "cancelled_by_notice", natives);
            outer.fork(() -> {
                try (var innerScope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId + "/inner"))) {
                    innerScope.fork(i0);
                    innerScope.fork(i1);
                    innerScope.join();
                    return "inner";
                }
            });
            outer.fork(r.stream(r.spec("failing", 2).setNestedGoroutines(2).setFailGoroutine(1).setFailAfterMs(60), "goroutine_failed", natives));
            outer.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + ScopeCalls.describe(e.getCause());
            r.expectGoFailure(e.getCause(), "failing");
        }
        r.closed();
    }
}
