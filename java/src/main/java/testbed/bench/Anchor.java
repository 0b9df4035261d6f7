package testbed.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.litmus.Rung;
import testbed.litmus.Shape;

/**
 * A jcstress test of {@code make bench-litmus} ({@link LitmusBench}) and the engine's shape and
 * rung that run the same accesses; with the goals each pairing's figures are held to and the
 * engine's canonical test for each pairing.
 */
enum Anchor {
    SB_PLAIN(Shape.SB, Rung.PLAIN, "testbed.jcstress.StoreBuffering.Plain"),
    SB_RELAXED(Shape.SB, Rung.RELAXED, "testbed.jcstress.StoreBuffering.Opaque"),
    SB_ACQ_REL(Shape.SB, Rung.ACQ_REL, "testbed.jcstress.StoreBuffering.ReleaseAcquire"),
    SB_SC(Shape.SB, Rung.SC, "testbed.jcstress.StoreBuffering.Volatile"),
    MP_PLAIN(Shape.MP, Rung.PLAIN, "testbed.jcstress.MessagePassing.Plain"),
    MP_RELAXED(Shape.MP, Rung.RELAXED, "testbed.jcstress.MessagePassing.Opaque"),
    MP_ACQ_REL(Shape.MP, Rung.ACQ_REL, "testbed.jcstress.MessagePassing.ReleaseAcquire"),
    MP_SC(Shape.MP, Rung.SC, "testbed.jcstress.MessagePassing.Volatile");

    final Shape shape;
    final Rung rung;
    final String jcstressTest;

    Anchor(Shape shape, Rung rung, String jcstressTest) {
        this.shape = shape;
        this.rung = rung;
        this.jcstressTest = jcstressTest;
    }

    /** J-J on every rung; the pairings with C and Go where C has the accesses (not plain). */
    List<String> pairings() {
        return rung == Rung.PLAIN ? List.of("J-J") : List.of("J-J", "J-C", "C-C", "C-G");
    }

    static final double GOAL_JJ = 1.0;
    static final double GOAL_MIXED = 0.5;

    /**
     * jcstress tests with no engine row: the plain anchors' programs with plain accesses to an
     * off-heap MemorySegment, the memory the engine's Java actors use, instead of two fields. They
     * show what jcstress itself finds on that memory (docs/BUILD.md).
     */
    static final Map<Anchor, String> SEGMENT_PROBES = Map.of(
            Anchor.MP_PLAIN, "testbed.jcstress.MessagePassing.PlainSegment",
            Anchor.SB_PLAIN, "testbed.jcstress.StoreBuffering.PlainSegment");
    static final List<Anchor> PROBED = List.of(Anchor.SB_PLAIN, Anchor.MP_PLAIN);

    /** The goal for a pairing, as a multiple of jcstress's figure. */
    static double goal(String pairing) {
        return pairing.equals("J-J") ? GOAL_JJ : GOAL_MIXED;
    }

    /**
     * The outcomes of an anchor's shape that some serial execution gives (one actor's whole
     * program after the other's), as jcstress prints them: the engine's J-J test of the shape
     * gathers the registers in the order of jcstress's r1, r2.
     */
    static Set<String> serialOutcomes(Anchor a) {
        LitmusCase t = canonicalTest(a, "J-J");
        Set<String> out = new TreeSet<>();
        for (List<Long> o : t.source().serialOutcomes()) {
            out.add(o.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        return out;
    }

    /** The canonical suite by test name, built once. */
    private static final class Canonical {
        static final Map<String, LitmusCase> BY_NAME = new LinkedHashMap<>();
        static {
            for (LitmusCase t : CanonicalSuite.all()) BY_NAME.put(t.name(), t);
        }
    }

    /** The engine's test for an anchor and a pairing. */
    static LitmusCase canonicalTest(Anchor a, String pairing) {
        LitmusCase t = Canonical.BY_NAME.get(testName(a, pairing));
        if (t == null) throw new IllegalStateException("no canonical litmus test " + testName(a, pairing));
        return t;
    }

    static String testName(Anchor a, String pairing) {
        return a.shape.token() + "_" + pairing.replace("-", "").toLowerCase(Locale.ROOT) + "_" + a.rung.label();
    }
}
