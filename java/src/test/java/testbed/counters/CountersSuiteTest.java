package testbed.counters;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
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
        assertEquals(List.of("padded_slots_all_runtimes", "packed_slots_all_runtimes", "plain_java_increments_lose_updates"),
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
