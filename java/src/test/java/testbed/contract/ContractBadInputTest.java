package testbed.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gives one clear line naming the file and the line (or byte), never
 * a stack trace: a schema that does not compile, a missing baseline, a corrupt
 * golden vector, a description that does not parse.
 */
@Timeout(120)
class ContractBadInputTest {
    private static void assertNoStackTrace(ContractTestSupport.Run r) {
        assertFalse(r.out().contains("\tat ") || r.err().contains("\tat ") || r.out().contains("Exception"), "no stack trace: " + r);
    }

    @Test
    void aSchemaThatDoesNotCompileIsOneLineWithFileLineAndColumn(@TempDir Path tmp) throws IOException {
        ContractConfig c = ContractTestSupport.config();
        Path schema = tmp.resolve("schema");
        Scratch.copySchema(c.protoDir(), schema, c.protoDir().resolve("buf.yaml"));
        Path peer = schema.resolve("interop/v1/peer.proto");
        List<String> lines = new ArrayList<>(Files.readAllLines(peer));
        int i = lines.indexOf(lines.stream().filter(l -> l.matches("\\s+string \\w+ = \\d+;")).findFirst().orElseThrow());
        lines.set(i, lines.get(i).replace("string ", "strin "));
        Files.write(peer, lines);

        ContractTestSupport.Run r = ContractTestSupport.check("--schema", schema.toString(), "--only", "schema_lint,schema_breaking");
        assertEquals(1, r.exit(), r.toString());
        List<String> faults = r.faultLines();
        assertEquals(1, faults.size(), "exactly one fault line: " + r);
        assertTrue(faults.get(0).startsWith(peer + ":" + (i + 1) + ":3: COMPILE: "), faults.get(0));
        assertTrue(r.out().contains("SKIP   contract/schema_breaking"), "breaking is skipped, not reported twice: " + r);
        assertNoStackTrace(r);
    }

    @Test
    void aMissingBaselineIsOneLineNamingTheImage(@TempDir Path tmp) {
        ContractTestSupport.config();
        Path image = tmp.resolve("baseline.binpb");
        ContractTestSupport.Run r = ContractTestSupport.check("--branch", "no-such-branch", "--baseline-image", image.toString(),
                "--only", "schema_breaking");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("ERROR  contract/schema_breaking"), r.toString());
        assertEquals(List.of(image + ": baseline missing: branch no-such-branch is not in this clone and there is no committed image"
                + " (make contract-baseline writes it)"), r.faultLines(), r.toString());
        assertNoStackTrace(r);

        r = ContractTestSupport.check("--against", tmp.resolve("nowhere").toString(), "--only", "schema_breaking");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(List.of(tmp.resolve("nowhere") + ": baseline not found"), r.faultLines(), r.toString());
        assertNoStackTrace(r);
    }

    /** A clone without the baseline branch falls back to the committed image, and says so. */
    @Test
    void withoutTheBranchTheCommittedImageIsTheBaseline() {
        ContractConfig c = ContractTestSupport.config();
        assertTrue(Files.isRegularFile(c.baselineImage()), "proto/baseline.binpb is committed");
        ContractTestSupport.Run r = ContractTestSupport.check("--branch", "no-such-branch", "--only", "schema_breaking");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("baseline: committed image proto/baseline.binpb (branch no-such-branch is not in this clone)"), r.toString());
    }

    @Test
    void aCorruptGoldenVectorIsOneLinePerRuntimeNamingFileByteAndLine(@TempDir Path tmp) throws IOException {
        ContractConfig c = ContractTestSupport.config();
        Path corpus = tmp.resolve("conformance");
        ContractTestSupport.copyTree(c.corpusDir(), corpus);
        Path golden = corpus.resolve("scalars.binpb");
        byte[] b = Files.readAllBytes(golden);
        b[1]++; // i32: 150 is 0x96 0x01; 0x97 0x01 is 151
        Files.write(golden, b);

        ContractTestSupport.Run r = ContractTestSupport.check("--corpus", corpus.toString(), "--only", "goldens_java,goldens_go");
        assertEquals(1, r.exit(), r.toString());
        String expected = golden + ": byte 1: has 0x97 where the description encodes to 0x96 (field i32, described at "
                + corpus.resolve("scalars.txtpb") + ":5)";
        assertEquals(List.of(expected, expected), r.faultLines(), "one line from Java, one from Go, each naming file, byte, field and line: " + r);
        assertNoStackTrace(r);
    }

    @Test
    void aDescriptionThatDoesNotParseIsOneLineWithFileLineAndColumn(@TempDir Path tmp) throws IOException {
        ContractConfig c = ContractTestSupport.config();
        Path corpus = tmp.resolve("conformance");
        ContractTestSupport.copyTree(c.corpusDir(), corpus);
        Path text = corpus.resolve("scalars.txtpb");
        Files.writeString(text, Files.readString(text) + "opt_i32: \"seven\"\n");
        int line = Files.readAllLines(text).size();

        ContractTestSupport.Run r = ContractTestSupport.check("--corpus", corpus.toString(), "--only", "goldens_java,goldens_go");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("ERROR  contract/goldens_java") && r.out().contains("ERROR  contract/goldens_go"), r.toString());
        List<String> faults = r.faultLines();
        assertEquals(2, faults.size(), "one line from Java, one from Go: " + r);
        assertTrue(faults.get(0).startsWith(text + ":" + line + ":10: "), "Java names file, line and column: " + faults.get(0));
        assertEquals(text + ":" + line + ":10: invalid value for int32 type: \"seven\"", faults.get(1), "Go names file, line and column");
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  ERROR  contract/goldens_go ") && l.endsWith(faults.get(1))),
                "Go's case reports Go's own reading: " + r);
        assertNoStackTrace(r);
    }
}
