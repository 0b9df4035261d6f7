package testbed.litmus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testbed.ffi.NativeLibrary;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan.Load;
import testbed.litmus.kernel.KernelPlan.Store;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.model.Judgement;
import testbed.litmus.model.Rc11Model;
import testbed.litmus.runtime.ActorResult;
import testbed.litmus.runtime.Descriptor;
import testbed.litmus.runtime.Descriptor.Gather;
import testbed.litmus.runtime.LitmusSection;
import testbed.litmus.runtime.NativeActorException;
import testbed.litmus.runtime.NativeActors;
import testbed.region.Region;

/**
 * Generated C kernels run end to end: compiled from plans, started through
 * {@link NativeActors#startCompiled}, run by the shim's actor loop on a litmus section, and their
 * histogram judged by the RC11 model of the same test's litmus file (litmus/canonical/sb/).
 */
@Timeout(60)
class CompiledActorsTest {

    static final int STRIDE = 1024;
    static final long X = 0;
    static final long Y = 8;
    static final List<Gather> R0_R0 = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0));
    static final Duration STALL = Duration.ofSeconds(5);

    @RegisterExtension
    static final OwnKernelCache CACHE = new OwnKernelCache();
    @TempDir
    static Path dir;
    static Region region;
    static LitmusSection section;
    static NativeActors c;
    static long generation = 7000;

    @BeforeAll
    static void setUp() {
        region = Region.create(dir, 1 << 20);
        section = LitmusSection.of(region);
        c = new NativeActors(NativeLibrary.require());
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
    }

    /** Store buffering's two threads in {@code mode}: P0 st x; ld y, P1 st y; ld x. */
    static List<KernelPlan> storeBuffering(String mode) {
        return List.of(new KernelPlan(ActorRuntime.C, List.of(new Store(X, 1, mode), new Load(Y, mode, 0)), 1),
                new KernelPlan(ActorRuntime.C, List.of(new Store(Y, 1, mode), new Load(X, mode, 0)), 1));
    }

    static Judgement model(String rung) throws Exception {
        return Rc11Model.judge(LitmusParser.parse(CanonicalSuite.directory().resolve("sb").resolve(rung + ".litmus")));
    }

    @Test
    void relaxedStoreBufferingShowsOnlyWhatTheModelAllows() throws Exception {
        Histogram h = run(storeBuffering("relaxed"), 200, -1);
        h.assertAllowedBy(model("relaxed"));
        assertEquals(200, h.rounds());
        System.out.println("[kernel] C-C SB relaxed, generated kernels: " + h);
    }

    @Test
    void seqCstStoreBufferingNeverShowsBothZero() throws Exception {
        Judgement sc = model("sc");
        assertFalse(sc.allows(List.of(0L, 0L)), "the model forbids (0,0) under seq_cst: " + sc.allowed());
        Histogram h = run(storeBuffering("seq_cst"), 200, -1);
        h.assertAllowedBy(sc);
        System.out.println("[kernel] C-C SB seq_cst, generated kernels: " + h);
    }

    /**
     * The check above can fail: the seq_cst test run with kernels weakened to relaxed (a broken
     * generator) shows the outcome the model forbids, on x86-TSO, once the actors ran in step.
     */
    @Test
    void weakenedKernelsUnderTheSeqCstExpectationAreCaught() throws Exception {
        Assumptions.assumeTrue(x86(), "x86-TSO shows store buffering; other arches are not asserted here");
        List<KernelPlan> weakened = storeBuffering("seq_cst").stream()
                .map(p -> p.withModes(List.of("relaxed", "relaxed"))).toList();
        Histogram h = run(weakened, 0, 0);
        if (h.count(0, 0) == 0) {
            // (1,1) needs both stores before both loads: the actors ran in step, so (0,0) had its chance.
            assertEquals(0, h.count(1, 1), "the actors ran in step, yet (0,0) never showed: " + h);
            Assumptions.abort("the actors never ran in step within 3 s on this busy machine: " + h);
        }
        AssertionError caught = assertThrows(AssertionError.class, () -> h.assertAllowedBy(model("sc")));
        assertTrue(caught.getMessage().contains("(0,0)"), caught.getMessage());
    }

    @Test
    void startCompiledRefusalsNameTheirErrno() throws Exception {
        CKernelLibrary lib = CKernelLibrary.compile(storeBuffering("relaxed"));
        MemorySegment k = lib.kernel(storeBuffering("relaxed").getFirst());
        long gen = prepare(Descriptor.standard(new int[] {1, 1}, 16, R0_R0));
        Duration s = Duration.ofSeconds(1);
        NativeActorException nul = assertThrows(NativeActorException.class,
                () -> c.startCompiled(section, 0, MemorySegment.NULL, 1, 16, gen, s));
        assertEquals(NativeActorException.EINVAL, nul.errno());
        assertTrue(nul.getMessage().startsWith("C actor 0: refused the arguments or the section's descriptor (generated kernel at 0x0, "
                + "1 registers, 16 location bytes"), nul.getMessage());
        assertEquals(NativeActorException.EINVAL, assertThrows(NativeActorException.class,
                () -> c.startCompiled(section, 0, k, 65, 16, gen, s)).errno(), "65 registers");
        assertEquals(NativeActorException.EINVAL, assertThrows(NativeActorException.class,
                () -> c.startCompiled(section, 0, k, 2, 16, gen, s)).errno(), "two registers in a window of one");
        assertEquals(NativeActorException.EINVAL, assertThrows(NativeActorException.class,
                () -> c.startCompiled(section, 0, k, 1, 24, gen, s)).errno(), "past a 16-byte instance");
        NativeActorException stale = assertThrows(NativeActorException.class,
                () -> c.startCompiled(section, 1, k, 1, 16, gen + 1, s));
        assertEquals(NativeActorException.ESTALE, stale.errno());
        assertThrows(IllegalArgumentException.class, () -> c.startCompiled(section, 0, k, 1, 16, gen, Duration.ofMillis(-1)));
        assertEquals(0, section.ready(), "nothing started");

        // A lone actor leaves on its own stall timeout, and join names its kernel.
        long h = c.startCompiled(section, 1, k, 1, 16, gen, Duration.ofMillis(100));
        ActorResult r = c.join(h, Duration.ofSeconds(3));
        assertEquals(ActorResult.OWN_STALL, r.aborted(), r.toString());
        assertTrue(r.reason().contains("generated kernel at 0x" + Long.toHexString(k.address())), r.reason());
    }

    // ---- a runner as small as these tests need ----------------------------------------------------

    static long prepare(Descriptor d) {
        section.reset();
        section.write(d);
        section.setGeneration(++generation);
        return generation;
    }

    /** A store-buffering histogram over (0:r0, 1:r0). */
    record Histogram(long[] hist, long rounds) {
        long count(int r0, int r1) {
            return hist[r0 * 4 + r1];
        }

        long samples() {
            long n = 0;
            for (long v : hist) n += v;
            return n;
        }

        /** Every sample counted once, and every outcome seen one the model allows. */
        void assertAllowedBy(Judgement j) {
            assertEquals(rounds * STRIDE, samples(), "the histogram holds every sample of every round once: " + this);
            List<String> forbidden = new ArrayList<>();
            for (int key = 0; key < hist.length; key++) {
                List<Long> outcome = List.of((long) key / 4, (long) key % 4);
                if (hist[key] > 0 && !j.allows(outcome)) forbidden.add("(" + key / 4 + "," + key % 4 + ") " + hist[key]);
            }
            if (!forbidden.isEmpty()) fail("outcomes the model forbids (allowed: " + j.allowed() + "): " + forbidden + "; " + this);
        }

        @Override
        public String toString() {
            return String.format("%d rounds, (0,0) %d, (0,1) %d, (1,0) %d, (1,1) %d", rounds, count(0, 0), count(0, 1),
                    count(1, 0), count(1, 1));
        }
    }

    /**
     * Compiles the two plans, starts one C actor per plan, releases round 1 and waits: for
     * {@code maxRounds} rounds (&gt; 0), or until outcome {@code watchKey} shows or 3 s pass.
     * Every actor must complete and run every round.
     */
    static Histogram run(List<KernelPlan> plans, long maxRounds, int watchKey) throws Exception {
        CKernelLibrary lib = CKernelLibrary.compile(plans);
        long gen = prepare(Descriptor.standard(new int[] {1, 1}, STRIDE, R0_R0).withMaxRounds(maxRounds));
        List<Long> handles = new ArrayList<>();
        try {
            for (int a = 0; a < plans.size(); a++) {
                KernelPlan p = plans.get(a);
                handles.add(c.startCompiled(section, a, lib.kernel(p), p.registers(), p.locationBytes(), gen, STALL));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (section.ready() < plans.size()) {
                if (System.nanoTime() > deadline) fail("only " + section.ready() + " actors ready");
                Thread.sleep(1);
            }
            long released = System.nanoTime();
            section.setEpoch(1);
            while (section.done() == 0) {
                Thread.sleep(2);
                boolean seen = watchKey >= 0 && section.histogram()[watchKey] > 0;
                if (section.stop() == 0 && (seen || (maxRounds == 0 && System.nanoTime() - released > 3_000_000_000L))) {
                    section.requestStop();
                }
                if (System.nanoTime() - released > 20_000_000_000L) fail("no end after 20 s: " + section);
            }
            for (long h : List.copyOf(handles)) {
                ActorResult r = c.join(h, Duration.ofSeconds(5));
                handles.remove(h);
                assertTrue(r != null && r.completed(), "actor completed: " + r);
                assertEquals(section.rounds(), r.rounds(), "actor ran every round");
            }
            return new Histogram(section.histogram(), section.rounds());
        } finally {
            if (!handles.isEmpty()) {
                section.requestAbort();
                for (long h : handles) c.join(h, Duration.ofSeconds(5));
            }
        }
    }

    static boolean x86() {
        return Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    }
}
