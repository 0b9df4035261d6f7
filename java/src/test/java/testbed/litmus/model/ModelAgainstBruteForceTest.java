package testbed.litmus.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model ({@link Rc11Model}, pruned for speed) holds to {@link BruteForceRc11}, which
 * builds every candidate execution and evaluates rc11.cat's axioms on each: the same
 * allowed outcomes and the same data-race flag, on every file of litmus/classic and
 * litmus/canonical and on seeded random programs. The seeds are fixed, so a failure
 * repeats; its message holds the program's text.
 */
@Timeout(60)
class ModelAgainstBruteForceTest {
    static final Path ROOT = Path.of(System.getProperty("testbed.litmus.root", "litmus"));
    /** Random programs judged, from seeds FIRST_SEED, FIRST_SEED + 1, ... (a seed whose program is too large is passed over). */
    static final int PROGRAMS = 1000;
    static final long FIRST_SEED = 20_250_000L;
    /** A random program with more candidate executions than this is passed over, to keep the test within seconds. */
    static final long MAX_CANDIDATES = 200_000L;
    /** Disagreements printed in full in a failure message; the rest are counted. */
    static final int SHOWN = 3;

    @Test
    void everyLitmusFileGetsTheBruteForceVerdict() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("classic", "canonical")) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
                s.filter(f -> f.toString().endsWith(".litmus")).sorted().forEach(files::add);
            }
        }
        assertTrue(files.size() >= 100, "litmus files under " + ROOT + ": " + files.size());
        List<String> wrong = new ArrayList<>();
        long candidates = 0;
        long t0 = System.nanoTime();
        for (Path f : files) {
            String text = Files.readString(f);
            LitmusProgram p = LitmusParser.parse(f, text);
            BruteForceRc11.Verdict oracle = BruteForceRc11.judge(p);
            candidates += oracle.candidates();
            String d = disagreement(f.toString(), text, Rc11Model.judge(p), oracle);
            if (d != null) wrong.add(d);
        }
        System.out.printf("brute force: %d litmus files, %,d candidate executions, %.1f s, %d disagreements%n",
                files.size(), candidates, (System.nanoTime() - t0) / 1e9, wrong.size());
        assertTrue(wrong.isEmpty(), report(wrong, files.size()));
    }

    @Test
    void seededRandomProgramsGetTheBruteForceVerdict() {
        List<String> wrong = new ArrayList<>();
        long candidates = 0;
        int redrawn = 0;
        int relaxed = 0;
        int racy = 0;
        long t0 = System.nanoTime();
        long seed = FIRST_SEED;
        for (int judged = 0; judged < PROGRAMS; seed++) {
            String text = RandomProgram.text(seed);
            LitmusProgram p = LitmusParser.parse(Path.of("seed-" + seed + ".litmus"), text);
            if (BruteForceRc11.candidates(p) > MAX_CANDIDATES) {
                redrawn++;
                continue;
            }
            judged++;
            BruteForceRc11.Verdict oracle = BruteForceRc11.judge(p);
            Judgement model = Rc11Model.judge(p);
            candidates += oracle.candidates();
            if (!model.sequential().containsAll(oracle.allowed())) relaxed++;
            if (oracle.dataRace()) racy++;
            String d = disagreement("seed " + seed, text, model, oracle);
            if (d != null) wrong.add(d);
            if (judged % 100 == 0) {
                System.out.printf("brute force: %d random programs judged, %.1f s%n", judged, (System.nanoTime() - t0) / 1e9);
            }
        }
        System.out.printf("brute force: %d random programs (%d passed over, above %,d candidates), %,d candidate executions,"
                        + " %d with a non-SC outcome, %d racy, %.1f s, %d disagreements%n",
                PROGRAMS, redrawn, MAX_CANDIDATES, candidates, relaxed, racy, (System.nanoTime() - t0) / 1e9, wrong.size());
        assertTrue(wrong.isEmpty(), report(wrong, PROGRAMS));
        // The programs must exercise the axioms, not only the interleavings.
        assertTrue(relaxed >= PROGRAMS / 5, "random programs with an outcome beyond SC: " + relaxed);
        assertTrue(racy >= PROGRAMS / 10, "racy random programs: " + racy);
    }

    /** The comparison itself can fail: a model that lost one outcome, or the race flag, is reported. */
    @Test
    void aLostOutcomeOrRaceFlagIsReportedWithTheProgramAndBothSets() throws IOException {
        Path f = ROOT.resolve("classic").resolve("MP+na+rlx.litmus");
        String text = Files.readString(f);
        LitmusProgram p = LitmusParser.parse(f, text);
        Judgement model = Rc11Model.judge(p);
        BruteForceRc11.Verdict oracle = BruteForceRc11.judge(p);
        assertNull(disagreement("MP+na+rlx", text, model, oracle));

        Set<List<Long>> fewer = new HashSet<>(model.allowed());
        List<Long> lost = Judgement.sortedOutcomes(fewer).get(0);
        fewer.remove(lost);
        String d = disagreement("MP+na+rlx", text, new Judgement(model.test(), model.shape(), model.condition(), fewer,
                Set.of(), model.dataRace(), 0, 0), oracle);
        assertNotNull(d);
        assertTrue(d.contains(text.strip()) && d.contains("brute force only: " + model.label(lost)), d);

        String noRace = disagreement("MP+na+rlx", text, new Judgement(model.test(), model.shape(), model.condition(),
                model.allowed(), Set.of(), !model.dataRace(), 0, 0), oracle);
        assertNotNull(noRace);
        assertTrue(noRace.contains("data race: model " + !oracle.dataRace() + ", brute force " + oracle.dataRace()), noRace);
    }

    /** Null when the model and the brute force agree; else the program and both answers. */
    static String disagreement(String name, String text, Judgement model, BruteForceRc11.Verdict oracle) {
        if (model.allowed().equals(oracle.allowed()) && model.dataRace() == oracle.dataRace()) return null;
        StringBuilder b = new StringBuilder(name).append(": the model and the brute force disagree\n")
                .append(text.strip()).append('\n');
        lines(b, "model allows", model, model.allowed());
        lines(b, "brute force allows", model, oracle.allowed());
        lines(b, "model only", model, minus(model.allowed(), oracle.allowed()));
        lines(b, "brute force only", model, minus(oracle.allowed(), model.allowed()));
        b.append("data race: model ").append(model.dataRace()).append(", brute force ").append(oracle.dataRace()).append('\n');
        return b.toString();
    }

    private static void lines(StringBuilder b, String title, Judgement j, Set<List<Long>> outcomes) {
        for (List<Long> o : Judgement.sortedOutcomes(outcomes)) b.append("  ").append(title).append(": ").append(j.label(o)).append('\n');
    }

    private static Set<List<Long>> minus(Set<List<Long>> a, Set<List<Long>> b) {
        Set<List<Long>> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static String report(List<String> wrong, int of) {
        return wrong.size() + " of " + of + " programs judged differently:\n\n"
                + String.join("\n", wrong.subList(0, Math.min(SHOWN, wrong.size())))
                + (wrong.size() > SHOWN ? "\n... and " + (wrong.size() - SHOWN) + " more" : "");
    }

    /**
     * A random program in the litmus dialect, from its seed. Two in three are a classic shape
     * (SB, MP, LB, S, R, 2+2W, IRIW, WRC, RWC, ISA2, Z6, 3.SB, 3.LB, WWC, CoRR, CoWR, a release
     * sequence through an RMW or a later store) dressed at random: fences between accesses,
     * stores turned into exchanges or compare-exchanges, loads into fetch_adds; the rest are
     * drawn freely, 2 to 4 threads of 1 to 4 statements over 2 or 3 locations. Then some
     * locations are made non-atomic (their accesses plain loads and stores), and every
     * statement gets a memory order C11 allows for it, the program's orders leaning one of
     * three ways: mostly seq_cst, any, or no seq_cst at all. Each thread's compare-exchanges
     * keep their expected value in a location of its own (e0..e3). Every register and every
     * location is observed.
     */
    static final class RandomProgram {
        /** Thread by thread: Wx1 stores 1 to x, Rx loads x, Ux1 adds 1 to x. */
        private static final String[] SHAPES = {
            "Wx1 Ry / Wy1 Rx", "Wx1 Wy1 / Ry Rx", "Rx Wy1 / Ry Wx1", "Wx2 Wy1 / Ry Wx1", "Wx1 Wy1 / Wy2 Rx",
            "Wx1 Wy2 / Wy1 Wx2", "Wx1 / Wy1 / Rx Ry / Ry Rx", "Wx1 / Rx Wy1 / Ry Rx", "Wx1 / Rx Ry / Wy1 Rx",
            "Wx1 Wy1 / Ry Wz1 / Rz Rx", "Wx1 Wy1 / Wy2 Wz1 / Rz Rx", "Wx1 Ry / Wy1 Rz / Wz1 Rx",
            "Rx Wy1 / Ry Wz1 / Rz Wx1", "Wx2 / Rx Wy1 / Ry Wx1", "Wx1 / Wx2 / Rx Rx / Rx Rx", "Wx1 Rx / Wx2 Rx",
            "Wx1 Wy1 / Uy1 / Ry Rx", "Wx1 Wy1 Wy2 / Ry Rx",
        };
        private static final List<String> LOAD = List.of("relaxed", "acquire", "seq_cst");
        private static final List<String> STORE = List.of("relaxed", "release", "seq_cst");
        private static final List<String> ANY = List.of("relaxed", "acquire", "release", "acq_rel", "seq_cst");

        private final Random rnd;
        /** The chance that an order is seq_cst whatever else it could be; -1 for never. */
        private final double seqCst;

        private RandomProgram(Random rnd) {
            this.rnd = rnd;
            this.seqCst = new double[] {0.8, 0, -1}[rnd.nextInt(3)];
        }

        static String text(long seed) {
            Random rnd = new Random(seed);
            RandomProgram g = new RandomProgram(rnd);
            boolean shaped = rnd.nextInt(3) < 2;
            List<List<String>> threads = shaped ? g.shaped() : g.free();
            List<String> locations = new ArrayList<>(new java.util.TreeSet<>(threads.stream().flatMap(List::stream)
                    .filter(a -> !a.equals("F")).map(a -> a.substring(1, 2)).toList()));
            Set<String> plain = new HashSet<>();
            if (shaped && rnd.nextInt(5) < 2) plain.add(locations.get(rnd.nextInt(locations.size())));
            if (!shaped) for (String l : locations) if (rnd.nextInt(5) == 0) plain.add(l);
            return g.emit("seed-" + seed, threads, locations, plain);
        }

        private List<List<String>> shaped() {
            List<List<String>> threads = new ArrayList<>();
            for (String shape : SHAPES[rnd.nextInt(SHAPES.length)].split(" / ")) {
                List<String> out = new ArrayList<>();
                if (rnd.nextInt(10) == 0) out.add("F");
                boolean compareExchange = false;
                for (String a : shape.split(" ")) {
                    if (!out.isEmpty() && !out.getLast().equals("F") && rnd.nextInt(10) < 3) out.add("F");
                    int c = rnd.nextInt(20);
                    String dressed = switch (a.charAt(0)) {
                        case 'W' -> c < 14 ? a : c < 17 || compareExchange ? "X" + a.substring(1) : "C" + a.substring(1);
                        case 'R' -> c < 16 ? a : "U" + a.substring(1) + rnd.nextInt(2);
                        default -> a;
                    };
                    compareExchange |= dressed.startsWith("C");
                    out.add(dressed);
                }
                if (rnd.nextInt(10) == 0) out.add("F");
                threads.add(out);
            }
            return threads;
        }

        private List<List<String>> free() {
            List<String> locations = List.of("x", "y", "z").subList(0, 2 + rnd.nextInt(2));
            List<List<String>> threads = new ArrayList<>();
            for (int t = 2 + rnd.nextInt(3); t > 0; t--) {
                List<String> out = new ArrayList<>();
                for (int s = 1 + rnd.nextInt(4); s > 0; s--) {
                    char kind = "WWWRRRXUCFF".charAt(rnd.nextInt(11));
                    out.add(kind == 'F' ? "F" : kind + locations.get(rnd.nextInt(locations.size())) + (1 + rnd.nextInt(2)));
                }
                threads.add(out);
            }
            return threads;
        }

        /** The program's text; on a non-atomic location a load or fetch_add is a plain load, any other write a plain store. */
        private String emit(String name, List<List<String>> threads, List<String> locations, Set<String> plain) {
            StringBuilder init = new StringBuilder();
            for (String l : locations) init.append(l).append(" = 0; ");
            List<String> observed = new ArrayList<>(locations);
            StringBuilder body = new StringBuilder();
            for (int t = 0; t < threads.size(); t++) {
                List<String> params = new ArrayList<>();
                List<String> lines = new ArrayList<>();
                String e = "e" + t;
                for (String a : threads.get(t)) {
                    if (a.equals("F")) {
                        lines.add("atomic_thread_fence(memory_order_" + order(ANY) + ");");
                        continue;
                    }
                    char kind = a.charAt(0);
                    String x = a.substring(1, 2);
                    String v = a.substring(2);
                    String r = "r" + lines.stream().filter(l -> l.startsWith("int ")).count();
                    if (!params.contains(x)) params.add(x);
                    if (plain.contains(x)) {
                        lines.add(kind == 'R' || kind == 'U' ? "int " + r + " = *" + x + ";" : "*" + x + " = " + v + ";");
                        continue;
                    }
                    lines.add(switch (kind) {
                        case 'W' -> "atomic_store_explicit(" + x + ", " + v + ", memory_order_" + order(STORE) + ");";
                        case 'R' -> "int " + r + " = atomic_load_explicit(" + x + ", memory_order_" + order(LOAD) + ");";
                        case 'X' -> "int " + r + " = atomic_exchange_explicit(" + x + ", " + v + ", memory_order_" + order(ANY) + ");";
                        case 'U' -> "int " + r + " = atomic_fetch_add_explicit(" + x + ", " + v + ", memory_order_" + order(ANY) + ");";
                        default -> {
                            if (!params.contains(e)) params.add(e);
                            String success = order(ANY);
                            yield "int " + r + " = atomic_compare_exchange_strong_explicit(" + x + ", " + e + ", " + v
                                    + ", memory_order_" + success + ", memory_order_" + failureOrder(success) + ");";
                        }
                    });
                }
                for (String l : lines) {
                    if (l.startsWith("int ")) observed.add(t + ":" + l.substring(4, l.indexOf(' ', 4)));
                }
                if (params.contains(e)) {
                    init.append(e).append(" = ").append(rnd.nextInt(2)).append("; ");
                    observed.add(e);
                }
                body.append("P").append(t).append(" (").append(String.join(", ", params.stream()
                        .map(l -> (l.startsWith("e") || plain.contains(l) ? "int* " : "atomic_int* ") + l).toList()))
                        .append(") {\n");
                for (String l : lines) body.append("  ").append(l).append('\n');
                body.append("}\n");
            }
            return "C " + name + "\n{ " + init + "}\n" + body + "locations [" + String.join("; ", observed) + "]\n"
                    + "exists (true)\n";
        }

        private String order(List<String> allowed) {
            if (rnd.nextDouble() < seqCst) return "seq_cst";
            List<String> from = seqCst < 0 ? allowed.subList(0, allowed.size() - 1) : allowed;
            return from.get(rnd.nextInt(from.size()));
        }

        /** A failure order C11 allows with this success order: a load order no stronger than the success. */
        private String failureOrder(String success) {
            List<String> allowed = new ArrayList<>(List.of("relaxed"));
            if (success.equals("acquire") || success.equals("acq_rel") || success.equals("seq_cst")) allowed.add("acquire");
            if (success.equals("seq_cst")) allowed.add("seq_cst");
            return allowed.get(rnd.nextInt(allowed.size()));
        }
    }
}
