package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import testbed.cancel.CancelBench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bench cancel} ({@code make bench-cancel}): {@link CancelBench}. Its entry that
 * returns an exit code is not public, so this command hands the options it has checked to
 * {@link CancelBench#main}, which ends the JVM with the bench's status (0 the trials held
 * their assertions, 1 one did not, 2 the bench could not run).
 */
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

    BenchCancelCommand(Main.Io io) {
        // CancelBench prints to System.out; see the class comment.
    }

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of("--mode", mode.mode.label(), "--report", report.dir.toString()));
        if (reference != null) args.addAll(List.of("--reference", reference));
        CancelBench.main(args.toArray(String[]::new));
        return 2; // unreachable: CancelBench.main exits
    }

    /** The references CancelBench measures on request (it checks the name again). */
    static final class References implements Iterable<String>, CommandLine.ITypeConverter<String> {
        private static final List<String> NAMES = List.of("blocking-iterator");

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
