package testbed.cancel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures and goal lines of {@code make bench-cancel} (docs/CANCELLATION.md, "The goal
 * and the floor"): arithmetic over one run's samples, kept apart from the run so that it
 * can be tested. Every figure of a direction comes from the same run, interleaved, so a
 * ratio between two of them holds however busy the machine was.
 *
 * <ul>
 *   <li><b>p50 line</b>: the cancel's p50 at most {@value #P50_LINE}x the gRPC round trip's
 *       p50 (a one-way trip is half a round trip; the rest is for the work to notice).
 *   <li><b>p99 line</b>: the cancel's p99 at most {@value #P99_LINE}x the gRPC round trip's
 *       p99, judged only when both p99s rest on at least {@value #TAIL_SAMPLES} samples
 *       beyond them.
 * </ul>
 */
final class CancelGoal {
    static final double P50_LINE = 0.6;
    static final double P99_LINE = 1.0;
    /** A p99 is judged only when at least this many samples lie beyond it (2,000 samples). */
    static final int TAIL_SAMPLES = 20;

    private CancelGoal() {}

    /**
     * One direction's samples from one run, interleaved: the cancel latency, the gRPC round
     * trip and the floor's one-way trip (in the direction's own direction) and round trip
     * sampled beside each trial, the durations of the cancel's steps, and the first problem a
     * trial's assertions found (null: none).
     */
    record Direction(String name, LatencySample cancel, LatencySample grpcRoundTrip, LatencySample floorOneWay,
                     LatencySample floorRoundTrip, Map<String, LatencySample> steps, String problem) {
        Direction(String name) {
            this(name, new LatencySample(), new LatencySample(), new LatencySample(), new LatencySample(), new LinkedHashMap<>(), null);
        }

        Direction failed(String why) {
            return new Direction(name, cancel, grpcRoundTrip, floorOneWay, floorRoundTrip, steps, why);
        }

        /** The four measures, named as the table and the JSON name them. */
        Map<String, LatencySample> measures() {
            Map<String, LatencySample> m = new LinkedHashMap<>();
            m.put("cancel", cancel);
            m.put("grpc_round_trip", grpcRoundTrip);
            m.put("floor_one_way", floorOneWay);
            m.put("floor_round_trip", floorRoundTrip);
            return m;
        }
    }

    enum Verdict {
        MEETS("meets"), MISSES("misses"), NOT_JUDGED("not judged");

        final String word;

        Verdict(String word) {
            this.word = word;
        }
    }

    /** A goal line applied to one direction: the ratio, the line, the verdict and, when not judged, why. */
    record Judged(double ratio, double line, Verdict verdict, String why) {
        /**
         * The ratio, the verdict and why it was not judged. The ratio has two decimals, or three
         * where two would print the line itself for a ratio off it ("0.602x misses", not "0.60x").
         */
        String text() {
            String r = "-";
            if (!Double.isNaN(ratio)) {
                String two = String.format(Locale.ROOT, "%.2f", ratio);
                boolean blurred = ratio != line && two.equals(String.format(Locale.ROOT, "%.2f", line));
                r = (blurred ? String.format(Locale.ROOT, "%.3f", ratio) : two) + "x";
            }
            return r + " " + verdict.word + (why == null ? "" : " (" + why + ")");
        }
    }

    /** {@code a / b}, NaN when {@code b} is 0. */
    static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    /** The p50 line: cancel p50 at most {@value #P50_LINE}x the gRPC round trip's p50. */
    static Judged p50(Direction d) {
        double r = ratio(d.cancel().percentile(50), d.grpcRoundTrip().percentile(50));
        String why = unjudgeable(d, 50);
        if (why != null) return new Judged(r, P50_LINE, Verdict.NOT_JUDGED, why);
        return new Judged(r, P50_LINE, r <= P50_LINE ? Verdict.MEETS : Verdict.MISSES, null);
    }

    /** The p99 line: cancel p99 at most {@value #P99_LINE}x the gRPC round trip's p99. */
    static Judged p99(Direction d) {
        double r = ratio(d.cancel().percentile(99), d.grpcRoundTrip().percentile(99));
        String why = unjudgeable(d, 99);
        if (why != null) return new Judged(r, P99_LINE, Verdict.NOT_JUDGED, why);
        int tail = Math.min(d.cancel().beyond(99), d.grpcRoundTrip().beyond(99));
        if (tail < TAIL_SAMPLES) {
            return new Judged(r, P99_LINE, Verdict.NOT_JUDGED, String.format(Locale.ROOT,
                    "its p99 rests on %d sample(s) beyond it, %d needed: %d trials", tail, TAIL_SAMPLES, TAIL_SAMPLES * 100));
        }
        return new Judged(r, P99_LINE, r <= P99_LINE ? Verdict.MEETS : Verdict.MISSES, null);
    }

    /** Why no percentile line can be judged for {@code d}, or null. */
    private static String unjudgeable(Direction d, int p) {
        if (d.problem() != null) return "a trial failed its assertions";
        if (d.cancel().count() == 0 || d.grpcRoundTrip().percentile(p) == 0) return "no figures";
        return null;
    }

    /**
     * The figures, the ratios and both goal lines, as {@code make bench-cancel} prints them.
     * {@code references} are measured and printed beside the {@code judged} directions (a
     * different way to consume the same cancel, say), and named after the goal lines with their
     * ratios, but not judged.
     */
    static String table(List<Direction> judged, List<Direction> references) {
        List<Direction> all = new ArrayList<>(judged);
        all.addAll(references);
        int w = 9;
        for (Direction d : all) w = Math.max(w, d.name().length());
        String name = "%-" + w + "s ";
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, name + "%-17s %8s %6s %10s %10s %10s%n", "direction", "measure (us)", "samples", ">p99", "p50", "p99", "max"));
        for (Direction d : all) {
            String n = d.name();
            for (Map.Entry<String, LatencySample> m : d.measures().entrySet()) {
                LatencySample s = m.getValue();
                b.append(String.format(Locale.ROOT, name + "%-17s %8d %6d %10.1f %10.1f %10.1f%n", n, label(m.getKey()),
                        s.count(), s.beyond(99), s.percentile(50) / 1e3, s.percentile(99) / 1e3, s.max() / 1e3));
                n = "";
            }
        }
        b.append(String.format(Locale.ROOT, "%n" + name + "%-36s %8s %8s%n", "direction", "ratio", "p50", "p99"));
        for (Direction d : all) {
            String n = d.name();
            for (Ratio r : RATIOS) {
                String what = label(r.of()) + " / " + label(r.over());
                b.append(String.format(Locale.ROOT, name + "%-36s %8s %8s%n", n, what, times(r.at(d, 50)), times(r.at(d, 99))));
                n = "";
            }
        }
        b.append('\n');
        b.append(goalLine("p50", "cancel p50 <= " + P50_LINE + "x the gRPC round trip's p50", judged, true)).append('\n');
        b.append(goalLine("p99", "cancel p99 <= " + P99_LINE + "x the gRPC round trip's p99", judged, false)).append('\n');
        for (Direction d : references) {
            Ratio r = RATIOS.get(0);
            b.append(String.format(Locale.ROOT, "reference, not judged: %s, cancel %s the gRPC round trip's p50, %s its p99%n",
                    d.name(), times(r.at(d, 50)), times(r.at(d, 99))));
        }
        return b.toString();
    }

    /** One goal line: the line, then each direction's ratio and verdict. */
    static String goalLine(String name, String line, List<Direction> directions, boolean p50) {
        List<String> parts = new ArrayList<>();
        for (Direction d : directions) parts.add(d.name() + " " + (p50 ? p50(d) : p99(d)).text());
        return "goal " + name + " (" + line + "): " + String.join("; ", parts);
    }

    /** How the table names a measure of {@link Direction#measures()}. */
    static String label(String measure) {
        return measure.equals("floor_one_way") ? "floor one-way" : measure.replace('_', ' ');
    }

    /** The ratio of measure {@code of} to measure {@code over} (names of {@link Direction#measures()}). */
    record Ratio(String of, String over) {
        double at(Direction d, int percentile) {
            Map<String, LatencySample> m = d.measures();
            return ratio(m.get(of).percentile(percentile), m.get(over).percentile(percentile));
        }

        String key(int percentile) {
            return of + "_over_" + over + "_p" + percentile;
        }
    }

    /**
     * The ratios the table prints, at p50 and p99: the cancel against the gRPC round trip (the
     * goal lines), the cancel against the floor's one-way trip (how far it is from the cheapest
     * message), and the gRPC round trip against the floor's (what gRPC itself costs).
     */
    static final List<Ratio> RATIOS = List.of(new Ratio("cancel", "grpc_round_trip"), new Ratio("cancel", "floor_one_way"),
            new Ratio("grpc_round_trip", "floor_round_trip"));

    private static String times(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    /**
     * Where the time goes: the p50 and p99 of each of a direction's steps, beside the whole
     * cancel's. A trial's steps add up to its latency; their medians add up only roughly.
     */
    static String steps(List<Direction> directions) {
        StringBuilder b = new StringBuilder("where the time goes (us; a trial's steps add up to its cancel latency, their p50s only roughly):\n");
        for (Direction d : directions) {
            b.append(String.format(Locale.ROOT, "%s%n  %-52s %10s %10s%n", d.name(), "step", "p50", "p99"));
            long sum = 0;
            for (Map.Entry<String, LatencySample> s : d.steps().entrySet()) {
                sum += s.getValue().percentile(50);
                b.append(String.format(Locale.ROOT, "  %-52s %10.1f %10.1f%n", s.getKey(),
                        s.getValue().percentile(50) / 1e3, s.getValue().percentile(99) / 1e3));
            }
            b.append(String.format(Locale.ROOT, "  %-52s %10.1f   (the cancel's own p50: %.1f)%n", "sum of the steps' p50s",
                    sum / 1e3, d.cancel().percentile(50) / 1e3));
        }
        return b.toString();
    }

    /** One direction as bench-cancel.json holds it; a reference direction has no goal verdicts. */
    static Map<String, Object> json(Direction d, boolean reference) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("direction", d.name());
        if (reference) row.put("reference", true);
        row.put("assertions", d.problem() == null ? "PASSED" : "FAILED");
        if (d.problem() != null) row.put("problem", d.problem());
        d.measures().forEach((name, s) -> row.put(name, figures(s)));
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (Ratio r : RATIOS) {
            for (int p : new int[] {50, 99}) ratios.put(r.key(p), Double.isNaN(r.at(d, p)) ? null : r.at(d, p));
        }
        row.put("ratios", ratios);
        if (!reference) {
            row.put("goal_p50", judged(p50(d)));
            row.put("goal_p99", judged(p99(d)));
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        d.steps().forEach((name, s) -> {
            Map<String, Object> f = figures(s);
            f.put("step", name);
            steps.add(f);
        });
        row.put("steps", steps);
        return row;
    }

    private static Map<String, Object> figures(LatencySample s) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("samples", s.count());
        f.put("beyond_p99", s.beyond(99));
        f.put("p50_us", s.percentile(50) / 1e3);
        f.put("p99_us", s.percentile(99) / 1e3);
        f.put("max_us", s.max() / 1e3);
        return f;
    }

    private static Map<String, Object> judged(Judged j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ratio", Double.isNaN(j.ratio()) ? null : j.ratio());
        m.put("line", j.line());
        m.put("verdict", j.verdict().word);
        if (j.why() != null) m.put("why", j.why());
        return m;
    }
}
