package testbed.litmus.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testbed.litmus.runtime.LitmusJavaActorTest.R0_R0;
import static testbed.litmus.runtime.LitmusJavaActorTest.STRIDE;
import static testbed.litmus.runtime.LitmusJavaActorTest.X;
import static testbed.litmus.runtime.LitmusJavaActorTest.Y;
import static testbed.litmus.runtime.LitmusJavaActorTest.ZERO_ZERO;
import static testbed.litmus.runtime.LitmusJavaActorTest.assertNeverSeen;
import static testbed.litmus.runtime.LitmusJavaActorTest.x86;
import static testbed.litmus.runtime.MiniRunner.Actor.c;
import static testbed.litmus.runtime.MiniRunner.Actor.java;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testbed.ffi.NativeLibrary;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan;
import testbed.region.Region;

/**
 * The C actors through FFM: the binding (errno to exception, join, close) and mixed tests where a
 * Java actor and a C actor race on the same instances. Every C kernel is generated: a small
 * {@link KernelPlan} (written as the role kernels were named, {@link RoleKernels}) compiled by
 * {@code CKernelLibrary} and started with {@link NativeActors#startCompiled}.
 */
@Timeout(30)
class LitmusNativeActorsTest {

    @TempDir
    static Path dir;

    static Region region;
    static LitmusSection section;
    static NativeActors c;
    static MiniRunner runner;

    @BeforeAll
    static void setUp() {
        region = Region.create(dir, 1 << 20);
        section = LitmusSection.of(region);
        c = new NativeActors(NativeLibrary.require());
        runner = new MiniRunner(section, c);
    }

    @AfterAll
    static void tearDown() {
        try {
            if (c != null) c.close();
        } finally {
            if (region != null) region.close();
        }
    }

    @AfterEach
    void noActorLeft() {
        assertEquals(0, c.alive(), "C litmus actor threads alive after the test");
        assertEquals(0, JavaActor.alive(), "Java actor threads alive after the test");
    }

    // ---- the binding -------------------------------------------------------------------------

    /** A C kernel's plan, named as the retired role kernels were ({@link RoleKernels}). */
    static KernelPlan plan(String kernel, long p, long q, long v1, long v2) {
        return RoleKernels.plan(ActorRuntime.C, kernel, p, q, v1, v2);
    }

    /** Starts actor {@code actor} with {@code plan} compiled, declaring the plan's registers and reach. */
    static long start(LitmusSection s, int actor, KernelPlan plan, long gen, Duration stall) {
        MemorySegment k = MiniRunner.cKernel(plan);
        return c.startCompiled(s, actor, k, plan.registers(), plan.locationBytes(), gen, stall);
    }

    @Test
    void startErrorsNameTheirErrno() {
        KernelPlan sb = plan("st_ld.relaxed.relaxed", Y, X, 1, 0);
        KernelPlan st = plan("st.relaxed", X, 0, 1, 0);
        MemorySegment sbK = MiniRunner.cKernel(sb);
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 1);
        Duration s = Duration.ofSeconds(1);
        NativeActorException stale = assertThrows(NativeActorException.class, () -> start(section, 1, sb, gen + 1, s));
        assertEquals(NativeActorException.ESTALE, stale.errno());
        assertTrue(stale.getMessage().endsWith("holds generation " + gen + ", not " + (gen + 1)
                + ": it was started for another test (ESTALE)"), stale.getMessage());

        NativeActorException badActor = assertThrows(NativeActorException.class, () -> start(section, 2, st, gen, s));
        assertEquals(NativeActorException.EINVAL, badActor.errno());
        assertTrue(badActor.getMessage().startsWith("C actor 2: refused the arguments or the section's descriptor"),
                badActor.getMessage());

        assertEquals(NativeActorException.EINVAL, assertThrows(NativeActorException.class,
                () -> c.startCompiled(section, 0, sbK, 1, 24, gen, s)).errno(), "a location outside an instance");
        assertThrows(IllegalArgumentException.class, () -> start(section, 0, st, gen, Duration.ofMillis(-5)));
        assertEquals(0, section.ready(), "nothing started");
    }

    @Test
    void joinOfAnUnknownHandleIsENOENT() {
        NativeActorException e = assertThrows(NativeActorException.class, () -> c.join(987_654_321L, Duration.ZERO));
        assertEquals(NativeActorException.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("no such actor"), e.getMessage());
    }

    @Test
    void joinTimesOutWhileTheActorRunsThenReportsTheAbort() {
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 2);
        long h = start(section, 0, plan("st_ld.seq_cst.seq_cst", X, Y, 1, 0), gen, Duration.ofSeconds(20));
        awaitReady(1);
        section.setEpoch(1);
        assertNull(c.join(h, Duration.ofMillis(50)), "still running: one actor of two waits at the barrier");
        assertEquals(1, c.alive());
        section.requestAbort();
        ActorResult r = c.join(h, Duration.ofSeconds(2));
        assertEquals(ActorResult.ABORT_WORD, r.aborted(), r.toString());
        assertEquals(1, r.rounds());
        assertEquals(0, r.consumed());
        assertTrue(r.reason().contains("abort word"), r.reason());
        assertThrows(NativeActorException.class, () -> c.join(h, Duration.ZERO), "joined once only");
    }

    @Test
    void aCActorLeavesOnItsOwnStallTimeout() {
        long gen = prepare(Descriptor.standard(2, 16, R0_R0), 3);
        long h = start(section, 1, plan("ld_ld.acquire.relaxed", X, Y, 0, 0), gen, Duration.ofMillis(100));
        ActorResult r = c.join(h, Duration.ofSeconds(3));
        assertEquals(ActorResult.OWN_STALL, r.aborted(), r.toString());
        assertTrue(r.reason().contains("stall timeout of 100 ms"), r.reason());
        assertEquals(0, r.rounds());
    }

    @Test
    void closeJoinsActorsLeftRunning() {
        try (Region other = Region.create(dir, 1 << 16)) {
            LitmusSection s = LitmusSection.of(other);
            s.write(Descriptor.standard(2, 16, R0_R0));
            s.setGeneration(5);
            NativeActors own = new NativeActors(NativeLibrary.require());
            KernelPlan st = plan("st.relaxed", X, 0, 1, 0);
            // No stall bound of its own.
            own.startCompiled(s, 0, MiniRunner.cKernel(st), st.registers(), st.locationBytes(), 5, Duration.ZERO);
            while (s.ready() < 1) MiniRunner.sleep(Duration.ofMillis(1));
            assertEquals(1, own.alive());
            long t = System.nanoTime();
            own.close();
            assertEquals(0, own.alive());
            assertEquals(1, s.abort(), "close set the abort word");
            assertTrue(System.nanoTime() - t < 12_000_000_000L, "bounded");
            own.close(); // idempotent
        }
    }

    // ---- C with C, and Java with C --------------------------------------------------------------

    @Test
    void cAndCStoreBufferingWithSeqCstNeverShowsBothZero() {
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(2000), Duration.ofSeconds(20),
                c("st_ld.seq_cst.seq_cst", X, Y, 1, 0), c("st_ld.seq_cst.seq_cst", Y, X, 1, 0)).checkIntegrity();
        assertEquals(2000, o.rounds());
        assertNeverSeen(o, "SB (0,0)", 0, 0);
    }

    @ParameterizedTest
    @CsvSource({"st_ld.volatile.volatile, st_ld.seq_cst.seq_cst", "st_fence_ld.plain.plain, st_fence_ld.relaxed.relaxed"})
    void javaAndCStoreBufferingWithFullBarriersNeverShowsBothZero(String javaKernel, String cKernel) {
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(3000), Duration.ofSeconds(20),
                java(javaKernel, X, Y, 1, 0), c(cKernel, Y, X, 1, 0)).checkIntegrity();
        assertEquals(3000, o.rounds());
        assertNeverSeen(o, "SB (0,0)", 0, 0);
        System.out.println("[litmus] J-C SB " + javaKernel + " | " + cKernel + ": " + o);
    }

    @ParameterizedTest
    @CsvSource({"st_ld.opaque.opaque, st_ld.relaxed.relaxed", "st_ld.release.acquire, st_ld.release.acquire"})
    void javaAndCStoreBufferingWithoutBarriersShowsBothZeroOnX86(String javaKernel, String cKernel) {
        Assumptions.assumeTrue(x86(), "x86-TSO shows store buffering; other arches are not asserted here");
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, R0_R0).withMaxRounds(50_000), Duration.ofSeconds(8),
                ZERO_ZERO, java(javaKernel, X, Y, 1, 0), c(cKernel, Y, X, 1, 0)).checkIntegrity();
        assertTrue(o.count(0, 0) > 0, "SB (0,0) seen: " + o);
    }

    @Test
    void javaAndCMessagePassingWithReleaseAcquireNeverShowsFlagWithoutData() {
        List<Descriptor.Gather> g = List.of(new Descriptor.Gather.Register(0, 0), new Descriptor.Gather.Register(0, 1));
        // C reads: r0 := y (acquire); r1 := x (relaxed). Java writes: x := 1 (plain); y := 1 (release).
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, g).withMaxRounds(2000), Duration.ofSeconds(20),
                c("ld_ld.acquire.relaxed", Y, X, 0, 0), java("st_st.plain.release", X, Y, 1, 1)).checkIntegrity();
        assertNeverSeen(o, "MP (1,0)", 1, 0);
    }

    @Test
    void javaAndCFetchAndAddLoseNothing() {
        List<Descriptor.Gather> g = List.of(new Descriptor.Gather.Register(0, 0), new Descriptor.Gather.Register(1, 0),
                new Descriptor.Gather.Location(X));
        MiniRunner.Outcome o = runner.run(Descriptor.standard(2, STRIDE, g).withMaxRounds(1000), Duration.ofSeconds(20),
                java("fadd.release", X, 0, 0, 0), c("fadd.relaxed", X, 0, 0, 0)).checkIntegrity();
        assertEquals(o.samples(), o.count(0, 1, 2) + o.count(1, 0, 2), o.toString());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static long prepare(Descriptor d, long gen) {
        section.reset();
        section.write(d);
        section.setGeneration(2000 + gen);
        return 2000 + gen;
    }

    static void awaitReady(int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (section.ready() < n) {
            assertTrue(System.nanoTime() < deadline, "actors ready");
            MiniRunner.sleep(Duration.ofMillis(1));
        }
    }
}
