package testbed.scopes;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JVM's threads, virtual ones included, as {@link HotSpotDiagnosticMXBean#dumpThreads}
 * writes them in JSON: every thread with the thread container it belongs to. A
 * {@code StructuredTaskScope} is a container of its own, named after the scope
 * ({@code Configuration.withName}); a thread started with {@code Thread.start} from
 * inside a subtask belongs to the root container, not to the scope.
 *
 * <p>Leftovers of a scope are the threads still in a container of the scope after it
 * closed, plus the threads of the root container that did not exist before the scope
 * opened, except the gRPC and JDK infrastructure threads ({@link #INFRASTRUCTURE}),
 * which pools start on demand and keep, and which the report counts apart.
 */
public record JavaThreads(Map<Long, ThreadEntry> threads) {

    /** One thread of the dump. */
    public record ThreadEntry(long tid, String name, String container, boolean virtual) {}

    /** Threads that pools and the JDK start on demand and keep; never a scope's leftover. */
    static final Pattern INFRASTRUCTURE = Pattern.compile(
            "grpc-default-executor-\\d+|grpc-nio-worker-.*|grpc-timer-.*|grpc-shared-destroyer-.*|process reaper.*"
                    + "|globalEventExecutor-.*|ObjectCleanerThread"
                    + "|Attach Listener|Common-Cleaner|Notification Thread|VirtualThread-unblocker|JFR .*"
                    // the harness's own pumps of a peer process's pipes (testbed.peer.PeerProcess)
                    + "|interop-peer-(stderr|stdout|addr|stop)");

    /** The root container's name in the dump. */
    static final String ROOT = "<root>";

    /** Takes a dump of every thread now (about 10 ms). */
    public static JavaThreads snapshot() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("interop-threads-");
            Path file = dir.resolve("threads.json");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return parse(ReportWriter.mapper().readTree(file.toFile()));
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

    static JavaThreads parse(JsonNode root) {
        JsonNode containers = root.path("threadDump").path("threadContainers");
        if (!containers.isArray()) throw new IllegalStateException("thread dump has no threadDump.threadContainers");
        Map<Long, ThreadEntry> threads = new LinkedHashMap<>();
        for (JsonNode c : containers) {
            String container = c.path("container").asText();
            for (JsonNode t : c.path("threads")) {
                long tid = Long.parseLong(t.path("tid").asText());
                threads.put(tid, new ThreadEntry(tid, t.path("name").asText(), container, t.path("virtual").asBoolean(false)));
            }
        }
        return new JavaThreads(threads);
    }

    /** Threads in the scope named {@code scopeName} and in scopes named under it ({@code scopeName/inner}). */
    public List<ThreadEntry> inScope(String scopeName) {
        List<ThreadEntry> out = new ArrayList<>();
        for (ThreadEntry t : threads.values()) {
            if (t.container().startsWith(scopeName + "/")) out.add(t);
        }
        return out;
    }

    /** Root-container threads that are not in {@code before}, infrastructure excluded. */
    public List<ThreadEntry> strayedSince(JavaThreads before) {
        List<ThreadEntry> out = new ArrayList<>();
        for (ThreadEntry t : threads.values()) {
            if (t.container().equals(ROOT) && !before.threads().containsKey(t.tid())
                    && !INFRASTRUCTURE.matcher(t.name()).matches()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Infrastructure threads that are new since {@code before} (reported, never leftovers). */
    public int newInfrastructureSince(JavaThreads before) {
        int n = 0;
        for (ThreadEntry t : threads.values()) {
            if (!before.threads().containsKey(t.tid()) && INFRASTRUCTURE.matcher(t.name()).matches()) n++;
        }
        return n;
    }

    /** A scope's Java leftovers: threads still in its containers, then threads that strayed from it. */
    public List<ThreadEntry> leftovers(JavaThreads before, String scopeName) {
        List<ThreadEntry> out = new ArrayList<>(inScope(scopeName));
        out.addAll(strayedSince(before));
        return out;
    }

    static String describe(List<ThreadEntry> ts) {
        List<String> parts = new ArrayList<>();
        for (ThreadEntry t : ts) {
            parts.add("#" + t.tid() + " '" + t.name() + "'" + (t.virtual() ? " (virtual)" : "") + " in " + t.container());
        }
        return String.join(", ", parts);
    }
}
