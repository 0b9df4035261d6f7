package testbed.counters;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.guest.CounterScript;
import testbed.guest.GuestRuntime;
import testbed.harness.Session;
import testbed.proto.v1.Block;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(180)
class CountersSuiteTest {
    private static Session session;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @BeforeAll
    static void open() {
        session = Session.openDefault(QUIET);
    }

    @AfterAll
    static void close() {
        var region = session.region().path();
        session.close();
        assertFalse(Files.exists(region), "closing the session removes the region file");
        assertEquals(0, session.panama().workersAlive(), "no native worker outlives the suite");
    }

    private static CountersSuite suite() {
        return new CountersSuite(session.region(), session.panama(), session.jnr(), session.peer(), QUIET);
    }

    @Test
    void quickSuiteIsExactAndCatchesItsBrokenVariant() {
        SuiteResult r = suite().run(Mode.QUICK);
        assertEquals(List.of("padded_slots_all_runtimes", "packed_slots_all_runtimes", "plain_java_increments_lose_updates",
                        "js_atomics_view", "js_host_varhandle"),
                r.cases().stream().map(CaseResult::name).toList());
        for (CaseResult c : r.cases().subList(0, 2)) {
            assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
            assertEquals(0L, c.metrics().get("lost_updates"));
            assertEquals(c.metrics().get("expected"), c.metrics().get("actual"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) c.details().get("contributions");
            assertEquals(List.of("java", "c_ffm", "c_jnr", "go"), rows.stream().map(m -> m.get("runtime")).toList(),
                    "every runtime contributed");
            long per = Mode.QUICK.scale(5_000_000) * 2; // two slots, one actor per runtime per slot
            rows.forEach(m -> assertEquals(per, m.get("increments"), m.get("runtime") + " did its share"));
        }
        CaseResult broken = r.cases().get(2);
        assertEquals(Status.EXPECTED_FAILURE, broken.status(), broken.message());
        assertTrue((Long) broken.metrics().get("lost_updates") > 0, "plain increments lost updates");
        assertTrue(broken.message().startsWith("caught: "), broken.message());

        // Style (a): lost updates are a known hazard, shown with their count, never a failure.
        CaseResult view = r.cases().get(3);
        long lost = (Long) view.metrics().get("lost_updates");
        if (view.status() == Status.EXPECTED_FAILURE) {
            assertEquals("known_hazard_observed", view.details().get("verdict"));
            assertTrue(lost > 0, view.message());
            assertTrue(view.message().startsWith("known cross-runtime hazard: "), view.message());
        } else {
            assertEquals(Status.PASSED, view.status(), view.message());
            assertEquals("hazard_not_seen", view.details().get("verdict"));
            assertEquals(0L, lost);
        }
        assertGuestDidItsShare(view);
        // Style (b): the guest's host-method getAndAdd is exact.
        CaseResult host = r.cases().get(4);
        assertEquals(Status.PASSED, host.status(), host.message());
        assertEquals(0L, host.metrics().get("lost_updates"));
        assertEquals(host.metrics().get("expected"), host.metrics().get("actual"));
        assertGuestDidItsShare(host);
        assertTrue(List.of("compiled", "interpreted").contains(host.details().get("guest_execution")), host.details().toString());
    }

    private static void assertGuestDidItsShare(CaseResult c) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) c.details().get("contributions");
        assertEquals(List.of(c.name(), "java"), rows.stream().map(m -> m.get("runtime")).toList(), c.name());
        assertEquals(Mode.QUICK.scale(250_000), rows.get(0).get("increments"), c.name() + ": the guest's own count");
        assertTrue((Long) rows.get(1).get("increments") > 0, c.name() + ": the host actor ran beside the guest");
    }

    @Test
    void aGuestThatThrowsIsThatActorsFailureAndTheRunGoesOn() {
        var boom = new CounterScript("js_throws", "b", """
                (function (buffer, host, offset, n) {
                  for (let k = 0; k < 10; k++) host.getAndAdd(offset, 1);
                  if (n > 20000) throw new Error("guest gave up on purpose");
                  return n;
                })
                """);
        var plan = new CountersSuite.Plan(Mode.QUICK.scale(10_000_000), 1, 0, 0, 0, false, 1, 100_000, boom);
        CaseResult c = suite().runCase("js_throws", "a guest that throws", Block.BLOCK_COUNTERS, new int[] {CountersSuite.GUEST_SLOT}, plan);
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().contains("js_throws actor on slot 4: Error: guest gave up on purpose"), c.message());
        // A script that does not parse is refused with the guest's own words too.
        var notJs = new CounterScript("js_syntax", "b", "(function (buffer, host {");
        c = suite().runCase("js_syntax", "a script that does not parse", Block.BLOCK_COUNTERS, new int[] {CountersSuite.GUEST_SLOT},
                new CountersSuite.Plan(1_000, 1, 0, 0, 0, false, 1, 1_000, notJs));
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().startsWith("js_syntax actor on slot 4: SyntaxError"), c.message());
        // The next case on the same slot is unharmed: the failed actors' partners were waited for.
        CaseResult next = suite().guestCase(Mode.QUICK, CounterScript.HOST_VARHANDLE);
        assertEquals(Status.PASSED, next.status(), next.message());
    }

    @Test
    void anEngineThatCannotStartFailsItsActorsAndTheRunGoesOn() {
        try (GuestRuntime broken = new GuestRuntime(Map.of("engine.NoSuchOptionAnywhere", "1"))) {
            SuiteResult r = suite().withGuest(broken).run(Mode.QUICK);
            CaseResult view = r.cases().get(3);
            CaseResult host = r.cases().get(4);
            for (CaseResult c : List.of(view, host)) {
                assertEquals(Status.ERROR, c.status(), c.message());
                assertTrue(c.message().contains("the polyglot engine cannot start: ") && c.message().contains("NoSuchOptionAnywhere"),
                        c.message());
            }
            assertEquals(Status.PASSED, r.cases().get(0).status(), "the host cases still ran: " + r.cases().get(0).message());
            assertEquals("unavailable", broken.describe().get("execution"));
        }
    }

    @Test
    void aVariantThatLosesNothingIsNotCalledCaught() {
        // The plain variant with a single Java actor and nothing else racing it cannot
        // lose an update; the suite must then say that the check was not proven.
        var plan = new CountersSuite.Plan(10_000, 1, 0, 0, 0, true);
        CaseResult c = suite().runCase("lone_plain_actor", "one plain actor, no race", Block.BLOCK_COUNTERS, new int[] {3}, plan);
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("the broken variant was not caught"), c.message());
    }
}
