package testbed.scopes;

import testbed.ffi.NativeWorkers;
import testbed.proto.v1.HoldSpec;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static testbed.scopes.ScopesSuite.DEAF_END_BOUND;
import static testbed.scopes.ScopesSuite.LEAK_MS;
import static testbed.scopes.ScopesSuite.UNWIND_MS;

/**
 * The broken variants that plant a leftover: each leaves one thing running after close(), in
 * Go, in Java or in C, or lets a Go handler return after it, and the leftover count must find
 * exactly that thing. Each method is one case of {@link ScopesSuite#CASES}, named after it;
 * the case table's expectation says what catches it, with the predicates below where a fixed
 * phrase of the check's message does not suffice. Whatever a variant planted, its clean-up
 * ends after the count, so nothing outlives the case.
 */
final class PlantedLeaks {
    private PlantedLeaks() {}

    private static final Pattern SCOPE_GOROUTINES_LEFT = Pattern.compile("leak: \\d+ goroutine\\(s\\) of scope ");
    private static final Pattern POOL_THREAD_LEFT =
            Pattern.compile("'scopes-leaked-pool-[^']*' in java\\.util\\.concurrent\\.ThreadPoolExecutor@");
    private static final Pattern ONE_WORKER_LEFT_HERE = Pattern.compile("leak: 1 native worker\\(s\\) alive \\d+ ms after close\\(\\)(;|$)");
    private static final Pattern ONE_WORKER_AT_CLOSE = Pattern.compile("(^|; )1 native worker\\(s\\) still running when close\\(\\) returned: ");

    /**
     * What catches go_handler_leaks_goroutine: goroutines of the scope still running while no
     * handler is (the simple leak line, not "never returned"), and call leaky's record there
     * with every goroutine of its errgroup stopped.
     */
    static boolean strayGoroutineShown(String problem) {
        return SCOPE_GOROUTINES_LEFT.matcher(problem).find()
                && !problem.contains("no Go record of call leaky") && !problem.contains("Go call leaky: ");
    }

    /** What catches go_handler_leaks_unlabelled_goroutine: exactly one goroutine more in the peer's process, none under the scope's label. */
    static boolean unlabelledGoroutineShown(String problem) {
        return problem.contains(Leftovers.GO_PROCESS_GREW + ": 1 goroutine(s) more") && !problem.contains("goroutine(s) of scope ");
    }

    /** What catches java_subtask_leaks_executor: the leaked pool's thread, in the pool's own container. */
    static boolean poolThreadShown(String problem) {
        return POOL_THREAD_LEFT.matcher(problem).find();
    }

    /**
     * What catches c_subtask_leaves_workers: the one worker it started in this JVM (none in the
     * peer), running when close() returned and still alive after the bound.
     */
    static boolean nativeWorkerShown(String problem) {
        return ONE_WORKER_LEFT_HERE.matcher(problem).find() && ONE_WORKER_AT_CLOSE.matcher(problem).find();
    }

    /**
     * go_handler_leaks_goroutine: call leaky's handler starts a goroutine of the scope outside
     * its errgroup, which sleeps {@link ScopesSuite#LEAK_MS} after the handler and the errgroup
     * have ended.
     */
    static void goHandlerLeaksGoroutine(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("leaky", 2).setSucceedAfterMs(10).setLeakMs(LEAK_MS), "ok", false));
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        // The stray goroutine ends by itself after LEAK_MS; wait for it so nothing outlives the case.
        r.cleanups.add(() -> r.awaitNoGoroutines(Duration.ofMillis(LEAK_MS + 2_000)));
    }

    /**
     * go_handler_leaks_unlabelled_goroutine: call unlabelled's handler hands a goroutine to
     * work without the scope's label; the scope's count cannot see it, the process total can.
     */
    static void goHandlerLeaksUnlabelledGoroutine(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("unlabelled", 2).setSucceedAfterMs(10).setLeakUnlabelledMs(LEAK_MS), "ok", false));
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        // The stray goroutine ends by itself after LEAK_MS; wait for the process to be back where it was.
        r.cleanups.add(() -> r.awaitGoroutineTotalBack(Duration.ofMillis(LEAK_MS + 2_000)));
    }

    /** java_subtask_leaks_thread: a subtask starts a platform thread 'scopes-stray-<scope id>' it does not own. */
    static void javaSubtaskLeaksThread(Run r) throws Exception {
        AtomicReference<Thread> stray = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(10), "ok", false));
            scope.fork(() -> {
                // Not a fork: an unstructured thread the scope does not own and close() does not wait for.
                stray.set(Thread.ofPlatform().daemon().name("scopes-stray-" + r.scopeId).start(() -> {
                    try {
                        Thread.sleep(LEAK_MS);
                    } catch (InterruptedException ignored) {
                        // released by the cleanup
                    }
                }));
                return "started a stray thread";
            });
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        r.cleanups.add(() -> {
            Thread t = stray.get();
            if (t == null) return;
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** java_subtask_leaks_executor: a subtask makes a pool of one thread 'scopes-leaked-pool-<scope id>' and leaves a task running in it. */
    static void javaSubtaskLeaksExecutor(Run r) throws Exception {
        AtomicReference<ExecutorService> leaked = new AtomicReference<>();
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(10), "ok", false));
            scope.fork(() -> {
                // A pool of its own (a thread container of its own since JDK 21), never shut down.
                ExecutorService pool = Executors.newFixedThreadPool(1, Thread.ofPlatform().daemon().name("scopes-leaked-pool-" + r.scopeId).factory());
                leaked.set(pool);
                pool.submit(() -> {
                    Thread.sleep(LEAK_MS);
                    return null;
                });
                return "left a pool running";
            });
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
        r.cleanups.add(() -> {
            ExecutorService pool = leaked.get();
            if (pool == null) return;
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** c_subtask_leaves_workers: a subtask starts one native worker on a flag no Go handler sets, and returns without finishing it. */
    static void cSubtaskLeavesWorkers(Run r) throws Exception {
        AtomicReference<NativeWorkers> left = new AtomicReference<>();
        // The clean-up is registered before the scope opens: a join that throws must not leave the
        // worker running into the next cases' counts.
        r.cleanups.add(() -> {
            if (left.get() != null) left.get().finish(Duration.ZERO);
        });
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.spec("s0", 2).setSucceedAfterMs(10), "ok", false));
            int flag = r.allocateFlag();
            scope.fork(() -> {
                // Started through FFM on a flag no Go handler will set, and never finished.
                left.set(r.nativeWorkers(flag));
                return "left a native worker running";
            });
            scope.join();
            r.javaSaw = "join returned";
        }
        r.closed();
    }

    /** go_goroutine_leaves_native_worker: a goroutine of call s0 starts a native worker in the peer (cgo) and returns without stopping it. */
    static void goGoroutineLeavesNativeWorker(Run r) throws Exception {
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(r.stream(r.nativeUnderGoroutine(r.spec("s0", 2).setNativeLeak(true)), "cancelled_by_notice", false));
            scope.fork(() -> {
                r.awaitGoroutines(3);
                throw new IllegalStateException("java subtask failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException: " + ScopeCalls.describe(e.getCause());
        }
        r.closed();
        r.cleanups.add(() -> {
            var p = r.calls.peerNative(true);
            if (p.getAlive() != 0) throw new IllegalStateException("the peer still had " + p.getAlive() + " native workers after reaping " + p.getReaped());
        });
    }

    /**
     * go_handler_ignores_notice: call deaf's goroutines ignore the cancel notice and take
     * {@link ScopesSuite#UNWIND_MS} to return once reset; the subtask resets its stream after
     * {@link ScopesSuite#DEAF_END_BOUND}, so the handler returns after close().
     */
    static void goHandlerIgnoresNotice(Run r) throws Exception {
        HoldSpec spec = r.spec("deaf", 2).setIgnoreNotice(true).setUnwindMs(UNWIND_MS).build();
        r.expectedEnds.put("deaf", "canceled");
        try (var scope = StructuredTaskScope.open(Joiner.<String>allSuccessfulOrThrow(), cfg -> cfg.withName(r.scopeId))) {
            scope.fork(() -> HeldStream.hold(r.calls.async(r.scopeId), spec, r::started, DEAF_END_BOUND));
            scope.fork(() -> {
                r.awaitGoroutines(2);
                throw new IllegalStateException("sibling failed on purpose");
            });
            scope.join();
            r.problem("join returned normally, want FailedException");
        } catch (StructuredTaskScope.FailedException e) {
            r.javaSaw = "FailedException (" + e.getCause().getMessage() + "); the notice was ignored and the stream reset";
        }
        r.closed();
    }
}
