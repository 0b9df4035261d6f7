package testbed.litmus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.kernel.KernelPlan;
import testbed.litmus.model.Interleavings;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testbed.litmus.ActorRuntime.C;
import static testbed.litmus.ActorRuntime.GO;
import static testbed.litmus.ActorRuntime.JAVA;

/** The canonical suite as the model judges its files, bound to runtimes. */
@Timeout(30)
class LitmusModelTest {

    /** A canonical file bound to {@code rts}, whether or not the suite runs that pairing. */
    private static LitmusCase t(Shape s, Rung r, ActorRuntime... rts) {
        FileTest f = FileTest.of("t", s, r, Binding.bind(CanonicalSuite.program(s, r), List.of(rts)));
        assertTrue(f.runnable(), () -> f.notRunnable());
        return f.test();
    }

    private static OutcomeExpectation exp(LitmusCase t, long... values) {
        return t.classify(java.util.Arrays.stream(values).boxed().toList()).expectation();
    }

    @Test
    void interleavingsGiveExactlyTheScOutcomes() {
        assertEquals(Set.of(List.of(0L, 1L), List.of(1L, 0L), List.of(1L, 1L)),
                Interleavings.sequentiallyConsistent(CanonicalSuite.program(Shape.SB, Rung.SC)));
        assertEquals(Set.of(List.of(0L, 0L), List.of(0L, 1L), List.of(1L, 1L)),
                Interleavings.sequentiallyConsistent(CanonicalSuite.program(Shape.MP, Rung.SC)));
        assertEquals(Set.of(List.of(0L, 1L, 2L), List.of(1L, 0L, 2L)),
                Interleavings.sequentiallyConsistent(CanonicalSuite.program(Shape.RMW_FADD, Rung.SC)));
        assertEquals(Set.of(List.of(1L, 0L), List.of(0L, 1L)),
                Interleavings.sequentiallyConsistent(CanonicalSuite.program(Shape.RMW_CAS, Rung.SC)));
        // IRIW: every combination except the readers disagreeing is SC-reachable.
        Set<List<Long>> iriw = Interleavings.sequentiallyConsistent(CanonicalSuite.program(Shape.IRIW, Rung.SC));
        assertEquals(15, iriw.size());
        assertFalse(iriw.contains(List.of(1L, 0L, 1L, 0L)));
    }

    @Test
    void theModelJudgesEachShapeAndRungAsTheMemoryModelPageSays() {
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.SB, Rung.SC, JAVA, C), 0, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.SB, Rung.ACQ_REL, JAVA, C), 0, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.SB, Rung.RELAXED, C, GO), 0, 0));
        // Go atomics are seq_cst: a Go-Go pairing forbids store buffering on every atomic rung.
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.SB, Rung.ACQ_REL, GO, GO), 0, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.SB, Rung.RELAXED, GO, GO), 0, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.MP, Rung.ACQ_REL, JAVA, C), 1, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.MP, Rung.RELAXED, JAVA, C), 1, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.LB, Rung.ACQ_REL, C, JAVA), 1, 1));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.LB, Rung.RELAXED, C, JAVA), 1, 1));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.CORR, Rung.RELAXED, C, JAVA), 1, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.CORR, Rung.PLAIN, JAVA, JAVA), 1, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.IRIW, Rung.ACQ_REL, JAVA, C, JAVA, C), 1, 0, 1, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.IRIW, Rung.SC, JAVA, C, JAVA, C), 1, 0, 1, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.WRC, Rung.ACQ_REL, JAVA, C, GO), 1, 1, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.WRC, Rung.RELAXED, JAVA, C, JAVA), 1, 1, 0));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.TWO_PLUS_TWO_W, Rung.ACQ_REL, C, C), 1, 1));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.TWO_PLUS_TWO_W, Rung.SC, C, C), 1, 1));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.S, Rung.ACQ_REL, C, JAVA), 1, 2));
        assertEquals(OutcomeExpectation.INTERESTING, exp(t(Shape.R, Rung.ACQ_REL, C, JAVA), 2, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.R, Rung.SC, C, JAVA), 2, 0));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.RMW_FADD, Rung.RELAXED, C, JAVA), 0, 0, 1));
        assertEquals(OutcomeExpectation.FORBIDDEN, exp(t(Shape.RMW_CAS, Rung.RELAXED, C, GO), 1, 1));
        assertEquals(OutcomeExpectation.ACCEPTABLE, exp(t(Shape.RMW_CAS, Rung.RELAXED, C, GO), 0, 1));
    }

    @Test
    void canonicalSuiteIsWellFormedWithUniqueNames() {
        List<LitmusCase> all = CanonicalSuite.all();
        Set<String> names = new HashSet<>();
        for (LitmusCase t : all) assertTrue(names.add(t.name()), "duplicate " + t.name());
        assertTrue(all.size() > 200, "suite size " + all.size());
        for (Shape s : Shape.values()) assertTrue(all.stream().anyMatch(t -> t.shape() == s), s + " present");
        assertTrue(all.stream().anyMatch(LitmusCase::selfCheck));
        // Every broken variant declares stronger modes than it runs, so its relaxed outcome is forbidden.
        for (LitmusCase t : CanonicalSuite.selfChecks()) {
            assertTrue(t.actors().stream().anyMatch(ActorSpec::broken));
            assertEquals(OutcomeExpectation.FORBIDDEN, exp(t, 0, 0));
        }
        // Every case carries the file it came from.
        for (LitmusCase t : all) {
            assertTrue(t.source().file().startsWith(CanonicalSuite.directory()), t.name() + ": " + t.source().file());
        }
    }

    @Test
    void malformedDefinitionsAreRefusedBeforeAnythingRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActorSpec.of(sbPlan(C, "release", "consume")).validate());
        assertTrue(e.getMessage().contains("c has no load with mode 'consume'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ActorSpec.of(sbPlan(C, "acquire", "acquire")).validate());
        assertTrue(e.getMessage().contains("c has no store with mode 'acquire'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ActorSpec.of(new KernelPlan(GO, List.of(
                new KernelPlan.Store(0, 1, "atomic"), new KernelPlan.Fence("seq_cst"), new KernelPlan.Load(8, "atomic", 0)), 1)).validate());
        assertTrue(e.getMessage().contains("go has no fence at all"), e.getMessage());
        LitmusCase sbTest = t(Shape.SB, Rung.SC, C, C);
        List<ActorSpec> sb = sbTest.actors();
        e = assertThrows(IllegalArgumentException.class, () -> new LitmusCase("bad_arity", null, null, sb,
                sbTest.gathers(), List.of(new OutcomeSpec(List.of(0L, 0L, 0L), OutcomeExpectation.FORBIDDEN, "three")), false, null));
        assertTrue(e.getMessage().contains("outcome (0, 0, 0) has 3 values, but the test gathers 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LitmusCase("bad_gather", null, null, sb,
                List.of(Gather.reg(0, 1)), List.of(), false, null));
        assertTrue(e.getMessage().contains("actor a0 has 1 register(s)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LitmusCase("Bad Name", null, null, sb,
                sbTest.gathers(), List.of(), false, null));
        assertTrue(e.getMessage().contains("snake_case"), e.getMessage());
    }

    private static KernelPlan sbPlan(ActorRuntime rt, String store, String load) {
        return new KernelPlan(rt, List.of(new KernelPlan.Store(0, 1, store), new KernelPlan.Load(8, load, 0)), 1);
    }
}
