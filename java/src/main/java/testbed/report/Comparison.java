package testbed.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Two runs side by side, case by case (the x86_64 and arm64 CI jobs, or one machine before
 * and after a toolchain upgrade). A case is matched by suite and name; each side gives its
 * verdict, interesting share and latency, and a case is flagged for each difference that
 * matters: {@link Flag}. compare.json is {@link #toJson}; compare.html is {@link CompareHtml}.
 */
public record Comparison(Run a, Run b, List<Row> rows) {

    public static final String SCHEMA = "interop-testbed/compare/v1";
    /** A latency this many times the other side's is flagged. */
    public static final double LATENCY_RATIO = 2.0;

    /** What differs, in the order a row lists its flags. */
    public enum Flag {
        /** The status, or a litmus case's verdict, is not the same on both sides. */
        VERDICT_CHANGED("verdict changed"),
        /** An interesting (relaxed) outcome was seen on one side and not on the other. */
        RELAXED_ONE_SIDE("relaxed outcome on one side only"),
        /** One side's cancel latency (p50) is more than {@link #LATENCY_RATIO} times the other's. */
        LATENCY_RATIO("latency ratio beyond 2x"),
        /** The case ran on one side only. */
        ONLY_ONE_SIDE("ran on one side only");

        final String words;

        Flag(String words) {
            this.words = words;
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One side's run: the file it was read from and what its host said. */
    public record Run(String file, String arch, String mode, String startedAt, Map<String, Object> host) {
        static Run of(String file, Report r) {
            return new Run(file, String.valueOf(r.host().getOrDefault("arch", "?")), r.mode(), r.startedAt(), r.host());
        }
    }

    /**
     * One case on one side.
     *
     * @param status      the case's status
     * @param verdict     a litmus case's verdict ({@code details.verdict}), else ""
     * @param samples     litmus samples, NaN where the case has none
     * @param interesting samples with an interesting outcome, NaN where the case has none
     * @param latencyP50Us cancel latency p50 in microseconds ({@code metrics.latency_p50_us}), NaN where not measured
     * @param latencyP99Us its p99, NaN where not measured
     */
    public record Side(Status status, String verdict, double samples, double interesting, double latencyP50Us, double latencyP99Us) {
        static Side of(CaseResult c) {
            return new Side(c.status(), Html.text(c.details(), "verdict"), Html.number(c.metrics(), "samples"),
                    Html.number(c.metrics(), "interesting"), Html.number(c.metrics(), "latency_p50_us"), Html.number(c.metrics(), "latency_p99_us"));
        }

        /** Interesting samples over samples, NaN where the case has no samples. */
        public double interestingShare() {
            return samples > 0 && interesting >= 0 ? interesting / samples : Double.NaN;
        }

        /** "passed" or "passed, interesting_observed": the status, then a litmus verdict. */
        public String verdictText() {
            return Html.word(status) + (verdict.isEmpty() ? "" : ", " + verdict);
        }
    }

    /** A case on both sides (either may be null when it ran on one only) and what differs. */
    public record Row(String suite, String name, Side a, Side b, List<Flag> flags) {}

    public static Comparison of(String aFile, Report a, String bFile, Report b) {
        Map<String, CaseResult> inA = index(a), inB = index(b);
        Map<String, String[]> keys = new LinkedHashMap<>();
        for (Report r : List.of(a, b)) {
            for (SuiteResult s : r.suites()) for (CaseResult c : s.cases()) keys.putIfAbsent(s.name() + "/" + c.name(), new String[] {s.name(), c.name()});
        }
        Set<String> both = suites(a);
        both.retainAll(suites(b));
        List<Row> rows = new ArrayList<>();
        keys.forEach((key, sn) -> {
            CaseResult ca = inA.get(key), cb = inB.get(key);
            Side sa = ca == null ? null : Side.of(ca), sb = cb == null ? null : Side.of(cb);
            // A suite that one run did not run at all (SUITE=litmus) is said once, not flagged per case.
            rows.add(new Row(sn[0], sn[1], sa, sb, both.contains(sn[0]) ? flags(sa, sb) : List.of()));
        });
        return new Comparison(Run.of(aFile, a), Run.of(bFile, b), rows);
    }

    private static Set<String> suites(Report r) {
        Set<String> s = new LinkedHashSet<>();
        for (SuiteResult x : r.suites()) s.add(x.name());
        return s;
    }

    /** The suites that ran in one of the two runs only. */
    public List<String> oneSided() {
        Map<String, int[]> sides = new LinkedHashMap<>();
        for (Row r : rows) {
            int[] n = sides.computeIfAbsent(r.suite(), k -> new int[2]);
            if (r.a() != null) n[0]++;
            if (r.b() != null) n[1]++;
        }
        return sides.entrySet().stream().filter(e -> e.getValue()[0] == 0 || e.getValue()[1] == 0).map(Map.Entry::getKey).toList();
    }

    private static Map<String, CaseResult> index(Report r) {
        Map<String, CaseResult> m = new LinkedHashMap<>();
        for (SuiteResult s : r.suites()) for (CaseResult c : s.cases()) m.put(s.name() + "/" + c.name(), c);
        return m;
    }

    static List<Flag> flags(Side a, Side b) {
        if (a == null || b == null) return List.of(Flag.ONLY_ONE_SIDE);
        List<Flag> f = new ArrayList<>();
        if (a.status() != b.status() || !a.verdict().equals(b.verdict())) f.add(Flag.VERDICT_CHANGED);
        // Only where both sides sampled: a case that erred on one side is a changed verdict, not a relaxed outcome.
        if (a.samples() > 0 && b.samples() > 0 && (a.interesting() > 0) != (b.interesting() > 0)) f.add(Flag.RELAXED_ONE_SIDE);
        double la = a.latencyP50Us(), lb = b.latencyP50Us();
        if (la > 0 && lb > 0 && Math.max(la, lb) / Math.min(la, lb) > LATENCY_RATIO) f.add(Flag.LATENCY_RATIO);
        return f;
    }

    public List<Row> flagged() {
        return rows.stream().filter(r -> !r.flags().isEmpty()).toList();
    }

    /** How many rows carry each flag, every flag named. */
    public Map<Flag, Integer> counts() {
        Map<Flag, Integer> n = new EnumMap<>(Flag.class);
        for (Flag f : Flag.values()) n.put(f, 0);
        for (Row r : rows) for (Flag f : r.flags()) n.merge(f, 1, Integer::sum);
        return n;
    }

    /** compare.json: both runs, the counts, then every case with its two sides and its flags (docs/REPORT.md). */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("schema", SCHEMA);
        j.put("a", run(a));
        j.put("b", run(b));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("cases", rows.size());
        summary.put("flagged", flagged().size());
        counts().forEach((f, n) -> summary.put(f.key(), n));
        j.put("summary", summary);
        List<Map<String, Object>> cases = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("suite", r.suite());
            c.put("case", r.name());
            c.put("flags", r.flags().stream().map(Flag::key).toList());
            c.put("a", side(r.a()));
            c.put("b", side(r.b()));
            cases.add(c);
        }
        j.put("cases", cases);
        return j;
    }

    private static Map<String, Object> run(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", r.file());
        m.put("arch", r.arch());
        m.put("mode", r.mode());
        m.put("startedAt", r.startedAt());
        return m;
    }

    private static Map<String, Object> side(Side s) {
        if (s == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", s.status().name());
        if (!s.verdict().isEmpty()) m.put("verdict", s.verdict());
        if (!Double.isNaN(s.interestingShare())) m.put("interesting_share", s.interestingShare());
        if (!Double.isNaN(s.latencyP50Us())) m.put("latency_p50_us", s.latencyP50Us());
        if (!Double.isNaN(s.latencyP99Us())) m.put("latency_p99_us", s.latencyP99Us());
        return m;
    }
}
