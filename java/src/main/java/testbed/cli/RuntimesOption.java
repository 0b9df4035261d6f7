package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import testbed.litmus.ActorRuntime;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** {@code --runtimes java,c}: the runtimes a litmus file's threads are bound to, in thread order; absent, every default pairing. */
final class RuntimesOption {
    @Option(names = "--runtimes", split = ",", converter = Converter.class, completionCandidates = Candidates.class,
            paramLabel = "RUNTIME", description = "Bind the file's threads, in order, to these runtimes: ${COMPLETION-CANDIDATES}"
            + " (default: every pairing the suite covers for its number of threads).")
    List<ActorRuntime> runtimes;

    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(ActorRuntime.values()).map(ActorRuntime::label).iterator();
        }
    }

    static final class Converter implements CommandLine.ITypeConverter<ActorRuntime> {
        @Override
        public ActorRuntime convert(String value) {
            try {
                return ActorRuntime.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
