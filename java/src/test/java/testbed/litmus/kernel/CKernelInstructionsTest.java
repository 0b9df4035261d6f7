package testbed.litmus.kernel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import testbed.litmus.Runtime;
import testbed.litmus.kernel.KernelPlan.Fence;
import testbed.litmus.kernel.KernelPlan.Load;
import testbed.litmus.kernel.KernelPlan.Store;

/**
 * What the generated kernels compiled to, read back with objdump and held to the published
 * C11 mappings (x86: a seq_cst store is xchg or mov+mfence, a release store a plain mov, a seq_cst
 * fence mfence or a locked op, weaker fences nothing; AArch64: stlr for release and seq_cst stores,
 * ldar/ldapr for acquire loads, dmb ish for a seq_cst fence). A mode that reached the code as
 * another shows here, whatever the source said. Both architectures are checked from either where
 * the cross compiler is installed (Debian's gcc-aarch64-linux-gnu, as make cross-arm64 uses);
 * without it, that case is skipped, saying so.
 */
class CKernelInstructionsTest {

    @TempDir
    static Path cache;
    static String previousCache;

    @BeforeAll
    static void ownCache() {
        previousCache = System.setProperty(KernelCache.PROPERTY, cache.toString());
    }

    @AfterAll
    static void restoreCache() {
        if (previousCache == null) System.clearProperty(KernelCache.PROPERTY);
        else System.setProperty(KernelCache.PROPERTY, previousCache);
    }

    static KernelPlan plan(int registers, KernelPlan.Step step) {
        return new KernelPlan(Runtime.C, List.of(step), registers);
    }

    static final KernelPlan STORE_RELAXED = plan(0, new Store(0, 1, "relaxed"));
    static final KernelPlan STORE_RELEASE = plan(0, new Store(0, 1, "release"));
    static final KernelPlan STORE_SEQ_CST = plan(0, new Store(0, 1, "seq_cst"));
    static final KernelPlan LOAD_RELAXED = plan(1, new Load(0, "relaxed", 0));
    static final KernelPlan LOAD_ACQUIRE = plan(1, new Load(0, "acquire", 0));
    static final KernelPlan FENCE_ACQ_REL = plan(0, new Fence("acq_rel"));
    static final KernelPlan FENCE_SEQ_CST = plan(0, new Fence("seq_cst"));

    /** A compiler, the objdump that reads what it makes, and the architecture it targets. */
    record Toolchain(String cc, String objdump, String arch) {
        @Override
        public String toString() {
            return cc + " (" + arch + ")";
        }
    }

    /** The system's cc for this JVM's architecture, and Debian's arm64 cross compiler where installed. */
    static List<Toolchain> toolchains() {
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        List<Toolchain> all = new java.util.ArrayList<>(List.of(new Toolchain("cc", "objdump", arch)));
        if (!arch.equals("aarch64")) all.add(new Toolchain("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objdump", "aarch64"));
        return all;
    }

    @ParameterizedTest
    @MethodSource("toolchains")
    void eachModeCompiledToItsMappingsInstructions(Toolchain t) throws Exception {
        boolean x86 = t.arch().equals("x86_64");
        Assumptions.assumeTrue(x86 || t.arch().equals("aarch64"), "mappings checked for x86_64 and aarch64 only, not " + t.arch());
        Assumptions.assumeTrue(runs(t.cc()) && runs(t.objdump()), t + ": compiler or objdump not installed");
        List<KernelPlan> plans = List.of(STORE_RELAXED, STORE_RELEASE, STORE_SEQ_CST, LOAD_RELAXED, LOAD_ACQUIRE,
                FENCE_ACQ_REL, FENCE_SEQ_CST);
        String previous = System.setProperty(CKernelLibrary.COMPILER_PROPERTY, t.cc());
        Path lib;
        try {
            lib = CKernelLibrary.entry(plans).file();
        } finally {
            if (previous == null) System.clearProperty(CKernelLibrary.COMPILER_PROPERTY);
            else System.setProperty(CKernelLibrary.COMPILER_PROPERTY, previous);
        }
        String dump = objdump(t.objdump(), lib);
        Map<KernelPlan, String> code = new java.util.HashMap<>();
        for (KernelPlan p : plans) code.put(p, function(dump, p.id()));

        if (x86) {
            Pattern fence = Pattern.compile("\\b(mfence|xchg|lock)\\b");
            assertTrue(fence.matcher(code.get(STORE_SEQ_CST)).find(), "seq_cst store:\n" + code.get(STORE_SEQ_CST));
            assertFalse(fence.matcher(code.get(STORE_RELEASE)).find(), "release store:\n" + code.get(STORE_RELEASE));
            assertFalse(fence.matcher(code.get(STORE_RELAXED)).find(), "relaxed store:\n" + code.get(STORE_RELAXED));
            assertTrue(fence.matcher(code.get(FENCE_SEQ_CST)).find(), "seq_cst fence:\n" + code.get(FENCE_SEQ_CST));
            assertFalse(fence.matcher(code.get(FENCE_ACQ_REL)).find(), "acq_rel fence:\n" + code.get(FENCE_ACQ_REL));
        } else {
            Pattern release = Pattern.compile("\\bstlr\\b");
            Pattern acquire = Pattern.compile("\\bldapr|\\bldar\\b");
            assertTrue(release.matcher(code.get(STORE_SEQ_CST)).find(), "seq_cst store:\n" + code.get(STORE_SEQ_CST));
            assertTrue(release.matcher(code.get(STORE_RELEASE)).find(), "release store:\n" + code.get(STORE_RELEASE));
            assertFalse(release.matcher(code.get(STORE_RELAXED)).find(), "relaxed store:\n" + code.get(STORE_RELAXED));
            assertTrue(acquire.matcher(code.get(LOAD_ACQUIRE)).find(), "acquire load:\n" + code.get(LOAD_ACQUIRE));
            assertFalse(acquire.matcher(code.get(LOAD_RELAXED)).find(), "relaxed load:\n" + code.get(LOAD_RELAXED));
            Pattern full = Pattern.compile("\\bdmb\\s+ish\\b(?!ld|st)");
            assertTrue(full.matcher(code.get(FENCE_SEQ_CST)).find(), "seq_cst fence:\n" + code.get(FENCE_SEQ_CST));
        }
    }

    static boolean runs(String program) {
        try {
            Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code objdump -d} of the library. */
    static String objdump(String objdump, Path lib) throws Exception {
        Process p = new ProcessBuilder(objdump, "-d", "--no-show-raw-insn", lib.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "objdump: " + out);
        return out;
    }

    /** The disassembly of one function: from its {@code <name>:} line to the next blank line. */
    static String function(String dump, String name) {
        int from = dump.indexOf("<" + name + ">:\n");
        assertTrue(from >= 0, name + " in the disassembly");
        int to = dump.indexOf("\n\n", from);
        return dump.substring(from, to < 0 ? dump.length() : to + 1);
    }
}
