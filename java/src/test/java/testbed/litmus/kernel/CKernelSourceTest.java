package testbed.litmus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan.CompareExchange;
import testbed.litmus.kernel.KernelPlan.Exchange;
import testbed.litmus.kernel.KernelPlan.FetchAdd;
import testbed.litmus.kernel.KernelPlan.Fence;
import testbed.litmus.kernel.KernelPlan.Load;
import testbed.litmus.kernel.KernelPlan.Step;
import testbed.litmus.kernel.KernelPlan.Store;

/**
 * The C generator: every statement in every mode C11 allows compiles with the system compiler,
 * every other mode is refused, and each access carries exactly its plan's order.
 */
class CKernelSourceTest {

    @RegisterExtension
    static final OwnKernelCache CACHE = new OwnKernelCache();

    static KernelPlan plan(int registers, Step... steps) {
        return new KernelPlan(ActorRuntime.C, List.of(steps), registers);
    }

    static final List<String> LOADS = List.of("plain", "relaxed", "acquire", "seq_cst");
    static final List<String> STORES = List.of("plain", "relaxed", "release", "seq_cst");
    static final List<String> ORDERS = CKernelSource.ORDERS;

    /** One plan per statement kind and mode C11 allows, results kept and dropped. */
    static List<KernelPlan> everyStatementInEveryMode() {
        List<KernelPlan> plans = new ArrayList<>();
        for (String m : LOADS) plans.add(plan(1, new Load(8, m, 0)));
        for (String m : STORES) plans.add(plan(0, new Store(0, 1, m)));
        for (String m : ORDERS) {
            plans.add(plan(1, new FetchAdd(0, 1, m, 0)));
            plans.add(plan(0, new FetchAdd(0, -1, m, -1)));
            plans.add(plan(1, new Exchange(0, 2, m, 0)));
            plans.add(plan(0, new Exchange(0, 2, m, -1)));
            plans.add(plan(0, new Fence(m)));
            for (String f : List.of("relaxed", "acquire", "seq_cst")) {
                if (f.equals("acquire") && !List.of("acquire", "acq_rel", "seq_cst").contains(m)) continue;
                if (f.equals("seq_cst") && !m.equals("seq_cst")) continue;
                plans.add(plan(1, new CompareExchange(0, 8, 1, m, f, 0)));
                plans.add(plan(0, new CompareExchange(0, 8, 1, m, f, -1)));
            }
        }
        // Registers written twice, left unwritten, values at the ends of int64.
        plans.add(plan(3, new Load(0, "relaxed", 0), new Load(0, "acquire", 0), new Store(8, Long.MIN_VALUE, "release"),
                new Store(16, Long.MAX_VALUE, "plain"), new Fence("seq_cst"), new Load(16, "plain", 2)));
        return plans;
    }

    @Test
    void everyStatementInEveryModeC11AllowsCompiles() throws KernelCompileException {
        List<KernelPlan> plans = everyStatementInEveryMode();
        CKernelLibrary lib = CKernelLibrary.compile(plans);
        for (KernelPlan p : plans) {
            MemorySegment k = lib.kernel(p);
            assertNotEquals(0, k.address(), p.toString());
        }
        System.out.println("[kernel] " + plans.size() + " C kernels, every statement and mode: " + lib);
    }

    @ParameterizedTest
    @CsvSource({"load, release", "load, acq_rel", "load, volatile", "store, acquire", "store, acq_rel", "store, opaque",
            "fadd, plain", "xchg, plain", "cas, plain", "fence, plain", "fadd, atomic"})
    void modesC11DoesNotHaveAreRefused(String kind, String mode) {
        Step s = switch (kind) {
            case "load" -> new Load(0, mode, 0);
            case "store" -> new Store(0, 1, mode);
            case "fadd" -> new FetchAdd(0, 1, mode, 0);
            case "xchg" -> new Exchange(0, 1, mode, 0);
            case "cas" -> new CompareExchange(0, 8, 1, mode, "relaxed", 0);
            default -> new Fence(mode);
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CKernelSource.of(List.of(plan(1, s))));
        assertTrue(e.getMessage().contains("'" + mode + "'"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"relaxed, acquire", "release, acquire", "acq_rel, seq_cst", "acquire, seq_cst", "seq_cst, release",
            "seq_cst, acq_rel", "relaxed, plain"})
    void compareExchangeFailureOrdersC11DoesNotHaveAreRefused(String success, String failure) {
        KernelPlan p = plan(1, new CompareExchange(0, 8, 1, success, failure, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CKernelSource.of(List.of(p)));
        assertTrue(e.getMessage().contains("failure order '" + failure + "'"), e.getMessage());
    }

    @Test
    void plansOfOtherRuntimesAndNoPlansAreRefused() {
        KernelPlan java = new KernelPlan(ActorRuntime.JAVA, List.of(new Store(0, 1, "release")), 0);
        assertThrows(IllegalArgumentException.class, () -> CKernelSource.of(List.of(java)));
        assertThrows(IllegalArgumentException.class, () -> CKernelSource.of(List.of()));
    }

    // ---- each access carries its plan's order --------------------------------------------------

    private static final Pattern ORDER = Pattern.compile("memory_order_(\\w+)");
    private static final String REGISTER_STORE = "atomic_store_explicit(atomic_at(reg, ";

    /**
     * The orders of the accesses in {@code plan}'s function, in order, as written in {@code source}:
     * the register stores (relaxed by the contract) left out, a compare-exchange's two orders
     * joined as {@code success/failure}, a plain access as {@code plain}.
     */
    static List<String> accessOrders(String source, KernelPlan plan) {
        int from = source.indexOf(" void " + plan.id() + "(");
        assertTrue(from > 0, "function " + plan.id() + " in the source");
        String body = source.substring(from, source.indexOf("\n}\n", from));
        List<String> orders = new ArrayList<>();
        for (String line : body.lines().toList()) {
            if (line.contains(REGISTER_STORE)) continue;
            if (line.contains("plain_at(") && !line.contains("expected")) {
                orders.add("plain");
                continue;
            }
            Matcher m = ORDER.matcher(line);
            List<String> found = new ArrayList<>();
            while (m.find()) found.add(m.group(1));
            if (!found.isEmpty()) orders.add(String.join("/", found));
        }
        return orders;
    }

    static List<String> planOrders(KernelPlan plan) {
        return plan.steps().stream()
                .map(s -> s instanceof CompareExchange c ? c.mode() + "/" + c.failure() : s.mode()).toList();
    }

    @Test
    void eachAccessCarriesItsPlansOrder() {
        List<KernelPlan> plans = everyStatementInEveryMode();
        String source = CKernelSource.of(plans);
        for (KernelPlan p : plans) assertEquals(planOrders(p), accessOrders(source, p), p.toString());
    }

    /**
     * A release store is written as one, and the same store weakened to relaxed (a broken variant)
     * is a different kernel whose text says relaxed: the check above catches a generator that
     * writes one order for another, as this one shows on a planted swap.
     */
    @Test
    void aReleaseStoreIsAReleaseAndItsWeakenedVariantIsNot() {
        KernelPlan release = plan(1, new Store(0, 1, "release"), new Load(8, "acquire", 0));
        KernelPlan weakened = release.withModes(List.of("relaxed", "acquire"));
        assertEquals("atomic_store_explicit(atomic_at(loc, 0), INT64_C(1), memory_order_release);",
                CKernelSource.statement(release.steps().getFirst()));
        String both = CKernelSource.of(List.of(release, weakened));
        assertEquals(List.of("release", "acquire"), accessOrders(both, release));
        assertEquals(List.of("relaxed", "acquire"), accessOrders(both, weakened));
        assertNotEquals(release.id(), weakened.id());

        // A generator that wrote the weakened kernel under the declared plan's name is caught.
        String planted = CKernelSource.of(List.of(weakened)).replace(weakened.id(), release.id());
        assertNotEquals(planOrders(release), accessOrders(planted, release));
    }

    @Test
    void plainAccessesAreOrdinaryAccessesAndCompareExchangeWritesItsExpectedBack() {
        assertEquals("r0 = *plain_at(loc, 8);", CKernelSource.statement(new Load(8, "plain", 0)));
        assertEquals("*plain_at(loc, 16) = INT64_C(-3);", CKernelSource.statement(new Store(16, -3, "plain")));
        assertEquals("(void)atomic_fetch_add_explicit(atomic_at(loc, 0), INT64_C(2), memory_order_acq_rel);",
                CKernelSource.statement(new FetchAdd(0, 2, "acq_rel", -1)));
        assertEquals("""
                {
                    int64_t expected = *plain_at(loc, 8);
                    if (atomic_compare_exchange_strong_explicit(atomic_at(loc, 0), &expected, INT64_C(1), memory_order_acq_rel, memory_order_acquire)) {
                        r1 = 1;
                    } else {
                        *plain_at(loc, 8) = expected;
                        r1 = 0;
                    }
                }""", CKernelSource.statement(new CompareExchange(0, 8, 1, "acq_rel", "acquire", 1)));
        assertEquals("INT64_MIN", CKernelSource.literal(Long.MIN_VALUE));
    }

    @Test
    void theHeaderNamesEveryPlanOnceAndIncludesOnlyTheTwoHeaders() {
        KernelPlan sb = plan(1, new Store(0, 1, "relaxed"), new Load(8, "relaxed", 0));
        KernelPlan fence = plan(0, new Fence("seq_cst"));
        String source = CKernelSource.of(List.of(sb, fence, sb));
        assertTrue(source.startsWith("/*\n * Generated by testbed.litmus.kernel.CKernelSource"), source);
        assertTrue(source.contains(" *   " + sb.id() + ": st [0] := 1 relaxed; r0 := ld [8] relaxed (1 register)\n"), source);
        assertTrue(source.contains(" *   " + fence.id() + ": fence seq_cst (0 registers)\n"), source);
        assertEquals(1, source.split(" void " + sb.id() + "\\(", -1).length - 1, "the plan listed twice is one function");
        assertEquals(List.of("#include <stdatomic.h>", "#include <stdint.h>"),
                source.lines().filter(l -> l.startsWith("#")).toList());
        assertEquals(source, CKernelSource.of(List.of(sb, fence)), "a pure function of the distinct plans");
        assertFalse(source.contains("volatile "), "no volatile access");
    }
}
