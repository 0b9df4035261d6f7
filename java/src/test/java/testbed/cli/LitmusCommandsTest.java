package testbed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code litmus-model} and {@code litmus}, as {@code make litmus-model} and {@code make litmus} call them. */
@Timeout(120)
class LitmusCommandsTest {
    static final Path LITMUS = Path.of(System.getProperty("testbed.litmus.root", "litmus"));

    record Outcome(int code, String out, String err) { }

    private static Outcome main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void litmusModelJudgesAWholeDirectoryAndPrintsHerdsLines() {
        Outcome o = main("litmus-model", "--file", LITMUS.resolve("classic").toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("Model SB+fences Never"), o.out());
        assertTrue(o.out().contains("Model MP+na+rlx Sometimes\nFlag data-race"), o.out());
        assertTrue(o.out().matches("(?s).*judged 72 files in [0-9.]+ ms\n"), o.out());
    }

    @Test
    void litmusModelShowsDeclaredAndEffectiveOrdersForABinding() {
        Outcome o = main("litmus-model", "--file", LITMUS.resolve("canonical/mp/acq_rel.litmus").toString(), "--runtimes", "java,go");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("bound to [java, go]"), o.out());
        assertTrue(o.out().contains("P1 go       line 9    acquire      -> go atomic (runs as seq_cst)"), o.out());
        assertTrue(o.out().contains("Model MP+acq_rel Never"), o.out());
    }

    @Test
    void aMalformedFileIsRefusedWithLineAndColumnAndExitTwo(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.litmus");
        Files.writeString(bad, "C bad\n{ x = 0; }\nP0 (atomic_int* x) {\n  if (1) { atomic_store(x, 1); }\n}\nexists (x=1)\n");
        Outcome model = main("litmus-model", "--file", bad.toString());
        assertEquals(2, model.code());
        assertTrue(model.err().startsWith(bad + ":4:3: "), model.err());
        Outcome run = main("litmus", "--file", bad.toString(), "--report", dir.resolve("report").toString());
        assertEquals(2, run.code());
        assertTrue(run.err().startsWith(bad + ":4:3: "), run.err());
        Outcome refused = main("litmus", "--file", LITMUS.resolve("classic/SB+fences.litmus").toString(), "--runtimes", "go,c",
                "--report", dir.resolve("report").toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("P0 is bound to go, which has no standalone fence"), refused.err());
        assertTrue(Files.notExists(dir.resolve("report")), "nothing ran, so no report was written");
    }

    @Test
    void aUsersFileRunsAndPrintsModelHistogramAndObservation(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        Outcome o = main("litmus", "--file", LITMUS.resolve("classic/SB+fences.litmus").toString(), "--runtimes", "java,c",
                "--mode", "quick", "--report", report.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("Model SB+fences Never"), o.out());
        assertTrue(o.out().matches("(?s).*\n  sb_fences_jc +\\[java, c\\] +Model SB\\+fences Never\n.*"), "each binding's own model line: " + o.out());
        assertTrue(o.out().contains("Histogram sb_fences_jc (PASS)"), o.out());
        assertTrue(o.out().matches("(?s).*\nObservation SB\\+fences Never 0 [1-9][0-9]*\n.*"), o.out());
        String json = Files.readString(report.resolve("report.json"));
        assertTrue(json.contains("\"file\" : \"" + LITMUS.resolve("classic/SB+fences.litmus")), json);
        assertTrue(json.contains("\"effective\" : \"relaxed\""), json);
        assertTrue(Files.readString(report.resolve("junit.xml")).contains("sb_fences_jc"));
    }
}
