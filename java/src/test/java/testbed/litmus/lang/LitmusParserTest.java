package testbed.litmus.lang;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testbed.litmus.lang.Condition.Observable;
import testbed.litmus.lang.Condition.Observable.Memory;
import testbed.litmus.lang.Condition.Observable.Register;
import testbed.litmus.lang.Condition.Proposition;
import testbed.litmus.lang.Condition.Proposition.And;
import testbed.litmus.lang.Condition.Proposition.Equals;
import testbed.litmus.lang.Statement.CompareExchange;
import testbed.litmus.lang.Statement.Exchange;
import testbed.litmus.lang.Statement.FetchAdd;
import testbed.litmus.lang.Statement.Fence;
import testbed.litmus.lang.Statement.Load;
import testbed.litmus.lang.Statement.Store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static testbed.litmus.lang.Strength.ACQUIRE;
import static testbed.litmus.lang.Strength.ACQ_REL;
import static testbed.litmus.lang.Strength.PLAIN;
import static testbed.litmus.lang.Strength.RELAXED;
import static testbed.litmus.lang.Strength.RELEASE;
import static testbed.litmus.lang.Strength.SEQ_CST;
import static testbed.litmus.lang.Condition.Quantifier.EXISTS;
import static testbed.litmus.lang.Condition.Quantifier.FORALL;
import static testbed.litmus.lang.Condition.Quantifier.NOT_EXISTS;
import static testbed.litmus.lang.LitmusTexts.FILE;
import static testbed.litmus.lang.LitmusTexts.at;
import static testbed.litmus.lang.LitmusTexts.parse;

/**
 * Files the parser accepts, written as herd7 users write them, and the exact program each
 * becomes. The refusals are in {@link LitmusFileRefusalsTest}.
 */
@Timeout(10)
class LitmusParserTest {

    private static final Register R0_OF_P0 = new Register(0, "r0");
    private static final Register R0_OF_P1 = new Register(1, "r0");

    @Test
    void storeBufferingAllSeqCst() {
        String src = """
                C SB
                "Store buffering: both loads see 0 only under a weaker model"
                { x = 0; y = 0; }

                P0 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(x, 1, memory_order_seq_cst);
                  int r0 = atomic_load_explicit(y, memory_order_seq_cst);
                }

                P1 (atomic_int* x, atomic_int* y) {
                  atomic_store(y, 1);
                  int r0 = atomic_load(x);
                }

                exists (0:r0=0 /\\ 1:r0=0)
                """;
        LitmusProgram p = parse(src);
        assertEquals(FILE, p.source());
        assertEquals("SB", p.name());
        assertEquals("Store buffering: both loads see 0 only under a weaker model", p.description());
        assertEquals(List.of(new Location("x", true, 0, at(src, 3, "x")), new Location("y", true, 0, at(src, 3, "y"))),
                p.locations());
        assertEquals(List.of(
                new ThreadCode(0, List.of("x", "y"), List.of(
                        new Store("x", 1, SEQ_CST, at(src, 6, "atomic")),
                        new Load("r0", "y", SEQ_CST, at(src, 7, "int"))), at(src, 5, "P0")),
                new ThreadCode(1, List.of("x", "y"), List.of(
                        new Store("y", 1, SEQ_CST, at(src, 11, "atomic")),
                        new Load("r0", "x", SEQ_CST, at(src, 12, "int"))), at(src, 10, "P1"))), p.threads());
        assertEquals(new Condition(EXISTS, new And(
                new Equals(R0_OF_P0, 0, at(src, 15, "0:")),
                new Equals(R0_OF_P1, 0, at(src, 15, "1:"))), at(src, 15, "exists")), p.condition());
        assertEquals(List.of(), p.observed());
        assertEquals(List.of(R0_OF_P0, R0_OF_P1), p.outcomeShape());
    }

    @Test
    void messagePassingReleaseAcquire() {
        String src = """
                C MP+rel+acq
                { }
                P0 (atomic_int *x, _Atomic int *y) {
                  atomic_store_explicit(x, 1, memory_order_relaxed);
                  atomic_store_explicit(y, 1, memory_order_release);
                }
                P1 (atomic_int* x, atomic_int* y) {
                  int r0 = atomic_load_explicit(y, memory_order_acquire);
                  int r1 = atomic_load_explicit(x, memory_order_relaxed);
                }
                exists (1:r0=1 /\\ 1:r1=0)
                """;
        LitmusProgram p = parse(src);
        assertEquals("", p.description());
        assertEquals(List.of(new Location("x", true, 0, at(src, 3, "x")), new Location("y", true, 0, at(src, 3, "y)"))),
                p.locations());
        assertEquals(List.of(
                new Store("x", 1, RELAXED, at(src, 4, "atomic")),
                new Store("y", 1, RELEASE, at(src, 5, "atomic"))), p.threads().get(0).statements());
        assertEquals(List.of(
                new Load("r0", "y", ACQUIRE, at(src, 8, "int")),
                new Load("r1", "x", RELAXED, at(src, 9, "int"))), p.threads().get(1).statements());
        assertEquals(List.of("r0", "r1"), p.threads().get(1).registers());
        assertEquals(List.of(R0_OF_P1, new Register(1, "r1")), p.outcomeShape());
    }

    @Test
    void storeBufferingWithFencesUnderNotExists() {
        String src = """
                C SB+fences
                { x = 0; y = 0; }
                P0 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(x, 1, memory_order_relaxed);
                  atomic_thread_fence(memory_order_seq_cst);
                  int r0 = atomic_load_explicit(y, memory_order_relaxed);
                }
                P1 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(y, 1, memory_order_relaxed);
                  atomic_thread_fence(memory_order_seq_cst);
                  int r1 = atomic_load_explicit(x, memory_order_relaxed);
                }
                ~exists (0:r0=0 /\\ 1:r1=0)
                """;
        LitmusProgram p = parse(src);
        assertEquals(List.of(
                new Store("x", 1, RELAXED, at(src, 4, "atomic")),
                new Fence(SEQ_CST, at(src, 5, "atomic")),
                new Load("r0", "y", RELAXED, at(src, 6, "int"))), p.threads().get(0).statements());
        assertEquals(List.of(
                new Store("y", 1, RELAXED, at(src, 9, "atomic")),
                new Fence(SEQ_CST, at(src, 10, "atomic")),
                new Load("r1", "x", RELAXED, at(src, 11, "int"))), p.threads().get(1).statements());
        assertEquals(NOT_EXISTS, p.condition().quantifier());
        assertEquals(at(src, 13, "~"), p.condition().at());
        assertEquals(List.of(R0_OF_P0, new Register(1, "r1")), p.outcomeShape());
    }

    @Test
    void compareExchangeKeepsItsExpectedValueInAnIntLocation() {
        String src = """
                C CAS+expected
                "a failed compare-exchange copies x into e"
                { x = 0; e = 0; }
                P0 (atomic_int* x, int* e) {
                  int r0 = atomic_compare_exchange_strong_explicit(x, e, 2, memory_order_acq_rel, memory_order_acquire);
                  atomic_compare_exchange_strong(x, e, 3);
                }
                P1 (atomic_int* x) {
                  atomic_store_explicit(x, 1, memory_order_release);
                }
                exists (0:r0=0 /\\ e=1 /\\ x=3)
                """;
        LitmusProgram p = parse(src);
        assertEquals(List.of(new Location("x", true, 0, at(src, 3, "x")), new Location("e", false, 0, at(src, 3, "e"))),
                p.locations());
        assertEquals(List.of(
                new CompareExchange("r0", "x", "e", 2, ACQ_REL, ACQUIRE, at(src, 5, "int")),
                new CompareExchange(null, "x", "e", 3, SEQ_CST, SEQ_CST, at(src, 6, "atomic"))),
                p.threads().get(0).statements());
        assertEquals(List.of("x"), p.threads().get(1).parameters());
        assertEquals(new And(new And(
                        new Equals(R0_OF_P0, 0, at(src, 11, "0:")),
                        new Equals(new Memory("e"), 1, at(src, 11, "e="))),
                        new Equals(new Memory("x"), 3, at(src, 11, "x="))),
                p.condition().proposition());
        assertEquals(List.of(R0_OF_P0, new Memory("e"), new Memory("x")), p.outcomeShape());
    }

    @Test
    void readModifyWriteChainsAndDeclaredRegisters() {
        String src = """
                C RMW+chains
                { c = 10; }
                P0 (atomic_int* c) {
                  int r0 = atomic_fetch_add_explicit(c, 2, memory_order_relaxed);
                  atomic_fetch_add(c, 0x10);
                  int r1;
                  r1 = atomic_fetch_sub_explicit(c, 3, memory_order_acq_rel);
                  atomic_fetch_sub(c, -1);
                  int r2 = atomic_exchange_explicit(c, -7, memory_order_release);
                  atomic_exchange(c, 5);
                  atomic_thread_fence(memory_order_relaxed);
                }
                P1 (atomic_int* c) {
                  atomic_thread_fence(memory_order_acq_rel);
                  int r0 = atomic_fetch_add_explicit(c, 1, memory_order_seq_cst);
                }
                forall (c=5)
                """;
        LitmusProgram p = parse(src);
        assertEquals(List.of(new Location("c", true, 10, at(src, 2, "c"))), p.locations());
        ThreadCode p0 = p.threads().get(0);
        assertEquals(List.of(
                new FetchAdd("r0", "c", 2, RELAXED, at(src, 4, "int")),
                new FetchAdd(null, "c", 16, SEQ_CST, at(src, 5, "atomic")),
                new FetchAdd("r1", "c", -3, ACQ_REL, at(src, 7, "r1")),
                new FetchAdd(null, "c", 1, SEQ_CST, at(src, 8, "atomic")),
                new Exchange("r2", "c", -7, RELEASE, at(src, 9, "int")),
                new Exchange(null, "c", 5, SEQ_CST, at(src, 10, "atomic")),
                new Fence(RELAXED, at(src, 11, "atomic"))), p0.statements());
        assertEquals(List.of("r0", "r1", "r2"), p0.registers());
        assertEquals(List.of(
                new Fence(ACQ_REL, at(src, 14, "atomic")),
                new FetchAdd("r0", "c", 1, SEQ_CST, at(src, 15, "int"))), p.threads().get(1).statements());
        assertEquals(new Condition(FORALL, new Equals(new Memory("c"), 5, at(src, 17, "c")), at(src, 17, "forall")),
                p.condition());
    }

    @Test
    void aDeclaredRegisterMayBeAssignedAgainAndKeepsItsLastValue() {
        String src = """
                C Reassign
                {}
                P0 (atomic_int* x, int* d) {
                  int r0;
                  r0 = atomic_load(x);
                  r0 = *d;
                }
                exists (0:r0=1)
                """;
        ThreadCode p0 = parse(src).threads().get(0);
        assertEquals(List.of(
                new Load("r0", "x", SEQ_CST, at(src, 5, "r0")),
                new Load("r0", "d", PLAIN, at(src, 6, "r0"))), p0.statements());
        assertEquals(List.of("r0"), p0.registers());
    }

    @Test
    void nonAtomicDataPublishedThroughAnAtomicFlag() {
        String src = """
                C MP+na+rel+acq
                { d = 0; f = 0; }
                P0 (int* d, atomic_int* f) {
                  *d = 42;
                  atomic_store_explicit(f, 1, memory_order_release);
                }
                P1 (int *d, atomic_int* f) {
                  int r0 = atomic_load_explicit(f, memory_order_acquire);
                  int r1 = *d;
                }
                exists (1:r0=1 /\\ 1:r1=0)
                """;
        LitmusProgram p = parse(src);
        assertEquals(List.of(new Location("d", false, 0, at(src, 2, "d")), new Location("f", true, 0, at(src, 2, "f"))),
                p.locations());
        assertEquals(List.of(
                new Store("d", 42, PLAIN, at(src, 4, "*")),
                new Store("f", 1, RELEASE, at(src, 5, "atomic"))), p.threads().get(0).statements());
        assertEquals(List.of(
                new Load("r0", "f", ACQUIRE, at(src, 8, "int")),
                new Load("r1", "d", PLAIN, at(src, 9, "int"))), p.threads().get(1).statements());
    }

    @Test
    void initialStateTakesBracketsTypesAndNegativeValues() {
        String src = """
                C Init
                { [x] = 1; int y = -3; atomic_int z = 0x10; _Atomic int w = -2147483648 }
                P0 (atomic_int* x, int* y, atomic_int* v) {
                  int r0 = atomic_load_explicit(v, memory_order_relaxed);
                }
                exists (z=16 /\\ [w]=-2147483648 /\\ v=0)
                """;
        LitmusProgram p = parse(src);
        assertEquals(List.of(
                new Location("x", true, 1, at(src, 2, "x")),
                new Location("y", false, -3, at(src, 2, "y")),
                new Location("z", false, 16, at(src, 2, "z")),
                new Location("w", false, Integer.MIN_VALUE, at(src, 2, "w")),
                new Location("v", true, 0, at(src, 3, "v)"))), p.locations());
        assertEquals(List.of(new Memory("z"), new Memory("w"), new Memory("v")), p.outcomeShape());
        assertEquals(new Equals(new Memory("w"), Integer.MIN_VALUE, at(src, 6, "[w]")),
                ((And) ((And) p.condition().proposition()).left()).right());
    }

    @Test
    void commentsOfAllThreeKindsAreSkipped() {
        String src = """
                (* SB, commented (* nested *) in every way herd allows *)
                C SB+comments // the name
                "comments anywhere"
                /* before
                   the initial state */
                { x = 0; (* x *) y = 0; }
                P0 (atomic_int* x, /* the flag */ atomic_int* y) {
                  atomic_store_explicit(x, 1, memory_order_relaxed); // store
                  /* a comment on
                     two lines */ int r0 = atomic_load_explicit(y, memory_order_relaxed);
                }
                (* between threads *)
                P1 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(y, 1, memory_order_relaxed);
                  int r0 = atomic_load_explicit(x /* x */, memory_order_relaxed);
                }
                exists (* either *) (0:r0=0 /\\ 1:r0=0) // the end""";
        LitmusProgram p = parse(src);
        assertEquals("SB+comments", p.name());
        assertEquals("comments anywhere", p.description());
        assertEquals(List.of("x", "y"), p.locations().stream().map(Location::name).toList());
        assertEquals(List.of(
                new Store("x", 1, RELAXED, at(src, 8, "atomic")),
                new Load("r0", "y", RELAXED, at(src, 10, "int"))), p.threads().get(0).statements());
        assertEquals(new Load("r0", "x", RELAXED, at(src, 15, "int")), p.threads().get(1).statements().get(1));
        assertEquals(List.of(R0_OF_P0, R0_OF_P1), p.outcomeShape());
    }

    private static final String TWO_THREADS = """
            C Cond
            { x = 0; y = 0; }
            P0 (atomic_int* x) { int r0 = atomic_load_explicit(x, memory_order_relaxed); }
            P1 (atomic_int* y) { int r0 = atomic_load_explicit(y, memory_order_relaxed); }
            """;

    private static Condition condition(String line) {
        return parse(TWO_THREADS + line + "\n").condition();
    }

    /** A proposition fully parenthesised, so a test states the grouping it expects. */
    private static String grouped(Proposition p) {
        return switch (p) {
            case Equals e -> e.observable().label() + "=" + e.value();
            case Proposition.Not n -> "~" + grouped(n.operand());
            case And a -> "(" + grouped(a.left()) + " & " + grouped(a.right()) + ")";
            case Proposition.Or o -> "(" + grouped(o.left()) + " | " + grouped(o.right()) + ")";
            case Proposition.Truth t -> String.valueOf(t.value());
        };
    }

    @Test
    void andBindsTighterThanOrAndNotTighterThanBoth() {
        assertEquals("(0:r0=1 | (1:r0=0 & x=1))", grouped(condition("exists (0:r0=1 \\/ 1:r0=0 /\\ x=1)").proposition()));
        assertEquals("((0:r0=1 & 1:r0=0) | x=1)", grouped(condition("exists (0:r0=1 /\\ 1:r0=0 \\/ x=1)").proposition()));
        assertEquals("(~0:r0=1 & x=1)", grouped(condition("exists (~0:r0=1 /\\ x=1)").proposition()));
        assertEquals("((0:r0=1 & x=1) & y=-2)", grouped(condition("exists (0:r0=1 /\\ x=1 /\\ y=-2)").proposition()));
        assertEquals("((0:r0=1 | x=1) | y=2)", grouped(condition("forall (0:r0=1 \\/ x=1 \\/ y=2)").proposition()));
    }

    @Test
    void negatedGroupsNestAndTruthIsAnAtom() {
        Condition c = condition("~exists (~(0:r0=1 \\/ [y]=-1) /\\ (true \\/ ~~false))");
        assertEquals(NOT_EXISTS, c.quantifier());
        assertEquals("(~(0:r0=1 | y=-1) & (true | ~~false))", grouped(c.proposition()));
        assertEquals(List.of(R0_OF_P0, new Memory("y")), c.observables());
    }

    @Test
    void existsNeedsNoParenthesesAroundTheWholeProposition() {
        Condition c = condition("exists 0:r0=0 /\\ (1:r0=0)");
        assertEquals(EXISTS, c.quantifier());
        assertEquals("(0:r0=0 & 1:r0=0)", grouped(c.proposition()));
        assertEquals("false", grouped(condition("forall false").proposition()));
    }

    @Test
    void locationsClauseAddsObservablesAfterTheCondition() {
        LitmusProgram p = parse(TWO_THREADS + "locations [x; 1:r0; [y]; 0:r0;]\nexists (0:r0=0 /\\ y=1)\n");
        List<Observable> observed = List.of(new Memory("x"), R0_OF_P1, new Memory("y"), R0_OF_P0);
        assertEquals(observed, p.observed());
        assertEquals(List.of(R0_OF_P0, new Memory("y"), new Memory("x"), R0_OF_P1), p.outcomeShape());
        assertEquals(List.of(new Memory("y")), parse(TWO_THREADS + "locations [y]\nexists (true)").observed());
    }

    @Test
    void headerInfoLinesThatDiyWritesAreSkipped() {
        LitmusProgram p = parse("""
                C LB+diy
                "PodRW Rfe PodRW Rfe"
                Cycle=Rfe PodRW Rfe PodRW
                Generator=diy7 (version 7.56)
                Prefetch=0:x=F,0:y=W
                {}
                P0 (atomic_int* x) { atomic_store_explicit(x, 1, memory_order_relaxed); }
                exists (x=1)
                """);
        assertEquals("PodRW Rfe PodRW Rfe", p.description());
        assertEquals(1, p.threads().size());
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        StringBuilder src = new StringBuilder("C Limits\n{ a=0; b=0; c=0; d=0; e=0; f=0; g=0; h=0; }\n");
        for (int t = 0; t < Limits.MAX_THREADS; t++) {
            src.append("P").append(t).append(" (atomic_int* a) {\n");
            for (int s = 0; s < Limits.MAX_STATEMENTS; s++) {
                src.append("  int r").append(s).append(" = atomic_load(a);\n");
            }
            src.append("}\n");
        }
        LitmusProgram p = parse(src + "exists (3:r11=0 /\\ h=0)\n");
        assertEquals(Limits.MAX_LOCATIONS, p.locations().size());
        assertEquals(Limits.MAX_THREADS, p.threads().size());
        assertEquals(Limits.MAX_STATEMENTS, p.threads().get(3).statements().size());
    }

    /** The example that opens the format's documentation is a file the parser takes. */
    @Test
    void theExampleInTheDocsParses() throws IOException {
        String doc = Files.readString(Path.of("docs", "LITMUS.md"));
        String section = doc.substring(doc.indexOf("## Litmus files: the format"));
        int start = section.indexOf("```\n") + 4;
        LitmusProgram p = parse(section.substring(start, section.indexOf("```", start)));
        assertEquals("MP+na+rel+acq", p.name());
        assertEquals(List.of("d", "f"), p.locations().stream().map(Location::name).toList());
        assertEquals(List.of(R0_OF_P1, new Register(1, "r1")), p.outcomeShape());
    }

    @Test
    void aFileOnDiskIsReadAndNamedAsItsSource(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("SB.litmus");
        Files.writeString(file, """
                C SB
                { }
                P0 (atomic_int* x, atomic_int* y) { atomic_store(x, 1); int r0 = atomic_load(y); }
                P1 (atomic_int* x, atomic_int* y) { atomic_store(y, 1); int r0 = atomic_load(x); }
                exists (0:r0=0 /\\ 1:r0=0)
                """);
        LitmusProgram p = LitmusParser.parse(file);
        assertEquals(file, p.source());
        assertEquals(2, p.threads().size());
        Files.writeString(file, "C SB\n{ }\n");
        LitmusFileException e = org.junit.jupiter.api.Assertions.assertThrows(LitmusFileException.class,
                () -> LitmusParser.parse(file));
        assertEquals(file + ":3:1: " + e.reason(), e.getMessage());
    }
}
