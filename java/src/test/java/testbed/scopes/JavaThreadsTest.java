package testbed.scopes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.report.ReportWriter;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.StructuredTaskScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class JavaThreadsTest {

    private static JavaThreads parse(String json) throws Exception {
        return JavaThreads.parse(ReportWriter.mapper().readTree(json));
    }

    private static JavaThreads parse(String json, Set<Long> jvmOwned) throws Exception {
        return JavaThreads.parse(ReportWriter.mapper().readTree(json), jvmOwned, Set.of());
    }

    @Test
    void leftoversAreJudgedByContainerNotByName() throws Exception {
        JavaThreads before = parse("""
                {"threadDump":{"threadContainers":[
                  {"container":"<root>","threads":[{"tid":"3","name":"main"}]},
                  {"container":"java.util.concurrent.ThreadPoolExecutor@7","threads":[
                     {"tid":"10","name":"grpc-default-executor-0","stack":["java.base/java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1070)"]}]},
                  {"container":"ForkJoinPool.commonPool/jdk.internal.vm.SharedThreadContainer@8","threads":[]}]}}""");
        JavaThreads after = parse("""
                {"threadDump":{"threadContainers":[
                  {"container":"<root>","threads":[{"tid":"3","name":"main"},{"tid":"40","name":"stray"},
                     {"tid":"41","name":"grpc-default-worker-ELG-1-3"},{"tid":"42","name":"","virtual":true},{"tid":"47","name":"Attach Listener"}]},
                  {"container":"java.util.concurrent.ThreadPoolExecutor@7","threads":[
                     {"tid":"10","name":"grpc-default-executor-0","stack":["x.Busy.run(Busy.java:1)"]},
                     {"tid":"48","name":"grpc-default-executor-1","stack":["java.base/java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1070)"]}]},
                  {"container":"ForkJoinPool.commonPool/jdk.internal.vm.SharedThreadContainer@8","threads":[
                     {"tid":"49","name":"ForkJoinPool.commonPool-worker-1","stack":["x.Leaked.run(Leaked.java:1)"]}]},
                  {"container":"java.util.concurrent.ThreadPoolExecutor@9","threads":[
                     {"tid":"50","name":"pool-2-thread-1","stack":["java.base/java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1070)"]}]},
                  {"container":"s-1/jdk.internal.misc.ThreadFlock$ThreadContainerImpl@2","threads":[{"tid":"44","name":"","virtual":true}]},
                  {"container":"s-1/inner/jdk.internal.misc.ThreadFlock$ThreadContainerImpl@3","threads":[{"tid":"45","name":"","virtual":true}]},
                  {"container":"s-2/jdk.internal.misc.ThreadFlock$ThreadContainerImpl@4","threads":[{"tid":"46","name":"","virtual":true}]}]}}""",
                Set.of(47L));
        // The scope's own containers; then, in dump order: new root threads whatever their name
        // (an event loop started on demand is one too), except the JVM's own (47); a pre-existing
        // pool's thread that was idle and is busy now (10), and a new busy one (49), but not a
        // new idle one (48); every thread of a container made since (50, idle or not); another
        // scope's container (46) is new since too.
        assertEquals(List.of(44L, 45L, 40L, 41L, 42L, 10L, 49L, 50L, 46L),
                after.leftovers(before, "s-1").stream().map(JavaThreads.ThreadEntry::tid).toList());
        assertEquals(2, after.newNotLeftoverSince(before, "s-1"), "the JVM's attach listener and the idle new pool thread");
        assertTrue(JavaThreads.describe(after.strayedSince(before)).startsWith("#40 'stray' in <root>, #41 'grpc-default-worker-ELG-1-3' in <root>"));
        assertThrows(IllegalStateException.class, () -> parse("{\"threadDump\":{}}"));
    }

    /** A ForkJoinPool worker waiting for work is idle whether it is parked or still spinning; one finishing a task is not. */
    @Test
    void aPoolWorkerIsIdleParkedOrSpinningButNotWhileFinishingATask() throws Exception {
        JavaThreads dump = parse("""
                {"threadDump":{"threadContainers":[
                  {"container":"ForkJoinPool.commonPool/jdk.internal.vm.SharedThreadContainer@8","threads":[
                     {"tid":"20","name":"ForkJoinPool.commonPool-worker-1","stack":[
                        "java.base/jdk.internal.misc.Unsafe.park(Native Method)",
                        "java.base/java.util.concurrent.ForkJoinPool.awaitWork(ForkJoinPool.java:2109)",
                        "java.base/java.util.concurrent.ForkJoinPool.deactivate(ForkJoinPool.java:2063)",
                        "java.base/java.util.concurrent.ForkJoinPool.runWorker(ForkJoinPool.java:2027)",
                        "java.base/java.util.concurrent.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:187)"]},
                     {"tid":"21","name":"ForkJoinPool.commonPool-worker-2","stack":[
                        "java.base/java.util.concurrent.ForkJoinPool.deactivate(ForkJoinPool.java:2071)",
                        "java.base/java.util.concurrent.ForkJoinPool.runWorker(ForkJoinPool.java:2027)",
                        "java.base/java.util.concurrent.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:187)"]},
                     {"tid":"22","name":"ForkJoinPool.commonPool-worker-3","stack":[
                        "java.base/jdk.internal.misc.Unsafe.unpark(Native Method)",
                        "java.base/java.util.concurrent.locks.LockSupport.unpark(LockSupport.java:183)",
                        "java.base/java.util.concurrent.ForkJoinTask.signalWaiters(ForkJoinTask.java:319)",
                        "java.base/java.util.concurrent.ForkJoinTask.setDone(ForkJoinTask.java:331)",
                        "java.base/java.util.concurrent.ForkJoinTask.doExec(ForkJoinTask.java:516)",
                        "java.base/java.util.concurrent.ForkJoinPool$WorkQueue.topLevelExec(ForkJoinPool.java:1450)",
                        "java.base/java.util.concurrent.ForkJoinPool.runWorker(ForkJoinPool.java:2019)",
                        "java.base/java.util.concurrent.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:187)"]}]}]}}""");
        assertEquals(List.of(true, true, false), dump.threads().values().stream().map(JavaThreads.ThreadEntry::idleInPool).toList());
    }

    /** A pool made inside a scope, and a task handed to the shared common pool, are leftovers while they run; not once they ended. */
    @Test
    void aRealDumpSeesALeakedExecutorAndWorkLeftInTheCommonPool() throws Exception {
        ForkJoinPool.commonPool().submit(() -> { }).get(); // the common pool exists before, as it would in a suite run
        JavaThreads before = onceTheCommonPoolIsIdle();
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService[] pool = new ExecutorService[1];
        CompletableFuture<?>[] async = new CompletableFuture<?>[1];
        try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<Object>awaitAll(), cfg -> cfg.withName("jt-pools"))) {
            scope.fork(() -> {
                pool[0] = Executors.newFixedThreadPool(1, Thread.ofPlatform().name("jt-leaked-pool").factory());
                pool[0].submit(() -> {
                    started.countDown();
                    release.await();
                    return null;
                });
                async[0] = CompletableFuture.runAsync(() -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // ends the task
                    }
                });
                return null;
            });
            scope.join();
        }
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS), "both tasks started");
            List<JavaThreads.ThreadEntry> left = JavaThreads.snapshot().leftovers(before, "jt-pools");
            String seen = JavaThreads.describe(left);
            assertTrue(left.stream().anyMatch(t -> t.name().equals("jt-leaked-pool") && t.container().contains("ThreadPoolExecutor@")), seen);
            assertTrue(left.stream().anyMatch(t -> t.container().startsWith("ForkJoinPool.commonPool")), seen);
        } finally {
            release.countDown();
            if (async[0] != null) async[0].get(5, TimeUnit.SECONDS);
            if (pool[0] != null) {
                pool[0].shutdown();
                assertTrue(pool[0].awaitTermination(5, TimeUnit.SECONDS));
            }
        }
        List<JavaThreads.ThreadEntry> left = JavaThreads.snapshot().leftovers(before, "jt-pools");
        for (int i = 0; i < 200 && !left.isEmpty(); i++) {
            Thread.sleep(5);
            left = JavaThreads.snapshot().leftovers(before, "jt-pools");
        }
        assertEquals(List.of(), left, "a pool shut down and a common-pool task that ended leave nothing");
    }

    /**
     * A dump in which no thread of the common pool is busy (at most about 3 s of tries). A
     * common-pool thread is a leftover when it is busy after the scope and was idle before it;
     * the worker that ran a task may still be finishing it for a while after the task's
     * {@code get()} returned (waking the waiter, spinning before it parks), and a dump taken
     * then finds it busy, so work the scope leaves on it later would not count.
     */
    private static JavaThreads onceTheCommonPoolIsIdle() throws InterruptedException {
        JavaThreads dump = JavaThreads.snapshot();
        for (int i = 0; i < 200 && !busyInTheCommonPool(dump).isEmpty(); i++) {
            Thread.sleep(5);
            dump = JavaThreads.snapshot();
        }
        List<JavaThreads.ThreadEntry> busy = busyInTheCommonPool(dump);
        assertTrue(busy.isEmpty(), () -> "the common pool never fell idle: " + JavaThreads.describe(busy));
        return dump;
    }

    private static List<JavaThreads.ThreadEntry> busyInTheCommonPool(JavaThreads dump) {
        return dump.threads().values().stream()
                .filter(t -> t.container().startsWith("ForkJoinPool.commonPool") && !t.idleInPool())
                .toList();
    }

    /** The real dump sees a live scope's virtual threads in its container, and a thread a subtask started in the root. */
    @Test
    void aRealDumpShowsTheScopeContainerAndAStrayThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        JavaThreads before = JavaThreads.snapshot();
        Thread[] stray = new Thread[1];
        try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<Object>awaitAll(), cfg -> cfg.withName("jt-scope"))) {
            scope.fork(() -> {
                release.await();
                return null;
            });
            scope.fork(() -> {
                stray[0] = Thread.ofPlatform().name("jt-stray").start(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // ends the thread
                    }
                });
                return null;
            });
            while (stray[0] == null) Thread.sleep(1);
            JavaThreads during = JavaThreads.snapshot();
            assertTrue(during.inScope("jt-scope").size() >= 1, "the scope's container holds its fork: " + during.threads());
            assertTrue(during.strayedSince(before).stream().anyMatch(t -> t.name().equals("jt-stray")), "the stray is in the root container");
            release.countDown();
            scope.join();
        } finally {
            release.countDown();
        }
        stray[0].join();
        JavaThreads after = JavaThreads.snapshot();
        assertEquals(List.of(), after.leftovers(before, "jt-scope"), "nothing is left once the scope closed and the stray ended");
    }
}
