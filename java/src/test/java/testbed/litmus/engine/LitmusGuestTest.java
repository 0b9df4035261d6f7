package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.ffi.NativeLibrary;
import testbed.guest.GuestRuntime;
import testbed.harness.Session;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusTest;
import testbed.litmus.runtime.JavaActor;
import testbed.litmus.runtime.NativeActors;
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

    private static LitmusTest named(String name) {
        return CanonicalSuite.all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSuiteHasMpAndSbWithTheGuestBesideJavaAndCInBothOrdersAndBothStyles() {
        for (String shape : List.of("mp", "sb")) {
            for (String pair : List.of("jv", "vj", "cv", "vc", "jh", "hj", "ch", "hc")) {
                LitmusTest t = named(shape + "_" + pair + "_sc");
                // Style (a) is plain in the model: its relaxed outcome is allowed. Style (b)
                // with volatile host calls beside a seq_cst partner forbids it.
                assertEquals(pair.contains("v"), t.hasInteresting(), t.name());
            }
        }
        assertEquals(List.of("guest"), LitmusSuite.groups(CanonicalSuite.guestTests()).keySet().stream().toList());
    }

    @Test
    @Timeout(180)
    void guestTestsRunAndAGuestThatFailsIsThatActorsErrorWithTheGuestsMessage() {
        try (Session session = Session.openDefault(QUIET);
             NativeActors c = new NativeActors(NativeLibrary.require())) {
            // Both styles, with Java and with C, run and report samples.
            LitmusRunner runner = new LitmusRunner(session, c);
            for (String name : List.of("sb_jv_sc", "mp_hc_sc")) {
                CaseResult r = runner.run(named(name), SHORT);
                assertEquals(Status.PASSED, r.status(), name + ": " + r.message());
                assertTrue(((Number) r.metrics().get("samples")).longValue() > 0, name);
            }

            // A kernel that throws: the test is an ERROR naming the guest actor and its message.
            long t0 = System.nanoTime();
            CaseResult thrown = new LitmusRunner(session, c).withGuest(GuestRuntime.shared(),
                            a -> "(function (buffer, host) { return function () { throw new Error('kernel refused on purpose'); }; })")
                    .run(named("sb_jh_sc"), SHORT);
            assertEquals(Status.ERROR, thrown.status(), thrown.message());
            assertTrue(thrown.message().contains("a1 (js_host st_ld.volatile.volatile)")
                    && thrown.message().contains("Error: kernel refused on purpose"), thrown.message());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "bounded");

            // An engine that cannot start: the same, with the polyglot message.
            try (GuestRuntime broken = new GuestRuntime(Map.of("engine.NoSuchOptionAnywhere", "1"))) {
                CaseResult noEngine = new LitmusRunner(session, c).withGuest(broken, null).run(named("mp_vc_sc"), SHORT);
                assertEquals(Status.ERROR, noEngine.status(), noEngine.message());
                assertTrue(noEngine.message().contains("a0 (js_view st_st.atomics.atomics)")
                        && noEngine.message().contains("the polyglot engine cannot start")
                        && noEngine.message().contains("NoSuchOptionAnywhere"), noEngine.message());
            }

            // A kernel that never returns: the test stalls, is aborted, and the guest is cancelled.
            // (Its kernel was rehearsed above, so the loop starts in round 1, after ready.)
            t0 = System.nanoTime();
            CaseResult hung = new LitmusRunner(session, c).withGuest(GuestRuntime.shared(),
                            a -> "(function (buffer, host) { return function () { for (;;) { } }; })")
                    .run(named("sb_hj_sc"), new Budget(Duration.ofMillis(300), 256, Duration.ofSeconds(1)));
            assertEquals(Status.ERROR, hung.status(), hung.message());
            assertTrue(hung.message().contains("stalled") && hung.message().contains("a0 (js_host st_ld.volatile.volatile)"), hung.message());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "bounded");
            assertEquals(0, JavaActor.alive(), "the hung guest was cancelled and its thread ended");

            // The run goes on: the next guest test passes, and every guest actor has ended.
            CaseResult next = runner.run(named("mp_vj_sc"), SHORT);
            assertEquals(Status.PASSED, next.status(), next.message());
            assertEquals(0, JavaActor.alive(), "no actor thread outlives its test");
        }
    }
}
