package testbed.audit;

import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.CKernelLibrary;
import testbed.litmus.kernel.CKernelSource;
import testbed.litmus.kernel.KernelCompileException;
import testbed.litmus.kernel.KernelPlan;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The C kernels' targets: x86_64, AArch64 with GCC's default target (ARMv8.0: LL/SC loops, or
 * outline atomics that choose LSE at run time) and AArch64 with {@code -march=armv8.1-a} (LSE
 * inline). Each builds the generated translation unit exactly as the engine does
 * ({@link CKernelLibrary#FLAGS}) and again with {@code -g} for the line table, and requires the
 * two to hold the same instructions in every kernel: the code audited is the code that runs
 * (GCC promises that {@code -g} changes no generated code; this checks it). On this machine's
 * own instruction set the build without {@code -g} is the engine's cache entry itself.
 */
final class CTargets {

    private static final Duration BOUND = Duration.ofMinutes(2);

    private CTargets() {}

    static List<Target> all() {
        return List.of(
                target("x86_64", Isa.X86_64, List.of()),
                target("arm64", Isa.AARCH64, List.of()),
                target("arm64_lse", Isa.AARCH64, List.of("-march=armv8.1-a")));
    }

    static Target target(String name, Isa isa, List<String> extra) {
        String cc = Toolchains.cc(isa);
        String how = cc + " " + String.join(" ", CKernelLibrary.FLAGS) + (extra.isEmpty() ? "" : " " + String.join(" ", extra));
        return new Target(ActorRuntime.C, name, isa, how, plans -> build(isa, cc, extra, plans));
    }

    private static Target.Built build(Isa isa, String cc, List<String> extra, List<KernelPlan> plans)
            throws Target.Unavailable, Tool.Failed {
        Toolchains.need(cc, Toolchains.ccPackage(isa));
        String objdump = Toolchains.objdump(isa);
        Toolchains.need(objdump, Toolchains.objdumpPackage(isa));
        Path runs;
        Path debug;
        try {
            runs = CKernelLibrary.object(plans, cc, extra);
            List<String> g = new ArrayList<>(extra);
            g.add("-g");
            debug = CKernelLibrary.object(plans, cc, g);
        } catch (KernelCompileException e) {
            throw new Tool.Failed(e.getMessage());
        }
        Disassembly code = Disassembly.objdump(Tool.run(List.of(objdump, "-d", "--no-show-raw-insn", runs.toString()), null, Map.of(), BOUND,
                Toolchains.objdumpPackage(isa)));
        Disassembly lined = Disassembly.objdump(Tool.run(List.of(objdump, "-d", "-l", "--no-show-raw-insn", debug.toString()), null, Map.of(),
                BOUND, Toolchains.objdumpPackage(isa)));
        for (KernelPlan p : plans) {
            List<String> a = texts(code, p.id());
            List<String> b = texts(lined, p.id());
            if (a == null || b == null) throw new Tool.Failed(objdump + " found no function " + p.id() + " for " + p);
            if (!a.equals(b)) {
                throw new Tool.Failed("the -g build of " + p.id() + " holds other instructions than the build that runs, so its "
                        + "line table cannot be used: " + a.size() + " against " + b.size() + " instructions");
            }
        }
        String source = CKernelSource.of(plans);
        return new Target.LineTable() {
            @Override
            public List<List<KernelAudit.SourceAccess>> accesses(KernelPlan actual) {
                List<List<String>> statements = actual.steps().stream()
                        .map(s -> CKernelSource.statement(s).lines().map(String::strip).toList()).toList();
                return KernelAudit.sourceAccesses(ActorRuntime.C, actual, source, "void " + actual.id() + "(", statements);
            }

            @Override
            public String file() {
                return null; // compiled from a temporary file: every line in the table is the generated source's
            }

            @Override
            public Disassembly object() {
                return lined;
            }

            @Override
            public String note() {
                return "the build with -g, whose line table attributes instructions to statements, holds the same instructions as "
                        + runs.getFileName() + ", built as the engine builds";
            }
        };
    }

    /** A function's instructions with their addresses: equal lists are the same code. */
    private static List<String> texts(Disassembly d, String function) {
        List<Disassembly.Instruction> f = d.function(function);
        return f == null ? null : f.stream().map(i -> Long.toHexString(i.address()) + " " + i.text()).toList();
    }
}
