package testbed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testbed.region.SegmentAtomics;

/** The bench harness on a tiny plan: it runs every row, writes bench.json, and refuses a lost count. */
@Timeout(60)
class AtomicIncrementBenchTest {

    @TempDir
    Path reportDir;

    @Test
    void aSmokeRunWritesEveryRow() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int rc = AtomicIncrementBench.run(new AtomicIncrementBench.Plan("smoke", 1, 3, 2_000_000L), reportDir,
                new PrintStream(text, true, StandardCharsets.UTF_8));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, printed);
        JsonNode doc = new ObjectMapper().readTree(reportDir.resolve("bench.json").toFile());
        assertEquals("atomic_increment", doc.get("bench").asText());
        assertTrue(doc.get("machine").get("cpus").asInt() >= 1);
        JsonNode rows = doc.get("rows");
        assertEquals(16, rows.size(), printed);
        for (JsonNode row : rows) {
            double median = row.get("medianNsPerOp").asDouble();
            assertTrue(median > 0 && row.get("minNsPerOp").asDouble() <= median
                    && median <= row.get("maxNsPerOp").asDouble(), row.toString());
            assertEquals(3, row.get("roundNsPerOp").size());
            if (row.get("binding").asText().equals("varhandle")) {
                assertEquals(1.0, row.get("ratioVsVarHandle").asDouble());
            }
        }
        assertTrue(printed.contains("ffm-critical  packed"), printed);
    }

    @Test
    void aRoundThatLostIncrementsFailsTheBench() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = arena.allocate(8, 8);
            SegmentAtomics.setVolatile(slot, 1999);
            MemorySegment[] shared = {slot, slot};
            AtomicIncrementBench.InexactCountException e = assertThrows(
                    AtomicIncrementBench.InexactCountException.class,
                    () -> AtomicIncrementBench.checkExact("x/shared", shared, 1000));
            assertTrue(e.getMessage().matches("x/shared: slot at 0x\\p{XDigit}+ holds 1,999 after a round, want 2,000 \\(1 lost\\)"),
                    e.getMessage());
            SegmentAtomics.setVolatile(slot, 2000);
            AtomicIncrementBench.checkExact("x/shared", shared, 1000);
        }
    }

    @Test
    void anUnknownModeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> AtomicIncrementBench.Plan.of("fast"));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(2, AtomicIncrementBench.run("fast", reportDir, new PrintStream(text, true, StandardCharsets.UTF_8)));
    }
}
