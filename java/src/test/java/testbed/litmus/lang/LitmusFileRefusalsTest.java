package testbed.litmus.lang;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static testbed.litmus.lang.LitmusTexts.assertRefused;
import static testbed.litmus.lang.LitmusTexts.parse;
import static testbed.litmus.lang.LitmusTexts.thread;

/**
 * Every way a file is refused: the line and column of the offending token, and the words
 * of the reason a person needs. {@link LitmusTexts#thread} puts a body's first line at
 * line 4 of its file, so a body-relative column is the file's column.
 */
@Timeout(10)
class LitmusFileRefusalsTest {

    // The file and its header.

    @Test
    void anEmptyFileIsRefusedAtItsEnd() {
        assertRefused("", 1, 1, "empty file");
        assertRefused("(* only a comment *)\n", 2, 1, "empty file");
    }

    @Test
    void anotherDialectIsRefusedAtItsFirstWord() {
        assertRefused("AArch64 MP\n{}\n", 1, 1, "only herd's C dialect");
    }

    @Test
    void theNameMustFollowC() {
        assertRefused("C\n{}\n", 1, 2, "expected the test's name after C");
        assertRefused("C SB@2\n{}\n", 1, 5, "letters, digits and + - _ . only");
    }

    @Test
    void anUnterminatedStringIsRefusedWhereItStarts() {
        assertRefused("C SB\n  \"never closed\n{}\n", 2, 3, "unterminated string");
    }

    @Test
    void anUnterminatedCommentIsRefusedWhereItStarts() {
        assertRefused("C SB\n(* open (* nested *)\n{}\n", 2, 1, "unterminated comment: the (* here has no closing *)");
        assertRefused(thread("atomic_int* x", "  /* never closed\n"), 4, 3, "unterminated comment: the /* here");
    }

    // The initial state.

    @Test
    void initialisingARegisterIsNotSupported() {
        assertRefused("C T\n{ x = 0; 0:r0 = 1; }\n", 2, 10, "initialising a register (0:r0) is not supported");
    }

    @Test
    void aLocationInitialisedTwiceIsRefusedAtTheSecond() {
        assertRefused("C T\n{ x = 0; [x] = 1; }\n", 2, 11, "x is initialised twice: first at 2:3");
    }

    @Test
    void anInitialStateTypeOutsideIntIsRefused() {
        assertRefused("C T\n{ volatile int x = 0; }\n", 2, 3, "type volatile is not supported");
    }

    @Test
    void anInitialValueMustBeAnInteger() {
        assertRefused("C T\n{ x = y; }\n", 2, 7, "expected an integer initial value for x, found 'y'");
    }

    @Test
    void aLiteralBeyondACIntIsRefused() {
        assertRefused("C T\n{ x = 2147483648; }\n", 2, 7, "does not fit in a C int");
        assertRefused(thread("atomic_int* x", "atomic_store(x, 2W);\n"), 4, 17, "malformed number '2W'");
    }

    // Threads and their parameters.

    @Test
    void aFileWithoutThreadsIsRefusedAtItsEnd() {
        assertRefused("C T\n{ x = 0; }\n", 3, 1, "expected thread P0 after the initial state, found the end of the file");
    }

    @Test
    void threadsMustBeNumberedInOrderFromZero() {
        assertRefused("""
                C T
                {}
                P0 (atomic_int* x) { atomic_store(x, 1); }
                P2 (atomic_int* x) { atomic_store(x, 2); }
                exists (x=1)
                """, 4, 1, "thread P2 is out of order: expected P1");
        assertRefused("C T\n{}\nP1 (atomic_int* x) { atomic_store(x, 1); }\n", 3, 1, "expected P0");
    }

    @Test
    void aFifthThreadIsRefused() {
        StringBuilder src = new StringBuilder("C T\n{}\n");
        for (int t = 0; t <= Limits.MAX_THREADS; t++) src.append("P").append(t).append(" (atomic_int* x) { atomic_store(x, 1); }\n");
        assertRefused(src + "exists (x=1)\n", 7, 1, "too many threads: a test has at most 4 (P0..P3)");
    }

    @Test
    void parameterTypesOtherThanAtomicIntAndIntAreRefused() {
        assertRefused(thread("atomic_int* x, volatile int* y", ""), 3, 20, "parameter type volatile is not supported");
        assertRefused(thread("atomic_long* x", ""), 3, 5, "parameter type atomic_long is not supported");
        assertRefused(thread("spinlock_t* s", ""), 3, 5, "a parameter is atomic_int* (an atomic location) or int*");
    }

    @Test
    void aParameterMustBeAPointer() {
        assertRefused(thread("atomic_int x", ""), 3, 16, "expected * after atomic_int");
    }

    @Test
    void aParameterNamedTwiceIsRefused() {
        assertRefused(thread("atomic_int* x, int* x", ""), 3, 25, "P0 names parameter x twice");
    }

    @Test
    void threadsMustAgreeWhetherALocationIsAtomic() {
        assertRefused("""
                C T
                {}
                P0 (atomic_int* x) { atomic_store(x, 1); }
                P1 (int* x) { *x = 2; }
                exists (x=1)
                """, 4, 10, "x is int* in P1 but atomic_int* in P0 (3:17)");
    }

    @Test
    void aThirteenthStatementIsRefused() {
        assertRefused(thread("atomic_int* x", "atomic_store(x, 1);\n".repeat(Limits.MAX_STATEMENTS + 1)),
                4 + Limits.MAX_STATEMENTS, 1, "too many statements in P0: a thread has at most 12");
    }

    @Test
    void aNinthLocationIsRefused() {
        assertRefused("C T\n{ a=0; b=0; c=0; d=0; e=0; f=0; g=0; h=0; i=0; }\n", 2, 43,
                "too many locations: i would be location 9, and a test has at most 8");
    }

    @Test
    void aMissingClosingBraceIsRefusedAtTheEnd() {
        assertRefused("C T\n{}\nP0 (atomic_int* x) {\n  atomic_store(x, 1);\n", 5, 1,
                "missing } closing the body of P0 opened at 3:20");
    }

    // Statements: syntax, names and registers.

    @Test
    void aMissingSemicolonIsRefusedAtTheNextToken() {
        assertRefused(thread("atomic_int* x", """
                atomic_store_explicit(x, 1, memory_order_relaxed)
                int r0 = atomic_load(x);
                """), 5, 1, "expected ; at the end of the statement, found 'int'");
    }

    @Test
    void aLocationMustBeAParameterOfItsThread() {
        assertRefused("""
                C T
                { x = 0; y = 0; }
                P0 (atomic_int* x) { int r0 = atomic_load(y); }
                exists (x=1)
                """, 3, 43, "y is not a parameter of P0");
    }

    @Test
    void aThreadMayNotDeclareARegisterTwice() {
        assertRefused(thread("atomic_int* x", """
                int r0 = atomic_load(x);
                int r0 = atomic_load(x);
                """), 5, 5, "P0 declares register r0 twice: first at 4:5");
    }

    @Test
    void assigningAnUndeclaredRegisterIsRefused() {
        assertRefused(thread("atomic_int* x", "r0 = atomic_load(x);\n"), 4, 1, "register r0 is not declared in P0");
    }

    @Test
    void aRegisterMayNotTakeAParametersName() {
        assertRefused(thread("atomic_int* x", "int x = atomic_load(x);\n"), 4, 5, "x is a parameter of P0");
    }

    @Test
    void aRegisterIsSetOnlyByALoad() {
        assertRefused(thread("atomic_int* x", "int r0 = 1;\n"), 4, 10, "setting a register to a constant is not supported");
    }

    @Test
    void aStoreHasNoValueToKeep() {
        assertRefused(thread("atomic_int* x", "int r0 = atomic_store(x, 1);\n"), 4, 10, "atomic_store returns no value");
    }

    @Test
    void aLoadWhoseValueIsDroppedIsRefused() {
        assertRefused(thread("atomic_int* x", "atomic_load_explicit(x, memory_order_acquire);\n"), 4, 1,
                "the value of atomic_load_explicit is dropped");
    }

    @Test
    void theNumberOfArgumentsIsChecked() {
        assertRefused(thread("atomic_int* x", "int r0 = atomic_load_explicit(x);\n"), 4, 32,
                "too few arguments: expected atomic_load_explicit(x, order)");
        assertRefused(thread("atomic_int* x", "atomic_store(x, 1, memory_order_relaxed);\n"), 4, 18,
                "too many arguments: expected atomic_store(x, value)");
    }

    // Memory orders.

    @Test
    void aMemoryOrderThatDoesNotExistIsRefusedNamingTheValidOnes() {
        assertRefused(thread("atomic_int* x", "atomic_store_explicit(x, 1, memory_order_foo);\n"), 4, 29,
                "unknown memory order memory_order_foo: expected one of memory_order_relaxed, memory_order_acquire,"
                        + " memory_order_release, memory_order_acq_rel, memory_order_seq_cst");
    }

    @Test
    void consumeIsRefusedInFavourOfAcquire() {
        assertRefused(thread("atomic_int* x", "int r0 = atomic_load_explicit(x, memory_order_consume);\n"), 4, 34,
                "compilers implement consume as acquire; write memory_order_acquire");
    }

    @Test
    void aLoadCannotRelease() {
        assertRefused(thread("atomic_int* x", "int r0 = atomic_load_explicit(x, memory_order_release);\n"), 4, 34,
                "a load cannot be memory_order_release");
        assertRefused(thread("atomic_int* x", "int r0 = atomic_load_explicit(x, memory_order_acq_rel);\n"), 4, 34,
                "a load cannot be memory_order_acq_rel");
    }

    @Test
    void aStoreCannotAcquire() {
        assertRefused(thread("atomic_int* x", "atomic_store_explicit(x, 1, memory_order_acquire);\n"), 4, 29,
                "a store cannot be memory_order_acquire");
        assertRefused(thread("atomic_int* x", "atomic_store_explicit(x, 1, memory_order_acq_rel);\n"), 4, 29,
                "a store cannot be memory_order_acq_rel");
    }

    @Test
    void aCompareExchangeFailureOrderIsALoadNoStrongerThanSuccess() {
        String call = "int r0 = atomic_compare_exchange_strong_explicit(x, e, 1, ";
        assertRefused(thread("atomic_int* x, int* e", call + "memory_order_acq_rel, memory_order_release);\n"), 4, 81,
                "failure order cannot be memory_order_release");
        assertRefused(thread("atomic_int* x, int* e", call + "memory_order_release, memory_order_acquire);\n"), 4, 81,
                "the failure order memory_order_acquire is stronger than the success order memory_order_release");
        assertRefused(thread("atomic_int* x, int* e", call + "memory_order_acquire, memory_order_seq_cst);\n"), 4, 81,
                "the failure order memory_order_seq_cst is stronger");
    }

    // Compare-exchange.

    @Test
    void aWeakCompareExchangeIsRefused() {
        assertRefused(thread("atomic_int* x, int* e", "int r0 = atomic_compare_exchange_weak_explicit(x, e, 1,"
                        + " memory_order_relaxed, memory_order_relaxed);\n"), 4, 10, "may fail spuriously, which is not modelled");
        assertRefused(thread("atomic_int* x, int* e", "atomic_compare_exchange_weak(x, e, 1);\n"), 4, 1,
                "atomic_compare_exchange_weak is not supported");
    }

    @Test
    void theExpectedValueIsPassedAsTheIntParameterNotItsAddress() {
        assertRefused(thread("atomic_int* x, int* e", "atomic_compare_exchange_strong(x, &e, 1);\n"), 4, 35,
                "pass the int* parameter that holds the expected value itself");
    }

    @Test
    void theExpectedValueLivesInANonAtomicLocation() {
        assertRefused(thread("atomic_int* x, atomic_int* e", "atomic_compare_exchange_strong(x, e, 1);\n"), 4, 35,
                "the expected value of a compare-exchange lives in an int* location, but e is atomic_int* in P0");
    }

    // Atomic and non-atomic accesses.

    @Test
    void starOnAnAtomicLocationIsRefused() {
        assertRefused(thread("atomic_int* x", "*x = 1;\n"), 4, 1, "C makes it a seq_cst access but herd reads it as non-atomic");
        assertRefused(thread("atomic_int* x", "int r0 = *x;\n"), 4, 10, "*x on the atomic location x is not supported");
    }

    @Test
    void atomicFunctionsNeedAnAtomicLocation() {
        assertRefused(thread("int* d", "atomic_store_explicit(d, 1, memory_order_release);\n"), 4, 23,
                "atomic_store_explicit needs an atomic_int* location, but d is int* in P0");
    }

    // Dependencies and expressions.

    @Test
    void storingARegisterIsADataDependency() {
        assertRefused(thread("atomic_int* x, atomic_int* y", """
                int r0 = atomic_load_explicit(x, memory_order_relaxed);
                atomic_store_explicit(y, r0, memory_order_relaxed);
                """), 5, 26, "a data dependency (storing a register) is not supported");
        assertRefused(thread("atomic_int* x, int* d", """
                int r0 = atomic_load(x);
                *d = r0 + 1;
                """), 5, 6, "a data dependency (storing a register) is not supported");
    }

    @Test
    void aValueIsALiteralNotAnExpression() {
        assertRefused(thread("int* d", "*d = 1 + 1;\n"), 4, 8, "an expression is not supported as a value");
        assertRefused(thread("atomic_int* x, atomic_int* y", "atomic_store(x, y);\n"), 4, 17, "storing a pointer (y)");
    }

    @Test
    void aRegisterUsedAsAPointerIsAnAddressDependency() {
        assertRefused(thread("int* d", """
                int r0 = *d;
                int r1 = *r0;
                """), 5, 11, "r0 is a register, not a location: an address dependency");
    }

    @Test
    void takingAnAddressIsRefused() {
        assertRefused(thread("atomic_int* x", "int r0 = atomic_load_explicit(&x, memory_order_relaxed);\n"), 4, 31,
                "taking an address (&) is not supported");
    }

    @Test
    void pointerArithmeticIsRefused() {
        assertRefused(thread("atomic_int* x", "int r0 = atomic_load(x + 1);\n"), 4, 24, "pointer arithmetic is not supported");
        assertRefused(thread("int* d", "*(d + 1) = 1;\n"), 4, 2, "pointer arithmetic is not supported");
    }

    @Test
    void anOcamlCommentOpenerInCodeIsCNotAComment() {
        assertRefused(thread("int* d", "int r0 = (*d);\n"), 4, 10, "expected a load after =");
    }

    // Control flow and other C.

    @Test
    void ifIsRefused() {
        assertRefused(thread("atomic_int* x", """
                int r0 = atomic_load(x);
                if (r0 == 1) { atomic_store(x, 2); }
                """), 5, 1, "'if' is not supported: a thread is a straight line of accesses, without control flow");
    }

    @Test
    void loopsAreRefused() {
        assertRefused(thread("atomic_int* x", "while (atomic_load(x) == 0) ;\n"), 4, 1, "'while' is not supported");
        assertRefused(thread("atomic_int* x", "  for (;;) { }\n"), 4, 3, "'for' is not supported");
        assertRefused(thread("atomic_int* x", "do { } while (1);\n"), 4, 1, "'do' is not supported");
    }

    @Test
    void jumpsAndLabelsAreRefused() {
        assertRefused(thread("atomic_int* x", "goto out;\n"), 4, 1, "'goto' is not supported");
        assertRefused(thread("atomic_int* x", "return;\n"), 4, 1, "'return' is not supported");
        assertRefused(thread("atomic_int* x", "out: atomic_store(x, 1);\n"), 4, 1, "labels are not supported (out:)");
    }

    @Test
    void aBlockInsideAThreadIsRefused() {
        assertRefused(thread("atomic_int* x", "{ atomic_store(x, 1); }\n"), 4, 1, "a block { ... } inside a thread is not supported");
    }

    @Test
    void theLinuxKernelDialectIsRefused() {
        assertRefused(thread("int* x", "WRITE_ONCE(*x, 1);\n"), 4, 1, "WRITE_ONCE is the Linux-kernel dialect");
        assertRefused(thread("int* x", "smp_mb();\n"), 4, 1, "smp_mb is the Linux-kernel dialect");
    }

    @Test
    void otherFunctionCallsAreRefused() {
        assertRefused(thread("atomic_int* x", "atomic_fetch_or_explicit(x, 1, memory_order_relaxed);\n"), 4, 1,
                "a call to atomic_fetch_or_explicit is not supported");
    }

    @Test
    void localsOfOtherTypesAreRefused() {
        assertRefused(thread("atomic_int* x", "long r0 = atomic_load(x);\n"), 4, 1, "declaring a local of type long");
    }

    // The condition and what follows it.

    @Test
    void aFileWithoutAConditionIsRefusedAtItsEnd() {
        assertRefused("C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\n", 4, 1, "missing final condition");
    }

    @Test
    void aConditionRegisterMustBeWrittenByItsThread() {
        String threads = "C T\n{}\nP0 (atomic_int* x) { int r5; int r0 = atomic_load(x); }\n";
        assertRefused(threads + "exists (0:r0=0 /\\ 0:r5=0)\n", 4, 19, "0:r5 is not written by P0");
        assertRefused(threads + "exists (2:r0=0)\n", 4, 9, "thread 2 does not exist: the test has P0..P0");
    }

    @Test
    void aConditionLocationMustBeDeclared() {
        String threads = "C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\n";
        assertRefused(threads + "exists (x=1 \\/ z=1)\n", 4, 16, "z is not a location of this test");
        assertRefused(threads + "locations [x; 0:r0;]\nexists (x=1)\n", 4, 15, "0:r0 is not written by P0");
    }

    @Test
    void filterClausesAreRefused() {
        assertRefused("C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\nfilter (x=1)\nexists (x=1)\n", 4, 1,
                "filter clauses are not supported");
    }

    @Test
    void anythingAfterTheConditionIsRefused() {
        assertRefused("C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\nexists (x=1)\nexists (x=0)\n", 5, 1,
                "unexpected 'exists' after the final condition");
        assertRefused("C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\nexists (x=1);\n", 4, 13,
                "unexpected ';' after the final condition");
    }

    @Test
    void anUnbalancedConditionIsRefused() {
        assertRefused("C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\nexists ((x=1)\n", 5, 1,
                "expected ) closing the ( at 4:8, found the end of the file");
    }

    @Test
    void aConditionNestedTooDeeplyIsRefusedRatherThanOverflowingTheStack() {
        String threads = "C T\n{}\nP0 (atomic_int* x) { atomic_store(x, 1); }\n";
        int tooDeep = ConditionParser.MAX_NESTING + 1;
        assertRefused(threads + "exists " + "(".repeat(100_000) + "x=1" + ")".repeat(100_000), 4, 7 + tooDeep, "nests");
        assertRefused(threads + "exists " + "~".repeat(100_000) + "x=1", 4, 7 + tooDeep, "nests");
    }

    @Test
    void keywordsNameNoLocation() {
        assertRefused("C T\n{ true = 1; }\n", 2, 3, "expected a location in the initial state");
        assertRefused(thread("atomic_int* int", ""), 3, 17, "expected a parameter name, found 'int'");
        assertRefused(thread("atomic_int* x", "int false = atomic_load(x);\n"), 4, 5, "expected a register name");
    }

    /**
     * Bad input of any shape ends in a refusal with a place inside the file, never in
     * another exception: every truncation of a good file, and every copy of it with one
     * character dropped or doubled.
     */
    @Test
    void everyMutilationOfAGoodFileIsAcceptedOrRefusedNeverAnythingElse() {
        String good = """
                (* all constructs *)
                C Mixed+all "every construct once"
                Variant=Quad
                { [x] = 1; int e = -2; atomic_int y = 0x3 }
                P0 (atomic_int* x, int* e, _Atomic int *y) {
                  int r0 = atomic_compare_exchange_strong_explicit(x, e, 2, memory_order_acq_rel, memory_order_acquire);
                  int r1; // declared
                  r1 = atomic_fetch_sub(y, 1);
                  *e = 5; /* plain */
                  atomic_thread_fence(memory_order_seq_cst);
                }
                P1 (atomic_int* x, atomic_int* y) {
                  atomic_store_explicit(y, 1, memory_order_release);
                  int r0 = atomic_exchange(x, -1);
                }
                locations [e; 1:r0;]
                ~exists (0:r0=1 /\\ ~(0:r1=3 \\/ [x]=2) /\\ true)
                """;
        parse(good);
        int lines = (int) good.lines().count();
        int refusals = 0;
        for (int i = 0; i <= good.length(); i++) {
            List<String> variants = i == good.length() ? List.of(good.substring(0, i)) : List.of(good.substring(0, i),
                    good.substring(0, i) + good.substring(i + 1), good.substring(0, i + 1) + good.substring(i));
            for (String variant : variants) {
                try {
                    parse(variant);
                } catch (LitmusFileException e) {
                    refusals++;
                    assertTrue(e.at().line() >= 1 && e.at().line() <= lines + 1 && e.at().column() >= 1, e.getMessage());
                }
            }
        }
        assertTrue(refusals > good.length(), "most mutilations should be refused: " + refusals);
    }
}
