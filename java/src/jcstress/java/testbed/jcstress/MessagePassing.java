package testbed.jcstress;

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
 * Message passing written for jcstress, the anchor of {@code make bench-litmus}: the writer
 * stores the data x := 1 and then the flag y := 1; the reader loads y into r1 and then x
 * into r2 (the engine's MP, docs/MEMORY_MODEL.md).
 *
 * <p>One nested class per rung, with the engine's Java modes there: plain; relaxed (all
 * opaque); acq_rel (the flag by setRelease/getAcquire, the data opaque); sc (all volatile).
 * (1, 0), the flag without the data, is forbidden on acq_rel and sc.
 */
public final class MessagePassing {

    private MessagePassing() {}

    private static final String EMPTY = "The reader saw the flag y but not the data x stored before it: the message arrived empty.";
    private static final String NO_FLAG = "The reader ran before the flag was visible.";
    private static final String DELIVERED = "The reader saw the flag and the data.";

    @JCStressTest
    @Description("MP, plain fields: nothing orders the two stores or the two loads.")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = NO_FLAG)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = DELIVERED)
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = EMPTY)
    @State
    public static class Plain {
        long x;
        long y;

        @Actor
        public void writer() {
            x = 1;
            y = 1;
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = y;
            r.r2 = x;
        }
    }

    @JCStressTest
    @Description("MP, plain accesses to an off-heap MemorySegment, as the engine's Java actors make them:"
            + " the same program as Plain, on the memory the engine uses instead of two fields.")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = NO_FLAG)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = DELIVERED)
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = EMPTY)
    @State
    public static class PlainSegment {
        static final VarHandle LONG = SegmentSlices.LONG;
        final java.lang.foreign.MemorySegment s = SegmentSlices.take();

        @Actor
        public void writer() {
            LONG.set(s, 0L, 1L);
            LONG.set(s, 8L, 1L);
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = (long) LONG.get(s, 8L);
            r.r2 = (long) LONG.get(s, 0L);
        }
    }

    @JCStressTest
    @Description("MP, opaque accesses (C11 relaxed): no order between the two locations.")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = NO_FLAG)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = DELIVERED)
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = EMPTY)
    @State
    public static class Opaque {
        static final VarHandle X = StoreBuffering.handle(Opaque.class, "x");
        static final VarHandle Y = StoreBuffering.handle(Opaque.class, "y");
        long x;
        long y;

        @Actor
        public void writer() {
            X.setOpaque(this, 1L);
            Y.setOpaque(this, 1L);
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = (long) Y.getOpaque(this);
            r.r2 = (long) X.getOpaque(this);
        }
    }

    @JCStressTest
    @Description("MP, the flag by setRelease/getAcquire: the acquire load that sees the flag sees the data.")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = NO_FLAG)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = DELIVERED)
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = EMPTY)
    @State
    public static class ReleaseAcquire {
        static final VarHandle X = StoreBuffering.handle(ReleaseAcquire.class, "x");
        static final VarHandle Y = StoreBuffering.handle(ReleaseAcquire.class, "y");
        long x;
        long y;

        @Actor
        public void writer() {
            X.setOpaque(this, 1L);
            Y.setRelease(this, 1L);
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = (long) Y.getAcquire(this);
            r.r2 = (long) X.getOpaque(this);
        }
    }

    @JCStressTest
    @Description("MP, volatile fields: the volatile load that sees the flag sees the data.")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = NO_FLAG)
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = DELIVERED)
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = EMPTY)
    @State
    public static class Volatile {
        volatile long x;
        volatile long y;

        @Actor
        public void writer() {
            x = 1;
            y = 1;
        }

        @Actor
        public void reader(JJ_Result r) {
            r.r1 = y;
            r.r2 = x;
        }
    }
}
