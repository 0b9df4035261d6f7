package testbed.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What jcstress 0.16 printed on its console (run with {@code -v}, so that every
 * configuration's result is printed, not only the interesting ones): the preset that sized
 * the run, and per test and configuration the histogram of outcomes with jcstress's own
 * expectation of each.
 *
 * <p>The parts read, as jcstress 0.16 prints them:
 * <pre>
 *     Test preset mode: "quick"
 *     Iterations per fork: 5
 *     Time per iteration: 200 ms
 * .......... [OK] testbed.jcstress.StoreBuffering.ReleaseAcquire
 *   Compilation: unified across all actors
 *   JVM args: [-XX:-TieredCompilation]
 *   Fork: #1
 *   RESULT    SAMPLES     FREQ       EXPECT  DESCRIPTION
 *     0, 0    828,888   22.86%  Interesting  Both loads missed ...
 * RUN RESULTS:
 * .......... [OK] testbed.jcstress.StoreBuffering.ReleaseAcquire
 *   Results across all configurations:
 *   RESULT    SAMPLES     FREQ       EXPECT  DESCRIPTION
 * </pre>
 * A configuration's sampling time is the preset's iterations times its time per
 * iteration: jcstress prints no clock of its own per configuration.
 *
 * @param preset         the preset mode, e.g. "quick"
 * @param iterations     iterations per fork
 * @param iterationMillis time per iteration
 * @param runs           one per test, configuration and fork, in the order printed
 * @param totals         per test, the histogram "across all configurations" of the closing summary
 */
public record JcstressOutput(String preset, int iterations, long iterationMillis, List<Run> runs,
                             Map<String, List<Row>> totals) {

    private static final Pattern PRESET = Pattern.compile("^\\s*Test preset mode: \"([^\"]*)\"");
    private static final Pattern ITERATIONS = Pattern.compile("^\\s*Iterations per fork: (\\d+)");
    private static final Pattern TIME = Pattern.compile("^\\s*Time per iteration: (\\d+) ms");
    private static final Pattern RESULT = Pattern.compile("^\\.+ \\[([A-Z_ -]+)] (\\S+)\\s*$");
    private static final Pattern COMPILATION = Pattern.compile("^\\s+Compilation: (.*)$");
    private static final Pattern ACTOR_COMPILATION = Pattern.compile("^\\s{4,}(\\w+): (.+)$");
    private static final Pattern JVM_ARGS = Pattern.compile("^\\s+JVM args: \\[(.*)]\\s*$");
    private static final Pattern FORK = Pattern.compile("^\\s+Fork: #(\\d+)");
    private static final Pattern HEADER = Pattern.compile("^\\s+RESULT\\s+SAMPLES\\s+FREQ\\s+EXPECT\\s+DESCRIPTION\\s*$");
    // Outcome ids hold commas and spaces ("0, 1"); the counts have thousands separators.
    private static final Pattern ROW = Pattern.compile("^\\s+(\\S.*?)\\s+([\\d,]+)\\s+(<?[\\d.]+%)\\s+(\\S+)(?:\\s+(.*?))?\\s*$");

    /** jcstress's expectation label of an outcome it counts as interesting (ACCEPTABLE_INTERESTING). */
    public static final String INTERESTING = "Interesting";
    /** jcstress's expectation label of a forbidden outcome. */
    public static final String FORBIDDEN = "Forbidden";

    public JcstressOutput {
        runs = List.copyOf(runs);
        totals = Map.copyOf(totals);
    }

    /** One line of a histogram: an outcome, its count, and jcstress's expectation of it. */
    public record Row(String outcome, long samples, String expect, String description) {}

    /**
     * One configuration of one test.
     *
     * @param status      jcstress's verdict, e.g. "OK", "FAILED"
     * @param compilation "unified across all actors", or "split" with each actor's compiler
     * @param jvmArgs     the configuration's JVM options as printed, without brackets
     */
    public record Run(String test, String status, String compilation, String jvmArgs, int fork, List<Row> rows) {
        public Run {
            rows = List.copyOf(rows);
        }

        public long samples() {
            return rows.stream().mapToLong(Row::samples).sum();
        }

        public long interesting() {
            return count(rows, INTERESTING);
        }

        public long forbidden() {
            return count(rows, FORBIDDEN);
        }
    }

    /** Time that one configuration sampled: iterations x time per iteration. */
    public double samplingSeconds() {
        return iterations * iterationMillis / 1000.0;
    }

    /** The runs of one test, in the order printed. */
    public List<Run> runsOf(String test) {
        return runs.stream().filter(r -> r.test().equals(test)).toList();
    }

    /**
     * The runs of {@code test}, in the order printed.
     *
     * @throws IllegalArgumentException if jcstress printed no result for the test
     */
    public List<Run> require(String test) {
        List<Run> r = runsOf(test);
        if (r.isEmpty()) throw new IllegalArgumentException("jcstress printed no result for " + test);
        return r;
    }

    static long count(List<Row> rows, String expect) {
        return rows.stream().filter(r -> r.expect().equals(expect)).mapToLong(Row::samples).sum();
    }

    /**
     * Reads jcstress's console output.
     *
     * @throws IllegalArgumentException if the preset's iterations or time per iteration are
     *     missing: then no rate can be computed, and the text is not jcstress's output
     */
    public static JcstressOutput parse(List<String> lines) {
        String preset = null;
        int iterations = -1;
        long millis = -1;
        List<Run> runs = new ArrayList<>();
        Map<String, List<Row>> totals = new LinkedHashMap<>();
        boolean summary = false;

        String test = null, status = null, compilation = null, jvmArgs = null;
        int fork = 0;
        List<Row> rows = null;
        boolean inCompilation = false;
        boolean acrossAll = false;

        for (String line : lines) {
            Matcher m;
            if (rows != null) {
                m = ROW.matcher(line);
                if (m.matches()) {
                    rows.add(new Row(m.group(1), Long.parseLong(m.group(2).replace(",", "")), m.group(4),
                            m.group(5) == null ? "" : m.group(5)));
                    continue;
                }
                // The histogram ends at the first line that is not a row of it.
                close(summary, acrossAll, new Run(test, status, compilation, jvmArgs, fork, rows), runs, totals);
                rows = null;
                test = null;
            }
            if (line.startsWith("RUN RESULTS:")) {
                summary = true;
                continue;
            }
            if ((m = PRESET.matcher(line)).find()) {
                preset = m.group(1);
            } else if ((m = ITERATIONS.matcher(line)).find()) {
                iterations = Integer.parseInt(m.group(1));
            } else if ((m = TIME.matcher(line)).find()) {
                millis = Long.parseLong(m.group(1));
            } else if ((m = RESULT.matcher(line)).matches()) {
                test = m.group(2);
                status = m.group(1).trim();
                compilation = "";
                jvmArgs = "";
                fork = 0;
                inCompilation = false;
                acrossAll = false;
            } else if (test != null && (m = COMPILATION.matcher(line)).matches()) {
                compilation = m.group(1).trim();
                inCompilation = true;
            } else if (test != null && inCompilation && (m = ACTOR_COMPILATION.matcher(line)).matches()) {
                compilation = appendActor(compilation, m.group(1) + ": " + m.group(2).trim());
            } else if (test != null && (m = JVM_ARGS.matcher(line)).matches()) {
                jvmArgs = m.group(1).trim();
                inCompilation = false;
            } else if (test != null && (m = FORK.matcher(line)).find()) {
                fork = Integer.parseInt(m.group(1));
                inCompilation = false;
            } else if (test != null && line.trim().equals("Results across all configurations:")) {
                acrossAll = summary;
            } else if (test != null && HEADER.matcher(line).matches()) {
                rows = new ArrayList<>();
                inCompilation = false;
            } else if (test != null && !line.isBlank() && !line.startsWith(" ")) {
                test = null;
            }
        }
        if (rows != null) close(summary, acrossAll, new Run(test, status, compilation, jvmArgs, fork, rows), runs, totals);
        if (iterations < 1 || millis < 1) {
            throw new IllegalArgumentException("not jcstress output: no \"Iterations per fork\" and \"Time per iteration\" in its header");
        }
        return new JcstressOutput(preset == null ? "" : preset, iterations, millis, runs, totals);
    }

    /** A finished histogram: one configuration's before the summary, a test's total in it. */
    private static void close(boolean summary, boolean acrossAll, Run run, List<Run> runs, Map<String, List<Row>> totals) {
        if (!summary) runs.add(run);
        else if (acrossAll) totals.put(run.test(), run.rows());
    }

    private static String appendActor(String compilation, String actor) {
        if (compilation.endsWith(")")) {
            return compilation.substring(0, compilation.length() - 1) + ", " + actor + ")";
        }
        return compilation + " (" + actor + ")";
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "jcstress %s: %d x %d ms, %d runs", preset, iterations, iterationMillis, runs.size());
    }
}
