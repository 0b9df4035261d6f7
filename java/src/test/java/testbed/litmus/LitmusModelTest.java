package testbed.litmus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testbed.litmus.Runtime.C;
import static testbed.litmus.Runtime.GO;
import static testbed.litmus.Runtime.JAVA;

@Timeout(30)
class LitmusModelTest {

    private static LitmusTest t(Shape s, Rung r, Runtime... rts) {
        return LitmusTest.canonical("t", s, r, s.build(List.of(rts), r), false);
    }

    private static Expectation exp(LitmusTest t, long... values) {
        return t.classify(java.util.Arrays.stream(values).boxed().toList()).expectation();
    }

    @Test
    void enumeratorFindsExactlyTheScOutcomes() {
        assertEquals(Set.of(List.of(0L, 1L), List.of(1L, 0L), List.of(1L, 1L)),
                ScEnumerator.outcomes(Shape.SB.build(List.of(C, C), Rung.SC), Shape.SB.gathers()));
        assertEquals(Set.of(List.of(0L, 0L), List.of(0L, 1L), List.of(1L, 1L)),
                ScEnumerator.outcomes(Shape.MP.build(List.of(C, C), Rung.SC), Shape.MP.gathers()));
        assertEquals(Set.of(List.of(0L, 1L, 2L), List.of(1L, 0L, 2L)),
                ScEnumerator.outcomes(Shape.RMW_FADD.build(List.of(C, C), Rung.SC), Shape.RMW_FADD.gathers()));
        assertEquals(Set.of(List.of(1L, 0L), List.of(0L, 1L)),
                ScEnumerator.outcomes(Shape.RMW_CAS.build(List.of(C, C), Rung.SC), Shape.RMW_CAS.gathers()));
        // IRIW: every combination except the readers disagreeing is SC-reachable.
        Set<List<Long>> iriw = ScEnumerator.outcomes(Shape.IRIW.build(List.of(C, C, C, C), Rung.SC), Shape.IRIW.gathers());
        assertEquals(15, iriw.size());
        assertTrue(!iriw.contains(List.of(1L, 0L, 1L, 0L)));
    }

    @Test
    void theTableAgreesWithTheModelPerShapeAndRung() {
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.SB, Rung.SC, JAVA, C), 0, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.SB, Rung.ACQ_REL, JAVA, C), 0, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.SB, Rung.RELAXED, C, GO), 0, 0));
        // Go atomics are seq_cst: a Go-Go or Go-seq_cst pairing forbids store buffering.
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.SB, Rung.ACQ_REL, GO, GO), 0, 0));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.MP, Rung.ACQ_REL, JAVA, C), 1, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.MP, Rung.RELAXED, JAVA, C), 1, 0));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.LB, Rung.ACQ_REL, C, JAVA), 1, 1));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.LB, Rung.RELAXED, C, JAVA), 1, 1));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.CORR, Rung.RELAXED, C, JAVA), 1, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.CORR, Rung.PLAIN, JAVA, JAVA), 1, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.IRIW, Rung.ACQ_REL, JAVA, C, JAVA, C), 1, 0, 1, 0));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.IRIW, Rung.SC, JAVA, C, JAVA, C), 1, 0, 1, 0));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.WRC, Rung.ACQ_REL, JAVA, C, GO), 1, 1, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.WRC, Rung.RELAXED, JAVA, C, JAVA), 1, 1, 0));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.TWO_PLUS_TWO_W, Rung.ACQ_REL, C, C), 1, 1));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.TWO_PLUS_TWO_W, Rung.SC, C, C), 1, 1));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.S, Rung.ACQ_REL, C, JAVA), 1, 2));
        assertEquals(Expectation.INTERESTING, exp(t(Shape.R, Rung.ACQ_REL, C, JAVA), 2, 0));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.R, Rung.SC, C, JAVA), 2, 0));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.RMW_FADD, Rung.RELAXED, C, JAVA), 0, 0, 1));
        assertEquals(Expectation.FORBIDDEN, exp(t(Shape.RMW_CAS, Rung.RELAXED, C, GO), 1, 1));
        assertEquals(Expectation.ACCEPTABLE, exp(t(Shape.RMW_CAS, Rung.RELAXED, C, GO), 0, 1));
    }

    @Test
    void canonicalSuiteIsWellFormedWithUniqueNames() {
        List<LitmusTest> all = CanonicalSuite.all();
        Set<String> names = new HashSet<>();
        for (LitmusTest t : all) assertTrue(names.add(t.name()), "duplicate " + t.name());
        assertTrue(all.size() > 200, "suite size " + all.size());
        for (Shape s : Shape.values()) assertTrue(all.stream().anyMatch(t -> t.shape() == s), s + " present");
        assertTrue(all.stream().anyMatch(LitmusTest::selfCheck));
        // Every broken variant declares stronger modes than it runs, so its relaxed outcome is forbidden.
        for (LitmusTest t : CanonicalSuite.selfChecks()) {
            assertTrue(t.actors().stream().anyMatch(ActorSpec::broken));
            assertEquals(Expectation.FORBIDDEN, exp(t, 0, 0));
        }
    }

    @Test
    void malformedDefinitionsAreRefusedBeforeAnythingRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActorSpec.of(C, Role.ST_LD, List.of("release", "consume"), 0, 1, 1, 0).validate());
        assertTrue(e.getMessage().contains("unknown C access mode 'consume'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ActorSpec.of(C, Role.ST_LD, List.of("acquire", "acquire"), 0, 1, 1, 0).validate());
        assertTrue(e.getMessage().contains("C has no store with mode 'acquire'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ActorSpec.of(GO, Role.ST_FENCE_LD, List.of("atomic", "atomic"), 0, 1, 1, 0).validate());
        assertTrue(e.getMessage().contains("GO has no standalone fence"), e.getMessage());
        List<ActorSpec> sb = Shape.SB.build(List.of(C, C), Rung.SC);
        e = assertThrows(IllegalArgumentException.class, () -> new LitmusTest("bad_arity", null, null, sb,
                Shape.SB.gathers(), List.of(new OutcomeSpec(List.of(0L, 0L, 0L), Expectation.FORBIDDEN, "three")), false));
        assertTrue(e.getMessage().contains("outcome (0, 0, 0) has 3 values, but the test gathers 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LitmusTest("bad_gather", null, null, sb,
                List.of(Gather.reg(0, 1)), List.of(), false));
        assertTrue(e.getMessage().contains("role st_ld has 1 register(s)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LitmusTest("Bad Name", null, null, sb,
                Shape.SB.gathers(), List.of(), false));
        assertTrue(e.getMessage().contains("snake_case"), e.getMessage());
    }
}
