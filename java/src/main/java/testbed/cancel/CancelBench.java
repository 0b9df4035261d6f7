package testbed.cancel;

import testbed.Mode;
import testbed.cancel.CancelGoal.Direction;
import testbed.harness.Session;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code make bench-cancel} (docs/CANCELLATION.md, "The goal and the floor"): cancel
 * propagation latency, Java to Go and Go to Java, beside the loopback gRPC round trip and
 * the floor (the cheapest exchange the JVM and the peer can have, {@link FloorProbe}), all
 * sampled in one run, interleaved: a Java-to-Go trial, a round trip, a floor exchange, a
 * Go-to-Java trial, a round trip, a floor exchange, and again. It prints the figures, their
 * ratios, where each direction's time goes and a verdict per goal line ({@link CancelGoal}),
 * with the load average at the start and the end, and writes them to {@code bench-cancel.json}.
 *
 * <p>The trials are the cancellation suite's own ({@code java_client_cancel_bidi_goroutines}
 * and {@code go_server_cancel_server_streaming}), assertions included. The exit status says
 * whether those held; the goal lines are printed, never an exit status.
 */
public final class CancelBench {
    /** Trials per direction at scale 1 (quick 0.2x, tough 10x): 2,000, so that a p99 rests on 20 samples beyond it. */
    static final int TRIALS = 2_000;
    /**
     * Steps (a trial of each direction, each with its round trip and floor exchange) run
     * before the measured ones, at scale 1, after the suite's 300 warm-up round trips: the
     * cancel paths' own code (exceptions, the trailers, the floor) is cold until it has run.
     */
    static final int WARM_UP_STEPS = 200;
    /**
     * The floor's Go-to-Java message waits this long in the peer before it is sent, as the Go
     * handler's ticks are 1 ms apart: the Java reader is blocked in its read by then, as the
     * Java consumer is when the handler cancels.
     */
    static final int FLOOR_PAUSE_MICROS = 1_000;

    private CancelBench() {}

    /** Runs the bench; with {@code reference}, the blocking-iterator row beside the judged ones. */
    public static int run(Mode mode, Path reportDir, boolean reference, PrintStream out) {
        int trials = (int) mode.scale(TRIALS);
        int warmUp = (int) mode.scale(WARM_UP_STEPS);
        String loadStart = loadAverage();
        List<Direction> directions;
        Map<String, Object> host;
        try (Session session = Session.openDefault(out);
             FloorProbe floor = FloorProbe.open(session.peer().channel(), session.peerProcess().secret())) {
            host = session.host();
            out.printf(Locale.ROOT, "  bench-cancel: %d warm-up steps, then %d trials per direction, interleaved with round trips and the floor%n",
                    warmUp, trials);
            directions = measure(session, floor, trials, warmUp, reference, out);
        } catch (RuntimeException e) {
            out.println("error: the bench could not run: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 2;
        }
        String loadEnd = loadAverage();
        out.println();
        List<Direction> judged = directions.subList(0, JUDGED.size());
        List<Direction> references = directions.subList(JUDGED.size(), directions.size());
        out.print(CancelGoal.table(judged, references));
        out.println();
        out.print(CancelGoal.steps(directions));
        out.println();
        out.printf(Locale.ROOT, "load average (1, 5, 15 min): %s at the start, %s at the end, on %d CPUs%n",
                loadStart, loadEnd, Runtime.getRuntime().availableProcessors());
        out.println("(a benchmark: the goal lines are reported, never an exit status)");
        boolean ok = true;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Direction d : directions) {
            rows.add(CancelGoal.json(d, references.contains(d)));
            if (d.problem() != null) {
                ok = false;
                out.println("error: " + d.name() + ": a trial failed its assertions: " + d.problem() + " (the figures above stop there)");
            }
        }
        try {
            Files.createDirectories(reportDir);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("mode", mode.label());
            doc.put("host", host);
            doc.put("jvm_args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            doc.put("trials_per_direction", trials);
            doc.put("warm_up_steps", warmUp);
            doc.put("floor_pause_us", FLOOR_PAUSE_MICROS);
            doc.put("load_average_start", loadStart);
            doc.put("load_average_end", loadEnd);
            doc.put("goal", Map.of("p50_line", CancelGoal.P50_LINE, "p99_line", CancelGoal.P99_LINE,
                    "p99_tail_samples_needed", CancelGoal.TAIL_SAMPLES));
            doc.put("rows", rows);
            Files.writeString(reportDir.resolve("bench-cancel.json"), ReportWriter.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } catch (IOException e) {
            out.println("error: cannot write " + reportDir.resolve("bench-cancel.json") + ": " + e.getMessage());
            return 2;
        }
        out.println("bench: " + reportDir.resolve("bench-cancel.json"));
        return ok ? 0 : 1;
    }

    /** The directions judged against the goal lines: Java to Go, and Go to Java as the suite's latency case consumes it. */
    static final List<String> JUDGED = List.of("java_to_go", "go_to_java");
    /**
     * Measured beside them on request ({@code --reference blocking-iterator}), not judged: Go to
     * Java consumed by a blocking iterator on a virtual thread, the way the suite's cause cases
     * read it, which is how go_to_java was consumed before it took the listener
     * (docs/CANCELLATION.md, "Where the time goes"). Not by default: a third trial in every
     * step changes what the judged rows run beside.
     */
    static final String BLOCKING_REFERENCE = "go_to_java_blocking_iterator";
    public static final String BLOCKING_ITERATOR = "blocking-iterator";

    /**
     * {@code warmUp} unmeasured steps, then {@code trials} measured ones; stops at the first
     * trial whose assertions failed (or that could not run), whose direction then holds the
     * problem. Returns the judged directions, then the reference if asked for.
     */
    static List<Direction> measure(Session session, FloorProbe floor, int trials, int warmUp, boolean reference, PrintStream out) {
        CancellationSuite suite = new CancellationSuite(session, new PrintStream(OutputStream.nullOutputStream()));
        CancelCalls calls = new CancelCalls(session.peer().channel(), session.peer());
        suite.warmUp();
        Direction[] d = reference
                ? new Direction[] {new Direction(JUDGED.get(0)), new Direction(JUDGED.get(1)), new Direction(BLOCKING_REFERENCE)}
                : new Direction[] {new Direction(JUDGED.get(0)), new Direction(JUDGED.get(1))};
        int every = Math.max(1, trials / 5);
        for (int i = -warmUp; i < trials; i++) {
            for (int k = 0; k < d.length; k++) {
                String problem;
                try {
                    problem = sample(suite, calls, floor, d[k], k, i + warmUp, i >= 0);
                } catch (RuntimeException e) {
                    problem = e.getMessage() == null ? e.toString() : e.getMessage();
                }
                if (problem != null) {
                    d[k] = d[k].failed("trial " + (i + warmUp + 1) + (i < 0 ? " (warm-up)" : "") + ": " + problem);
                    return List.of(d);
                }
            }
            if (i >= 0 && (i + 1) % every == 0) out.printf(Locale.ROOT, "  bench-cancel: %d of %d trials per direction%n", i + 1, trials);
        }
        return List.of(d);
    }

    /**
     * One trial of direction {@code k} (0 Java to Go, 1 Go to Java with the listener, 2 with the
     * blocking iterator), then a gRPC round trip and a floor exchange (a ping, and for Go to
     * Java a message the peer starts), each added to {@code d} when {@code measured}. Returns
     * the trial's problem, null when its assertions held.
     */
    private static String sample(CancellationSuite suite, CancelCalls calls, FloorProbe floor, Direction d, int k,
                                 int index, boolean measured) {
        Map<String, Long> steps = new LinkedHashMap<>();
        String id = suite.callId(d.name(), index);
        Trial t = switch (k) {
            case 0 -> suite.javaToGo(id, steps);
            case 1 -> suite.goToJava(id, StreamConsumer.LISTENER, steps);
            default -> suite.goToJava(id, StreamConsumer.BLOCKING_ITERATOR, steps);
        };
        long rtt = calls.echoNanos();
        FloorProbe.Ping ping = floor.ping();
        long oneWay = k == 0 ? ping.oneWayNs() : floor.fromPeer(FLOOR_PAUSE_MICROS);
        if (t.problem() != null) return t.problem();
        if (measured) {
            d.cancel().add(t.latencyNs());
            d.grpcRoundTrip().add(rtt);
            d.floorRoundTrip().add(ping.roundTripNs());
            d.floorOneWay().add(oneWay);
            steps.forEach((step, ns) -> d.steps().computeIfAbsent(step, x -> new LatencySample()).add(ns));
        }
        return null;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
