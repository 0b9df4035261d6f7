package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.harness.Session;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.litmus.Shape;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults end a test or a group within a bound, with the reason, and the run goes on. */
class LitmusFaultsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static LitmusCase named(String name) {
        return CanonicalSuite.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @Timeout(180)
    void aJvmThatCrashesFailsItsOwnRunsAloneAndTheRunGoesOn() {
        // Default mode: rmw_cas_jc_sc runs in four JVMs, one per JIT mode, and only its C1 JVM dies.
        System.setProperty(ForkedJvm.CRASH_GROUP_PROPERTY, Shape.RMW_CAS.token() + "@c1");
        try {
            long t0 = System.nanoTime();
            SuiteResult r = LitmusSuite.run(Mode.DEFAULT, t -> t.name().equals("rmw_cas_jc_sc") || t.name().equals("rmw_fadd_cc_sc"), QUIET);
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(150).toNanos(), "bounded");
            assertEquals(2, r.cases().size());
            CaseResult crashed = r.cases().stream().filter(c -> c.name().equals("rmw_cas_jc_sc")).findFirst().orElseThrow();
            assertEquals(Status.ERROR, crashed.status(), crashed.message());
            assertTrue(crashed.message().startsWith("c1: JVM rmw_fadd+rmw_cas@c1 exited with code 134 (signal 6) before reporting"),
                    crashed.message());
            assertTrue(crashed.message().contains("; in the other modes: "), crashed.message());
            // The other three modes still ran and are in the case.
            java.util.Map<?, ?> byMode = (java.util.Map<?, ?>) crashed.details().get("histogram_by_jvm_mode");
            assertEquals(3, byMode.size(), byMode.keySet().toString());
            assertTrue(!byMode.containsKey("c1") && byMode.containsKey("interpreter") && byMode.containsKey("c2"), byMode.keySet().toString());
            // Each JVM that reported checked its mode, and the case carries what it read back.
            for (Object row : (java.util.List<?>) crashed.details().get("runs_by_jvm_mode")) {
                java.util.Map<?, ?> run = (java.util.Map<?, ?>) row;
                String verified = String.valueOf(run.get("jvm_verified"));
                switch (String.valueOf(run.get("jvm_mode"))) {
                    case "interpreter" -> assertTrue(verified.contains("java.vm.info=interpreted mode"), verified);
                    case "c1" -> assertEquals("ERROR", run.get("status"));
                    case "c2" -> assertTrue(verified.contains("TieredCompilation=false"), verified);
                    default -> assertTrue(verified.contains("StressIGVN=true") && verified.contains("StressSeed="), verified);
                }
            }
            CaseResult other = r.cases().stream().filter(c -> c.name().equals("rmw_fadd_cc_sc")).findFirst().orElseThrow();
            assertEquals(Status.PASSED, other.status(), other.message());
            assertEquals("not_applicable", other.details().get("jvm_mode"));
        } finally {
            System.clearProperty(ForkedJvm.CRASH_GROUP_PROPERTY);
        }
    }

    @Test
    void aJvmNotInItsJitModeRunsNothingAndSaysWhichFlagIsWrong() {
        // This test JVM runs in the JVM's default mode: told it is a C1 JVM, it must refuse.
        List<CaseResult> r = ForkedJvm.runHere(List.of(named("sb_jc_relaxed")), Budget.of(Duration.ofMillis(50)), JitMode.C1, 1, null, null,
                QUIET);
        assertEquals(1, r.size());
        assertEquals(Status.ERROR, r.get(0).status());
        assertEquals("this JVM is not in JIT mode c1: TieredStopAtLevel is 4, not 1", r.get(0).message());
        assertEquals("c1", r.get(0).details().get("jvm_mode"));
        assertTrue(String.valueOf(r.get(0).details().get("jvm_verified")).contains("TieredStopAtLevel=4"));
    }

    @Test
    void aTestItsJvmDidNotReportIsAnErrorInThatModeNotAModeLessRun() {
        LitmusCase reported = named("sb_jc_relaxed"), missing = named("sb_jj_relaxed");
        ForkPlan.Fork fork = new ForkPlan.Fork(List.of("sb"), JitMode.C1, List.of(reported, missing), 4);
        Map<String, List<ModeUnion.Run>> runs = new LinkedHashMap<>();
        LitmusSuite.collect(runs, fork, List.of(CaseResult.error(reported.name(), "t", "stalled", 1)));
        assertEquals(List.of(reported.name(), missing.name()), List.copyOf(runs.keySet()));
        CaseResult c = ModeUnion.of(missing, runs.get(missing.name()));
        assertEquals(Status.ERROR, c.status());
        assertEquals("c1: JVM sb@c1 reported no case for it", c.message());
        assertEquals("c1", c.details().get("jvm_mode"));
    }

    @Test
    void theCrashPropertyNamesAGroupAndPerhapsAMode() {
        assertTrue(ForkedJvm.crashes("rmw_fadd+rmw_cas@c1", "rmw_cas"));
        assertTrue(ForkedJvm.crashes("rmw_fadd+rmw_cas@c1", "rmw_cas@c1"));
        assertTrue(ForkedJvm.crashes("rmw_cas@c2_stress_77", "rmw_cas@c2_stress"));
        assertTrue(!ForkedJvm.crashes("rmw_fadd+rmw_cas@c2", "rmw_cas@c1"));
        assertTrue(!ForkedJvm.crashes("rmw_fadd@c1", "rmw_cas"));
        assertTrue(!ForkedJvm.crashes("rmw_cas_x@c1", "rmw_cas"), "a whole group name, not a prefix");
    }

    @Test
    @Timeout(120)
    void aPeerKilledMidTestEndsThatTestAsAnErrorWithinTheStallBound() {
        try (LitmusSession litmus = LitmusSession.open(List.of(named("sb_jg_relaxed"), named("sb_jc_relaxed")),
                null, QUIET)) {
            Session session = litmus.session();
            LitmusRunner runner = litmus.runner();
            Budget budget = new Budget(Duration.ofSeconds(5), Budget.DEFAULT_STRIDE, Duration.ofSeconds(1));
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    return;
                }
                session.peerProcess().killNow();
            });
            long t0 = System.nanoTime();
            CaseResult dead = runner.run(named("sb_jg_relaxed"), budget);
            long took = System.nanoTime() - t0;
            killer.interrupt();
            assertEquals(Status.ERROR, dead.status(), dead.message());
            assertTrue(dead.message().contains("a1 (go"), dead.message());
            assertTrue(took < Duration.ofSeconds(20).toNanos(), "ended within the bound: " + took / 1e9 + " s");

            // The run goes on: the next test, without the peer, runs and passes.
            CaseResult next = runner.run(named("sb_jc_relaxed"), new Budget(Duration.ofMillis(300), Budget.DEFAULT_STRIDE, Duration.ofSeconds(2)));
            assertEquals(Status.PASSED, next.status(), next.message());
            assertEquals(0, litmus.cActors().alive(), "no C actor outlives its test");
        }
    }
}
