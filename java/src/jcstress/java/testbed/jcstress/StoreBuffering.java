package testbed.jcstress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Store buffering written for jcstress, the anchor of {@code make bench-litmus}: the same
 * shape as the engine's SB (docs/MEMORY_MODEL.md), on two long fields of one state object
 * instead of two int64 slots of the region. Each actor stores 1 to its own location and then
 * loads the other's; r1 is what the first actor loaded from y, r2 what the second loaded from x.
 *
 * <p>One nested class per rung of the engine's ladder, with the same Java access modes the
 * engine's Java kernels use there: plain (get/set), relaxed (opaque), acq_rel
 * (setRelease/getAcquire) and sc (volatile). Only sc forbids (0, 0).
 */
public final class StoreBuffering {

    private StoreBuffering() {}

    private static final String MISSED_BOTH = "Both loads missed the other actor's store: each store sat in a store buffer past its own actor's load.";
    private static final String ONE_SAW = "One actor ran first, or both stores were visible to one of the loads.";
    private static final String BOTH_SAW = "Both stores were visible before either load.";

    @JCStressTest
    @Description("SB, plain fields: compiler and store buffer may both reorder the store after the load.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE, desc = ONE_SAW)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = BOTH_SAW)
    @Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = MISSED_BOTH)
    @State
    public static class Plain {
        long x;
        long y;

        @Actor
        public void first(JJ_Result r) {
            x = 1;
            r.r1 = y;
        }

        @Actor
        public void second(JJ_Result r) {
            y = 1;
            r.r2 = x;
        }
    }

    @JCStressTest
    @Description("SB, plain accesses to an off-heap MemorySegment, as the engine's Java actors make them:"
            + " the same program as Plain, on the memory the engine uses instead of two fields.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE, desc = ONE_SAW)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = BOTH_SAW)
    @Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = MISSED_BOTH)
    @State
    public static class PlainSegment {
        static final VarHandle LONG = SegmentSlices.LONG;
        final java.lang.foreign.MemorySegment s = SegmentSlices.take();

        @Actor
        public void first(JJ_Result r) {
            LONG.set(s, 0L, 1L);
            r.r1 = (long) LONG.get(s, 8L);
        }

        @Actor
        public void second(JJ_Result r) {
            LONG.set(s, 8L, 1L);
            r.r2 = (long) LONG.get(s, 0L);
        }
    }

    @JCStressTest
    @Description("SB, opaque accesses (C11 relaxed): no order between the two locations.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE, desc = ONE_SAW)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = BOTH_SAW)
    @Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = MISSED_BOTH)
    @State
    public static class Opaque {
        static final VarHandle X = handle(Opaque.class, "x");
        static final VarHandle Y = handle(Opaque.class, "y");
        long x;
        long y;

        @Actor
        public void first(JJ_Result r) {
            X.setOpaque(this, 1L);
            r.r1 = (long) Y.getOpaque(this);
        }

        @Actor
        public void second(JJ_Result r) {
            Y.setOpaque(this, 1L);
            r.r2 = (long) X.getOpaque(this);
        }
    }

    @JCStressTest
    @Description("SB, setRelease then getAcquire: release/acquire orders nothing from a store to a later load.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE, desc = ONE_SAW)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = BOTH_SAW)
    @Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING, desc = MISSED_BOTH)
    @State
    public static class ReleaseAcquire {
        static final VarHandle X = handle(ReleaseAcquire.class, "x");
        static final VarHandle Y = handle(ReleaseAcquire.class, "y");
        long x;
        long y;

        @Actor
        public void first(JJ_Result r) {
            X.setRelease(this, 1L);
            r.r1 = (long) Y.getAcquire(this);
        }

        @Actor
        public void second(JJ_Result r) {
            Y.setRelease(this, 1L);
            r.r2 = (long) X.getAcquire(this);
        }
    }

    @JCStressTest
    @Description("SB, volatile fields: volatile accesses are totally ordered, so some store precedes both loads.")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE, desc = ONE_SAW)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = BOTH_SAW)
    @Outcome(id = "0, 0", expect = FORBIDDEN, desc = MISSED_BOTH)
    @State
    public static class Volatile {
        volatile long x;
        volatile long y;

        @Actor
        public void first(JJ_Result r) {
            x = 1;
            r.r1 = y;
        }

        @Actor
        public void second(JJ_Result r) {
            y = 1;
            r.r2 = x;
        }
    }

    static VarHandle handle(Class<?> owner, String field) {
        try {
            return MethodHandles.lookup().findVarHandle(owner, field, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
