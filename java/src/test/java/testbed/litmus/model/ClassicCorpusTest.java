package testbed.litmus.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.lang.LitmusParser;
import testbed.litmus.lang.LitmusProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of litmus/classic judged by the model, against the verdict and race flag
 * recorded beside it in expected.tsv (each with its source), and every file listed there.
 */
@Timeout(60)
class ClassicCorpusTest {
    static final Path DIR = Path.of(System.getProperty("testbed.litmus.root", "litmus")).resolve("classic");

    record Expected(String file, Judgement.Verdict verdict, boolean race, String source) { }

    static List<Expected> expectations() throws IOException {
        List<Expected> out = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("expected.tsv"))) {
            if (line.isBlank() || line.startsWith("file\t") || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            assertTrue(f.length >= 5, "expected.tsv: five tab-separated columns: " + line);
            out.add(new Expected(f[0], Judgement.Verdict.parse(f[1]), f[2].equals("data-race"), f[4]));
        }
        return out;
    }

    @Test
    void everyClassicFileGetsItsRecordedVerdict() throws IOException {
        List<String> wrong = new ArrayList<>();
        long nanos = 0;
        for (Expected e : expectations()) {
            LitmusProgram p = LitmusParser.parse(DIR.resolve(e.file()));
            Judgement j = Rc11Model.judge(p);
            nanos += j.nanos();
            if (j.verdict() != e.verdict() || j.dataRace() != e.race()) {
                wrong.add(e.file() + ": expected " + e.verdict().word() + (e.race() ? " data-race" : "")
                        + ", model " + j.verdict().word() + (j.dataRace() ? " data-race" : "") + " (" + e.source() + ")");
            }
        }
        System.out.printf("classic corpus judged in %.1f ms%n", nanos / 1e6);
        assertTrue(wrong.isEmpty(), wrong.size() + " verdicts differ:\n" + String.join("\n", wrong));
    }

    @Test
    void theCorpusHasAtLeastFortyFilesEachWithAnExpectation() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(DIR)) {
            s.filter(f -> f.toString().endsWith(".litmus")).forEach(f -> files.add(f.getFileName().toString()));
        }
        Set<String> listed = new TreeSet<>();
        for (Expected e : expectations()) {
            assertTrue(listed.add(e.file()), "listed twice: " + e.file());
            assertTrue(!e.source().isBlank(), e.file() + " has no source");
        }
        assertEquals(files, listed);
        assertTrue(files.size() >= 40, "classic files: " + files.size());
    }

    @Test
    void withEveryAccessSeqCstTheModelAllowsExactlyTheInterleavings() throws IOException {
        for (Expected e : expectations()) {
            LitmusProgram p = Programs.allSeqCst(LitmusParser.parse(DIR.resolve(e.file())));
            Judgement j = Rc11Model.judge(p);
            assertEquals(j.sequential(), j.allowed(), e.file());
        }
    }
}
