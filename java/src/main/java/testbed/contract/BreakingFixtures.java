package testbed.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The schema-edit fixtures under proto/testdata/breaking: each NAME/ holds a
 * before/ and an after/ schema, and verdicts.txt says what buf breaking must
 * report for after/ checked against before/, under three rule sets:
 *
 * <ul>
 *   <li>{@code WIRE}: buf's WIRE category alone (can old and new code read
 *       each other's bytes);</li>
 *   <li>{@code WIRE_JSON}: buf's WIRE_JSON category alone (and each other's JSON);</li>
 *   <li>{@code CONTRACT}: the project's own rules, proto/buf.yaml.</li>
 * </ul>
 *
 * <p>A verdict is {@code pass} or the exact set of rule IDs reported: a rule
 * more or a rule less is a misclassification.
 */
final class BreakingFixtures {
    static final String VERDICTS = "verdicts.txt";

    enum RuleSet { WIRE, WIRE_JSON, CONTRACT }

    /** One line of verdicts.txt. An empty rule set means "pass". */
    record Expectation(String fixture, RuleSet ruleSet, SortedSet<String> rules, int line) {
        String verdict() {
            return rules.isEmpty() ? "pass" : String.join(" ", rules);
        }
    }

    /** What buf said about one fixture under one rule set. */
    record Outcome(Expectation expected, SortedSet<String> actual, List<Finding> findings) {
        boolean matches() {
            return expected.rules().equals(actual);
        }

        String verdict() {
            return actual.isEmpty() ? "pass" : String.join(" ", actual);
        }

        Map<String, Object> row() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fixture", expected.fixture());
            m.put("rules", expected.ruleSet().name());
            m.put("expected", expected.verdict());
            m.put("reported", verdict());
            m.put("classified", matches() ? "yes" : "NO");
            return m;
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
    private static final Pattern RULE = Pattern.compile("[A-Z][A-Z0-9_]*");

    private BreakingFixtures() {}

    /**
     * Reads verdicts.txt and checks it against the fixture directories: every
     * fixture has a verdict for each rule set, and every verdict a fixture.
     *
     * @throws ContractException naming verdicts.txt and the line at fault
     */
    static List<Expectation> read(ContractConfig c) {
        Path file = c.fixturesDir().resolve(VERDICTS);
        String shown = c.display(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ContractException(shown + ": cannot read the fixture verdicts: " + e.getMessage());
        }
        List<Expectation> out = new ArrayList<>();
        Map<String, Map<RuleSet, Integer>> seen = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int n = i + 1;
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] w = l.split("\\s+");
            if (w.length < 3) throw new ContractException(shown + ":" + n + ": want FIXTURE RULESET VERDICT, got '" + l + "'");
            if (!NAME.matcher(w[0]).matches()) throw new ContractException(shown + ":" + n + ": bad fixture name '" + w[0] + "'");
            RuleSet set;
            try {
                set = RuleSet.valueOf(w[1]);
            } catch (IllegalArgumentException e) {
                throw new ContractException(shown + ":" + n + ": unknown rule set '" + w[1] + "' (WIRE, WIRE_JSON or CONTRACT)");
            }
            SortedSet<String> rules = new TreeSet<>();
            if (!(w.length == 3 && w[2].equals("pass"))) {
                for (int k = 2; k < w.length; k++) {
                    if (!RULE.matcher(w[k]).matches()) {
                        throw new ContractException(shown + ":" + n + ": '" + w[k] + "' is not a buf rule ID (or 'pass' alone)");
                    }
                    rules.add(w[k]);
                }
            }
            Integer before = seen.computeIfAbsent(w[0], k -> new EnumMap<>(RuleSet.class)).put(set, n);
            if (before != null) {
                throw new ContractException(shown + ":" + n + ": " + w[0] + " " + set + " already has a verdict on line " + before);
            }
            out.add(new Expectation(w[0], set, Collections.unmodifiableSortedSet(rules), n));
        }
        for (Map.Entry<String, Map<RuleSet, Integer>> e : seen.entrySet()) {
            int first = e.getValue().values().iterator().next();
            for (RuleSet s : RuleSet.values()) {
                if (!e.getValue().containsKey(s)) {
                    throw new ContractException(shown + ":" + first + ": " + e.getKey() + " has no " + s + " verdict");
                }
            }
            Path dir = c.fixturesDir().resolve(e.getKey());
            if (!Files.isDirectory(dir.resolve("before")) || !Files.isDirectory(dir.resolve("after"))) {
                throw new ContractException(shown + ":" + first + ": fixture " + e.getKey() + " has no "
                        + c.display(dir) + "/{before,after}");
            }
        }
        try (Stream<Path> dirs = Files.list(c.fixturesDir())) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                String name = d.getFileName().toString();
                if (!seen.containsKey(name)) throw new ContractException(shown + ": fixture " + name + " has no verdict");
            }
        } catch (IOException e) {
            throw new ContractException(c.display(c.fixturesDir()) + ": " + e.getMessage());
        }
        if (out.isEmpty()) throw new ContractException(shown + ": no verdicts");
        return out;
    }

    /** Runs buf on every fixture under every rule set; fixtures run two at a time. */
    static List<Outcome> run(Buf buf, ContractConfig c) {
        List<Expectation> all = read(c);
        Map<String, List<Expectation>> byFixture = new LinkedHashMap<>();
        for (Expectation e : all) byFixture.computeIfAbsent(e.fixture(), k -> new ArrayList<>()).add(e);
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        List<Outcome> out = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<List<Outcome>>> futures = new ArrayList<>();
            for (List<Expectation> es : byFixture.values()) futures.add(pool.submit(() -> check(buf, c, es)));
            for (Future<List<Outcome>> f : futures) out.addAll(f.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ContractException ce) throw ce;
            throw new ContractException("fixture check failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContractException("fixture check interrupted");
        }
        return out;
    }

    /** Runs buf on one fixture under the rule sets of its expectations. */
    static List<Outcome> check(Buf buf, ContractConfig c, List<Expectation> expectations) {
        String fixture = expectations.get(0).fixture();
        Path dir = c.fixturesDir().resolve(fixture);
        List<Outcome> out = new ArrayList<>();
        try (Scratch scratch = new Scratch("fixture")) {
            Path before = scratch.resolve("before");
            Path after = scratch.resolve("after");
            for (Expectation e : expectations) {
                Path config = scratch.resolve("buf-" + e.ruleSet() + ".yaml");
                writeConfig(c, e.ruleSet(), config);
                for (Path side : List.of(before, after)) {
                    Path rel = side.getFileName();
                    if (!Files.isDirectory(side)) Scratch.copySchema(dir.resolve(rel.toString()), side, config);
                    Files.copy(config, side.resolve("buf.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                List<Finding> found = new ArrayList<>();
                for (Finding f : buf.breaking(scratch.dir(), "after", "before")) {
                    if (f.path().isEmpty()) {
                        // About the whole input (a deleted package): no file, so no line either.
                        found.add(new Finding(c.display(dir) + "/after", 0, 0, f.rule(), f.message()));
                    } else {
                        found.add(f.path().startsWith("after/") ? f.withPath(c.display(dir) + "/" + f.path()) : f);
                    }
                }
                SortedSet<String> rules = new TreeSet<>();
                for (Finding f : found) rules.add(f.rule());
                out.add(new Outcome(e, Collections.unmodifiableSortedSet(rules), List.copyOf(found)));
            }
        } catch (IOException e) {
            throw new ContractException(c.display(dir) + ": " + e.getMessage());
        }
        return out;
    }

    private static void writeConfig(ContractConfig c, RuleSet set, Path to) throws IOException {
        if (set == RuleSet.CONTRACT) {
            Files.copy(c.protoDir().resolve("buf.yaml"), to);
        } else {
            Files.writeString(to, "version: v2\nbreaking:\n  use:\n    - " + set.name() + "\n");
        }
    }
}
