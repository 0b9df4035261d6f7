package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import testbed.cancel.CancelBench;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench cancel} ({@code make bench-cancel}): {@link CancelBench}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel propagation p50/p99, Java to Go and Go to Java, beside the loopback gRPC round trip and the floor,"
                + " judged against the goal lines (never an exit status); DIR/bench-cancel.json.",
        footer = {"", "Exit codes: 0 every trial held its assertions, 1 one did not, 2 the bench could not run."})
final class BenchCancelCommand implements Callable<Integer> {
    @Mixin
    ModeOption mode;

    @Mixin
    ReportOption report;

    @Option(names = "--reference", converter = References.class, completionCandidates = References.class, paramLabel = "NAME",
            description = "Also measure, unjudged: ${COMPLETION-CANDIDATES} (Go to Java read by a blocking iterator on a virtual thread).")
    String reference;

    private final Main.Io io;

    BenchCancelCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return CancelBench.run(mode.mode, report.dir, reference != null, io.out());
    }

    /** The references CancelBench measures on request. */
    static final class References implements Iterable<String>, CommandLine.ITypeConverter<String> {
        private static final List<String> NAMES = List.of(CancelBench.BLOCKING_ITERATOR);

        @Override
        public java.util.Iterator<String> iterator() {
            return NAMES.iterator();
        }

        @Override
        public String convert(String value) {
            if (!NAMES.contains(value)) {
                throw new CommandLine.TypeConversionException("unknown reference '" + value + "'; the references are " + String.join(", ", NAMES));
            }
            return value;
        }
    }
}
