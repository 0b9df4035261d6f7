package testbed.litmus.kernel;

import org.junit.jupiter.api.Test;
import testbed.litmus.ActorRuntime;
import testbed.litmus.runtime.JavaKernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generated Java kernels do what their plan says on every instance, in one thread. */
class JavaKernelClassTest {

    private static final int N = 5;
    private static final long LOC_STRIDE = 24;
    private static final long REGS = 1024;

    private static long[][] run(KernelPlan plan, long[] initial) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(4096, 8);
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < initial.length; j++) s.set(ValueLayout.JAVA_LONG, i * LOC_STRIDE + 8L * j, initial[j]);
            }
            JavaKernel k = JavaKernelClass.of(plan);
            long rStride = 8L * Math.max(1, plan.registers()) + 8;
            k.run(s, 0, LOC_STRIDE, REGS, rStride, N);
            long[][] out = new long[N][];
            for (int i = 0; i < N; i++) {
                long[] row = new long[3 + plan.registers()];
                for (int j = 0; j < 3; j++) row[j] = s.get(ValueLayout.JAVA_LONG, i * LOC_STRIDE + 8L * j);
                for (int r = 0; r < plan.registers(); r++) row[3 + r] = s.get(ValueLayout.JAVA_LONG, REGS + i * rStride + 8L * r);
                out[i] = row;
            }
            // Nothing past the last instance was touched.
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, N * LOC_STRIDE));
            return out;
        }
    }

    @Test
    void storeThenLoadInEveryMode() {
        for (String st : List.of("plain", "opaque", "release", "volatile")) {
            for (String ld : List.of("plain", "opaque", "acquire", "volatile")) {
                KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.Store(0, 2, st), new KernelPlan.Load(8, ld, 0),
                        new KernelPlan.Load(0, ld, 1)), 2);
                for (long[] row : run(p, new long[] {0, 3, 0})) {
                    assertEquals(List.of(2L, 3L, 0L, 3L, 2L), box(row), p.text());
                }
            }
        }
    }

    @Test
    void readModifyWritesReturnTheValueBefore() {
        for (String m : List.of("acquire", "release", "volatile")) {
            KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.FetchAdd(0, 5, m, 0), new KernelPlan.Exchange(8, 7, m, 1),
                    new KernelPlan.Fence("full"), new KernelPlan.Fence("acquire"), new KernelPlan.Fence("release")), 2);
            for (long[] row : run(p, new long[] {1, 2, 0})) assertEquals(List.of(6L, 7L, 0L, 1L, 2L), box(row), p.text());
        }
    }

    @Test
    void compareExchangeSucceedsOrWritesWhatItFound() {
        for (String m : List.of("acquire", "release", "volatile")) {
            KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.CompareExchange(0, 16, 9, m, "relaxed", 0)), 1);
            for (long[] row : run(p, new long[] {4, 0, 4})) assertEquals(List.of(9L, 0L, 4L, 1L), box(row), "success " + m);
            for (long[] row : run(p, new long[] {3, 0, 4})) assertEquals(List.of(3L, 0L, 3L, 0L), box(row), "failure " + m);
        }
    }

    /**
     * A kernel reaches its section at absolute addresses (KernelMemory), so what the segment's
     * own checks refused is refused on entry, before any access: heap memory, a closed arena,
     * a misaligned offset, an instance past the end.
     */
    @Test
    void whatTheSegmentWouldRefuseIsRefusedBeforeAnyAccess() {
        KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.Store(8, 1, "release"), new KernelPlan.Load(0, "acquire", 0)), 1);
        JavaKernel k = JavaKernelClass.of(p);
        assertThrows(IllegalArgumentException.class, () -> k.run(MemorySegment.ofArray(new long[64]), 0, 16, 256, 8, 4));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(512, 8);
            closed = s;
            assertThrows(IllegalArgumentException.class, () -> k.run(s, 4, 16, 256, 8, 4), "misaligned locations");
            assertThrows(IllegalArgumentException.class, () -> k.run(s, 0, 16, 260, 8, 4), "misaligned registers");
            // 16 instances of 16 bytes end at 256: one more reaches past it into the registers' bytes, still inside.
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> k.run(s, 0, 16, 256, 16, 17),
                    "registers past the end");
            assertTrue(e.getMessage().contains("of a 512-byte segment"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> k.run(s, 384, 16, 0, 8, 9), "locations past the end");
            for (long off = 0; off < 512; off += 8) assertEquals(0, s.get(ValueLayout.JAVA_LONG, off), "nothing was written");
            k.run(s, 0, 16, 256, 16, 16);
            assertEquals(1, s.get(ValueLayout.JAVA_LONG, 15 * 16 + 8), "the last instance that fits ran");
        }
        assertThrows(IllegalStateException.class, () -> k.run(closed, 0, 16, 256, 8, 4), "closed arena");
    }

    @Test
    void aDroppedResultWritesNoRegisterAndTheLastWriteWins() {
        KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.FetchAdd(0, 1, "volatile", -1),
                new KernelPlan.Load(0, "plain", 0), new KernelPlan.Load(8, "plain", 0)), 1);
        for (long[] row : run(p, new long[] {0, 6, 0})) assertEquals(List.of(1L, 6L, 0L, 6L), box(row));
    }

    @Test
    void oneClassPerPlanAndJvm() {
        KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.Store(0, 1, "release")), 0);
        JavaKernel a = JavaKernelClass.of(p);
        assertSame(a, JavaKernelClass.of(new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.Store(0, 1, "release")), 0)));
        JavaKernel b = JavaKernelClass.of(p.withModes(List.of("opaque")));
        assertTrue(a.getClass() != b.getClass(), "another mode is another class");
        assertTrue(a.getClass().isHidden());
    }

    @Test
    void aModeJavaLacksIsRefusedByName() {
        KernelPlan p = new KernelPlan(ActorRuntime.JAVA, List.of(new KernelPlan.Load(0, "release", 0)), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JavaKernelClass.of(p));
        assertTrue(e.getMessage().contains("no load in mode 'release'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JavaKernelClass.of(new KernelPlan(ActorRuntime.C, List.of(new KernelPlan.Fence("seq_cst")), 0)));
    }

    private static List<Long> box(long[] row) {
        return java.util.Arrays.stream(row).boxed().toList();
    }
}
