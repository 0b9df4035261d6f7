package testbed.scopes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;

/**
 * The cases of the scope's joiners and its timeout: how each way a scope can end (all
 * succeed, a Go goroutine fails, a Java subtask fails, the timeout, the first success wins,
 * every outcome awaited) reaches every stream's Go errgroup and native worker. Each method is
 * one case of {@link ScopesSuite#CASES}, named after it.
 */
final class Joiners {
    private Joiners() {}

    /** all_succeed: three streams, each an errgroup of 4 and a native worker, succeed; join returns their three results in order. */
    static void allSucceed(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            for (int k = 0; k < 3; k++) scope.fork(r.stream(r.spec("s" + k, 4).setSucceedAfterMs(20 + 10 * k), "ok", true));
            List<String> results = scope.join().map(Subtask::get).toList();
            if (!results.equals(List.of("s0", "s1", "s2"))) r.problem("join returned " + results + ", want [s0, s1, s2]");
            r.javaSaw = "join returned " + results.size() + " results";
        }
        r.closed();
    }

    /** go_goroutine_fails: a goroutine of s0's errgroup fails; join throws FailedException with ABORTED and its ErrorInfo; s1 and s2 end by the notice. */
    static void goGoroutineFails(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4).setFailGoroutine(2).setFailAfterMs(40), "goroutine_failed", true));
            scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s2", 4), "cancelled_by_notice", true));
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + ScopeCalls.describe(e.getCause());
            r.expectGoFailure(e.getCause(), "s0");
        }
        r.closed();
    }

    /** java_subtask_fails: a Java subtask throws once both streams' errgroups run; join throws its exception; the streams end by the notice. */
    static void javaSubtaskFails(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
            scope.fork(() -> {
                r.awaitGoroutines(8);
                throw new IllegalStateException("java subtask failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + ScopeCalls.describe(e.getCause());
            if (!(e.getCause() instanceof IllegalStateException ise) || !ise.getMessage().equals("java subtask failed on purpose")) {
                r.problem("the scope failed with " + e.getCause() + ", want the Java subtask's IllegalStateException");
            }
        }
        r.closed();
    }

    /** scope_timeout: the scope's timeout expires while two streams (one with nested errgroups) wait; join throws TimeoutException. */
    static void scopeTimeout(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(),
                cfg -> cfg.withName(r.scopeId).withTimeout(ScopesSuite.SCOPE_TIMEOUT))) {
            scope.fork(r.stream(r.spec("s0", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s1", 4).setNestedGoroutines(2), "cancelled_by_notice", true));
            scope.join();
            r.problem("join returned normally, want TimeoutException");
        } catch (StructuredTaskScope.TimeoutException e) {
            r.javaSaw = "TimeoutException";
        }
        r.closed();
    }

    /** any_successful: s0 succeeds first and join returns it; the losers s1 and s2 end by the notice. */
    static void anySuccessful(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>anySuccessfulResultOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 4).setSucceedAfterMs(30), "ok", true));
            scope.fork(r.stream(r.spec("s1", 4), "cancelled_by_notice", true));
            scope.fork(r.stream(r.spec("s2", 4), "cancelled_by_notice", true));
            String winner = scope.join();
            if (!"s0".equals(winner)) r.problem("the winner was " + winner + ", want s0");
            r.javaSaw = "join returned the winner " + winner;
        }
        r.closed();
    }

    /** await_all: s1's errgroup fails, s0 and s2 succeed; nothing is cancelled and the subtasks end SUCCESS, FAILED, SUCCESS. */
    static void awaitAll(Run r) throws Exception {
        List<Subtask<String>> subtasks = new ArrayList<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAll(), cfg -> cfg.withName(r.scopeId))) {
            subtasks.add(scope.fork(r.stream(r.spec("s0", 4).setSucceedAfterMs(20), "ok", true)));
            subtasks.add(scope.fork(r.stream(r.spec("s1", 4).setFailGoroutine(1).setFailAfterMs(30), "goroutine_failed", true)));
            subtasks.add(scope.fork(r.stream(r.spec("s2", 4).setSucceedAfterMs(60), "ok", true)));
            scope.join();
            List<String> states = subtasks.stream().map(s -> s.state().name()).toList();
            if (!states.equals(List.of("SUCCESS", "FAILED", "SUCCESS"))) r.problem("subtask states " + states + ", want [SUCCESS, FAILED, SUCCESS]");
            if (subtasks.get(1).state() == Subtask.State.FAILED) r.expectGoFailure(subtasks.get(1).exception(), "s1");
            r.javaSaw = "join returned; subtasks " + states;
        }
        r.closed();
    }
}
