package testbed.litmus.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model on small programs whose verdict follows from one axiom each. */
@Timeout(30)
class Rc11ModelTest {

    private static LitmusProgram parse(String text) {
        return LitmusParser.parse(Path.of("test.litmus"), text);
    }

    private static Judgement.Verdict verdict(String text) {
        return Rc11Model.judge(parse(text)).verdict();
    }

    private static final String CORR_PLAIN = """
            C CoRR+plain
            { x = 0; }
            P0 (int* x) {
              *x = 1;
            }
            P1 (int* x) {
              int r0 = *x;
              int r1 = *x;
            }
            exists (1:r0=1 /\\ 1:r1=0)
            """;

    @Test
    void plainReadsAreCoherentInC11ButNotInJavaOrGo() {
        LitmusProgram p = parse(CORR_PLAIN);
        Judgement c = Rc11Model.judge(p);
        assertEquals(Judgement.Verdict.NEVER, c.verdict(), "C11 judges racy non-atomics by coherence, as herd7");
        assertTrue(c.dataRace());
        Judgement java = Rc11Model.judge(p, List.of(PlainSemantics.HAPPENS_BEFORE, PlainSemantics.HAPPENS_BEFORE));
        assertEquals(Judgement.Verdict.SOMETIMES, java.verdict(), "no coherence between two plain reads in Java or Go");
        assertTrue(java.dataRace());
    }

    @Test
    void aPlainReadNeverSeesAWriteHiddenByHappensBefore() {
        // Message passing with plain data and a release/acquire flag: the data read happens
        // after the data write, in every runtime's meaning of a plain access.
        LitmusProgram p = parse("""
                C MP+plain+rel+acq
                { x = 0; y = 0; }
                P0 (int* x, atomic_int* y) {
                  *x = 1;
                  atomic_store_explicit(y, 1, memory_order_release);
                }
                P1 (int* x, atomic_int* y) {
                  int r0 = atomic_load_explicit(y, memory_order_acquire);
                  int r1 = *x;
                }
                exists (1:r0=1 /\\ 1:r1=0)
                """);
        for (PlainSemantics s : PlainSemantics.values()) {
            assertEquals(Judgement.Verdict.NEVER, Rc11Model.judge(p, List.of(s, s)).verdict(), s.name());
        }
    }

    @Test
    void relaxedLoadBufferingIsAllowedAndReleaseAcquireForbidsIt() {
        String lb = """
                C LB
                { x = 0; y = 0; }
                P0 (atomic_int* x, atomic_int* y) {
                  int r0 = atomic_load_explicit(x, memory_order_LOAD);
                  atomic_store_explicit(y, 1, memory_order_STORE);
                }
                P1 (atomic_int* x, atomic_int* y) {
                  int r0 = atomic_load_explicit(y, memory_order_LOAD);
                  atomic_store_explicit(x, 1, memory_order_STORE);
                }
                exists (0:r0=1 /\\ 1:r0=1)
                """;
        // The project's one departure from RC11: no-thin-air is left out (docs/MEMORY_MODEL.md).
        assertEquals(Judgement.Verdict.SOMETIMES, verdict(lb.replace("LOAD", "relaxed").replace("STORE", "relaxed")));
        assertEquals(Judgement.Verdict.NEVER, verdict(lb.replace("LOAD", "acquire").replace("STORE", "release")));
    }

    @Test
    void aReleaseSequenceRunsThroughAnUpdateButNotThroughAStore() {
        String mp = """
                C MP+rs
                { x = 0; y = 0; }
                P0 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(x, 1, memory_order_relaxed);
                  atomic_store_explicit(y, 1, memory_order_release);
                }
                P1 (atomic_int* y) {
                  MIDDLE
                }
                P2 (atomic_int* x, atomic_int* y) {
                  int r0 = atomic_load_explicit(y, memory_order_acquire);
                  int r1 = atomic_load_explicit(x, memory_order_relaxed);
                }
                exists (2:r0=2 /\\ 2:r1=0)
                """;
        assertEquals(Judgement.Verdict.NEVER, verdict(mp.replace("MIDDLE", "atomic_fetch_add_explicit(y, 1, memory_order_relaxed);")));
        assertEquals(Judgement.Verdict.SOMETIMES, verdict(mp.replace("MIDDLE", "atomic_store_explicit(y, 2, memory_order_relaxed);")));
    }

    @Test
    void aFailedCompareExchangeWritesWhatItSawIntoItsExpectedLocation() {
        String cas = """
                C CAS+copy
                { x = 0; e = 0; }
                P0 (atomic_int* x) {
                  atomic_store_explicit(x, 1, memory_order_seq_cst);
                }
                P1 (atomic_int* x, int* e) {
                  int r0 = atomic_compare_exchange_strong_explicit(x, e, 2, memory_order_seq_cst, memory_order_seq_cst);
                  int r1 = *e;
                }
                exists (COND)
                """;
        assertEquals(Judgement.Verdict.SOMETIMES, verdict(cas.replace("COND", "1:r0=0 /\\ 1:r1=1")));
        assertEquals(Judgement.Verdict.NEVER, verdict(cas.replace("COND", "1:r0=0 /\\ 1:r1=0")), "it fails only when x held 1");
        assertEquals(Judgement.Verdict.NEVER, verdict(cas.replace("COND", "1:r0=1 /\\ x=0")), "after a success x holds 2, or P0's 1");
        assertEquals(Judgement.Verdict.SOMETIMES, verdict(cas.replace("COND", "1:r0=1 /\\ x=1")), "P0's store may follow the success in mo");
    }

    @Test
    void scFencesForbidStoreBufferingAndAcqRelFencesDoNot() {
        String sb = """
                C SB+fences
                { x = 0; y = 0; }
                P0 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(x, 1, memory_order_relaxed);
                  atomic_thread_fence(memory_order_FENCE);
                  int r0 = atomic_load_explicit(y, memory_order_relaxed);
                }
                P1 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(y, 1, memory_order_relaxed);
                  atomic_thread_fence(memory_order_FENCE);
                  int r0 = atomic_load_explicit(x, memory_order_relaxed);
                }
                exists (0:r0=0 /\\ 1:r0=0)
                """;
        assertEquals(Judgement.Verdict.NEVER, verdict(sb.replace("FENCE", "seq_cst")));
        assertEquals(Judgement.Verdict.SOMETIMES, verdict(sb.replace("FENCE", "acq_rel")));
        assertEquals(Judgement.Verdict.SOMETIMES, verdict(sb.replace("FENCE", "relaxed")));
    }

    @Test
    void forallAndTheAlwaysVerdict() {
        Judgement j = Rc11Model.judge(parse("""
                C RMW3
                { x = 0; }
                P0 (atomic_int* x) { atomic_fetch_add_explicit(x, 1, memory_order_relaxed); }
                P1 (atomic_int* x) { atomic_fetch_add_explicit(x, 1, memory_order_relaxed); }
                P2 (atomic_int* x) { atomic_fetch_sub_explicit(x, -1, memory_order_relaxed); }
                forall (x=3)
                """));
        assertEquals(Judgement.Verdict.ALWAYS, j.verdict());
        assertEquals(1, j.allowed().size());
        assertTrue(j.modelLine().startsWith("Model RMW3 Always"), j.modelLine());
        assertFalse(j.dataRace());
    }

    /**
     * A JavaScript view's {@code Atomics.add} over a host buffer is a plain read and a plain
     * write (docs/MEMORY_MODEL.md, "The embedded guest"): beside a Java fetch_add it may lose
     * an update, and the model must allow that, or a correct run would fail on it.
     */
    @Test
    void aPlainReadModifyWriteCanLoseAnUpdate() throws Exception {
        LitmusProgram fadd = LitmusParser.parse(Path.of(System.getProperty("testbed.litmus.root", "litmus"), "canonical", "rmw_fadd", "relaxed.litmus"));
        Judgement atomic = Rc11Model.judge(fadd);
        assertEquals(Judgement.Verdict.NEVER, atomic.verdict(), "two atomic fetch_adds lose nothing");
        testbed.litmus.Binding.BoundProgram withView = testbed.litmus.Binding.bind(fadd, List.of(testbed.litmus.ActorRuntime.JAVA, testbed.litmus.ActorRuntime.JS_VIEW));
        Judgement view = Rc11Model.judge(withView.effective(), withView.semantics());
        assertEquals(Judgement.Verdict.SOMETIMES, view.verdict(), "Atomics.add over a host buffer may lose one");
        assertTrue(view.allows(List.of(0L, 0L, 1L)), view.allowed().toString());
    }

    @Test
    void anEnumerationThatWouldExplodeIsRefusedWithItsCount() {
        StringBuilder b = new StringBuilder("C Many\n{ x = 0; }\n");
        for (int t = 0; t < 4; t++) {
            b.append("P").append(t).append(" (atomic_int* x) {\n");
            for (int i = 0; i < 12; i++) b.append("  atomic_store_explicit(x, ").append(i).append(", memory_order_relaxed);\n");
            b.append("}\n");
        }
        b.append("exists (x=0)\n");
        LitmusFileException e = assertThrows(LitmusFileException.class, () -> Rc11Model.judge(parse(b.toString())));
        assertTrue(e.getMessage().matches("test\\.litmus:3:1: the model would enumerate up to [0-9,]+ candidate executions \\(at most 20,000,000\\).*"),
                e.getMessage());
    }

    @Test
    void tooManyCompareExchangesAreRefusedBeforeTheirPathsAreBuilt() {
        StringBuilder b = new StringBuilder("C ManyCas\n{ x = 0; e = 0; }\n");
        for (int t = 0; t < 2; t++) {
            b.append("P").append(t).append(" (atomic_int* x, int* e) {\n");
            for (int i = 0; i < 7; i++) b.append("  atomic_compare_exchange_strong(x, e, 1);\n");
            b.append("}\n");
        }
        b.append("exists (x=0)\n");
        LitmusFileException e = assertThrows(LitmusFileException.class, () -> Rc11Model.judge(parse(b.toString())));
        assertTrue(e.getMessage().contains("2^14 paths through the compare-exchanges (at most 2^12)"), e.getMessage());
    }
}
