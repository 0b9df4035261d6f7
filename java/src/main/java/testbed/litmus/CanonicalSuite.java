package testbed.litmus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static testbed.litmus.Runtime.C;
import static testbed.litmus.Runtime.GO;
import static testbed.litmus.Runtime.JAVA;
import static testbed.litmus.Runtime.JS_HOST;
import static testbed.litmus.Runtime.JS_VIEW;

/**
 * The canonical suite: every shape across the runtime pairings that make sense and
 * the ladder of modes, plus the deliberately broken variants that prove the engine
 * can catch a forbidden outcome.
 */
public final class CanonicalSuite {
    /** The two-actor pairings: every ordered pair of runtimes except Go with itself (the peer tests that alone). */
    public static final List<List<Runtime>> PAIRS = List.of(
            List.of(JAVA, JAVA), List.of(JAVA, C), List.of(C, JAVA), List.of(C, C),
            List.of(JAVA, GO), List.of(GO, JAVA), List.of(C, GO), List.of(GO, C));

    /** Three-actor mixes for WRC (writer, relay, observer). */
    public static final List<List<Runtime>> TRIPLES = List.of(
            List.of(JAVA, JAVA, JAVA), List.of(JAVA, C, GO), List.of(C, GO, JAVA), List.of(GO, JAVA, C));

    /** Four-actor mixes for IRIW (two writers, two readers). */
    public static final List<List<Runtime>> QUADS = List.of(
            List.of(JAVA, JAVA, JAVA, JAVA), List.of(JAVA, C, JAVA, C), List.of(C, GO, GO, JAVA));

    /**
     * The embedded JavaScript guest in both styles, paired with Java and with C in both
     * orders (docs/GUEST.md): V is style (a), a typed-array view; H is style (b), host
     * VarHandle methods.
     */
    public static final List<List<Runtime>> GUEST_PAIRS = List.of(
            List.of(JAVA, JS_VIEW), List.of(JS_VIEW, JAVA), List.of(C, JS_VIEW), List.of(JS_VIEW, C),
            List.of(JAVA, JS_HOST), List.of(JS_HOST, JAVA), List.of(C, JS_HOST), List.of(JS_HOST, C));

    /** The shapes the guest takes part in. */
    public static final List<Shape> GUEST_SHAPES = List.of(Shape.MP, Shape.SB);

    private CanonicalSuite() {}

    public static List<LitmusTest> all() {
        List<LitmusTest> tests = new ArrayList<>();
        for (Shape shape : Shape.values()) tests.addAll(forShape(shape));
        tests.addAll(guestTests());
        tests.addAll(selfChecks());
        return tests;
    }

    /**
     * MP and SB with a JavaScript actor on the sequentially consistent rung: what a guest
     * author writes for shared memory (Atomics.* in style (a), volatile host calls in (b)),
     * beside a Java volatile or a C seq_cst actor. Style (a) is PLAIN in the model, so its
     * relaxed outcomes are allowed; style (b) with volatile forbids them.
     */
    public static List<LitmusTest> guestTests() {
        List<LitmusTest> tests = new ArrayList<>();
        for (Shape shape : GUEST_SHAPES) {
            for (List<Runtime> mix : GUEST_PAIRS) {
                tests.add(LitmusTest.canonical(name(shape, mix, Rung.SC), shape, Rung.SC, shape.build(mix, Rung.SC), false));
            }
        }
        return tests;
    }

    public static List<LitmusTest> forShape(Shape shape) {
        List<List<Runtime>> mixes = switch (shape.arity()) {
            case 3 -> TRIPLES;
            case 4 -> QUADS;
            default -> PAIRS;
        };
        List<Rung> rungs = (shape == Shape.RMW_FADD || shape == Shape.RMW_CAS)
                ? List.of(Rung.RELAXED, Rung.SC) // atomicity does not depend on ordering
                : List.of(Rung.PLAIN, Rung.RELAXED, Rung.ACQ_REL, Rung.SC);
        List<LitmusTest> tests = new ArrayList<>();
        for (List<Runtime> mix : mixes) {
            for (Rung rung : rungs) {
                if (!mix.stream().allMatch(rung::supports)) continue;
                // The plain rung is only worth running where Java takes part (Go plain
                // alone is the same as the relaxed rung for Go).
                if (rung == Rung.PLAIN && !mix.contains(JAVA)) continue;
                tests.add(LitmusTest.canonical(name(shape, mix, rung), shape, rung, shape.build(mix, rung), false));
            }
        }
        return tests;
    }

    /**
     * Broken variants: store buffering declared seq_cst on both sides while one actor
     * really runs release/acquire. The model then forbids (0, 0), and on x86-TSO the
     * weak actor's store buffer produces it: the engine must report it as forbidden.
     */
    public static List<LitmusTest> selfChecks() {
        List<LitmusTest> tests = new ArrayList<>();
        tests.add(weakenedSb("selfcheck_sb_cc_sc_declared_one_acq_rel", List.of(C, C),
                List.of("release", "acquire")));
        tests.add(weakenedSb("selfcheck_sb_jc_sc_declared_one_acq_rel", List.of(JAVA, C),
                List.of("release", "acquire")));
        return tests;
    }

    private static LitmusTest weakenedSb(String name, List<Runtime> mix, List<String> weakModes) {
        List<ActorSpec> actors = new ArrayList<>(Shape.SB.build(mix, Rung.SC));
        actors.set(1, actors.get(1).secretlyRunning(weakModes));
        return LitmusTest.canonical(name, Shape.SB, Rung.SC, actors, true);
    }

    static String name(Shape shape, List<Runtime> mix, Rung rung) {
        StringBuilder b = new StringBuilder(shape.token()).append('_');
        for (Runtime r : mix) b.append(r.letter().toLowerCase(Locale.ROOT));
        return b.append('_').append(rung.label()).toString();
    }
}
