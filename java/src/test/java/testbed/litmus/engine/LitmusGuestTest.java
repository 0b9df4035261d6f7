package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.guest.GuestRuntime;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.litmus.runtime.JavaActor;
import testbed.report.CaseResult;
import testbed.report.Status;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JavaScript guest actors in the litmus engine (docs/GUEST.md): they run, and their failures are theirs. */
class LitmusGuestTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final Budget SHORT = new Budget(Duration.ofMillis(400), 256, Duration.ofSeconds(5));

    private static LitmusCase named(String name) {
        return CanonicalSuite.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSuiteHasMpAndSbWithTheGuestBesideJavaAndCInBothOrdersAndBothStyles() {
        for (String shape : List.of("mp", "sb")) {
            for (String pair : List.of("jv", "vj", "cv", "vc", "jh", "hj", "ch", "hc")) {
                LitmusCase t = named(shape + "_" + pair + "_sc");
                // Style (a) is plain in the model: its relaxed outcome is allowed. Style (b)
                // with volatile host calls beside a seq_cst partner forbids it.
                assertEquals(pair.contains("v"), t.hasInteresting(), t.name());
            }
        }
        assertEquals(List.of("guest"), LitmusSuite.groups(CanonicalSuite.guestTests()).keySet().stream().toList());
    }

    @Test
    void aGuestTestPassesOnlyWithAWitnessThatItsActorsOverlapped() {
        for (var t : CanonicalSuite.guestTests()) {
            var serial = t.source().serialOutcomes();
            var witnesses = new java.util.LinkedHashSet<>(testbed.litmus.model.Interleavings.sequentiallyConsistent(t.source().bound().effective()));
            witnesses.removeAll(serial);
            // Each shape has an SC outcome that only an interleaving gives, so a witness can be seen...
            assertEquals(1, witnesses.size(), t.name() + ": " + witnesses);
            // ...and a run that saw only serial outcomes has none.
            Map<List<Long>, Long> serialOnly = new java.util.LinkedHashMap<>();
            serial.forEach(o -> serialOnly.put(o, 1_000L));
            assertEquals(0L, Outcomes.overlapWitnesses(serial, serialOnly), t.name());
            serialOnly.put(witnesses.iterator().next(), 7L);
            assertEquals(7L, Outcomes.overlapWitnesses(serial, serialOnly), t.name());
        }
        // Store buffering's witness is (1, 1): both stores before both loads.
        var sb = named("sb_jv_sc");
        var sbSerial = sb.source().serialOutcomes();
        assertEquals(java.util.Set.of(List.of(0L, 1L), List.of(1L, 0L)), sbSerial);
    }

    /** A guest test's outcome: passed with an overlap witness, or inconclusive without one; never a pass without. */
    private static void assertWitnessedOrInconclusive(String name, CaseResult r) {
        long overlap = ((Number) r.metrics().get("overlap_witnesses")).longValue();
        if (r.status() == Status.PASSED) {
            assertTrue(overlap > 0, name + " passed without an overlap witness: " + r.message());
        } else {
            assertEquals(Status.SKIPPED, r.status(), name + ": " + r.message());
            assertEquals(0L, overlap, name);
            assertEquals("no_overlap", r.details().get("verdict"), name);
            assertTrue(r.message().startsWith("inconclusive: "), r.message());
        }
    }

    @Test
    @Timeout(180)
    void guestTestsRunAndAGuestThatFailsIsThatActorsErrorWithTheGuestsMessage() {
        List<LitmusCase> tests = CanonicalSuite.all().stream().filter(LitmusCase::hasGuest).toList();
        try (LitmusSession litmus = LitmusSession.open(tests, null, QUIET)) {
            // Both styles, with Java and with C, run and report samples.
            LitmusRunner runner = litmus.runner();
            for (String name : List.of("sb_jv_sc", "mp_hc_sc", "sb_hj_sc")) {
                CaseResult r = runner.run(named(name), SHORT);
                assertWitnessedOrInconclusive(name, r);
                assertTrue(((Number) r.metrics().get("samples")).longValue() > 0, name);
            }

            // A kernel that throws: the test is an ERROR naming the guest actor and its message.
            long t0 = System.nanoTime();
            CaseResult thrown = litmus.newRunner().withGuest(GuestRuntime.shared(),
                            a -> "(function (buffer, host) { return function () { throw new Error('kernel refused on purpose'); }; })")
                    .run(named("sb_jh_sc"), SHORT);
            assertEquals(Status.ERROR, thrown.status(), thrown.message());
            assertTrue(thrown.message().contains("a1 (js_host {st [8] := 1 volatile; r0 := ld [0] volatile})")
                    && thrown.message().contains("Error: kernel refused on purpose"), thrown.message());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "bounded");

            // An engine that cannot start: the same, with the polyglot message.
            try (GuestRuntime broken = new GuestRuntime(Map.of("engine.NoSuchOptionAnywhere", "1"))) {
                CaseResult noEngine = litmus.newRunner().withGuest(broken, null).run(named("mp_vc_sc"), SHORT);
                assertEquals(Status.ERROR, noEngine.status(), noEngine.message());
                assertTrue(noEngine.message().contains("a0 (js_view {st [0] := 1 atomics; st [8] := 1 atomics})")
                        && noEngine.message().contains("the polyglot engine cannot start")
                        && noEngine.message().contains("NoSuchOptionAnywhere"), noEngine.message());
            }

            // A kernel that never returns: the test stalls, is aborted, and the guest is cancelled.
            // (sb_hj_sc's kernel was rehearsed above, so the loop starts in round 1, after ready.)
            t0 = System.nanoTime();
            CaseResult hung = litmus.newRunner().withGuest(GuestRuntime.shared(),
                            a -> "(function (buffer, host) { return function () { for (;;) { } }; })")
                    .run(named("sb_hj_sc"), new Budget(Duration.ofMillis(300), 256, Duration.ofSeconds(1)));
            assertEquals(Status.ERROR, hung.status(), hung.message());
            assertTrue(hung.message().contains("stalled") && hung.message().contains("a0 (js_host {st [0] := 1 volatile; r0 := ld [8] volatile})"), hung.message());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "bounded");
            assertEquals(0, JavaActor.alive(), "the hung guest was cancelled and its thread ended");

            // The run goes on: the next guest test passes, and every guest actor has ended.
            CaseResult next = runner.run(named("mp_vj_sc"), SHORT);
            assertWitnessedOrInconclusive("mp_vj_sc", next);
            assertEquals(0, JavaActor.alive(), "no actor thread outlives its test");
        }
    }
}
