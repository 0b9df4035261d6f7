package testbed.counters;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.guest.CounterScript;
import testbed.guest.GuestRuntime;
import testbed.harness.CaseSpec;
import testbed.harness.Session;
import testbed.harness.SharedSession;
import testbed.harness.TrialCount;
import testbed.harness.Verdict;
import testbed.proto.v1.Block;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(180)
class CountersSuiteTest {
    private static Session session;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @RegisterExtension
    static final SharedSession SHARED = new SharedSession();

    @BeforeAll
    static void open() {
        session = SHARED.get();
    }

    private static CountersSuite suite() {
        return new CountersSuite(session, QUIET);
    }

    /** A one-trial case whose slots must be exact. */
    private static CaseSpec holds(String name, String title) {
        return CaseSpec.holds(name, title, TrialCount.once());
    }

    /** A one-trial variant that must lose updates, as the suite's broken variants must. */
    private static CaseSpec mustLoseUpdates(String name, String title) {
        return new CaseSpec(name, title, TrialCount.once(), CountersSuite.LOSES_UPDATES);
    }

    /** The quick plan's count per actor; the k-th actor of a case adds 2^k more (docs/COUNTERS.md). */
    private static final long N = Mode.QUICK.scale(5_000_000);

    private static String n(long v) {
        return String.format(java.util.Locale.ROOT, "%,d", v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> landed(CaseResult c) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Map<String, Object> row : (List<Map<String, Object>>) c.details().get("landed")) {
            m.put(row.get("runtime") + " " + row.get("slot"), (String) row.get("landed"));
        }
        return m;
    }

    @Test
    void quickSuiteIsExactAndCatchesItsBrokenVariant() {
        SuiteResult r = suite().run(Mode.QUICK);
        assertEquals(List.of("padded_slots_all_runtimes", "packed_slots_all_runtimes", "plain_java_increments_lose_updates",
                        "js_atomics_view", "js_host_varhandle", "js_host_plain_rmw"),
                r.cases().stream().map(CaseResult::name).toList());
        // What a filtered run consults before it opens anything names the same cases.
        assertEquals(CountersSuite.caseNames(), r.cases().stream().map(CaseResult::name).toList());
        for (CaseResult c : r.cases().subList(0, 2)) {
            assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
            assertEquals(0L, c.metrics().get("lost_updates"));
            assertEquals(c.metrics().get("expected"), c.metrics().get("actual"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) c.details().get("contributions");
            assertEquals(List.of("java", "c_ffm", "c_jnr", "go"), rows.stream().map(m -> m.get("runtime")).toList(),
                    "every runtime contributed");
            // Two slots; the k-th actor adds N + 2^k: java, c_ffm, c_jnr, go on the first slot, then on the second.
            assertEquals(List.of(2 * N + 1 + 16, 2 * N + 2 + 32, 2 * N + 4 + 64, 2 * N + 8 + 128),
                    rows.stream().map(m -> m.get("increments")).toList(), "each runtime did its two shares");
            // Every swept word was what it must be: each share in its own slot, nothing anywhere else.
            assertEquals((long) SlotSweep.WORDS.size(), c.metrics().get("swept_words"));
            assertEquals(0L, c.metrics().get("misplaced_increments"));
            landed(c).forEach((share, where) -> assertTrue(share.endsWith(" " + where), share + " landed in " + where));
            assertEquals(8, landed(c).size());
            assertFalse(c.details().containsKey("off"), c.details().toString());
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
            assertEquals(Status.SKIPPED, view.status(), view.message());
            assertTrue(view.message().startsWith("inconclusive: "), view.message());
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
        // Style (b)'s broken variant: the same check, fed a plain read-modify-write through host
        // methods, must see lost updates.
        CaseResult plainRmw = r.cases().get(5);
        assertEquals(Status.EXPECTED_FAILURE, plainRmw.status(), plainRmw.message());
        assertTrue((Long) plainRmw.metrics().get("lost_updates") > 0, plainRmw.message());
        assertTrue(plainRmw.message().startsWith("caught: "), plainRmw.message());
        assertGuestDidItsShare(plainRmw);
    }

    private static void assertGuestDidItsShare(CaseResult c) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) c.details().get("contributions");
        assertEquals(List.of(c.name(), "java"), rows.stream().map(m -> m.get("runtime")).toList(), c.name());
        assertEquals(Mode.QUICK.scale(250_000), rows.get(0).get("increments"), c.name() + ": the guest's own count");
        assertTrue((Long) rows.get(1).get("increments") > 0, c.name() + ": the host actor ran beside the guest");
        // The host adds until the guest is done, bounded by time, not by a count it could hit first.
        double host = (Double) c.metrics().get("host_run_ms"), guest = (Double) c.metrics().get("guest_run_ms");
        assertTrue(host > 0 && host + 1_000 >= guest, c.name() + ": host ran " + host + " ms, guest " + guest + " ms");
    }

    @Test
    void theHazardVerdictTellsAGuestThatNeverWroteFromTheHazard() {
        assertEquals("hazard_not_seen", CountersSuite.hazardVerdict(0, 50_000));
        assertEquals("known_hazard_observed", CountersSuite.hazardVerdict(1, 50_000));
        assertEquals("known_hazard_observed", CountersSuite.hazardVerdict(49_999, 50_000));
        // Exactly the guest's count lost: the slot holds the host's increments only.
        assertEquals("wrong", CountersSuite.hazardVerdict(50_000, 50_000));
        // More than the guest's count: the guest's writes erased host increments.
        assertEquals("known_hazard_observed", CountersSuite.hazardVerdict(12_000_000, 50_000));
        assertEquals("wrong", CountersSuite.hazardVerdict(-1, 50_000));
    }

    /** Style (a) on a private copy of the region after an honest rehearsal: nothing it adds reaches the slot. */
    private static final CounterScript VIEW_OF_A_COPY = new CounterScript("js_view_of_a_copy", "a", """
            (function (buffer, host, offset, n) {
              const view = n === 20000 ? new BigInt64Array(new ArrayBuffer(buffer)) : new BigInt64Array(host.byteSize() / 8);
              let k = 0;
              for (; k < n; k++) Atomics.add(view, offset / 8, 1n);
              return k;
            })
            """);

    @Test
    void aGuestWhoseWritesNeverReachTheSlotIsAHarnessFaultNotTheHazard() {
        var plan = Plan.javaBesideGuest(Mode.QUICK.scale(10_000_000), VIEW_OF_A_COPY, 20_001);
        CaseResult c = suite().runCase(holds("js_view_of_a_copy", "style (a) on a copy"), Block.BLOCK_COUNTERS,
                new int[] {CountersSuite.GUEST_SLOT}, plan);
        assertEquals(Status.FAILED, c.status(), c.message());
        assertEquals("wrong", c.details().get("verdict"));
        assertTrue(c.message().startsWith("harness fault, not the hazard: 20,001 updates lost"), c.message());
        // The same copy in the rehearsal too: the actor itself fails before the gate.
        var always = new CounterScript("js_always_a_copy", "a", """
                (function (buffer, host, offset, n) {
                  const view = new BigInt64Array(host.byteSize() / 8);
                  for (let k = 0; k < n; k++) Atomics.add(view, offset / 8, 1n);
                  return n;
                })
                """);
        c = suite().runCase(holds("js_always_a_copy", "style (a) always on a copy"), Block.BLOCK_COUNTERS,
                new int[] {CountersSuite.GUEST_SLOT}, Plan.javaBesideGuest(1_000_000, always, 1_000));
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().contains("rehearsal alone left 0 in its scratch word, want 20,000"), c.message());
    }

    private static boolean aliveThreadNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().startsWith(prefix));
    }

    private static void assertSlotStill(String why) throws InterruptedException {
        var slot = session.region().counterSlot(CountersSuite.GUEST_SLOT);
        long before = slot.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
        Thread.sleep(300);
        assertEquals(before, slot.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0), why + ": nothing still adds to the slot");
    }

    @Test
    void aGuestHungBeforeTheGateIsCancelledAndNothingOutlivesItsCase() throws InterruptedException {
        var hang = new CounterScript("js_hangs_rehearsing", "b", """
                (function (buffer, host, offset, n) {
                  if (n === 20000) for (;;) {}
                  for (let k = 0; k < n; k++) host.getAndAdd(offset, 1);
                  return n;
                })
                """);
        var plan = Plan.javaBesideGuest(Mode.QUICK.scale(100_000_000), hang, 1_000);
        CaseResult c = suite().withGateTimeout(java.time.Duration.ofSeconds(2)).runCase(holds("js_hangs_rehearsing", "a guest hung in its rehearsal"),
                Block.BLOCK_COUNTERS, new int[] {CountersSuite.GUEST_SLOT}, plan);
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().contains("only 1 of 2 actors reached the start gate"), c.message());
        assertFalse(aliveThreadNamed("counters-js_hangs_rehearsing"), "the guest was cancelled and joined");
        assertFalse(aliveThreadNamed("counters-java-" + CountersSuite.GUEST_SLOT), "the released Java actor was stopped and joined");
        assertSlotStill("after a guest hung before the gate");
        CaseResult next = suite().guestCase(Mode.QUICK, CounterScript.HOST_VARHANDLE);
        assertEquals(Status.PASSED, next.status(), next.message());
    }

    @Test
    void aGuestHungAfterTheGateIsCancelledAndItsHostPartnerStopped() throws InterruptedException {
        var hang = new CounterScript("js_hangs_running", "b", """
                (function (buffer, host, offset, n) {
                  if (n !== 20000) for (;;) {}
                  for (let k = 0; k < n; k++) host.getAndAdd(offset, 1);
                  return n;
                })
                """);
        var plan = Plan.javaBesideGuest(Mode.QUICK.scale(100_000_000), hang, 1_000);
        // The engine's cold start (seconds on a loaded machine) must not count against the short gate bound.
        try (var cx = GuestRuntime.shared().newContext()) {
            cx.eval(GuestRuntime.LANGUAGE, "1");
        }
        CaseResult c = suite().withGateTimeout(java.time.Duration.ofSeconds(4)).runCase(holds("js_hangs_running", "a guest hung after the gate"),
                Block.BLOCK_COUNTERS, new int[] {CountersSuite.GUEST_SLOT}, plan);
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().contains("js_hangs_running actor still running after 12 s; cancelled it"), c.message());
        assertFalse(aliveThreadNamed("counters-js_hangs_running"), "the guest was cancelled and joined");
        assertFalse(aliveThreadNamed("counters-java-" + CountersSuite.GUEST_SLOT), "the Java actor was stopped and joined");
        assertSlotStill("after a guest hung after the gate");
    }

    @Test
    void aGuestThatThrowsIsThatActorsFailureAndTheRunGoesOn() {
        var boom = new CounterScript("js_throws", "b", """
                (function (buffer, host, offset, n) {
                  // An honest rehearsal (20,000), then 10 increments and the throw.
                  for (let k = 0; k < (n > 20000 ? 10 : n); k++) host.getAndAdd(offset, 1);
                  if (n > 20000) throw new Error("guest gave up on purpose");
                  return n;
                })
                """);
        var plan = Plan.javaBesideGuest(Mode.QUICK.scale(10_000_000), boom, 100_000);
        CaseResult c = suite().runCase(holds("js_throws", "a guest that throws"), Block.BLOCK_COUNTERS, new int[] {CountersSuite.GUEST_SLOT}, plan);
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().contains("js_throws actor on slot " + CountersSuite.GUEST_SLOT + ": Error: guest gave up on purpose"), c.message());
        // A script that does not parse is refused with the guest's own words too.
        var notJs = new CounterScript("js_syntax", "b", "(function (buffer, host {");
        c = suite().runCase(holds("js_syntax", "a script that does not parse"), Block.BLOCK_COUNTERS, new int[] {CountersSuite.GUEST_SLOT},
                Plan.javaBesideGuest(1_000, notJs, 1_000));
        assertEquals(Status.ERROR, c.status(), c.message());
        assertTrue(c.message().startsWith("js_syntax actor on slot " + CountersSuite.GUEST_SLOT + ": SyntaxError"), c.message());
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
            for (CaseResult c : List.of(view, host, r.cases().get(5))) {
                assertEquals(Status.ERROR, c.status(), c.message());
                assertTrue(c.message().contains("the polyglot engine cannot start: ") && c.message().contains("NoSuchOptionAnywhere"),
                        c.message());
            }
            assertEquals(Status.PASSED, r.cases().get(0).status(), "the host cases still ran: " + r.cases().get(0).message());
            assertEquals("unavailable", broken.describe().get("execution"));
        }
    }

    @Test
    void describingTheGuestDoesNotStartAnEngine() {
        try (GuestRuntime fresh = new GuestRuntime(Map.of("engine.NoSuchOptionAnywhere", "1"))) {
            // Were the engine started, this bad option would make it "unavailable".
            assertEquals("not_started", fresh.describe().get("execution"));
            assertEquals(GuestRuntime.jvmciEnabled(), fresh.describe().get("jvmci"));
        }
    }

    /**
     * The bug the issue found: a Go accessor 8 bytes off. Go's increments for packed[0] land on
     * packed[1] and packed[1]'s on packed[2], which no case uses; before every word was swept,
     * only packed[0] failed, and nothing said whose increments were missing.
     */
    @Test
    void goEightBytesOffIsFoundInTheUnusedSlotAndNamed() {
        CaseResult c = suite().withMisplacement("go", s -> 8).runCase(holds("go_eight_bytes_off", "Go's accessor 8 bytes off"),
                Block.BLOCK_PACKED, new int[] {0, 1}, CountersSuite.plan(Mode.QUICK));
        assertEquals(Status.FAILED, c.status(), c.message());
        // Shares: slot 0 java N+1, c_ffm N+2, c_jnr N+4, go N+8; slot 1 the same with 16 to 128.
        assertTrue(c.message().startsWith("go's increments landed outside their slot: packed[0]'s in packed[1], packed[1]'s in packed[2]"),
                c.message());
        assertTrue(c.message().contains("packed[2] (unused) holds " + n(N + 128) + ": increments landed outside their slot: go's for packed[1]"),
                c.message());
        assertTrue(c.message().contains("packed[1] = " + n(4 * N + 120) + ", want " + n(4 * N + 240)
                + " (actors counted " + n(4 * N + 240) + "): it holds go's " + n(N + 8) + " for packed[0]; go's " + n(N + 128)
                + " for it landed in packed[2]"), c.message());
        for (String other : List.of("java's", "c_ffm's", "c_jnr's")) assertFalse(c.message().contains(other), c.message());
        assertEquals(Map.of("java packed[0]", "packed[0]", "c_ffm packed[0]", "packed[0]", "c_jnr packed[0]", "packed[0]",
                "go packed[0]", "packed[1]", "java packed[1]", "packed[1]", "c_ffm packed[1]", "packed[1]",
                "c_jnr packed[1]", "packed[1]", "go packed[1]", "packed[2]"), landed(c));
        assertEquals(N + 128, c.metrics().get("misplaced_increments"));
    }

    /**
     * Go's two slots swapped: with every actor adding the same count each slot would still be
     * exact, and the case passed. The distinct shares make both slots wrong, and say why.
     */
    @Test
    void goWithItsSlotsSwappedFailsThoughEverySlotTotalCouldMatch() {
        CaseResult c = suite().withMisplacement("go", s -> s == 0 ? 8 : -8).runCase(holds("go_slots_swapped", "Go's slots swapped"),
                Block.BLOCK_PACKED, new int[] {0, 1}, CountersSuite.plan(Mode.QUICK));
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("go's increments landed outside their slot: packed[0]'s in packed[1], packed[1]'s in packed[0]"),
                c.message());
        assertEquals("packed[1]", landed(c).get("go packed[0]"));
        assertEquals("packed[0]", landed(c).get("go packed[1]"));
        assertEquals(0L, c.metrics().get("misplaced_increments"), "nothing outside the used slots");
    }

    /** A C actor 8 bytes off a padded slot lands in that slot's padding, which must stay zero. */
    @Test
    void aCActorEightBytesOffIsFoundInTheCanaryAndNamed() {
        CaseResult c = suite().withMisplacement("c_ffm", s -> 8).runCase(holds("c_ffm_eight_bytes_off", "C via FFM 8 bytes off"),
                Block.BLOCK_COUNTERS, new int[] {0, 1}, CountersSuite.plan(Mode.QUICK));
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("c_ffm's increments landed outside their slot: counters[0]'s in counters[0]+8, counters[1]'s in counters[1]+8"),
                c.message());
        assertTrue(c.message().contains("counters[0]+8 (canary) holds " + n(N + 2) + ": increments landed outside their slot: c_ffm's for counters[0]"),
                c.message());
        assertTrue(c.message().contains("counters[0] = " + n(3 * N + 13) + ", want " + n(4 * N + 15)), c.message());
        assertEquals(2 * N + 34, c.metrics().get("misplaced_increments"));
    }

    /** The broken variant's lost updates are not a misplacement: no word outside its slot moved. */
    @Test
    void aBrokenVariantThatAlsoWritesOutsideItsSlotIsNotCalledCaught() {
        var plan = Plan.everyBinding(Mode.QUICK.scale(20_000_000)).withPlainJava();
        CaseResult c = suite().withMisplacement("c_jnr", s -> 16).runCase(mustLoseUpdates("plain_and_misplaced", "plain Java, C via JNR 16 bytes off"),
                Block.BLOCK_COUNTERS, new int[] {2}, plan);
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith(Verdict.NOT_CAUGHT), c.message());
        assertTrue(c.message().contains("counters[2]+16 (canary) holds " + n(plan.incrementsPerActor() + 4)
                + ": increments landed outside their slot: c_jnr's for counters[2]"), c.message());
    }

    @Test
    void aVariantThatLosesNothingIsNotCalledCaught() {
        // The plain variant with a single Java actor and nothing else racing it cannot
        // lose an update; the suite must then say that the check was not proven.
        var plan = Plan.javaAlone(10_000).withPlainJava();
        CaseResult c = suite().runCase(mustLoseUpdates("lone_plain_actor", "one plain actor, no race"), Block.BLOCK_COUNTERS, new int[] {3}, plan);
        assertEquals(Status.FAILED, c.status(), c.message());
        assertTrue(c.message().startsWith("the broken variant was not caught"), c.message());
    }
}
