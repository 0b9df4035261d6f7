package testbed.litmus.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testbed.litmus.runtime.MiniRunner.Actor.java;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import testbed.litmus.kernel.KernelPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;
import testbed.litmus.runtime.Descriptor.Gather;
import testbed.region.Region;

/**
 * Java actors against Java actors over a real region: the protocol (every sample counted once, done,
 * abort, stall), the outcomes the memory model forbids (never seen), those x86-TSO shows (seen), and
 * a deliberately weakened test that the forbidden-outcome check must catch.
 */
@Timeout(30)
class LitmusJavaActorTest {

    static final long X = 0, Y = 8;
    static final int STRIDE = 1024;
    static final List<Gather> R0_R0 = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0));
    /** Index of outcome (0, 0) over two values. */
    static final int ZERO_ZERO = 0;

    @TempDir
    static Path dir;

    static Region region;
    static LitmusSection section;
    static MiniRunner runner;

    @BeforeAll
    static void setUp() {
        region = Region.create(dir, 1 << 20);
        section = LitmusSection.of(region);
        runner = new MiniRunner(section, null);
    }

    @AfterAll
    static void tearDown() {
        if (region != null) region.close();
    }

    @AfterEach
    void noActorLeft() {
        assertEquals(0, JavaActor.alive(), "Java actor threads alive after the test");
    }

    static boolean x86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** Store buffering: a0 x := 1; r0 := y. a1 y := 1; r0 := x. */
    static MiniRunner.Actor[] sb(String k0, String k1) {
        return new MiniRunner.Actor[] {java(k0, X, Y, 1, 0), java(k1, Y, X, 1, 0)};
    }

    /** The check every forbidden outcome gets: zero samples of it. */
    static void assertNeverSeen(MiniRunner.Outcome o, String what, long... values) {
        long n = o.count(values);
        if (n != 0) {
            throw new AssertionFailedError("forbidden outcome " + what + " observed " + n + " times: " + o);
        }
    }

    // ---- forbidden outcomes are never seen ----------------------------------------------------

    @Test
    void storeBufferingWithVolatileNeverShowsBothZero() {
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(3000),
                Duration.ofSeconds(20), sb("st_ld.volatile.volatile", "st_ld.volatile.volatile")).checkIntegrity();
        assertEquals(3000, o.rounds(), "max_rounds ends the test: " + o);
        assertEquals(3000L * STRIDE, o.samples());
        assertNeverSeen(o, "SB (0,0)", 0, 0);
        System.out.println("[litmus] J-J SB volatile: " + o);
    }

    @Test
    void storeBufferingWithAFullFenceNeverShowsBothZero() {
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(1000),
                Duration.ofSeconds(20), sb("st_fence_ld.opaque.opaque", "st_fence_ld.plain.plain")).checkIntegrity();
        assertNeverSeen(o, "SB+fences (0,0)", 0, 0);
    }

    @Test
    void messagePassingWithReleaseAcquireNeverShowsFlagWithoutData() {
        // a0: x := 1 (plain); y := 1 (release).  a1: r0 := y (acquire); r1 := x (plain).
        List<Gather> g = List.of(new Gather.Register(1, 0), new Gather.Register(1, 1));
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, g).withMaxRounds(3000), Duration.ofSeconds(20),
                java("st_st.plain.release", X, Y, 1, 1), java("ld_ld.acquire.plain", Y, X, 0, 0)).checkIntegrity();
        assertNeverSeen(o, "MP (1,0)", 1, 0);
        assertEquals(o.samples(), o.count(0, 0) + o.count(0, 1) + o.count(1, 1), "only 0 and 1 are ever loaded: " + o);
    }

    /**
     * The consumer's digits follow the descriptor's radix: in radix 9, 7 is its own digit and -1
     * counts as 8; in radix 4 both count as 3. Both actors are Java, so Java consumes every round.
     */
    @Test
    void theConsumerCountsInTheDescriptorsRadix() {
        List<Gather> g = List.of(new Gather.Location(X), new Gather.Location(Y));
        MiniRunner.Actor seven = new MiniRunner.Actor(new KernelPlan(testbed.litmus.ActorRuntime.JAVA,
                List.of(new KernelPlan.Store(X, 7, "opaque")), 0));
        MiniRunner.Actor minusOne = new MiniRunner.Actor(new KernelPlan(testbed.litmus.ActorRuntime.JAVA,
                List.of(new KernelPlan.Store(Y, -1, "release")), 0));
        Descriptor four = Descriptor.standard(new int[] {0, 0}, 2, 64, g).withMaxRounds(20);
        MiniRunner.Outcome o = runner.run(four, Duration.ofSeconds(20), seven, minusOne).checkIntegrity();
        assertEquals(o.samples(), o.count(3, 3), "radix 4: 7 and -1 both count as 3: " + o);
        MiniRunner.Outcome nine = runner.run(four.withRadix(9), Duration.ofSeconds(20), seven, minusOne).checkIntegrity();
        assertEquals(81, nine.hist().length);
        assertEquals(nine.samples(), nine.count(7, 8), "radix 9: 7 is its own digit, -1 counts as 8: " + nine);
    }

    @Test
    void fetchAndAddLosesNoUpdateAcrossModes() {
        // Three actors add 1 to x in three modes; gather each one's old value and x's final value.
        List<Gather> g = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0), new Gather.Register(2, 0),
                new Gather.Location(X));
        MiniRunner.Outcome o = runner.run(Descriptor.standard(3, 256, g).withMaxRounds(500), Duration.ofSeconds(20),
                java("fadd.volatile", X, 0, 0, 0), java("fadd.acquire", X, 0, 0, 0), java("fadd.release", X, 0, 0, 0))
                .checkIntegrity();
        long permutations = 0;
        for (int[] p : new int[][] {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}) {
            permutations += o.count(p[0], p[1], p[2], 3);
        }
        assertEquals(o.samples(), permutations, "every sample: old values a permutation of 0,1,2 and x = 3: " + o);
    }

    @Test
    void compareAndSetHasExactlyOneWinner() {
        // a0: CAS x 0 -> 1; a1: CAS x 0 -> 2, each expecting the 0 in a location of its own. Gather who won and x.
        List<Gather> g = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0), new Gather.Location(X));
        MiniRunner.Outcome o = runner.run(Descriptor.standard(new int[] {1, 1}, 3, STRIDE, g).withMaxRounds(1000), Duration.ofSeconds(20),
                java("cas.volatile", X, Y, 1, 0), java("cas.acquire", X, 16, 2, 0)).checkIntegrity();
        assertEquals(o.samples(), o.count(1, 0, 1) + o.count(0, 1, 2), "one winner, x holds its value: " + o);
    }

    // ---- relaxed outcomes x86-TSO shows are seen ------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"st_ld.plain.plain", "st_ld.release.acquire", "st_ld.opaque.opaque"})
    void storeBufferingWithoutAFullBarrierShowsBothZeroOnX86(String kernel) {
        Assumptions.assumeTrue(x86(), "x86-TSO shows store buffering; other arches are not asserted here");
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(50_000),
                Duration.ofSeconds(8), ZERO_ZERO, sb(kernel, kernel)).checkIntegrity();
        assertTrue(o.count(0, 0) > 0, "SB (0,0) seen with " + kernel + " within 50,000 rounds: " + o);
    }

    /**
     * The forbidden-outcome check must be able to fail: a test declared volatile on both sides whose
     * actor 1 actually runs release/acquire is store buffering without a barrier on one side, and
     * on x86 its (0,0) shows up and is caught.
     */
    @Test
    void theForbiddenOutcomeCheckCatchesAWeakenedActor() {
        Assumptions.assumeTrue(x86(), "the weakened variant is observable on x86-TSO");
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(100_000),
                Duration.ofSeconds(10), ZERO_ZERO, sb("st_ld.volatile.volatile", "st_ld.release.acquire"))
                .checkIntegrity();
        AssertionFailedError caught = assertThrows(AssertionFailedError.class, () -> assertNeverSeen(o, "SB (0,0)", 0, 0));
        assertTrue(caught.getMessage().startsWith("forbidden outcome SB (0,0) observed"), caught.getMessage());
    }

    // ---- leaving: done, abort, stall ------------------------------------------------------------

    @Test
    void stopEndsTheTestAfterTheCurrentRound() {
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, 64, R0_R0), Duration.ofMillis(300),
                sb("st_ld.volatile.volatile", "st_ld.volatile.volatile")).checkIntegrity();
        assertTrue(o.rounds() > 10, "rounds ran until stop: " + o);
        assertEquals(1, section.done());
        assertEquals(1, section.stop());
    }

    @Test
    void abortMakesRunningActorsLeavePromptly() {
        long gen = prepare(Descriptor.standard(2, STRIDE, R0_R0), 1);
        JavaActor a0 = JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.plain.plain", X, Y, 1, 0), gen, Duration.ofSeconds(10));
        JavaActor a1 = JavaActor.start(section, 1, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.plain.plain", Y, X, 1, 0), gen, Duration.ofSeconds(10));
        awaitReady(2);
        section.setEpoch(1);
        MiniRunner.sleep(Duration.ofMillis(200));
        assertTrue(section.rounds() > 0, "rounds ran before the abort");
        long t = System.nanoTime();
        section.requestAbort();
        ActorResult r0 = a0.join(Duration.ofSeconds(2));
        ActorResult r1 = a1.join(Duration.ofSeconds(2));
        long ms = (System.nanoTime() - t) / 1_000_000;
        for (ActorResult r : new ActorResult[] {r0, r1}) {
            assertEquals(ActorResult.ABORT_WORD, r.aborted(), r.toString());
            assertTrue(r.reason().contains("abort word"), r.reason());
            assertTrue(r.rounds() > 0 && r.elapsedNs() > 0, r.toString());
        }
        assertTrue(ms < 500, "both left " + ms + " ms after the abort");
    }

    @Test
    void abortReachesAnActorParkedAtTheBarrier() {
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 2);
        // Only actor 0 of 2: it runs round 1, arrives first, and waits for a round that never comes.
        JavaActor a0 = JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.volatile.volatile", X, Y, 1, 0), gen, Duration.ofSeconds(20));
        awaitReady(1);
        section.setEpoch(1);
        MiniRunner.sleep(Duration.ofMillis(100)); // well past the spin and yield phases: it is parking
        assertNull(a0.join(Duration.ofMillis(1)), "still waiting before the abort");
        long t = System.nanoTime();
        section.requestAbort();
        ActorResult r = a0.join(Duration.ofSeconds(2));
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertEquals(ActorResult.ABORT_WORD, r.aborted(), r.toString());
        assertEquals(1, r.rounds());
        assertEquals(0, r.consumed());
        assertEquals(1, section.arrived());
        assertTrue(ms < 100, "left " + ms + " ms after the abort");
    }

    @Test
    void anActorLeavesOnItsOwnStallTimeout() {
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 3);
        JavaActor a0 = JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.volatile.volatile", X, Y, 1, 0), gen, Duration.ofMillis(200));
        awaitReady(1);
        long t = System.nanoTime();
        section.setEpoch(1);
        ActorResult r = a0.join(Duration.ofSeconds(3));
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertEquals(ActorResult.OWN_STALL, r.aborted(), r.toString());
        assertTrue(r.reason().contains("round 2 not released within the stall timeout of 200 ms (arrived 1 of 2"),
                r.reason());
        assertEquals(1, r.rounds());
        assertTrue(ms >= 200 && ms < 1500, "left after " + ms + " ms");
        assertEquals(0, section.abort(), "an actor never writes abort");
    }

    @Test
    void anActorWaitingForRoundOneAlsoStallsOut() {
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 4);
        JavaActor a0 = JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "ld_ld.plain.plain", X, Y, 0, 0), gen, Duration.ofMillis(100));
        ActorResult r = a0.join(Duration.ofSeconds(3));
        assertEquals(ActorResult.OWN_STALL, r.aborted(), r.toString());
        assertEquals(0, r.rounds());
        assertEquals(0, r.elapsedNs(), "never released");
    }

    // ---- refusals --------------------------------------------------------------------------------

    @Test
    void startRefusesWhatTheSectionDoesNotAllow() {
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 5);
        Duration s = Duration.ofSeconds(1);
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", X, 0, 1, 0), gen + 1, s),
                "holds generation " + gen + ", not " + (gen + 1) + " (ESTALE)");
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", X, 0, 1, 0), 0, s), "generation 0 names no test");
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.relaxed.relaxed", X, Y, 1, 0), gen, s),
                "Java has no store in mode 'relaxed'");
        assertMessage(() -> JavaActor.start(section, 2, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", X, 0, 1, 0), gen, s), "the test has actors 0..1");
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", 4, 0, 1, 0), gen, s), "location offset 4 is not a non-negative multiple of 8");
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.plain.plain", X, 16, 1, 0), gen, s),
                "bytes of each instance, which has 16");
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", X, 0, 1, 0), gen, Duration.ofMillis(-1)),
                "negative stall timeout");
        // Packed records of one register each: an actor's r1 would be the next actor's r0.
        long packed = prepare(Descriptor.standard(new int[] {1, 1}, 16, R0_R0), 6);
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "ld_ld.plain.plain", X, Y, 1, 0), packed, s),
                "Java actor 0: its register window (8 bytes of each record) is too small for kernel k");
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "ld_ld.plain.plain", X, Y, 1, 0), packed, s),
                "which writes 2 register(s)");
        // Without registers: no window at all.
        long none = prepare(Descriptor.standard(new int[] {0, 1}, 16, List.of(new Descriptor.Gather.Register(1, 0))), 7);
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st_ld.plain.plain", X, Y, 1, 0), none, s),
                "its register window (0 bytes of each record) is too small for kernel k");
        section.reset();
        section.setGeneration(gen);
        assertMessage(() -> JavaActor.start(section, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", X, 0, 1, 0), gen, s), "descriptor: 0 actors");
        assertEquals(0, section.ready(), "nothing started");
    }

    @Test
    void anActorThatFailsReportsItsExceptionAtJoin() {
        Region other = Region.create(dir, 1 << 16);
        JavaActor a0;
        try {
            LitmusSection s = LitmusSection.of(other);
            s.write(Descriptor.standard(2, 16, R0_R0));
            s.setGeneration(9);
            a0 = JavaActor.start(s, 0, RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, "st.plain", X, 0, 1, 0), 9, Duration.ofSeconds(10));
            while (s.ready() < 1) MiniRunner.sleep(Duration.ofMillis(1));
        } finally {
            other.close(); // unmaps the section under the waiting actor
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a0.join(Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("Java actor 0 (k") && e.getMessage().contains(") failed: "), e.getMessage());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static long prepare(Descriptor d, long gen) {
        section.reset();
        section.write(d);
        section.setGeneration(1000 + gen);
        return 1000 + gen;
    }

    static void awaitReady(int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (section.ready() < n) {
            assertTrue(System.nanoTime() < deadline, "actors ready");
            MiniRunner.sleep(Duration.ofMillis(1));
        }
    }

    static void assertMessage(Runnable action, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(text), "message '" + e.getMessage() + "' contains '" + text + "'");
    }
}
