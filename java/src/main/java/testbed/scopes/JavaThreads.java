package testbed.scopes;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JVM's threads, virtual ones included, as {@link HotSpotDiagnosticMXBean#dumpThreads}
 * writes them in JSON: every thread with the thread container it belongs to, and every
 * container, empty ones included. A {@code StructuredTaskScope} is a container of its own,
 * named after the scope ({@code Configuration.withName}); since JDK 21 every
 * {@code ThreadPoolExecutor}, {@code ForkJoinPool} and thread-per-task executor is a
 * container too (named after its class and identity); a thread started with
 * {@code Thread.start} belongs to the root container.
 *
 * <p>A scope's leftovers, comparing a dump taken after it closed with one taken before it
 * opened ({@link #leftovers}), never by thread name:
 * <ul>
 *   <li>threads still in a container of the scope (its name, or a scope named under it);</li>
 *   <li>threads in a container that did not exist before the scope opened: an executor or
 *       pool made since, and not shut down;</li>
 *   <li>threads of the root container that did not exist before;</li>
 *   <li>threads of a pool that existed before and that are now busy with a task, where
 *       before they were idle in the pool or did not exist: work handed to a shared pool
 *       ({@code CompletableFuture.runAsync}) that is still running. A pool thread that is
 *       idle (parked waiting for work) is the pool's, not the scope's.</li>
 * </ul>
 * The JVM's own threads (see {@code jvmOwnedThreads}: the virtual-thread scheduler's carriers,
 * the unblocker, the attach listener, ...) are not leftovers for being new, in the root or in a
 * container of the JVM's made on demand; the common pool's workers, which are the JVM's too,
 * still count when busy with a task taken since. Pools that start threads on
 * demand in the root container (netty's event loops) must
 * have started them before the scope opens; the suite warms them up.
 */
public record JavaThreads(Map<Long, ThreadEntry> threads, Set<String> containers) {

    /**
     * One thread of the dump. {@code jvmOwned}: a platform thread the JVM made for itself; {@code idleInPool}: parked in its pool waiting for work.
     */
    public record ThreadEntry(long tid, String name, String container, boolean virtual, boolean jvmOwned, boolean idleInPool) {}

    /** The root container's name in the dump. */
    static final String ROOT = "<root>";

    /**
     * Frames a pool thread waits for work in (the dump writes frames as module/class.method(file:line)).
     * A ForkJoinPool worker that found no task has deactivated itself and spins in
     * {@code deactivate} before it parks in {@code awaitWork}; a dump can catch it in either.
     */
    private static final List<String> IDLE_FRAMES = List.of(
            "java.util.concurrent.ThreadPoolExecutor.getTask(",
            "java.util.concurrent.ForkJoinPool.deactivate(",
            "java.util.concurrent.ForkJoinPool.awaitWork(",
            "java.util.concurrent.DelayScheduler.loop(");

    /** Takes a dump of every thread now (about 10 ms). */
    public static JavaThreads snapshot() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("interop-threads-");
            Path file = dir.resolve("threads.json");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            Set<Long> internal = new HashSet<>();
            Set<Long> owned = jvmOwnedThreads(internal);
            return parse(ReportWriter.mapper().readTree(file.toFile()), owned, internal);
        } catch (IOException e) {
            throw new IllegalStateException("thread dump failed: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("threads.json"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary file left in java.io.tmpdir is harmless and reported by nothing
                }
            }
        }
    }

    /**
     * Ids of the live platform threads the JVM made for itself: those in the top-level
     * {@code system} thread group itself (signal dispatcher, attach listener, ...), in the groups
     * the JDK makes directly under it for its own threads (carrier threads and the virtual-thread
     * scheduler's delay scheduler, innocuous threads: the cleaner, the unblocker, the process
     * reaper), or of the JDK's internal thread classes. Application threads are in the
     * application's group ({@code main}, or what a platform thread started from a virtual
     * thread gets, {@code VirtualThreads}), and groups under those; groups are told apart by
     * identity, not by name.
     */
    private static Set<Long> jvmOwnedThreads(Set<Long> internalClass) {
        Set<ThreadGroup> application = new HashSet<>();
        application.add(topBelowSystem(Thread.currentThread().getThreadGroup()));
        application.add(topBelowSystem(Thread.ofVirtual().unstarted(() -> { }).getThreadGroup()));
        Set<Long> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ThreadGroup g = t.getThreadGroup();
            if (g == null) continue; // ended meanwhile
            boolean internal = t.getClass().getName().startsWith("jdk.internal.");
            if (internal) internalClass.add(t.threadId());
            if (internal || g.getParent() == null || !application.contains(topBelowSystem(g))) out.add(t.threadId());
        }
        return out;
    }

    /** The group under the top-level group that {@code g} is in or under; the top-level group itself for it. */
    private static ThreadGroup topBelowSystem(ThreadGroup g) {
        while (g.getParent() != null && g.getParent().getParent() != null) g = g.getParent();
        return g;
    }

    static JavaThreads parse(JsonNode root) {
        return parse(root, Set.of(), Set.of());
    }

    /**
     * {@code jvmOwned}: threads the JVM made for itself; {@code jdkInternal}: those of them of the
     * JDK's internal thread classes (carriers, innocuous threads), which never run an
     * application task as themselves (a virtual thread a carrier runs is listed on its own).
     */
    static JavaThreads parse(JsonNode root, Set<Long> jvmOwned, Set<Long> jdkInternal) {
        JsonNode containers = root.path("threadDump").path("threadContainers");
        if (!containers.isArray()) throw new IllegalStateException("thread dump has no threadDump.threadContainers");
        Map<Long, ThreadEntry> threads = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode c : containers) {
            String container = c.path("container").asText();
            names.add(container);
            for (JsonNode t : c.path("threads")) {
                long tid = Long.parseLong(t.path("tid").asText());
                boolean idle = jdkInternal.contains(tid);
                for (JsonNode frame : t.path("stack")) {
                    String f = frame.asText();
                    if (IDLE_FRAMES.stream().anyMatch(f::contains)) {
                        idle = true;
                        break;
                    }
                }
                threads.put(tid, new ThreadEntry(tid, t.path("name").asText(), container, t.path("virtual").asBoolean(false),
                        jvmOwned.contains(tid), idle));
            }
        }
        return new JavaThreads(threads, names);
    }

    /** Threads in the scope named {@code scopeName} and in scopes named under it ({@code scopeName/inner}). */
    public List<ThreadEntry> inScope(String scopeName) {
        List<ThreadEntry> out = new ArrayList<>();
        for (ThreadEntry t : threads.values()) {
            if (inScope(t, scopeName)) out.add(t);
        }
        return out;
    }

    private static boolean inScope(ThreadEntry t, String scopeName) {
        return t.container().startsWith(scopeName + "/");
    }

    /** Threads outside the scope's containers that the scope left behind, by the rules of the class comment. */
    public List<ThreadEntry> strayedSince(JavaThreads before) {
        List<ThreadEntry> out = new ArrayList<>();
        for (ThreadEntry t : threads.values()) {
            ThreadEntry was = before.threads().get(t.tid());
            boolean isNew = was == null;
            if (t.container().equals(ROOT)) {
                if (isNew && !t.jvmOwned()) out.add(t);
            } else if (!before.containers().contains(t.container())) {
                if (!t.jvmOwned()) out.add(t);
            } else if (!t.idleInPool() && (isNew || was.idleInPool())) {
                out.add(t);
            }
        }
        return out;
    }

    /** A scope's Java leftovers: threads still in its containers, then threads that strayed from it. */
    public List<ThreadEntry> leftovers(JavaThreads before, String scopeName) {
        List<ThreadEntry> out = new ArrayList<>(inScope(scopeName));
        for (ThreadEntry t : strayedSince(before)) {
            if (!inScope(t, scopeName)) out.add(t);
        }
        return out;
    }

    /** Threads that are new since {@code before} and are not leftovers: pools that grew, the JVM's own (reported, never leftovers). */
    public int newNotLeftoverSince(JavaThreads before, String scopeName) {
        Set<Long> left = new HashSet<>();
        for (ThreadEntry t : leftovers(before, scopeName)) left.add(t.tid());
        int n = 0;
        for (ThreadEntry t : threads.values()) {
            if (!before.threads().containsKey(t.tid()) && !left.contains(t.tid())) n++;
        }
        return n;
    }

    static String describe(List<ThreadEntry> ts) {
        List<String> parts = new ArrayList<>();
        for (ThreadEntry t : ts) {
            parts.add("#" + t.tid() + " '" + t.name() + "'" + (t.virtual() ? " (virtual)" : "") + " in " + t.container());
        }
        return String.join(", ", parts);
    }
}
