package testbed.audit;

import testbed.Mode;
import testbed.harness.CaseSpec;
import testbed.harness.Expectation;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.harness.Verdict;
import testbed.litmus.ActorRuntime;
import testbed.litmus.ActorSpec;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.litmus.kernel.KernelPlan;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit suite: what every kernel of the canonical litmus suite compiled to, per runtime and
 * instruction set, held to the mapping table (docs/MEMORY_MODEL.md, "What the kernels compile
 * to"). One case per distinct kernel and target, named {@code RUNTIME_KERNEL_TARGET}
 * ({@code c_st0_1_release_ld1_acquire_arm64}): PASSED when every access matches its row or is
 * stronger (the message says which), FAILED when one is weaker than required. A target whose
 * tools are missing gives SKIPPED cases naming the Debian package; one that cannot be built
 * here at all (Java on arm64) gives one SKIPPED case saying why. The Java kernels are audited
 * on x86_64 one statement at a time ({@link JavaTargets}).
 *
 * <p>The broken variant, per target: the seq_cst store of store buffering's first thread built
 * as the runtime's weakest store (C relaxed, Go plain, Java opaque) and audited against the
 * seq_cst promise. It must be found weaker than required (EXPECTED_FAILURE); on x86_64 the fence
 * is missing, on AArch64 the STLR.
 */
public final class AuditSuite {
    public static final String NAME = "audit";
    public static final String TITLE = "What each kernel of the canonical suite compiled to, per runtime and instruction set, "
            + "against the published mappings (docs/MEMORY_MODEL.md).";
    /** This suite as a run sees it. */
    public static final Suite SUITE = Suite.standalone(NAME, TITLE,
            (session, settings, progress) -> new AuditSuite(progress).run(settings));

    private final PrintStream progress;
    private final List<Target> targets;

    public AuditSuite(PrintStream progress) {
        this(progress, targets());
    }

    AuditSuite(PrintStream progress, List<Target> targets) {
        this.progress = progress;
        this.targets = targets;
    }

    /**
     * Why the Java kernels are not audited, per target: said in the report as SKIPPED cases, so
     * that no reader takes their absence for a pass (docs/MEMORY_MODEL.md, "What the audit does not cover").
     */
    static final Map<String, String> JAVA_NOT_AUDITED = Map.of(
            "arm64", "C2 compiles for the machine its JVM runs on, and no arm64 JVM runs here; the arm64 CI job runs the Java "
                    + "kernels on real arm64 (make run), which shows their behaviour, not their instructions");

    /** Every target, in the order they run: C, then Go, then Java. */
    public static List<Target> targets() {
        List<Target> all = new ArrayList<>(CTargets.all());
        all.addAll(GoTargets.all());
        all.addAll(JavaTargets.all());
        return all;
    }

    /** A kernel to audit: what it promises, what it was built from, and the tests that run it. */
    record Kernel(KernelPlan declared, KernelPlan actual, List<String> usedBy) {
        boolean broken() {
            return !declared.equals(actual);
        }
    }

    /** Runs every target; the mode changes nothing (each case is a fixed amount of work). */
    public SuiteResult run(Mode mode) {
        return run(Suite.Settings.all(mode));
    }

    /** Every case {@code settings} selects by name; a target none of whose cases is selected is not built. */
    public SuiteResult run(Suite.Settings settings) {
        Map<ActorRuntime, List<Kernel>> kernels = kernels(CanonicalSuite.all());
        List<CaseResult> cases = new ArrayList<>();
        for (Target t : targets) {
            List<Kernel> ks = new ArrayList<>(kernels.getOrDefault(t.runtime(), List.of()));
            ks.add(broken(t.runtime()));
            ks.removeIf(k -> !settings.cases().test(name(t, k)));
            if (!ks.isEmpty()) cases.addAll(audit(t, ks));
        }
        int java = kernels.getOrDefault(ActorRuntime.JAVA, List.of()).size();
        for (Map.Entry<String, String> e : JAVA_NOT_AUDITED.entrySet()) {
            if (!settings.cases().test("java_kernels_" + e.getKey())) continue;
            String message = "not audited: " + java + " Java kernels: " + e.getValue();
            progress.printf(Locale.ROOT, "  audit: java %s: SKIPPED: %s%n", e.getKey(), e.getValue());
            cases.add(new CaseResult("java_kernels_" + e.getKey(), "The Java kernels as C2 compiles them on " + e.getKey(), Status.SKIPPED,
                    message, 0, Map.of("kernels", java), Map.of("runtime", "java", "target", e.getKey())));
        }
        return new SuiteResult(NAME, TITLE, cases);
    }

    /** The distinct kernels each runtime runs in {@code tests}, in suite order; the guest's are JavaScript, not audited. */
    static Map<ActorRuntime, List<Kernel>> kernels(List<LitmusCase> tests) {
        Map<ActorRuntime, Map<String, Kernel>> byRuntime = new EnumMap<>(ActorRuntime.class);
        for (LitmusCase t : tests) {
            for (ActorSpec a : t.actors()) {
                if (a.runtime().guest()) continue;
                KernelPlan p = a.actual();
                Kernel k = byRuntime.computeIfAbsent(p.runtime(), r -> new LinkedHashMap<>())
                        .computeIfAbsent(p.id(), id -> new Kernel(p, p, new ArrayList<>()));
                if (!k.usedBy().contains(t.name())) k.usedBy().add(t.name());
            }
        }
        Map<ActorRuntime, List<Kernel>> out = new EnumMap<>(ActorRuntime.class);
        byRuntime.forEach((r, m) -> out.put(r, List.copyOf(m.values())));
        return out;
    }

    /**
     * The weakened kernel of a runtime: SB's first thread, {@code st [0] := 1; r0 := ld [8]}, both
     * seq_cst as declared, with the store built as the runtime's weakest atomic (C relaxed, Java
     * opaque) or, in Go, which has none, plain.
     */
    static Kernel broken(ActorRuntime runtime) {
        String sc = runtime.storeModes().contains("seq_cst") ? "seq_cst" : runtime == ActorRuntime.GO ? "atomic" : "volatile";
        String weak = switch (runtime) {
            case C -> "relaxed";
            case GO -> "plain";
            default -> "opaque";
        };
        KernelPlan declared = new KernelPlan(runtime, List.of(new KernelPlan.Store(0, 1, sc), new KernelPlan.Load(8, sc, 0)), 1);
        return new Kernel(declared, declared.withModes(List.of(weak, sc)), List.of());
    }

    /** The cases of one target: one per kernel, SKIPPED (or ERROR) all alike when it cannot be built. */
    List<CaseResult> audit(Target t, List<Kernel> kernels) {
        long t0 = System.nanoTime();
        progress.printf(Locale.ROOT, "  audit: %s kernels for %s (%s): %d%n", t.runtime().label(), t.name(), t.how(), kernels.size());
        List<KernelPlan> plans = kernels.stream().map(Kernel::actual).distinct().toList();
        Target.Built built;
        try {
            built = t.builder().build(plans);
        } catch (Target.Unavailable e) {
            progress.printf(Locale.ROOT, "  audit: %s %s: SKIPPED: %s%n", t.runtime().label(), t.name(), e.getMessage());
            return all(t, kernels, Status.SKIPPED, "not audited: " + e.getMessage(), t0);
        } catch (Tool.Failed e) {
            progress.printf(Locale.ROOT, "  audit: %s %s: ERROR: %s%n", t.runtime().label(), t.name(), e.getMessage());
            return all(t, kernels, Status.ERROR, e.getMessage(), t0);
        }
        double buildMs = (System.nanoTime() - t0) / 1e6;
        List<CaseResult> out = new ArrayList<>();
        int matches = 0, stronger = 0, weaker = 0;
        for (Kernel k : kernels) {
            long k0 = System.nanoTime();
            CaseResult c;
            try {
                List<KernelAudit.Access> accesses = built.audit(t.isa(), k.declared(), k.actual());
                MappingTable.Verdict v = KernelAudit.verdict(accesses);
                if (!k.broken()) {
                    switch (v) {
                        case MATCHES -> matches++;
                        case STRONGER -> stronger++;
                        case WEAKER -> weaker++;
                    }
                }
                c = result(t, k, accesses, v, built.note(), (System.nanoTime() - k0) / 1e6);
            } catch (RuntimeException e) {
                c = new CaseResult(name(t, k), title(t, k), Status.ERROR, e.getMessage() == null ? e.toString() : e.getMessage(),
                        (System.nanoTime() - k0) / 1e6, Map.of(), details(t, k));
            }
            out.add(c);
        }
        progress.printf(Locale.ROOT, "  audit: %s %s: %d kernels, %d match, %d stronger than required, %d weaker than required "
                + "(built and disassembled in %.0f ms)%n", t.runtime().label(), t.name(), matches + stronger + weaker, matches, stronger,
                weaker, buildMs);
        return out;
    }

    /**
     * What catches the weakened kernel: the audit finds it weaker than required. Found to
     * match or to be stronger, it is not caught: the audit then cannot tell the two apart.
     */
    static final Expectation FOUND_WEAKER = Expectation.caughtWhen("the kernel found " + MappingTable.Verdict.WEAKER.text(),
            p -> p.startsWith(MappingTable.Verdict.WEAKER.text() + ": "));

    /** A kernel's case on a target: it holds to the mapping table, or, the weakened kernel, it must be found weaker. */
    static CaseSpec spec(Target t, Kernel k) {
        return new CaseSpec(name(t, k), title(t, k), TrialCount.once(), k.broken() ? FOUND_WEAKER : Expectation.HOLDS);
    }

    private static CaseResult result(Target t, Kernel k, List<KernelAudit.Access> accesses, MappingTable.Verdict v, String note, double ms) {
        String found = v.text() + ": " + String.join("; ", accesses.stream().map(KernelAudit.Access::brief).toList());
        Map<String, Object> details = details(t, k);
        details.put("verdict", v.text());
        details.put("accesses", accesses.stream().map(KernelAudit.Access::row).toList());
        if (!note.isEmpty()) details.put("checked", note);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("accesses", accesses.size());
        metrics.put("weaker", accesses.stream().filter(a -> a.verdict() == MappingTable.Verdict.WEAKER).count());
        metrics.put("stronger", accesses.stream().filter(a -> a.verdict() == MappingTable.Verdict.STRONGER).count());
        CaseSpec spec = spec(t, k);
        return Verdict.of(spec.expectation(), v == MappingTable.Verdict.WEAKER ? found : null, found).result(spec, ms, metrics, details);
    }

    private static List<CaseResult> all(Target t, List<Kernel> kernels, Status status, String message, long t0) {
        List<CaseResult> out = new ArrayList<>();
        for (Kernel k : kernels) {
            out.add(new CaseResult(name(t, k), title(t, k), status, message, (System.nanoTime() - t0) / 1e6 / kernels.size(),
                    Map.of(), details(t, k)));
        }
        return out;
    }

    private static Map<String, Object> details(Target t, Kernel k) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("runtime", t.runtime().label());
        d.put("target", t.name());
        d.put("isa", t.isa().label());
        d.put("built_with", t.how());
        d.put("kernel", k.declared().text());
        d.put("kernel_id", k.actual().id());
        if (k.broken()) d.put("actually_built", k.actual().text());
        if (!k.usedBy().isEmpty()) d.put("used_by", k.usedBy());
        return d;
    }

    private static String title(Target t, Kernel k) {
        return (k.broken() ? "Broken variant: " : "") + t.runtime().label() + " kernel {" + k.declared().text() + "} on " + t.name()
                + (k.broken() ? ", built as {" + k.actual().text() + "}; must be found weaker than required" : "");
    }

    /** {@code RUNTIME_KERNEL_TARGET}; the broken variant {@code broken_RUNTIME_sc_store_built_WEAK_TARGET}. */
    static String name(Target t, Kernel k) {
        if (k.broken()) {
            return "broken_" + t.runtime().label() + "_sc_store_built_" + k.actual().steps().getFirst().mode() + "_" + t.name();
        }
        return t.runtime().label() + "_" + kernelName(k.declared()) + "_" + t.name();
    }

    /** A kernel's name from its statements: {@code st0_1_release_ld1_acquire} (locations by index, values, modes). */
    static String kernelName(KernelPlan p) {
        List<String> parts = new ArrayList<>();
        for (KernelPlan.Step s : p.steps()) {
            parts.add(switch (s) {
                case KernelPlan.Load l -> "ld" + l.at() / 8 + "_" + l.mode();
                case KernelPlan.Store st -> "st" + st.at() / 8 + "_" + value(st.value()) + "_" + st.mode();
                case KernelPlan.FetchAdd f -> "fadd" + f.at() / 8 + "_" + value(f.delta()) + "_" + f.mode();
                case KernelPlan.Exchange x -> "xchg" + x.at() / 8 + "_" + value(x.value()) + "_" + x.mode();
                case KernelPlan.CompareExchange c -> "cas" + c.at() / 8 + "_" + c.expectedAt() / 8 + "_" + value(c.desired()) + "_"
                        + c.mode() + "_" + c.failure();
                case KernelPlan.Fence f -> "fence_" + f.mode();
            });
        }
        return String.join("_", parts);
    }

    private static String value(long v) {
        return v < 0 ? "m" + (-v) : Long.toString(v);
    }
}
