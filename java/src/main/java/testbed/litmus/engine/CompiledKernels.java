package testbed.litmus.engine;

import testbed.litmus.ActorSpec;
import testbed.litmus.LitmusCase;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.CKernelLibrary;
import testbed.litmus.kernel.GoPeerBuild;
import testbed.litmus.kernel.KernelCompileException;
import testbed.litmus.kernel.KernelPlan;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The generated kernels of a litmus run, compiled before its actors start (docs/LITMUS.md,
 * "Generated kernels"): the Go peer built with every Go kernel of the run's tests, once per
 * run, before any group forks; the C library of a group's C kernels, in the group's JVM. Java
 * and guest kernels are made where they run. Each build is cached (KernelCache), so a second
 * run of the same tests compiles nothing; each prints how long it took, and since it runs
 * inside the suite's time, it shortens the tests planned after it.
 *
 * <p>A toolchain that is missing or fails refuses the tests that need it, with the toolchain's
 * first error line, and the others run.
 */
public final class CompiledKernels {

    private CompiledKernels() {}

    /** The plans {@code rt}'s actors in {@code tests} really run (a broken variant's weaker one), each once. */
    static List<KernelPlan> plans(List<LitmusCase> tests, ActorRuntime rt) {
        Set<KernelPlan> plans = new LinkedHashSet<>();
        for (LitmusCase t : tests) {
            for (ActorSpec a : t.actors()) if (a.runtime() == rt) plans.add(a.actual());
        }
        return new ArrayList<>(plans);
    }

    /** The Go peer for a run: built with its Go kernels, or why it could not be. */
    public record GoPeer(Path binary, String refusal) {
        /** The peer binary to start, or null to start the default one (no Go actor in the run). */
        public Path binary() {
            return binary;
        }
    }

    /** Builds the peer that runs every Go kernel of {@code tests}; prints what it did. */
    public static GoPeer goPeer(List<LitmusCase> tests, PrintStream progress) {
        List<KernelPlan> plans = plans(tests, ActorRuntime.GO);
        if (plans.isEmpty()) return new GoPeer(null, null);
        long t0 = System.nanoTime();
        try {
            Path peer = GoPeerBuild.fromProperties().build(plans);
            progress.printf(Locale.ROOT, "  kernels: Go peer with %d generated kernels ready in %.1f s (%s)%n",
                    plans.size(), (System.nanoTime() - t0) / 1e9, peer.getParent().getFileName());
            return new GoPeer(peer, null);
        } catch (KernelCompileException e) {
            progress.printf(Locale.ROOT, "  kernels: Go build failed after %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, e.getMessage());
            return new GoPeer(null, e.getMessage());
        }
    }

    /**
     * The C library of a group's C kernels, as the runner asks for them: a kernel whose library
     * failed to compile throws with the compiler's reason, which makes its test an ERROR.
     */
    public static LitmusRunner.CKernels cKernels(List<LitmusCase> tests, PrintStream progress) {
        List<KernelPlan> plans = plans(tests, ActorRuntime.C);
        if (plans.isEmpty()) {
            return LitmusRunner.CKernels.none("no C kernels", "no C kernels were compiled for this group");
        }
        try {
            CKernelLibrary lib = CKernelLibrary.compile(plans);
            String note = String.format(Locale.ROOT, "%d C kernels %s in %.0f ms", plans.size(),
                    lib.cacheHit() ? "loaded from the cache" : "compiled with " + lib.compiler(), lib.compileNanos() / 1e6);
            progress.println("  kernels: " + note);
            return new LitmusRunner.CKernels() {
                @Override public MemorySegment address(KernelPlan plan) { return lib.kernel(plan); }
                @Override public String note() { return note; }
            };
        } catch (KernelCompileException e) {
            String reason = e.getMessage();
            progress.println("  kernels: C kernels not compiled: " + reason);
            return LitmusRunner.CKernels.none("C kernels not compiled: " + reason, reason);
        }
    }
}
