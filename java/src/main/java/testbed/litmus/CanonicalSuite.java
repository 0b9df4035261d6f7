package testbed.litmus;

import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static testbed.litmus.ActorRuntime.C;
import static testbed.litmus.ActorRuntime.GO;
import static testbed.litmus.ActorRuntime.JAVA;
import static testbed.litmus.ActorRuntime.JS_HOST;
import static testbed.litmus.ActorRuntime.JS_VIEW;

/**
 * The canonical suite: the files under {@code litmus/canonical/SHAPE/RUNG.litmus}, each
 * bound to the runtime pairings that make sense and judged by the model, plus the
 * deliberately broken variants that prove the engine can catch a forbidden outcome.
 * A case is named {@code SHAPE_PAIRING_RUNG}, e.g. {@code sb_jc_acq_rel}.
 */
public final class CanonicalSuite {
    /** Where the litmus files are: this property, else {@code litmus} in the working directory. */
    public static final String ROOT_PROPERTY = "testbed.litmus.root";

    /** The two-actor pairings: every ordered pair of runtimes except Go with itself (the peer tests that alone). */
    public static final List<List<ActorRuntime>> PAIRS = List.of(
            List.of(JAVA, JAVA), List.of(JAVA, C), List.of(C, JAVA), List.of(C, C),
            List.of(JAVA, GO), List.of(GO, JAVA), List.of(C, GO), List.of(GO, C));

    /** Three-actor mixes for WRC (writer, relay, observer). */
    public static final List<List<ActorRuntime>> TRIPLES = List.of(
            List.of(JAVA, JAVA, JAVA), List.of(JAVA, C, GO), List.of(C, GO, JAVA), List.of(GO, JAVA, C));

    /** Four-actor mixes for IRIW (two writers, two readers). */
    public static final List<List<ActorRuntime>> QUADS = List.of(
            List.of(JAVA, JAVA, JAVA, JAVA), List.of(JAVA, C, JAVA, C), List.of(C, GO, GO, JAVA));

    /**
     * The embedded JavaScript guest in both styles, paired with Java and with C in both
     * orders (docs/GUEST.md): V is style (a), a typed-array view; H is style (b), host
     * VarHandle methods.
     */
    public static final List<List<ActorRuntime>> GUEST_PAIRS = List.of(
            List.of(JAVA, JS_VIEW), List.of(JS_VIEW, JAVA), List.of(C, JS_VIEW), List.of(JS_VIEW, C),
            List.of(JAVA, JS_HOST), List.of(JS_HOST, JAVA), List.of(C, JS_HOST), List.of(JS_HOST, C));

    /** The shapes the guest takes part in. */
    public static final List<Shape> GUEST_SHAPES = List.of(Shape.MP, Shape.SB);

    private static volatile List<LitmusCase> all;

    private CanonicalSuite() {}

    /** The directory of the canonical files. */
    public static Path directory() {
        return Path.of(System.getProperty(ROOT_PROPERTY, "litmus")).resolve("canonical");
    }

    /** Every test, in run order: each shape's tests, then the guest tests, then the broken variants. Parsed and judged once. */
    public static List<LitmusCase> all() {
        List<LitmusCase> tests = all;
        if (tests == null) {
            List<LitmusCase> built = new ArrayList<>();
            for (Shape shape : Shape.values()) built.addAll(forShape(shape));
            built.addAll(mixedOrders());
            built.addAll(guestTests());
            built.addAll(selfChecks());
            all = tests = List.copyOf(built);
        }
        return tests;
    }

    /**
     * MP and SB with a JavaScript actor on the sequentially consistent rung: what a guest
     * author writes for shared memory (Atomics.* in style (a), volatile host calls in (b)),
     * beside a Java volatile or a C seq_cst actor. Style (a) is PLAIN in the model, so its
     * relaxed outcomes are allowed; style (b) with volatile forbids them.
     */
    public static List<LitmusCase> guestTests() {
        List<LitmusCase> tests = new ArrayList<>();
        for (Shape shape : GUEST_SHAPES) {
            LitmusProgram p = program(shape, Rung.SC);
            for (List<ActorRuntime> mix : GUEST_PAIRS) tests.add(test(shape, Rung.SC, p, mix));
        }
        return tests;
    }

    /** One shape's file on every rung, bound to every mix of its arity that the rung suits. */
    public static List<LitmusCase> forShape(Shape shape) {
        List<List<ActorRuntime>> mixes = mixes(shape.arity());
        List<Rung> rungs = switch (shape) {
            case RMW_FADD, RMW_CAS -> List.of(Rung.RELAXED, Rung.SC); // atomicity does not depend on ordering
            case SB, R -> List.of(Rung.PLAIN, Rung.RELAXED, Rung.ACQ_REL, Rung.SC, Rung.FENCED);
            default -> List.of(Rung.PLAIN, Rung.RELAXED, Rung.ACQ_REL, Rung.SC);
        };
        java.util.Map<Rung, LitmusProgram> files = new java.util.EnumMap<>(Rung.class);
        for (Rung rung : rungs) files.put(rung, program(shape, rung));
        List<LitmusCase> tests = new ArrayList<>();
        for (List<ActorRuntime> mix : mixes) {
            for (Rung rung : rungs) {
                // The plain rung runs where Java takes part: C has no non-atomic kernel yet,
                // and Go's plain accesses alone are what the peer's own tests cover.
                if (rung == Rung.PLAIN && (mix.contains(C) || !mix.contains(JAVA))) continue;
                // Go has no standalone fence: the binding would refuse the fenced files.
                if (rung == Rung.FENCED && mix.contains(GO)) continue;
                tests.add(test(shape, rung, files.get(rung), mix));
            }
        }
        return tests;
    }

    /**
     * The mixed-order family ({@code litmus/canonical/mixed/}): SB, SB with fences, LB, 2+2W,
     * MP and the two RMW shapes with a different order on each access, each file bound to the
     * pairings {@code pairings.tsv} lists. With the rungs they run every kernel that the C
     * shim, the Java runtime and the Go peer ship, so a kernel broken in any of them meets a
     * case of {@code make run} (LitmusKernelCoverageTest). Named {@code SHAPE_PAIRING_ORDERS},
     * e.g. {@code sb_jc_rlx_sc_rel_acq}.
     */
    public static List<LitmusCase> mixedOrders() {
        Path dir = directory().resolve("mixed");
        List<String> rows;
        try {
            rows = java.nio.file.Files.readAllLines(dir.resolve("pairings.tsv"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("pairings.tsv") + ": " + e.getMessage(), e);
        }
        List<LitmusCase> tests = new ArrayList<>();
        for (String row : rows) {
            if (row.isBlank() || row.startsWith("#") || row.startsWith("file\t")) continue;
            String[] f = row.split("\t");
            if (f.length != 3) throw new IllegalStateException(dir.resolve("pairings.tsv") + ": three tab-separated columns, got: " + row);
            Shape shape = java.util.Arrays.stream(Shape.values()).filter(sh -> sh.token().equals(f[1])).findFirst()
                    .orElseThrow(() -> new IllegalStateException(dir.resolve("pairings.tsv") + ": no shape '" + f[1] + "'"));
            LitmusProgram p = parse(dir.resolve(f[0]));
            String orders = f[0].replaceFirst("\\.litmus$", "").substring(shape.token().length() + 1);
            for (String pairing : f[2].split(",")) {
                List<ActorRuntime> mix = pairing.chars().mapToObj(c -> ActorRuntime.parse(String.valueOf((char) c))).toList();
                tests.add(test(shape.token() + '_' + pairing + '_' + orders, shape, null, p, mix));
            }
        }
        return tests;
    }

    /**
     * Broken variants: store buffering declared seq_cst on both sides while one actor
     * really runs release/acquire. The model then forbids (0, 0), and on x86-TSO the
     * weak actor's store buffer produces it: the engine must report it as forbidden.
     */
    public static List<LitmusCase> selfChecks() {
        LitmusProgram sb = program(Shape.SB, Rung.SC);
        List<LitmusCase> tests = new ArrayList<>();
        for (List<ActorRuntime> mix : List.of(List.of(C, C), List.of(JAVA, C))) {
            LitmusCase t = test(Shape.SB, Rung.SC, sb, mix);
            tests.add(t.brokenVariant("selfcheck_sb_" + letters(mix) + "_sc_declared_one_acq_rel", 1, List.of("release", "acquire")));
        }
        return tests;
    }

    /** The canonical file of a shape on a rung, parsed. */
    public static LitmusProgram program(Shape shape, Rung rung) {
        return parse(directory().resolve(shape.token()).resolve(rung.label() + ".litmus"));
    }

    private static LitmusProgram parse(Path file) {
        try {
            return LitmusParser.parse(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the canonical litmus file " + file
                    + " (set -D" + ROOT_PROPERTY + " to the project's litmus directory): " + e.getMessage(), e);
        }
    }

    private static LitmusCase test(Shape shape, Rung rung, LitmusProgram p, List<ActorRuntime> mix) {
        return test(name(shape, mix, rung), shape, rung, p, mix);
    }

    private static LitmusCase test(String name, Shape shape, Rung rung, LitmusProgram p, List<ActorRuntime> mix) {
        FileTest f = FileTest.of(name, shape, rung, Binding.bind(p, mix));
        if (!f.runnable()) {
            throw new LitmusFileException(p.source(), p.threads().get(0).at(), "canonical test " + name + ": " + f.notRunnable());
        }
        return f.test();
    }

    static String name(Shape shape, List<ActorRuntime> mix, Rung rung) {
        return shape.token() + '_' + letters(mix) + '_' + rung.label();
    }

    /** The runtime mixes the suite covers for tests of this many threads. */
    static List<List<ActorRuntime>> mixes(int threads) {
        return switch (threads) {
            case 3 -> TRIPLES;
            case 4 -> QUADS;
            default -> PAIRS;
        };
    }

    /** Java, C: {@code jc}, as case names spell a pairing. */
    static String letters(List<ActorRuntime> mix) {
        StringBuilder b = new StringBuilder();
        for (ActorRuntime r : mix) b.append(r.letter().toLowerCase(Locale.ROOT));
        return b.toString();
    }
}
