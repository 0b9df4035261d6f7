package testbed.peer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class TransportThreadTest {
    /** What a direct executor would run inside the current task waits behind it here. */
    @Test
    void aCallbackHandedOverOnTheTransportThreadRunsAfterTheTaskThatCausedIt() throws Exception {
        try (TransportThread t = new TransportThread("transport-test")) {
            Executor e = t.executor();
            List<String> order = new CopyOnWriteArrayList<>();
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            e.execute(() -> {
                order.add("task");
                e.execute(() -> {
                    order.add("callback");
                    ran.complete(Thread.currentThread());
                });
                order.add("rest of the task");
            });
            Thread thread = ran.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("task", "rest of the task", "callback"), order);
            assertTrue(thread.isDaemon(), "a transport thread never keeps the JVM alive");
        }
    }

    @Test
    void closingStopsTheThread() throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        try (TransportThread t = new TransportThread("transport-close-test")) {
            t.executor().execute(() -> thread.complete(Thread.currentThread()));
            thread.get(5, TimeUnit.SECONDS);
        }
        thread.get().join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(thread.get().isAlive(), "the transport thread outlived close");
    }
}
