package testbed.scopes;

import org.junit.jupiter.api.Test;
import testbed.harness.CaseMethods;
import testbed.Mode;
import testbed.harness.CaseSpec;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The case table on its own, without a peer: names, methods, trial counts, and what catches each broken variant. */
class ScopeCasesTest {
    /** The files that hold the cases' methods, one per topic. */
    private static final List<Class<?>> TOPICS = List.of(Joiners.class, NestedScopes.class, ContextAcrossForks.class, Interrupts.class,
            Faults.class, PlantedLeaks.class);

    /**
     * Each broken variant's problem as a run reports it (the message after "caught: "), taken
     * from a quick run on x86_64: every variant's expectation must accept its own and no other's.
     */
    private static final Map<String, String> PLANTED = new LinkedHashMap<>();

    static {
        PLANTED.put("go_handler_leaks_goroutine", "leak: 1 goroutine(s) of scope go_handler_leaks_goroutine-a0207038-0 still running 1000 ms after close(); "
                + "the Go peer's process grew: 1 goroutine(s) more than before the scope opened (12, were 11) 1000 ms after close(); failed at trial 1 of 1");
        PLANTED.put("go_handler_leaks_unlabelled_goroutine", "the Go peer's process grew: 1 goroutine(s) more than before the scope opened (12, were 11) "
                + "1000 ms after close(); failed at trial 1 of 1");
        PLANTED.put("java_subtask_leaks_thread", "leak: 1 Java thread(s) outlived the scope: #162 'scopes-stray-java_subtask_leaks_thread-a0207038-0' in <root>; "
                + "failed at trial 1 of 1");
        PLANTED.put("java_subtask_leaks_executor", "leak: 1 Java thread(s) outlived the scope: #202 'scopes-leaked-pool-java_subtask_leaks_executor-a0207038-0' "
                + "in java.util.concurrent.ThreadPoolExecutor@46062078; failed at trial 1 of 1");
        PLANTED.put("c_subtask_leaves_workers", "leak: 1 native worker(s) alive 1000 ms after close(); 1 native worker(s) still running when close() returned: "
                + "a subtask or a goroutine returned without ending the workers it started; failed at trial 1 of 1");
        PLANTED.put("go_goroutine_leaves_native_worker", "leak: 1 native worker(s) alive 1000 ms after close() (1 in the Go peer, started by a goroutine); "
                + "1 native worker(s) still running when close() returned (1 in the Go peer): a subtask or a goroutine returned without ending the workers "
                + "it started; failed at trial 1 of 1");
        PLANTED.put("go_handler_ignores_notice", "Go handler of call deaf returned 204363.3 us after close() returned; failed at trial 1 of 1");
        PLANTED.put("blocking_v2_interrupt_alone_leaks", "leak: 1 Go handler(s) of the scope never returned after close(): 5 goroutine(s) of scope "
                + "blocking_v2_interrupt_alone_leaks-a0207038-0 still running 1000 ms after it; the Go peer's process grew: 5 goroutine(s) more than "
                + "before the scope opened (16, were 11) 1000 ms after close(); failed at trial 1 of 1");
    }

    @Test
    void everyCaseIsOneMethodNamedAfterIt() {
        List<String> names = new ArrayList<>();
        for (ScopesSuite.ScopeCase c : ScopesSuite.CASES) {
            String name = c.spec().name();
            names.add(name);
            List<Method> found = new ArrayList<>();
            for (Class<?> topic : TOPICS) {
                for (Method m : topic.getDeclaredMethods()) {
                    if (m.getName().equals(CaseMethods.methodName(name)) && Modifier.isStatic(m.getModifiers())) found.add(m);
                }
            }
            assertEquals(1, found.size(), name + ": one method " + CaseMethods.methodName(name) + " in " + TOPICS + ", found " + found);
        }
        assertEquals(names.stream().distinct().toList(), names, "case names are unique");
        assertEquals(25, names.size(), names.toString());
    }

    @Test
    void trialCountsAreThoseTheSuiteAlwaysRan() {
        List<String> once = List.of("context_lost_across_forks", "peer_dies", "unknown_scope_id", "stream_reset");
        for (ScopesSuite.ScopeCase c : ScopesSuite.CASES) {
            CaseSpec s = c.spec();
            boolean single = s.broken() || once.contains(s.name());
            assertEquals(1, s.trialsIn(Mode.QUICK), s.name());
            assertEquals(single ? 1 : 3, s.trialsIn(Mode.DEFAULT), s.name());
            assertEquals(single ? 1 : 30, s.trialsIn(Mode.TOUGH), s.name());
        }
    }

    @Test
    void eachBrokenVariantIsCaughtByItsOwnLeftoverAndNoOther() {
        List<String> broken = ScopesSuite.CASES.stream().map(ScopesSuite.ScopeCase::spec).filter(CaseSpec::broken).map(CaseSpec::name).toList();
        assertEquals(List.copyOf(PLANTED.keySet()), broken, "every broken variant, in table order");
        for (ScopesSuite.ScopeCase c : ScopesSuite.CASES) {
            if (!c.spec().broken()) continue;
            PLANTED.forEach((variant, problem) -> assertEquals(variant.equals(c.spec().name()), c.spec().expectation().caught(problem),
                    c.spec().name() + " (" + c.spec().expectation() + ") on the problem of " + variant + ": " + problem));
        }
    }

    /** A worse fault than the planted one is not a catch: a handler that never returned, where the variant plants one returning late. */
    @Test
    void aWorseLeakIsNotTheOnePlanted() {
        CaseSpec deaf = ScopesSuite.CASES.stream().map(ScopesSuite.ScopeCase::spec).filter(s -> s.name().equals("go_handler_ignores_notice")).findFirst().orElseThrow();
        assertFalse(deaf.expectation().caught("leak: the Go handler of call deaf never returned after close(): 3 goroutine(s) of scope x still running 1000 ms after it"));
        CaseSpec leaky = ScopesSuite.CASES.stream().map(ScopesSuite.ScopeCase::spec).filter(s -> s.name().equals("go_handler_leaks_goroutine")).findFirst().orElseThrow();
        assertFalse(leaky.expectation().caught("leak: 3 goroutine(s) of scope x still running 1000 ms after close(); Go call leaky: 1 of 2 goroutines stopped"),
                "goroutines left by the errgroup itself are not the stray one");
        assertTrue(leaky.expectation().caught("leak: 1 goroutine(s) of scope x still running 1000 ms after close()"));
    }
}
