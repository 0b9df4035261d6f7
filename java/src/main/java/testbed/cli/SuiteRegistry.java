package testbed.cli;

import testbed.audit.AuditSuite;
import testbed.cancel.CancellationSuite;
import testbed.contract.ContractSuite;
import testbed.counters.CountersSuite;
import testbed.harness.Suite;
import testbed.interop.GrpcInteropSuite;
import testbed.litmus.engine.LitmusSuite;
import testbed.scopes.ScopesSuite;

import java.util.List;
import java.util.Optional;

/**
 * Every suite a run can hold, in the order {@code run} runs them: the one list the command
 * line, the help text and the tests read, so that no suite's name is written twice.
 */
public final class SuiteRegistry {
    /** The suites in run order. */
    public static final List<Suite> ALL = List.of(
            CountersSuite.SUITE,
            CancellationSuite.SUITE,
            GrpcInteropSuite.SUITE,
            ScopesSuite.SUITE,
            ContractSuite.SUITE,
            LitmusSuite.SUITE,
            AuditSuite.SUITE);

    private SuiteRegistry() {}

    /** The suite named {@code name}, if there is one. */
    public static Optional<Suite> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Every suite's name, in run order. */
    public static List<String> names() {
        return ALL.stream().map(Suite::name).toList();
    }
}
