package testbed.contract;

import testbed.Mode;
import testbed.harness.CaseSpec;
import testbed.harness.Expectation;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.harness.Verdict;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The contract suite: does the channel schema that Java and Go share still mean
 * the same to both, by rule and by bytes (docs/CONTRACT.md)?
 *
 * <p>Cases, in order: the schema lints ({@code schema_lint}) and has no breaking
 * change against its baseline ({@code schema_breaking}); buf classifies every
 * schema-edit fixture as recorded ({@code breaking_fixtures}); the deliberately
 * broken variant, a breaking edit to a copy of the schema, is caught
 * ({@code breaking_edit_caught}); Java and Go reproduce the golden vectors
 * ({@code goldens_java}, {@code goldens_go}), decode each other's encodings
 * ({@code wire_java_to_go}, {@code wire_go_to_java}) and carry unknown fields
 * through ({@code unknown_fields_java_go_java}); the committed Go code is what
 * the schema generates ({@code generated_go_code_fresh}); and C, Go and Java
 * agree on the shared region's layout ({@code region_layout}).
 *
 * <p>{@link #run} never throws: a fault becomes an ERROR case with its one-line reason.
 */
public final class ContractSuite {
    public static final String NAME = "contract";
    public static final String TITLE = "The channel schema Java and Go share: buf lint and breaking rules, "
            + "wire conformance by bytes, generated-code freshness, the region layout.";
    /** This suite as a run sees it. */
    public static final Suite SUITE = Suite.standalone(NAME, TITLE,
            (session, settings, progress) -> new ContractSuite(ContractConfig.fromSystemProperties(), progress, settings.cases()).run(settings.mode()));
    /** Details key of a case's fault lines, one per file and line at fault, "path:line:col: ...". */
    public static final String PROBLEMS = "problems";

    /** Every case name, in the order the suite runs them. */
    public static final List<String> CASES = List.of(
            "schema_lint", "schema_breaking", "breaking_fixtures", "breaking_edit_caught",
            "goldens_java", "goldens_go", "wire_java_to_go", "wire_go_to_java", "unknown_fields_java_go_java",
            "generated_go_code_fresh", "region_layout");

    private final ContractConfig config;
    private final PrintStream progress;
    private final Predicate<String> selected;

    public ContractSuite(ContractConfig config, PrintStream progress) {
        this(config, progress, name -> true);
    }

    /** A suite that runs only the cases {@code selected} accepts. */
    public ContractSuite(ContractConfig config, PrintStream progress, Predicate<String> selected) {
        this.config = config;
        this.progress = progress;
        this.selected = selected;
    }

    /** Runs the cases; the mode does not change them (each is a fixed, bounded amount of work). */
    public SuiteResult run(Mode mode) {
        List<CaseResult> cases = new ArrayList<>();
        Buf buf = null;
        String noBuf = null;
        try {
            buf = new Buf(config.buf());
        } catch (ContractException e) {
            noBuf = e.getMessage();
        }
        WireConformance wire = new WireConformance(config);
        List<Finding> lintFindings = List.of();

        if (selected.test("schema_lint")) {
            CaseResult lint = needBuf(noBuf, "schema_lint", LINT_TITLE);
            if (lint == null) {
                long t0 = start("schema_lint");
                try {
                    lintFindings = SchemaCheck.lint(buf, config);
                    lint = findingsCase("schema_lint", LINT_TITLE, lintFindings,
                            "buf lint (STANDARD): " + config.display(config.schemaDir()) + " is clean", t0, Map.of());
                } catch (ContractException e) {
                    lint = CaseResult.error("schema_lint", LINT_TITLE, e.getMessage(), ms(t0));
                }
            }
            cases.add(lint);
        }
        if (selected.test("schema_breaking")) {
            CaseResult breaking = needBuf(noBuf, "schema_breaking", BREAKING_TITLE);
            if (breaking == null) {
                long t0 = start("schema_breaking");
                Finding compile = lintFindings.stream().filter(f -> f.rule().equals("COMPILE")).findFirst().orElse(null);
                if (compile != null) {
                    breaking = new CaseResult("schema_breaking", BREAKING_TITLE, Status.SKIPPED,
                            "the schema does not compile (schema_lint): " + compile, ms(t0), Map.of(), Map.of());
                } else {
                    try {
                        SchemaCheck.Breaking b = SchemaCheck.breaking(buf, config);
                        breaking = findingsCase("schema_breaking", BREAKING_TITLE, b.findings(),
                                "buf breaking (proto/buf.yaml rules): no breaking change; " + b.baseline().description(), t0,
                                Map.of("baseline", b.baseline().description()));
                        if (!b.findings().isEmpty()) {
                            breaking = withMessage(breaking, b.findings().size() + " breaking change" + (b.findings().size() == 1 ? "" : "s")
                                    + " (" + b.baseline().description() + "): " + b.findings().get(0));
                        }
                    } catch (ContractException e) {
                        breaking = CaseResult.error("schema_breaking", BREAKING_TITLE, e.getMessage(), ms(t0));
                    }
                }
            }
            cases.add(breaking);
        }
        if (selected.test("breaking_fixtures")) {
            CaseResult r = needBuf(noBuf, "breaking_fixtures", FIXTURES_TITLE);
            cases.add(r != null ? r : guarded("breaking_fixtures", FIXTURES_TITLE, fixtures(buf)));
        }
        if (selected.test(BREAKING_EDIT.name())) {
            CaseResult r = needBuf(noBuf, BREAKING_EDIT.name(), BREAKING_EDIT.title());
            cases.add(r != null ? r : guarded(BREAKING_EDIT.name(), BREAKING_EDIT.title(), breakingEdit(buf)));
        }
        if (selected.test("goldens_java")) cases.add(guarded("goldens_java", GOLDENS_JAVA_TITLE, t0 -> wire.goldensJava("goldens_java", GOLDENS_JAVA_TITLE, t0)));
        if (selected.test("goldens_go")) cases.add(guarded("goldens_go", GOLDENS_GO_TITLE, t0 -> wire.goldensGo("goldens_go", GOLDENS_GO_TITLE, t0)));
        if (selected.test("wire_java_to_go")) cases.add(guarded("wire_java_to_go", JAVA_TO_GO_TITLE, t0 -> wire.javaToGo("wire_java_to_go", JAVA_TO_GO_TITLE, t0)));
        if (selected.test("wire_go_to_java")) cases.add(guarded("wire_go_to_java", GO_TO_JAVA_TITLE, t0 -> wire.goToJava("wire_go_to_java", GO_TO_JAVA_TITLE, t0)));
        if (selected.test("unknown_fields_java_go_java")) {
            cases.add(guarded("unknown_fields_java_go_java", UNKNOWN_TITLE,
                    t0 -> wire.unknownFieldsRoundTrip("unknown_fields_java_go_java", UNKNOWN_TITLE, t0)));
        }
        if (selected.test("generated_go_code_fresh")) cases.add(guarded("generated_go_code_fresh", GENERATED_TITLE, this::generated));
        if (selected.test("region_layout")) cases.add(guarded("region_layout", LAYOUT_TITLE, this::layout));
        return new SuiteResult(NAME, TITLE, cases);
    }

    private static final String LINT_TITLE = "The schema compiles and follows buf's STANDARD lint rules.";
    private static final String BREAKING_TITLE = "No breaking change (WIRE, WIRE_JSON, no deleted package, service or RPC) against the baseline.";
    private static final String FIXTURES_TITLE = "buf classifies every schema-edit fixture as proto/testdata/breaking/verdicts.txt records.";
    private static final String EDIT_TITLE = "Broken variant: int64 made sint64 in a copy of the schema; the check must name the rule and line.";
    /**
     * The broken variant: a breaking edit to a copy of the schema ({@link BreakingEdit}). Only
     * a finding of its rule at the edited line catches it ({@link BreakingEdit.Outcome#caught}):
     * another finding, or the rule at another line, does not show that the check finds this edit.
     */
    static final CaseSpec BREAKING_EDIT = new CaseSpec("breaking_edit_caught", EDIT_TITLE, TrialCount.once(),
            Expectation.caughtWhen("buf breaking naming " + BreakingEdit.RULE + " at the edited line", p -> p.endsWith(BreakingEdit.IN_EDITED_COPY)));
    private static final String GOLDENS_JAVA_TITLE = "Java decodes every golden vector to its description and writes the exact ones byte for byte.";
    private static final String GOLDENS_GO_TITLE = "Go decodes every golden vector to its description and writes the exact ones byte for byte.";
    private static final String JAVA_TO_GO_TITLE = "Go decodes what Java encodes, case by case, to the same value and bytes.";
    private static final String GO_TO_JAVA_TITLE = "Java decodes what Go encodes, case by case, to the same value and bytes.";
    private static final String UNKNOWN_TITLE = "Fields of a later schema survive Java -> Go (earlier schema) -> Java, byte for byte.";
    private static final String GENERATED_TITLE = "The committed Go code is what the pinned protoc and plugins generate from proto/.";
    private static final String LAYOUT_TITLE = "C, Go and Java each match native/region.layout, constant for constant, byte for byte.";

    /** The body of a case: given its start time, its result; may throw ContractException. */
    private interface Body {
        CaseResult run(long t0);
    }

    private CaseResult guarded(String name, String title, Body body) {
        long t0 = start(name);
        try {
            return body.run(t0);
        } catch (ContractException e) {
            return CaseResult.error(name, title, e.getMessage(), ms(t0));
        } catch (RuntimeException e) {
            return CaseResult.error(name, title, e.toString(), ms(t0));
        }
    }

    private Body fixtures(Buf buf) {
        return t0 -> {
            List<BreakingFixtures.Outcome> outcomes = BreakingFixtures.run(buf, config);
            List<Map<String, Object>> rows = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            Set<String> fixtures = new java.util.TreeSet<>();
            int breaking = 0;
            for (BreakingFixtures.Outcome o : outcomes) {
                rows.add(o.row());
                fixtures.add(o.expected().fixture());
                if (o.expected().ruleSet() == BreakingFixtures.RuleSet.CONTRACT && !o.actual().isEmpty()) breaking++;
                if (!o.matches()) {
                    problems.add(config.display(config.fixturesDir().resolve(BreakingFixtures.VERDICTS)) + ":" + o.expected().line()
                            + ": " + o.expected().fixture() + " under " + o.expected().ruleSet() + ": expected " + o.expected().verdict()
                            + ", buf reported " + o.verdict());
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("verdicts", rows);
            if (!problems.isEmpty()) details.put(PROBLEMS, problems);
            String msg = problems.isEmpty()
                    ? fixtures.size() + " fixtures x 3 rule sets classified as recorded; " + breaking + " fixtures break the project's rules, "
                            + (fixtures.size() - breaking) + " pass them"
                    : problems.size() + " misclassified: " + problems.get(0);
            return new CaseResult("breaking_fixtures", FIXTURES_TITLE, problems.isEmpty() ? Status.PASSED : Status.FAILED, msg, ms(t0),
                    Map.of("fixtures", fixtures.size(), "checks", outcomes.size(), "misclassified", problems.size()), details);
        };
    }

    private Body breakingEdit(Buf buf) {
        return t0 -> {
            BreakingEdit.Outcome o = BreakingEdit.run(buf, config);
            Finding caught = o.caught();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("edit", Map.of("file", o.edit().file(), "line", o.edit().line(), "before", o.edit().before(), "after", o.edit().after()));
            details.put("findings", o.findings().stream().map(Finding::row).toList());
            if (caught != null) details.put(PROBLEMS, List.of(caught.toString()));
            String edit = "'" + o.edit().after() + "' at " + o.edit().file() + ":" + o.edit().line();
            String problem = caught != null ? caught + BreakingEdit.IN_EDITED_COPY
                    : o.findings().isEmpty() ? null : edit + " gave " + o.findings().get(0);
            return Verdict.of(BREAKING_EDIT.expectation(), problem, edit + " gave no finding; expected " + BreakingEdit.RULE)
                    .result(BREAKING_EDIT, ms(t0), Map.of("findings", o.findings().size()), details);
        };
    }

    private CaseResult generated(long t0) {
        String stale = GeneratedGoCode.check(config);
        if (stale == null) {
            return new CaseResult("generated_go_code_fresh", GENERATED_TITLE, Status.PASSED,
                    "go-peer/internal/gen matches a fresh generation from proto/ (make check-generated)", ms(t0), Map.of(), Map.of());
        }
        return new CaseResult("generated_go_code_fresh", GENERATED_TITLE, Status.FAILED, stale, ms(t0), Map.of(),
                Map.of(PROBLEMS, List.of(stale)));
    }

    private CaseResult layout(long t0) {
        List<String> diffs = LayoutContract.differences(config);
        if (diffs.isEmpty()) {
            return new CaseResult("region_layout", LAYOUT_TITLE, Status.PASSED,
                    "C (" + config.display(config.nativeTest()) + "), Go and Java all match " + config.display(config.layoutFile()),
                    ms(t0), Map.of(), Map.of());
        }
        return new CaseResult("region_layout", LAYOUT_TITLE, Status.FAILED, diffs.size() + " difference(s): " + diffs.get(0), ms(t0),
                Map.of("differences", diffs.size()), Map.of(PROBLEMS, diffs));
    }

    private CaseResult needBuf(String noBuf, String name, String title) {
        return noBuf == null ? null : CaseResult.error(name, title, noBuf, 0);
    }

    private CaseResult findingsCase(String name, String title, List<Finding> findings, String clean, long t0,
                                    Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>(extra);
        if (findings.isEmpty()) {
            return new CaseResult(name, title, Status.PASSED, clean, ms(t0), Map.of("findings", 0), details);
        }
        details.put("findings", findings.stream().map(Finding::row).toList());
        details.put(PROBLEMS, findings.stream().map(Finding::toString).toList());
        String msg = findings.size() + " finding" + (findings.size() == 1 ? "" : "s") + ": " + findings.get(0);
        return new CaseResult(name, title, Status.FAILED, msg, ms(t0), Map.of("findings", findings.size()), details);
    }

    private static CaseResult withMessage(CaseResult c, String message) {
        return new CaseResult(c.name(), c.title(), c.status(), message, c.durationMs(), c.metrics(), c.details());
    }

    private long start(String name) {
        progress.printf(Locale.ROOT, "  contract/%s%n", name);
        return System.nanoTime();
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
