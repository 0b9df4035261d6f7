package testbed.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import testbed.litmus.ActorRuntime;
import org.junit.jupiter.api.extension.RegisterExtension;
import testbed.litmus.kernel.OwnKernelCache;
import testbed.litmus.kernel.KernelPlan;
import testbed.litmus.kernel.KernelPlan.CompareExchange;
import testbed.litmus.kernel.KernelPlan.FetchAdd;
import testbed.litmus.kernel.KernelPlan.Fence;
import testbed.litmus.kernel.KernelPlan.Load;
import testbed.litmus.kernel.KernelPlan.Store;
import testbed.report.CaseResult;
import testbed.report.Status;

/**
 * The audit on real compiled code, per target: one kernel per C order and statement compiles to
 * its row of the mapping table (x86_64: a seq_cst store is xchg, a seq_cst fence a locked op or
 * mfence, the rest plain movs; AArch64: stlr for release and seq_cst stores, ldar for acquire and
 * seq_cst loads, dmb ish for a seq_cst fence, the RMWs in LL/SC or LSE with their suffixes), and
 * the deliberately weakened kernel is found weaker than required on every instruction set. A
 * target whose tools are not installed is skipped, naming the Debian package.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class InstructionAuditTest {

    @RegisterExtension
    static final OwnKernelCache CACHE = new OwnKernelCache();

    static List<Target> targets() {
        return AuditSuite.targets();
    }

    static KernelPlan plan(ActorRuntime r, int registers, KernelPlan.Step... steps) {
        return new KernelPlan(r, List.of(steps), registers);
    }

    /** One kernel per C order of each statement, and what its access must be found to be, per instruction set. */
    record Probe(KernelPlan plan, String x86, String aarch64, String aarch64Lse) {}

    static final List<Probe> C_PROBES = List.of(
            new Probe(plan(ActorRuntime.C, 0, new Store(0, 1, "relaxed")), "mov", "str", "str"),
            new Probe(plan(ActorRuntime.C, 0, new Store(0, 1, "release")), "mov", "stlr", "stlr"),
            new Probe(plan(ActorRuntime.C, 0, new Store(0, 1, "seq_cst")), "xchg", "stlr", "stlr"),
            new Probe(plan(ActorRuntime.C, 1, new Load(0, "relaxed", 0)), "mov", "ldr", "ldr"),
            new Probe(plan(ActorRuntime.C, 1, new Load(0, "acquire", 0)), "mov", "ldar", "ldar"),
            new Probe(plan(ActorRuntime.C, 1, new Load(0, "seq_cst", 0)), "mov", "ldar", "ldar"),
            new Probe(plan(ActorRuntime.C, 0, new Fence("acq_rel")), "none", "dmb ish", "dmb ish"),
            new Probe(plan(ActorRuntime.C, 0, new Fence("acquire")), "none", "dmb ishld", "dmb ishld"),
            new Probe(plan(ActorRuntime.C, 0, new Fence("seq_cst")), "lock or", "dmb ish", "dmb ish"),
            new Probe(plan(ActorRuntime.C, 1, new FetchAdd(0, 1, "relaxed", 0)), "lock xadd", "ldadd | ldxr/stxr", "ldadd"),
            new Probe(plan(ActorRuntime.C, 1, new FetchAdd(0, 1, "release", 0)), "lock xadd", "ldaddl | ldxr/stlxr", "ldaddl"),
            new Probe(plan(ActorRuntime.C, 1, new CompareExchange(0, 8, 1, "seq_cst", "seq_cst", 0)), "lock cmpxchg",
                    "casal | ldaxr/stlxr", "casal"));

    /**
     * The Java probes on x86_64 (C2): only the volatile store and the full fence carry a fence
     * (HotSpot's lock addl to the stack), RMWs are locked, the rest plain movs or nothing.
     */
    static final List<Probe> JAVA_PROBES = List.of(
            new Probe(plan(ActorRuntime.JAVA, 0, new Store(0, 1, "opaque")), "mov", null, null),
            new Probe(plan(ActorRuntime.JAVA, 0, new Store(0, 1, "release")), "mov", null, null),
            new Probe(plan(ActorRuntime.JAVA, 0, new Store(0, 1, "volatile")), "mov+lock add", null, null),
            new Probe(plan(ActorRuntime.JAVA, 1, new Load(0, "acquire", 0)), "mov", null, null),
            new Probe(plan(ActorRuntime.JAVA, 1, new Load(0, "volatile", 0)), "mov", null, null),
            new Probe(plan(ActorRuntime.JAVA, 0, new Fence("acquire")), "none", null, null),
            new Probe(plan(ActorRuntime.JAVA, 0, new Fence("release")), "none", null, null),
            new Probe(plan(ActorRuntime.JAVA, 0, new Fence("full")), "lock add", null, null),
            new Probe(plan(ActorRuntime.JAVA, 1, new FetchAdd(0, 1, "volatile", 0)), "lock xadd", null, null),
            new Probe(plan(ActorRuntime.JAVA, 1, new KernelPlan.Exchange(0, 1, "volatile", 0)), "xchg", null, null),
            new Probe(plan(ActorRuntime.JAVA, 1, new CompareExchange(0, 8, 1, "volatile", "seq_cst", 0)), "lock cmpxchg", null, null));

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void eachOrderCompilesToItsRowAndTheWeakenedKernelIsCaught(Target t) {
        List<AuditSuite.Kernel> kernels = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        if (t.runtime() == ActorRuntime.C) {
            for (Probe p : C_PROBES) {
                kernels.add(new AuditSuite.Kernel(p.plan(), p.plan(), List.of()));
                expected.add(t.isa() == Isa.X86_64 ? p.x86() : t.name().endsWith("_lse") ? p.aarch64Lse() : p.aarch64());
            }
        }
        if (t.runtime() == ActorRuntime.JAVA) {
            for (Probe p : JAVA_PROBES) {
                kernels.add(new AuditSuite.Kernel(p.plan(), p.plan(), List.of()));
                expected.add(p.x86());
            }
            // A volatile store generated as setRelease: on x86_64 the same mov without the lock addl after it.
            KernelPlan sb = AuditSuite.broken(ActorRuntime.JAVA).declared();
            kernels.add(new AuditSuite.Kernel(sb, sb.withModes(List.of("release", "volatile")), List.of()));
        }
        kernels.add(AuditSuite.broken(t.runtime()));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<CaseResult> cases = new AuditSuite(new PrintStream(progress, true, StandardCharsets.UTF_8), List.of(t)).audit(t, kernels);
        CaseResult broken = cases.getLast();
        Assumptions.assumeFalse(broken.status() == Status.SKIPPED, broken.message());
        for (CaseResult c : cases.subList(expected.size(), cases.size())) {
            assertEquals(Status.EXPECTED_FAILURE, c.status(), t.name() + ": the weakened kernel must be found weaker: " + c.message()
                    + "\n" + progress.toString(StandardCharsets.UTF_8));
            if (t.runtime() == ActorRuntime.JAVA) assertTrue(c.message().contains("volatile: mov (weaker than required"), c.name() + ": " + c.message());
        }
        for (int k = 0; k < expected.size(); k++) {
            CaseResult c = cases.get(k);
            assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
            @SuppressWarnings("unchecked")
            var rows = (List<java.util.Map<String, Object>>) c.details().get("accesses");
            assertEquals(expected.get(k), rows.getFirst().get("found"), c.name() + ": " + c.message());
            assertEquals("matches", rows.getFirst().get("verdict"), c.name() + ": " + c.message());
        }
    }
}
