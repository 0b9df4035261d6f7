package testbed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import testbed.Mode;

import java.util.Arrays;
import java.util.Iterator;

/**
 * {@code --mode quick|default|tough}, as every command that scales its work takes it: the
 * values are {@link Mode}'s labels, listed in the help and in the error for any other.
 */
final class ModeOption {
    @Option(names = "--mode", defaultValue = "default", converter = Converter.class, completionCandidates = Candidates.class,
            paramLabel = "MODE", description = "How hard to work: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Mode mode;

    /** The modes' labels, in {@link Mode}'s order. */
    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Mode.values()).map(Mode::label).iterator();
        }
    }

    static final class Converter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
