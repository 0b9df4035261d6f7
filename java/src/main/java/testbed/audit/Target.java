package testbed.audit;

import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan;

import java.util.List;

/**
 * One runtime's kernels built for one instruction set, in one way: C by the system's cc for
 * x86_64, by Debian's aarch64 cross compiler for ARMv8.0 and for ARMv8.1 (LSE); Go for amd64 and
 * arm64; Java by C2 on this machine.
 *
 * @param runtime the runtime whose kernels it builds
 * @param name    the case names' suffix: {@code x86_64}, {@code arm64}, {@code arm64_lse}
 * @param isa     the instruction set of the code
 * @param how     one line: the compiler and flags, for the report
 * @param builder builds and disassembles
 */
public record Target(ActorRuntime runtime, String name, Isa isa, String how, Builder builder) {

    @Override
    public String toString() {
        return runtime.label() + " " + name;
    }

    /** Builds a list of plans for this target and disassembles the result. */
    public interface Builder {
        /**
         * @throws Unavailable when a tool this target needs is not installed (the message names its Debian package)
         * @throws Tool.Failed when a tool ran and failed
         */
        Built build(List<KernelPlan> plans) throws Unavailable, Tool.Failed;
    }

    /** A tool this target needs is missing: the target's cases are SKIPPED with this message. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** What a build gives the audit: each built kernel's accesses, judged. */
    @FunctionalInterface
    public interface Built {
        /**
         * The accesses of the kernel built from {@code actual} (one of the plans built), each held to
         * the row of what the same step of {@code declared} promises.
         */
        List<KernelAudit.Access> audit(Isa isa, KernelPlan declared, KernelPlan actual);

        /** A note the report keeps beside the verdicts (how the code was checked to be the code that runs), or "". */
        default String note() {
            return "";
        }
    }

    /**
     * A build whose object carries a line table (C, Go): each step's accesses with their source
     * lines, the source file's name in the line table (null: any file), the kernel's function, and
     * the object it is in; {@link KernelAudit#audit} attributes the instructions by line.
     */
    public interface LineTable extends Built {
        /** Each step's accesses and source lines, for {@code actual}, one of the plans built. */
        List<List<KernelAudit.SourceAccess>> accesses(KernelPlan actual);

        /** The name the line table gives the generated file; null when any file's lines count. */
        String file();

        /** The disassembled object. */
        Disassembly object();

        @Override
        default List<KernelAudit.Access> audit(Isa isa, KernelPlan declared, KernelPlan actual) {
            List<Disassembly.Instruction> f = object().function(actual.id());
            if (f == null) throw new IllegalStateException("the disassembly has no function " + actual.id() + " for " + actual);
            return KernelAudit.audit(isa, declared, actual, accesses(actual), file(), f, object());
        }
    }
}
