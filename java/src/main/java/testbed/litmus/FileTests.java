package testbed.litmus;

import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.model.Rc11Model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The tests a user's litmus file makes: bound to the runtimes the user named, or to every
 * pairing the canonical suite covers for its number of threads. Named
 * {@code FILESTEM_PAIRING}, e.g. {@code sb_fences_jc} for {@code SB+fences.litmus} bound to
 * Java and C.
 */
public final class FileTests {
    private FileTests() {}

    /**
     * The file bound to {@code runtimes}, or, when that is null, to each default pairing.
     *
     * @throws LitmusFileException when the named runtimes cannot run a statement (a default
     *         pairing that cannot is a not-runnable test with the reason instead)
     */
    public static List<FileTest> of(LitmusProgram p, List<ActorRuntime> runtimes) {
        if (runtimes != null) return List.of(bound(p, runtimes));
        List<FileTest> tests = new ArrayList<>();
        LitmusSource asWritten = null; // what a refused pairing reports: the file judged as C11, once
        for (List<ActorRuntime> mix : defaultPairings(p.threads().size())) {
            try {
                tests.add(bound(p, mix));
            } catch (LitmusFileException refused) {
                if (asWritten == null) {
                    Binding.BoundProgram c11 = Binding.asC11(p);
                    asWritten = new LitmusSource(c11, Rc11Model.judge(c11.effective(), c11.semantics()));
                }
                tests.add(new FileTest(name(p.source(), mix), asWritten, null, "binding refused: " + refused.getMessage()));
            }
        }
        return tests;
    }

    /**
     * The runnable tests named {@code names} of the file at {@code file}, bound as
     * {@link #of} binds it: how a forked litmus JVM rebuilds, by name, the tests its parent
     * made of a user's file.
     *
     * @throws IllegalArgumentException when a name is not a runnable test of the file
     */
    public static List<LitmusCase> named(Path file, List<ActorRuntime> runtimes, List<String> names) throws IOException {
        Map<String, LitmusCase> byName = new LinkedHashMap<>();
        for (FileTest t : of(LitmusParser.parse(file), runtimes)) if (t.runnable()) byName.put(t.name(), t.test());
        List<LitmusCase> out = new ArrayList<>();
        for (String n : names) {
            LitmusCase t = byName.get(n);
            if (t == null) throw new IllegalArgumentException("no runnable test '" + n + "' in " + file);
            out.add(t);
        }
        return out;
    }

    private static FileTest bound(LitmusProgram p, List<ActorRuntime> mix) {
        return FileTest.of(name(p.source(), mix), null, null, Binding.bind(p, mix));
    }

    /** The pairings of the canonical suite for this many threads; a single thread runs in Java. */
    static List<List<ActorRuntime>> defaultPairings(int threads) {
        return threads == 1 ? List.of(List.of(ActorRuntime.JAVA)) : CanonicalSuite.mixes(threads);
    }

    /** {@code SB+fences.litmus} and Java, C: {@code sb_fences_jc}. */
    static String name(Path file, List<ActorRuntime> mix) {
        String stem = file.getFileName().toString().replaceFirst("\\.litmus$", "");
        String snake = stem.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (snake.isEmpty()) snake = "test";
        return snake + '_' + CanonicalSuite.letters(mix);
    }
}
