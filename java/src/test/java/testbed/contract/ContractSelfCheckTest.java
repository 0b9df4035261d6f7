package testbed.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract check can fail: a breaking edit to a copy of the real schema makes
 * it fail, naming the rule and the line; the unedited schema passes; a breaking
 * fixture fails it too.
 */
@Timeout(120)
class ContractSelfCheckTest {
    @Test
    void aBreakingEditToACopyOfTheSchemaFailsTheCheckNamingRuleAndLine(@TempDir Path tmp) {
        ContractConfig c = ContractTestSupport.config();
        Path original = tmp.resolve("original");
        Path edited = tmp.resolve("edited");
        Scratch.copySchema(c.protoDir(), original, c.protoDir().resolve("buf.yaml"));
        Scratch.copySchema(c.protoDir(), edited, c.protoDir().resolve("buf.yaml"));
        BreakingEdit.Edit edit = BreakingEdit.apply(edited);
        assertTrue(edit.after().startsWith("sint64 "), edit.toString());

        ContractTestSupport.Run r = ContractTestSupport.check("--schema", edited.toString(), "--against", original.toString(),
                "--only", "schema_lint,schema_breaking");
        assertEquals(1, r.exit(), r.toString());
        String where = edited.resolve(edit.file()) + ":" + edit.line() + ":";
        List<String> faults = r.faultLines();
        assertTrue(!faults.isEmpty() && faults.stream().allMatch(l -> l.startsWith(where)), "every fault names the edited line: " + r);
        assertTrue(faults.stream().anyMatch(l -> l.startsWith(where + "3: " + BreakingEdit.RULE + ": ")), "and the rule: " + r);
        assertTrue(r.out().contains("PASS   contract/schema_lint"), "the edited schema still lints: " + r);
        assertTrue(r.out().contains("FAIL   contract/schema_breaking"), r.toString());
    }

    @Test
    void theRealSchemaPassesAgainstItsBaseline() {
        ContractTestSupport.config();
        ContractTestSupport.Run r = ContractTestSupport.check("--only", "schema_lint,schema_breaking");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.faultLines().isEmpty(), r.toString());
        assertTrue(r.out().matches("(?s).*PASS   contract/schema_breaking .*baseline: (branch main of this clone|committed image proto/baseline.binpb).*"),
                "names the baseline it used: " + r);
    }

    @Test
    void aBreakingFixtureFailsTheCheckAndACompatibleOnePasses() {
        ContractConfig c = ContractTestSupport.config();
        Path fixture = c.fixturesDir().resolve("int64_to_sint64");
        ContractTestSupport.Run r = ContractTestSupport.check("--schema", fixture.resolve("after").toString(),
                "--against", fixture.resolve("before").toString(), "--only", "schema_breaking");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.faultLines().stream().allMatch(l -> l.startsWith("proto/testdata/breaking/int64_to_sint64/after/fixture/v1/sample.proto:")),
                r.toString());
        assertTrue(r.faultLines().stream().anyMatch(l -> l.contains(": FIELD_WIRE_COMPATIBLE_TYPE: ")), r.toString());

        Path ok = c.fixturesDir().resolve("compatible_additions");
        r = ContractTestSupport.check("--schema", ok.resolve("after").toString(), "--against", ok.resolve("before").toString(),
                "--only", "schema_breaking");
        assertEquals(0, r.exit(), r.toString());
    }

    /** The suite's own broken variant is reported as an expected failure, the rule named. */
    @Test
    void theSuitesBrokenVariantIsCaught() {
        ContractTestSupport.Run r = ContractTestSupport.check("--only", "breaking_edit_caught");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("XFAIL  contract/breaking_edit_caught"), r.toString());
        assertTrue(r.out().contains(BreakingEdit.RULE), r.toString());
        assertTrue(r.faultLines().isEmpty(), "an expected failure prints no fault line at column 0: " + r);
        assertTrue(Files.isDirectory(ContractTestSupport.config().protoDir()));
    }
}
