package testbed.scopes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.report.ReportWriter;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class JavaThreadsTest {

    private static JavaThreads parse(String json) throws Exception {
        return JavaThreads.parse(ReportWriter.mapper().readTree(json));
    }

    @Test
    void leftoversAreScopeThreadsAndNewRootThreadsButNotInfrastructure() throws Exception {
        JavaThreads before = parse("""
                {"threadDump":{"threadContainers":[
                  {"container":"<root>","threads":[{"tid":"3","name":"main"}]}]}}""");
        JavaThreads after = parse("""
                {"threadDump":{"threadContainers":[
                  {"container":"<root>","threads":[{"tid":"3","name":"main"},{"tid":"40","name":"stray"},
                     {"tid":"41","name":"grpc-default-executor-2"},{"tid":"42","name":"","virtual":true}]},
                  {"container":"ForkJoinPool-1/jdk.internal.vm.SharedThreadContainer@1","threads":[{"tid":"43","name":"ForkJoinPool-1-worker-1"}]},
                  {"container":"s-1/jdk.internal.misc.ThreadFlock$ThreadContainerImpl@2","threads":[{"tid":"44","name":"","virtual":true}]},
                  {"container":"s-1/inner/jdk.internal.misc.ThreadFlock$ThreadContainerImpl@3","threads":[{"tid":"45","name":"","virtual":true}]},
                  {"container":"s-2/jdk.internal.misc.ThreadFlock$ThreadContainerImpl@4","threads":[{"tid":"46","name":"","virtual":true}]}]}}""");
        assertEquals(List.of(44L, 45L, 40L, 42L), after.leftovers(before, "s-1").stream().map(JavaThreads.ThreadEntry::tid).toList());
        assertEquals(1, after.newInfrastructureSince(before));
        assertTrue(JavaThreads.describe(after.strayedSince(before)).startsWith("#40 'stray' in <root>, #42 '' (virtual) in <root>"));
        assertThrows(IllegalStateException.class, () -> parse("{\"threadDump\":{}}"));
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
