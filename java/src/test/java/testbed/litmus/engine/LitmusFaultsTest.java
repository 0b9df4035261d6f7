package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.harness.Session;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusTest;
import testbed.litmus.Shape;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults end a test or a group within a bound, with the reason, and the run goes on. */
class LitmusFaultsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static LitmusTest named(String name) {
        return CanonicalSuite.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @Timeout(120)
    void aGroupWhoseJvmCrashesFailsAloneAndTheRunGoesOn() {
        System.setProperty(LitmusSuite.CRASH_GROUP_PROPERTY, Shape.RMW_CAS.token());
        try {
            long t0 = System.nanoTime();
            SuiteResult r = LitmusSuite.run(Mode.QUICK,
                    t -> t.name().equals("rmw_cas_cc_sc") || t.name().equals("rmw_cas_jc_sc") || t.name().equals("rmw_fadd_jc_sc"),
                    QUIET);
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(90).toNanos(), "bounded");
            for (CaseResult c : r.cases()) {
                if (c.name().startsWith("rmw_cas_")) {
                    assertEquals(Status.ERROR, c.status(), c.name());
                    assertTrue(c.message().contains("JVM exited with code 134 (signal 6) before reporting"), c.message());
                } else {
                    assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
                }
            }
            assertEquals(3, r.cases().size());
        } finally {
            System.clearProperty(LitmusSuite.CRASH_GROUP_PROPERTY);
        }
    }

    @Test
    @Timeout(120)
    void aPeerKilledMidTestEndsThatTestAsAnErrorWithinTheStallBound() {
        try (LitmusSession litmus = LitmusSession.open(List.of(named("sb_jg_relaxed"), named("sb_jc_relaxed")),
                (java.nio.file.Path) null, QUIET)) {
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
