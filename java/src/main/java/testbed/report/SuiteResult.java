package testbed.report;

import java.util.List;

/** The cases of one suite, in the order they ran. */
public record SuiteResult(String name, String description, List<CaseResult> cases) {
    public SuiteResult {
        cases = List.copyOf(cases);
    }
}
