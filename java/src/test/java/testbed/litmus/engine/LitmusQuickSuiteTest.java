package testbed.litmus.engine;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.litmus.ArchModel;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole canonical suite in quick mode, as JUnit dynamic tests (one per litmus
 * case), through the same forked-group path as `make run`. A forbidden outcome or an
 * engine error fails its test; the broken variants must be caught.
 */
class LitmusQuickSuiteTest {

    @TestFactory
    @Timeout(600)
    Stream<DynamicTest> quickSuite() {
        SuiteResult suite = LitmusSuite.run(Mode.QUICK, t -> true, System.out);
        List<DynamicTest> tests = new ArrayList<>();
        for (CaseResult c : suite.cases()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                assertFalse(c.status() == Status.ERROR, () -> "engine error: " + c.message());
                if (c.name().startsWith("selfcheck_") && ArchModel.arch().equals("x86_64")) {
                    assertEquals(Status.EXPECTED_FAILURE, c.status(), () -> "broken variant not caught: " + c.message());
                } else {
                    assertFalse(c.status() == Status.FAILED, c::message);
                }
                assertTrue(((Number) c.metrics().getOrDefault("samples", 0L)).longValue() > 0, "samples were taken");
            }));
        }
        tests.add(DynamicTest.dynamicTest("x86_64_quick_mode_shows_store_buffering_across_j_c_and_c_g", () -> {
            assumeTrue(ArchModel.arch().equals("x86_64"), "store buffering is only promised on x86-64 here");
            List<String> names = List.of("sb_jc_relaxed", "sb_jc_acq_rel", "sb_cg_relaxed", "sb_cg_acq_rel");
            List<String> missed = names.stream().filter(n -> !interesting(suite, n)).toList();
            if (missed.isEmpty()) return;
            // A loaded machine can squeeze a test's share of the whole quick suite to a few
            // thousand samples; the same tests run as a filtered quick run (up to 1 s each) must
            // then show it. What the whole-suite run saw is part of the message either way.
            String first = missed.stream().map(n -> n + ": " + find(suite, n).message()).reduce((a, b) -> a + "; " + b).orElse("");
            SuiteResult again = LitmusSuite.run(Mode.QUICK, t -> missed.contains(t.name()), System.out);
            for (String name : missed) {
                assertTrue(interesting(again, name), () -> name + " in a filtered quick run: " + find(again, name).message()
                        + " (in the whole suite: " + first + ")");
            }
        }));
        tests.add(DynamicTest.dynamicTest("quick_mode_runs_each_java_test_in_one_jit_mode_and_uses_all_four", () -> {
            java.util.Set<String> used = new java.util.TreeSet<>();
            for (CaseResult c : suite.cases()) {
                if (c.status() == Status.ERROR) continue;
                String mode = String.valueOf(c.details().get("jvm_mode"));
                var t = testbed.litmus.CanonicalSuite.all().stream().filter(x -> x.name().equals(c.name())).findFirst().orElseThrow();
                if (t.hasGuest()) assertEquals("jvm_default", mode, c.name());
                else if (!JitPlan.applies(t)) assertEquals("not_applicable", mode, c.name());
                else {
                    assertTrue(mode.matches("interpreter|c1|c2|c2_stress_[0-9]+"), c.name() + ": " + mode);
                    used.add(mode.replaceAll("_[0-9]+$", ""));
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> runs = (List<Map<String, Object>>) c.details().get("runs_by_jvm_mode");
                    assertEquals(1, runs.size(), c.name());
                    assertFalse(String.valueOf(runs.get(0).get("jvm_verified")).isEmpty(), c.name());
                }
            }
            assertEquals(java.util.Set.of("c1", "c2", "c2_stress", "interpreter"), used);
        }));
        tests.add(DynamicTest.dynamicTest("every_case_reports_histogram_rate_and_verdict", () -> {
            for (CaseResult c : suite.cases()) {
                if (c.status() == Status.ERROR) continue;
                assertTrue(c.details().get("histogram") instanceof List<?>, c.name());
                assertTrue(c.metrics().containsKey("samples_per_second"), c.name());
                assertTrue(List.of("forbidden_observed", "interesting_observed", "allowed_not_seen", "ok")
                        .contains(c.details().get("verdict"))
                        // A guest test without an overlap witness is inconclusive (docs/GUEST.md).
                        || (LitmusSuite.hasGuest(testbed.litmus.CanonicalSuite.all().stream().filter(t -> t.name().equals(c.name())).findFirst().orElseThrow())
                            && c.details().get("verdict").equals("no_overlap") && c.status() == Status.SKIPPED), c.name());
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> hist = (List<Map<String, Object>>) c.details().get("histogram");
                long sum = hist.stream().mapToLong(r -> ((Number) r.get("count")).longValue()).sum();
                assertEquals(((Number) c.metrics().get("samples")).longValue(), sum, c.name() + ": histogram adds up to samples");
            }
        }));
        return tests.stream();
    }

    private static CaseResult find(SuiteResult suite, String name) {
        return suite.cases().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    private static boolean interesting(SuiteResult suite, String name) {
        return "interesting_observed".equals(find(suite, name).details().get("verdict"));
    }
}
