package testbed.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole contract suite, as `make run` and `make contract` run it, on the repository as it is. */
@Timeout(300)
class ContractSuiteTest {
    @Test
    void everyCasePassesOnTheRepositoryAndTheBrokenVariantIsCaught() {
        ContractConfig c = ContractTestSupport.config();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SuiteResult s = new ContractSuite(c, new PrintStream(progress, true, StandardCharsets.UTF_8)).run(Mode.QUICK);
        assertEquals(ContractSuite.NAME, s.name());
        assertEquals(ContractSuite.CASES, s.cases().stream().map(CaseResult::name).toList(), "stable case names, in order");
        StringBuilder bad = new StringBuilder();
        for (CaseResult r : s.cases()) {
            Status want = r.name().equals("breaking_edit_caught") ? Status.EXPECTED_FAILURE : Status.PASSED;
            if (r.status() != want) bad.append("\n  ").append(r.name()).append(": ").append(r.status()).append(": ").append(r.message());
            assertTrue(r.name().matches("[a-z0-9_]+"), r.name());
        }
        assertTrue(bad.isEmpty(), "cases not as expected:" + bad);
        assertTrue(progress.toString(StandardCharsets.UTF_8).lines().count() >= ContractSuite.CASES.size(), "progress per case");
        CaseResult fixtures = s.cases().get(ContractSuite.CASES.indexOf("breaking_fixtures"));
        assertTrue(((List<?>) fixtures.details().get("verdicts")).size() >= 16 * 3, "a row per fixture and rule set");
    }
}
