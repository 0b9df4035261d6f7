package testbed.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * buf breaking on every schema-edit fixture of proto/testdata/breaking, under
 * WIRE, WIRE_JSON and the project's rules: the verdict and every rule named
 * must be what verdicts.txt records.
 */
@Timeout(120)
class ContractFixturesTest {
    static Stream<String> fixtures() {
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (BreakingFixtures.Expectation e : BreakingFixtures.read(ContractConfig.fromSystemProperties())) names.put(e.fixture(), true);
        return names.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void classifiedAsRecorded(String fixture) {
        ContractConfig c = ContractTestSupport.config();
        List<BreakingFixtures.Expectation> es = BreakingFixtures.read(c).stream().filter(e -> e.fixture().equals(fixture)).toList();
        assertEquals(3, es.size(), "one verdict per rule set");
        List<String> wrong = new ArrayList<>();
        for (BreakingFixtures.Outcome o : BreakingFixtures.check(new Buf(c.buf()), c, es)) {
            if (!o.matches()) {
                wrong.add(o.expected().ruleSet() + ": expected " + o.expected().verdict() + ", buf reported " + o.verdict()
                        + (o.findings().isEmpty() ? "" : "\n    " + String.join("\n    ", o.findings().stream().map(Finding::toString).toList())));
            }
            for (Finding f : o.findings()) {
                assertTrue(f.path().startsWith("proto/testdata/breaking/" + fixture + "/after"), "finding names the fixture: " + f);
                assertTrue(f.line() > 0 || !f.path().endsWith(".proto"), "a finding in a file names a line: " + f);
            }
        }
        assertTrue(wrong.isEmpty(), fixture + " misclassified:\n  " + String.join("\n  ", wrong));
    }

    /** The issue's list of edits, each present as a fixture, with the verdict the project's rules must give. */
    @Test
    void everyEditOfTheIssueHasAFixture() {
        Map<String, String> contract = new LinkedHashMap<>();
        for (BreakingFixtures.Expectation e : BreakingFixtures.read(ContractConfig.fromSystemProperties())) {
            if (e.ruleSet() == BreakingFixtures.RuleSet.CONTRACT) contract.put(e.fixture(), e.verdict());
        }
        Map<String, Boolean> breaks = new LinkedHashMap<>();
        breaks.put("field_number_reused_other_type", true);
        breaks.put("string_to_bytes", true);           // passes WIRE, breaks WIRE_JSON
        breaks.put("int64_to_sint64", true);
        breaks.put("field_removed", true);
        breaks.put("field_removed_reserved", false);
        breaks.put("enum_value_removed", true);
        breaks.put("enum_value_renamed", true);        // passes WIRE, breaks WIRE_JSON
        breaks.put("field_moved_into_oneof", true);
        breaks.put("rpc_streaming_changed", true);
        breaks.put("rpc_request_type_changed", true);
        breaks.put("package_renamed", true);
        breaks.put("compatible_additions", false);
        breaks.forEach((name, breaking) -> {
            assertTrue(contract.containsKey(name), "no fixture " + name);
            assertEquals(breaking, !contract.get(name).equals("pass"), name + " under the project's rules");
        });
    }

    @Test
    void aBadVerdictsFileNamesItsLine(@TempDir Path tmp) throws IOException {
        ContractConfig real = ContractConfig.fromSystemProperties();
        Path dir = tmp.resolve("breaking");
        ContractTestSupport.copyTree(real.fixturesDir(), dir);
        ContractConfig c = new ContractConfig(real.root(), real.schemaDir(), null, "main", real.baselineImage(), real.corpusDir(), dir,
                real.buf(), real.contractTool(), real.nativeTest(), real.goLayoutTest(), real.layoutFile());
        Path verdicts = dir.resolve(BreakingFixtures.VERDICTS);
        List<String> lines = new ArrayList<>(Files.readAllLines(verdicts));
        int i = lines.indexOf(lines.stream().filter(l -> l.startsWith("string_to_bytes ")).findFirst().orElseThrow());
        lines.set(i, "string_to_bytes WIRE maybe");
        Files.write(verdicts, lines);
        ContractException e = assertThrows(ContractException.class, () -> BreakingFixtures.read(c));
        assertEquals(verdicts + ":" + (i + 1) + ": 'maybe' is not a buf rule ID (or 'pass' alone)", e.getMessage());

        lines.set(i, "string_to_bytes WIRE pass");
        lines.add("ghost WIRE pass");
        Files.write(verdicts, lines);
        e = assertThrows(ContractException.class, () -> BreakingFixtures.read(c));
        assertTrue(e.getMessage().startsWith(verdicts + ":" + lines.size() + ": ghost has no WIRE_JSON verdict"), e.getMessage());
    }
}
