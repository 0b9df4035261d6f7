package testbed.bench;

import static testbed.bench.Anchor.GOAL_JJ;
import static testbed.bench.Anchor.GOAL_MIXED;
import static testbed.bench.Anchor.goal;
import static testbed.bench.LitmusBench.JCSTRESS_VERSION;
import static testbed.bench.LitmusBench.JCSTRESS_PRESET;
import static testbed.bench.LitmusBench.JCSTRESS_FORK_ARGS;
import static testbed.bench.LitmusBenchFigures.finite;
import static testbed.bench.LitmusBenchFigures.median;
import static testbed.bench.LitmusBenchFigures.rate;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import testbed.bench.LitmusBenchFigures.AnchorFigures;
import testbed.bench.LitmusBenchFigures.Comparison;
import testbed.bench.LitmusBenchFigures.Row;
import testbed.bench.LitmusBenchFigures.Verdict;
import testbed.litmus.engine.Budget;
import testbed.report.CaseResult;
import testbed.report.Status;

/**
 * What {@code make bench-litmus} ({@link LitmusBench}) prints at its end, the table side by
 * side with the goal lines and the core-to-core line, and writes, {@code bench-litmus.json}.
 */
final class LitmusBenchReport {
    private LitmusBenchReport() {}

    /** The summary line of the probes: their range and median, and what a wide range means. */
    static String coreToCoreLine(List<Double> ns) {
        double[] v = ns.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return "core-to-core round trip: not measured";
        String line = String.format(Locale.ROOT, "core-to-core round trip beside the repetitions: %.0f to %.0f ns (median %.0f ns, %d probes)",
                v[0], v[v.length - 1], median(v), v.length);
        if (v[v.length - 1] > 2 * v[0]) {
            line += "; it changed more than twofold during the run: the host moved the vCPUs, and every figure above moves with it";
        }
        return line;
    }

    static void printTable(List<Row> rows, Map<Anchor, AnchorFigures> anchors, int reps, long runMs, int forks, JcstressOutput jc,
                           PrintStream out) {
        out.printf(Locale.ROOT, "litmus engine (median of %d runs of %d ms) against jcstress %s -m %s (median of %d forks of %d x %d ms)%n",
                reps, runMs, JCSTRESS_VERSION, JCSTRESS_PRESET, forks, jc.iterations(), jc.iterationMillis());
        String fmt = "%-5s %-8s %-9s %12s %14s   %-20s %-20s %-6s %11s %8s%n";
        out.printf(Locale.ROOT, fmt, "shape", "modes", "pairing", "samples/s", "interesting/s", "samples vs jcstress",
                "interesting vs jcs.", "goal", "overlap/s", "vs jcs.");
        Anchor last = null;
        for (Row r : rows) {
            if (r.anchor() != last) {
                AnchorFigures a = anchors.get(r.anchor());
                out.printf(Locale.ROOT, fmt, r.anchor().shape.title(), r.anchor().rung.label(), "jcstress", rate(a.samplesPerSecond()),
                        rate(a.interestingPerSecond()), "", "", "", rate(a.overlapPerSecond()), "");
                if (!a.status().equals("OK")) out.println("      jcstress: " + a.status());
                last = r.anchor();
            }
            out.printf(Locale.ROOT, fmt, "", "", r.pairing(), rate(r.samplesPerSecond()), rate(r.interestingPerSecond()),
                    r.samples().cell(), r.interesting().cell(), String.format(Locale.ROOT, ">= %.1fx", goal(r.pairing())),
                    rate(r.overlapPerSecond()), Double.isNaN(r.overlapPerSecond()) ? "no figure"
                            : Double.isNaN(r.overlapRatio()) ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.overlapRatio()));
            if (r.failed()) out.println("      FAILED: " + failure(r));
        }
        out.println("modes: plain = Java plain; relaxed = Java opaque, C relaxed, Go sync/atomic (its weakest atomic access,"
                + " seq_cst); acq_rel = release/acquire on the synchronising accesses (Go: sync/atomic); sc = Java volatile,"
                + " C seq_cst, Go sync/atomic");
        out.printf(Locale.ROOT, "goal: J-J >= %.1fx jcstress, J-C, C-C and C-G >= %.1fx, on both figures; n/a: jcstress saw no"
                + " interesting outcome (forbidden there, or not seen)%n", GOAL_JJ, GOAL_MIXED);
        out.println("overlap/s (no goal): samples whose outcome no serial execution gives (SB (1, 1), MP (0, 1), and any relaxed"
                + " outcome): the actors' accesses interleaved, the only samples in which a forbidden outcome can show;"
                + " its vs jcs. is n/a when jcstress had no such sample");
        List<String> below = new ArrayList<>();
        int judged = 0;
        for (Row r : rows) {
            Map<String, Comparison> figures = new LinkedHashMap<>();
            figures.put("samples/s", r.samples());
            figures.put("interesting/s", r.interesting());
            for (Map.Entry<String, Comparison> c : figures.entrySet()) {
                Verdict v = c.getValue().verdict();
                if (v == Verdict.MEETS || v == Verdict.BELOW || v == Verdict.NO_FIGURE) judged++;
                if (v == Verdict.BELOW || v == Verdict.NO_FIGURE) {
                    below.add(String.format(Locale.ROOT, "%s %s %s %s %s", r.anchor().shape.title(), r.anchor().rung.label(),
                            r.pairing(), c.getKey(), c.getValue().cell()));
                }
            }
        }
        out.printf(Locale.ROOT, "goal lines: %d of %d figures meet their goal%s%n", judged - below.size(), judged,
                below.isEmpty() ? "" : "; below goal: " + String.join("; ", below));
    }

    private static String failure(Row r) {
        return r.reps().stream().filter(c -> c.status() == Status.FAILED || c.status() == Status.ERROR)
                .map(CaseResult::message).findFirst().orElse("");
    }

    static Path writeJson(LitmusBench.Options o, List<Row> rows, Map<Anchor, AnchorFigures> anchors, JcstressOutput parsed,
                                  List<String> probes, List<JcstressProcess.Outcome> jcRuns, List<Double> coreToCore, Map<String, Object> host,
                                  Map<String, Object> load, long runMs,
                                  Budget budget, double seconds) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("bench", "litmus");
        doc.put("created", Instant.now().toString());
        doc.put("seconds", seconds);
        Map<String, Object> machine = new LinkedHashMap<>(host);
        machine.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("load", load);
        doc.put("machine", machine);

        Map<String, Object> method = new LinkedHashMap<>();
        method.put("order", "per repetition: one jcstress fork of every anchor test, then one run of every engine test;"
                + " the core-to-core round trip measured before and after each repetition");
        method.put("ours", String.format(Locale.ROOT, "median over %d repetitions (interleaved across tests) of the engine's"
                + " samples and interesting samples per second, each run %d ms from the first round's release to the stop,"
                + " stride %d, in one JVM with one region and one Go peer", o.reps(), runMs, budget.stride()));
        method.put("jcstress", String.format(Locale.ROOT, "jcstress %s -m %s -f 1 -sc false, once per repetition (%d forks per"
                + " test in all), forks run with %s; median over the forks of a fork's samples divided by iterations x time per"
                + " iteration (%d x %d ms)", JCSTRESS_VERSION, JCSTRESS_PRESET, jcRuns.size(), JCSTRESS_FORK_ARGS,
                parsed.iterations(), parsed.iterationMillis()));
        method.put("interesting", "samples of the outcomes the test names INTERESTING (jcstress: ACCEPTABLE_INTERESTING)");
        method.put("overlap", "samples whose outcome no serial execution of the shape gives (the engine's overlap witnesses;"
                + " for jcstress counted from its histogram), per second, medians as above; no goal");
        method.put("goals", Map.of("J-J", GOAL_JJ, "J-C", GOAL_MIXED, "C-C", GOAL_MIXED, "C-G", GOAL_MIXED));
        method.put("repetitions", o.reps());
        method.put("run_ms", runMs);
        method.put("stride", budget.stride());
        doc.put("method", method);
        doc.put("core_to_core_round_trip_ns", coreToCore);
        doc.put("jcstress_segment_probes", probes);

        Map<String, Object> jcs = new LinkedHashMap<>();
        jcs.put("version", JCSTRESS_VERSION);
        jcs.put("preset", parsed.preset());
        jcs.put("iterations", parsed.iterations());
        jcs.put("iteration_ms", parsed.iterationMillis());
        jcs.put("fork_args", JCSTRESS_FORK_ARGS);
        jcs.put("exit_code", jcRuns.stream().mapToInt(JcstressProcess.Outcome::exitCode).max().orElse(0));
        jcs.put("seconds", jcRuns.stream().mapToDouble(JcstressProcess.Outcome::seconds).sum());
        jcs.put("output", jcRuns.stream().map(r -> r.log().toString()).toList());
        jcs.put("command", jcRuns.isEmpty() ? List.of() : jcRuns.get(0).command());
        List<Map<String, Object>> jt = new ArrayList<>();
        for (Map.Entry<Anchor, AnchorFigures> e : anchors.entrySet()) {
            AnchorFigures a = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test", a.test());
            m.put("shape", e.getKey().shape.title());
            m.put("modes", e.getKey().rung.label());
            m.put("status", a.status());
            m.put("compilation", a.compilation());
            m.put("jvm_args", a.jvmArgs());
            m.put("forks", a.forks().size());
            m.put("forbidden", a.forbidden());
            m.put("sampling_seconds_per_fork", a.seconds());
            m.put("samples_per_second", a.samplesPerSecond());
            m.put("interesting_per_second", a.interestingPerSecond());
            m.put("overlap_per_second", finite(a.overlapPerSecond()));
            List<Map<String, Object>> forks = new ArrayList<>();
            for (JcstressOutput.Run r : a.forks()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("fork", r.fork());
                f.put("status", r.status());
                f.put("samples", r.samples());
                f.put("interesting", r.interesting());
                f.put("histogram", r.rows());
                forks.add(f);
            }
            m.put("fork_results", forks);
            jt.add(m);
        }
        jcs.put("tests", jt);
        doc.put("jcstress", jcs);

        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shape", r.anchor().shape.title());
            m.put("modes", r.anchor().rung.label());
            m.put("pairing", r.pairing());
            m.put("test", r.test());
            m.put("jcstress_test", r.anchor().jcstressTest);
            m.put("samples_per_second", finite(r.samplesPerSecond()));
            m.put("interesting_per_second", finite(r.interestingPerSecond()));
            m.put("samples", r.samples().json());
            m.put("interesting", r.interesting().json());
            Map<String, Object> ov = new LinkedHashMap<>();
            ov.put("ours", finite(r.overlapPerSecond()));
            ov.put("jcstress", finite(anchors.get(r.anchor()).overlapPerSecond()));
            ov.put("ratio", finite(r.overlapRatio()));
            ov.put("goal", null);
            m.put("overlap", ov);
            List<Map<String, Object>> rs = new ArrayList<>();
            for (CaseResult c : r.reps()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("status", c.status().name());
                x.put("message", c.message());
                x.put("samples", c.metrics().get("samples"));
                x.put("interesting", c.metrics().get("interesting"));
                x.put("samples_per_second", c.metrics().get("samples_per_second"));
                x.put("interesting_per_second", c.metrics().get("interesting_per_second"));
                x.put("overlap_witnesses", c.metrics().get("overlap_witnesses"));
                x.put("overlap_per_second", c.metrics().get("overlap_per_second"));
                x.put("elapsed_ms", c.metrics().get("elapsed_ms"));
                rs.add(x);
            }
            m.put("repetitions", rs);
            if (!r.reps().isEmpty()) m.put("actors", r.reps().get(0).details().get("actors"));
            out.add(m);
        }
        doc.put("rows", out);

        Files.createDirectories(o.report());
        Path file = o.report().resolve("bench-litmus.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        return file;
    }
}
