package testbed.litmus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.Strength;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testbed.litmus.ActorRuntime.C;
import static testbed.litmus.ActorRuntime.GO;
import static testbed.litmus.ActorRuntime.JAVA;
import static testbed.litmus.ActorRuntime.JS_VIEW;

/** A user's file: bound to runtimes by the table, matched to the engine's kernels, or told why not. */
@Timeout(30)
class FileTestsTest {

    /** The classic corpus's store buffering with seq_cst fences between relaxed accesses. */
    static final Path SB_FENCES = Path.of(System.getProperty("testbed.litmus.root", "litmus"), "classic", "SB+fences.litmus");

    private static LitmusProgram sbFences() {
        try {
            return LitmusParser.parse(SB_FENCES);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static LitmusProgram parse(String file, String text) {
        return LitmusParser.parse(Path.of(file), text);
    }

    @Test
    void aFencedFileRunsOnTheFencedKernelsInJavaAndC() {
        List<FileTest> tests = FileTests.of(sbFences(), List.of(JAVA, C));
        assertEquals(1, tests.size());
        FileTest t = tests.get(0);
        assertEquals("sb_fences_jc", t.name());
        assertTrue(t.runnable(), t.notRunnable());
        assertEquals(List.of("st [0] := 1 opaque; fence full; r0 := ld [8] opaque", "st [8] := 1 relaxed; fence seq_cst; r0 := ld [0] relaxed"),
                t.test().actors().stream().map(a -> a.actual().text()).toList());
        assertEquals(OutcomeExpectation.FORBIDDEN, t.test().classify(List.of(0L, 0L)).expectation());
        assertEquals("Model SB+fences Never", t.judgement().modelLine());
    }

    @Test
    void aFenceInGoIsRefusedWithItsPositionWhenAsked() {
        LitmusFileException e = assertThrows(LitmusFileException.class,
                () -> FileTests.of(sbFences(), List.of(JAVA, GO)));
        assertEquals(14, e.at().line());
        assertEquals(3, e.at().column());
        assertTrue(e.reason().contains("P1 is bound to go, which has no standalone fence"), e.getMessage());
    }

    @Test
    void withoutRuntimesEveryPairingIsCoveredAndGoPairingsAreSkippedWithTheReason() {
        List<FileTest> tests = FileTests.of(sbFences(), null);
        assertEquals(CanonicalSuite.PAIRS.size(), tests.size());
        for (FileTest t : tests) {
            boolean go = t.name().contains("g");
            assertEquals(!go, t.runnable(), t.name());
            if (go) assertTrue(t.notRunnable().startsWith("binding refused: ") && t.notRunnable().contains("no standalone fence"), t.notRunnable());
        }
    }

    @Test
    void theBindingGivesEachRuntimeItsWeakestSufficientAccess() {
        LitmusProgram p = parse("Mix.litmus", """
                C Mix
                { x = 0; e = 0; }
                P0 (atomic_int* x, int* e) {
                  int r0 = atomic_load_explicit(x, memory_order_relaxed);
                  atomic_fetch_add_explicit(x, 1, memory_order_relaxed);
                  int r1 = atomic_compare_exchange_strong_explicit(x, e, 1, memory_order_release, memory_order_relaxed);
                }
                P1 (atomic_int* x) {
                  int r0 = atomic_load_explicit(x, memory_order_acquire);
                }
                exists (0:r0=0)
                """);
        Binding.BoundProgram javaGo = Binding.bind(p, List.of(JAVA, GO));
        List<Binding.BoundStatement> java = javaGo.threads().get(0).statements();
        assertEquals(List.of("opaque", "acquire", "volatile"), java.stream().map(Binding.BoundStatement::mode).toList(),
                "relaxed load: opaque; relaxed RMW: acquire (no relaxed VarHandle RMW); (release, relaxed) CAS: the release "
                        + "variant's failed read is plain, so volatile");
        assertEquals("relaxed", java.get(0).declaredOrder());
        assertEquals("acquire", java.get(1).effectiveOrder());
        assertEquals("seq_cst/seq_cst", java.get(2).effectiveOrder());
        Binding.BoundStatement go = javaGo.threads().get(1).statements().get(0);
        assertEquals("atomic", go.mode());
        assertEquals(Strength.SEQ_CST, ((Statement.Load) go.effective()).order());
        assertTrue(javaGo.changesOrders());
        Binding.BoundStatement view = Binding.bind(p, List.of(C, JS_VIEW)).threads().get(1).statements().get(0);
        assertEquals("atomics", view.mode());
        assertEquals("non-atomic", view.effectiveOrder(), "Atomics over a host buffer are plain accesses");
        assertFalse(Binding.asC11(p).changesOrders());
        LitmusFileException e = assertThrows(LitmusFileException.class, () -> Binding.bind(p, List.of(JAVA)));
        assertTrue(e.reason().contains("2 threads but 1 runtimes were given"), e.getMessage());
    }

    @Test
    void threeLocationsAndAnExchangeRunAsGeneratedKernels() {
        LitmusProgram three = parse("t.litmus", """
                C Three
                { x = 0; y = 0; z = 0; }
                P0 (atomic_int* x, atomic_int* y) { atomic_store(x, 1); atomic_store(y, 1); }
                P1 (atomic_int* z, atomic_int* y) { int r0 = atomic_exchange(z, 2); int r1 = atomic_load(y); }
                exists (1:r0=0 /\\ z=2)
                """);
        FileTest t = FileTests.of(three, List.of(JAVA, C)).get(0);
        assertTrue(t.runnable(), t.notRunnable());
        assertEquals(3, t.test().locations());
        assertEquals("r0 := xchg [16] 2 seq_cst; r1 := ld [8] seq_cst", t.test().actors().get(1).actual().text());
        assertEquals(List.of(Gather.reg(1, 0), Gather.mem(2)), t.test().gathers());
    }

    @Test
    void aGoCompareExchangeWhoseFailureIsReadRunsToo() {
        LitmusProgram p = parse("t.litmus", """
                C GoCas
                { x = 0; e = 0; }
                P0 (atomic_int* x) { atomic_store(x, 1); }
                P1 (atomic_int* x, int* e) { int r0 = atomic_compare_exchange_strong(x, e, 2); }
                exists (1:r0=0 /\\ e=1)
                """);
        FileTest t = FileTests.of(p, List.of(JAVA, GO)).get(0);
        assertTrue(t.runnable(), t.notRunnable());
        assertEquals("r0 := cas [0] [8] 2 atomic/seq_cst", t.test().actors().get(1).actual().text());
    }

    @Test
    void whatTheEngineCannotHoldIsJudgedAndSaysWhy() {
        assertNotRunnable("""
                C Init
                { x = 1; }
                P0 (atomic_int* x) { atomic_store(x, 2); }
                P1 (atomic_int* x) { int r0 = atomic_load(x); }
                exists (1:r0=1)
                """, List.of(JAVA, JAVA), "the engine starts every location at 0, and x starts at 1");
        assertNotRunnable("""
                C Wide
                { x = 0; y = 0; }
                P0 (atomic_int* x, atomic_int* y) { atomic_store(x, 4); atomic_store(y, 4); }
                P1 (atomic_int* x, atomic_int* y) {
                  int r0 = atomic_load(x); int r1 = atomic_load(y); int r2 = atomic_load(x); int r3 = atomic_load(y);
                }
                exists (1:r0=4 /\\ 1:r1=4 /\\ 1:r2=4 /\\ 1:r3=4)
                """, List.of(JAVA, JAVA), "outcomes of 4 values up to 4 need at least 5^4 histogram counts "
                + "(a digit for each value), more than the 256 there are");
        assertNotRunnable("""
                C Negative
                { x = 0; }
                P0 (atomic_int* x) { atomic_store(x, -1); }
                P1 (atomic_int* x) { int r0 = atomic_load(x); }
                exists (1:r0=-1)
                """, List.of(JAVA, JAVA), "an outcome holds -1, and the histogram counts values from 0");
        assertNotRunnable("""
                C Alone
                { x = 0; }
                P0 (atomic_int* x) { atomic_store(x, 1); int r0 = atomic_load(x); }
                exists (0:r0=1)
                """, List.of(JAVA), "the engine runs 2 to 4 actors");
    }

    /** The histogram's radix follows the values the model allows: 5 is its own digit, 6 stands for any other. */
    @Test
    void aValueAbove3GetsItsOwnDigit() {
        LitmusProgram p = parse("t.litmus", """
                C Five
                { x = 0; }
                P0 (atomic_int* x) { atomic_store(x, 5); }
                P1 (atomic_int* x) { int r0 = atomic_load(x); }
                exists (1:r0=5)
                """);
        FileTest t = FileTests.of(p, List.of(JAVA, C)).get(0);
        assertTrue(t.runnable(), t.notRunnable());
        assertEquals(7, t.test().radix());
        assertEquals(OutcomeExpectation.FORBIDDEN, t.test().classify(List.of(6L)).expectation(), "the top digit names no outcome");
    }

    /** Four values up to 3 would need 5^4 counts with a top digit of its own: 3 shares it instead, as it always did. */
    @Test
    void fourValuesUpTo3ShareTheTopDigit() {
        LitmusProgram p = parse("t.litmus", """
                C Four
                { x = 0; y = 0; }
                P0 (atomic_int* x, atomic_int* y) { atomic_store(x, 3); atomic_store(y, 3); }
                P1 (atomic_int* x, atomic_int* y) {
                  int r0 = atomic_load(x); int r1 = atomic_load(y); int r2 = atomic_load(x); int r3 = atomic_load(y);
                }
                exists (1:r0=3 /\\ 1:r1=3 /\\ 1:r2=3 /\\ 1:r3=3)
                """);
        FileTest t = FileTests.of(p, List.of(JAVA, C)).get(0);
        assertTrue(t.runnable(), t.notRunnable());
        assertEquals(4, t.test().radix());
    }

    private static void assertNotRunnable(String text, List<ActorRuntime> rts, String reason) {
        LitmusProgram p = parse("t.litmus", text);
        FileTest t = FileTests.of(p, rts).get(0);
        assertFalse(t.runnable(), p.name());
        assertTrue(t.notRunnable().startsWith("not runnable: ") && t.notRunnable().contains(reason), t.notRunnable());
        assertTrue(t.judgement().allowed().size() > 0, "the model judged it all the same");
    }
}
