package testbed.litmus.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan.CompareExchange;
import testbed.litmus.kernel.KernelPlan.Exchange;
import testbed.litmus.kernel.KernelPlan.FetchAdd;
import testbed.litmus.kernel.KernelPlan.Fence;
import testbed.litmus.kernel.KernelPlan.Load;
import testbed.litmus.kernel.KernelPlan.Step;
import testbed.litmus.kernel.KernelPlan.Store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Go source of generated kernels: what the file lists and registers, what it refuses, and, run
 * by {@code go test} in the peer's package, that every kernel does to each instance what its plan
 * says (an interpreter of {@link KernelPlan}'s contract, written here, is the reference).
 */
class GoKernelSourceTest {

    static final ActorRuntime GO = ActorRuntime.GO;

    /** Message passing's two threads, all atomic. */
    static final KernelPlan MP_WRITER = new KernelPlan(GO, List.of(new Store(0, 1, "atomic"), new Store(8, 1, "atomic")), 0);
    static final KernelPlan MP_READER = new KernelPlan(GO, List.of(new Load(8, "atomic", 0), new Load(0, "atomic", 1)), 2);

    /** Every step in both modes, dropped results, negative values, a register written twice and one never. */
    static final List<KernelPlan> EVERY_STEP = List.of(
            MP_WRITER, MP_READER,
            new KernelPlan(GO, List.of(new Store(8, -1, "plain"), new Load(8, "plain", 0), new Load(0, "plain", 1)), 2),
            new KernelPlan(GO, List.of(new FetchAdd(0, 2, "atomic", 0), new FetchAdd(8, -3, "atomic", -1), new FetchAdd(0, 1, "plain", 1),
                    new FetchAdd(16, -1, "plain", -1)), 3),
            new KernelPlan(GO, List.of(new Exchange(0, 3, "atomic", 0), new Exchange(8, -2, "plain", 1), new Exchange(8, 1, "atomic", -1),
                    new Exchange(0, 2, "plain", -1)), 2),
            new KernelPlan(GO, List.of(new CompareExchange(0, 8, 2, "atomic", "seq_cst", 0), new Load(0, "atomic", 1)), 2),
            new KernelPlan(GO, List.of(new CompareExchange(16, 24, 1, "plain", "seq_cst", 0), new CompareExchange(0, 8, 3, "atomic", "seq_cst", -1),
                    new CompareExchange(16, 24, 2, "plain", "seq_cst", -1), new Load(24, "plain", 0)), 1));

    @Test
    void listsRegistersAndDefinesEachKernelOnce() {
        String src = GoKernelSource.of(List.of(MP_WRITER, MP_READER, MP_WRITER));
        assertTrue(src.startsWith(GoKernelSource.GENERATED + "\n"), src);
        assertTrue(src.contains("\npackage litmus\n"), src);
        for (KernelPlan p : List.of(MP_WRITER, MP_READER)) {
            assertEquals(1, count(src, "//\t" + p.id() + "  " + p.text() + "\n"), "header lists " + p);
            assertEquals(1, count(src, "\tregisterGenerated(\"" + p.id() + "\", " + p.id() + ", " + p.registers() + ", 16)\n"), src);
            assertEquals(1, count(src, "\nfunc " + p.id() + "(f *frame) {\n"), src);
        }
        assertTrue(src.contains("atomic.StoreInt64((*int64)(unsafe.Add(b, lo+8)), 1)"), src);
        assertTrue(src.contains("r0 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo+8)))"), src);
        assertTrue(src.contains("every\n// instance is a distinct address"), "keeps the reason plain accesses stay in the loop");
    }

    @Test
    void importsOnlyWhatItUses() {
        KernelPlan plain = new KernelPlan(GO, List.of(new Store(0, 1, "plain")), 0);
        String src = GoKernelSource.of(List.of(plain));
        assertTrue(src.contains("\nimport \"unsafe\"\n") && !src.contains("sync/atomic"), src);
        String none = GoKernelSource.of(List.of());
        assertTrue(none.endsWith("\npackage litmus\n") && !none.contains("import"), none);
    }

    @Test
    void refusesWhatGoCannotRun() {
        KernelPlan fenced = new KernelPlan(GO, List.of(new Store(0, 1, "atomic"), new Fence("seq_cst"), new Load(8, "atomic", 0)), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoKernelSource.of(List.of(MP_WRITER, fenced)));
        assertTrue(e.getMessage().startsWith("Go has no standalone fence: step 2 (Fence[mode=seq_cst]) of go {"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GoKernelSource.of(List.of(new KernelPlan(GO, List.of(new Load(0, "acquire", 0)), 1))));
        assertTrue(e.getMessage().startsWith("Go has no mode 'acquire' (atomic or plain): step 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GoKernelSource.of(List.of(new KernelPlan(ActorRuntime.C, List.of(new Load(0, "seq_cst", 0)), 1))));
        assertTrue(e.getMessage().startsWith("not a Go kernel: c {"), e.getMessage());
    }

    @Test
    @Timeout(300)
    void everyKernelDoesWhatItsPlanSays(@TempDir Path dir) throws Exception {
        Cases cases = cases(EVERY_STEP, false);
        GoRun r = goTest(dir, GoKernelSource.of(EVERY_STEP), cases.goTest);
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("ok  \tinterop-testbed/go-peer/internal/litmus"), r.output);
        assertEquals(Set.of("atomic success", "atomic failure", "plain success", "plain failure"), cases.compareExchanges,
                "the instances make compare-exchanges both succeed and fail, in both modes");
    }

    /** The check above fails when one expected value is off: its passing says something. */
    @Test
    @Timeout(300)
    void theKernelCheckCanFail(@TempDir Path dir) throws Exception {
        GoRun r = goTest(dir, GoKernelSource.of(List.of(MP_READER)), cases(List.of(MP_READER), true).goTest);
        assertTrue(r.exit != 0, r.output);
        assertTrue(r.output.contains(MP_READER.id() + " instance 0"), r.output);
    }

    // ---- the reference: KernelPlan's contract, for Go's modes --------------------------------------

    /** Runs plan on one instance's locations (word a/8 is byte a), returning its registers. */
    static long[] interpret(KernelPlan plan, long[] mem, Set<String> compareExchanges) {
        long[] regs = new long[plan.registers()];
        for (Step s : plan.steps()) {
            long result;
            switch (s) {
                case Load l -> result = mem[w(l.at())];
                case Store st -> {
                    mem[w(st.at())] = st.value();
                    result = 0;
                }
                case FetchAdd f -> {
                    result = mem[w(f.at())];
                    mem[w(f.at())] += f.delta();
                }
                case Exchange x -> {
                    result = mem[w(x.at())];
                    mem[w(x.at())] = x.value();
                }
                case CompareExchange c -> {
                    boolean ok = mem[w(c.at())] == mem[w(c.expectedAt())];
                    compareExchanges.add(c.mode() + (ok ? " success" : " failure"));
                    if (ok) mem[w(c.at())] = c.desired();
                    else mem[w(c.expectedAt())] = mem[w(c.at())]; // C11: a failure writes back what it found

                    result = ok ? 1 : 0;
                }
                case Fence f -> throw new IllegalArgumentException(f.toString());
            }
            if (s.register() >= 0) regs[s.register()] = result;
        }
        return regs;
    }

    private static int w(long at) {
        return (int) (at / 8);
    }

    record Cases(String goTest, Set<String> compareExchanges) {}

    /**
     * A Go test (package litmus) that runs each plan's kernel over 8 instances of small values and
     * compares every location and register with the interpreter's, and that the padding word after
     * each instance and each record is untouched. {@code offByOne}: one expected value is wrong.
     */
    static Cases cases(List<KernelPlan> plans, boolean offByOne) {
        Random rnd = new Random(14);
        Set<String> cas = new HashSet<>();
        StringBuilder rows = new StringBuilder();
        for (KernelPlan p : plans) {
            int words = (int) (p.locationBytes() / 8);
            List<String> before = new ArrayList<>(), after = new ArrayList<>(), regs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long[] mem = new long[words];
                for (int k = 0; k < words; k++) mem[k] = rnd.nextInt(3);
                before.add(go(mem));
                long[] r = interpret(p, mem, cas);
                if (offByOne && i == 0) r[0]++;
                after.add(go(mem));
                regs.add(go(r));
            }
            rows.append("\t\t{\"").append(p.id()).append("\", ").append(words).append(", ").append(p.registers()).append(",\n")
                    .append("\t\t\t[][]int64{").append(String.join(", ", before)).append("},\n")
                    .append("\t\t\t[][]int64{").append(String.join(", ", after)).append("},\n")
                    .append("\t\t\t[][]int64{").append(String.join(", ", regs)).append("}},\n");
        }
        String test = """
                package litmus

                import (
                	"slices"
                	"testing"
                	"unsafe"
                )

                // Written by GoKernelSourceTest: each generated kernel over instances laid out with
                // a padding word after each instance's locations and after each record.
                func TestKernelsFromPlans(t *testing.T) {
                	const sentinel = int64(-7)
                	for _, c := range []struct {
                		name                     string
                		locWords, regs           int
                		before, after, registers [][]int64
                	}{
                %s	} {
                		k, ok := lookup(c.name)
                		if !ok {
                			t.Errorf("kernel %%s is not registered", c.name)
                			continue
                		}
                		n, lw, rw := len(c.before), c.locWords+1, c.regs+1
                		mem := make([]int64, n*lw+n*rw)
                		for i := range mem {
                			mem[i] = sentinel
                		}
                		for i, b := range c.before {
                			copy(mem[i*lw:], b)
                		}
                		f := frame{base: unsafe.Pointer(&mem[0]), n: int64(n), locStride: int64(lw * 8), res: int64(n * lw * 8), resStride: int64(rw * 8)}
                		k.run(&f)
                		for i := range n {
                			wantLoc, wantReg := append(slices.Clone(c.after[i]), sentinel), append(slices.Clone(c.registers[i]), sentinel)
                			gotLoc, gotReg := mem[i*lw:(i+1)*lw], mem[n*lw+i*rw:][:rw]
                			if !slices.Equal(gotLoc, wantLoc) || !slices.Equal(gotReg, wantReg) {
                				t.Errorf("%%s instance %%d from %%v: locations %%v, registers %%v; want %%v, %%v", c.name, i, c.before[i], gotLoc, gotReg, wantLoc, wantReg)
                			}
                		}
                	}
                }
                """.formatted(rows);
        return new Cases(test, cas);
    }

    private static String go(long[] values) {
        return "{" + String.join(", ", Arrays.stream(values).mapToObj(Long::toString).toList()) + "}";
    }

    record GoRun(int exit, String output) {}

    /** {@code go test} of the peer's litmus package with the kernels and the test added by an overlay. */
    static GoRun goTest(Path dir, String kernels, String test) throws Exception {
        Path peer = Path.of(System.getProperty(GoPeerBuild.SOURCE_PROPERTY, "go-peer")).toAbsolutePath();
        Path k = Files.writeString(dir.resolve("kernels.go"), kernels);
        Path t = Files.writeString(dir.resolve("kernels_test.go"), test);
        Path overlay = Files.writeString(dir.resolve("overlay.json"), "{\"Replace\":{"
                + "\"" + peer.resolve(GoPeerBuild.OVERLAY_FILE) + "\":\"" + k + "\","
                + "\"" + peer.resolve("internal/litmus/litmusfiles_gen_kernels_test.go") + "\":\"" + t + "\"}}");
        Path log = dir.resolve("go-test.log");
        ProcessBuilder pb = new ProcessBuilder(System.getProperty(GoPeerBuild.GO_PROPERTY, "go"), "test", "-count=1",
                "-overlay", overlay.toString(), "-run", "^TestKernelsFromPlans$", "./internal/litmus/")
                .directory(peer.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GOTOOLCHAIN", "local");
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("go test did not finish within 240 s");
        }
        return new GoRun(p.exitValue(), Files.readString(log));
    }

    private static int count(String s, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
