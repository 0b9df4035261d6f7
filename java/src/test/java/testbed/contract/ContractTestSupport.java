package testbed.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the contract tests share: the configuration, a CLI runner, file copies. */
final class ContractTestSupport {
    private ContractTestSupport() {}

    /** The repository's configuration (Surefire runs in the repository root). */
    static ContractConfig config() {
        ContractConfig c = ContractConfig.fromSystemProperties();
        assertTrue(Files.isExecutable(c.buf()), c.buf() + " is missing: make test-java installs it (make contract-tools)");
        assertTrue(Files.isExecutable(c.contractTool()), c.contractTool() + " is missing: make contract-tools builds it");
        return c;
    }

    /** What {@link ContractCheck#run} printed and returned. */
    record Run(int exit, String out, String err) {
        /**
         * The fault lines: what the check prints at column 0 besides its own
         * headings ("==>", the count, the report path, blank lines).
         */
        List<String> faultLines() {
            return out.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("==>")
                    && !l.startsWith("contract: ") && !l.startsWith("report: ") && !l.startsWith("::")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run check(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ContractCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Copies a directory tree. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
