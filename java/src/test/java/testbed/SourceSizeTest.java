package testbed;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No hand-written source file of the project passes {@value #MAX_LINES} lines: past that, a file
 * holds two topics, and a reader looking for one wades through the other. Generated code (the
 * protobuf stubs under go-peer/internal/gen, everything under build/) is not read by people.
 */
class SourceSizeTest {
    static final int MAX_LINES = 500;

    @Test
    void noHandWrittenFileHoldsTwoTopics() throws IOException {
        List<String> over = new ArrayList<>();
        for (String root : List.of("java/src", "go-peer", "native")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                for (Path f : files.filter(SourceSizeTest::handWritten).toList()) {
                    long lines;
                    try (Stream<String> l = Files.lines(f)) {
                        lines = l.count();
                    }
                    if (lines > MAX_LINES) over.add(f + ": " + lines + " lines");
                }
            }
        }
        assertTrue(over.isEmpty(), "files over " + MAX_LINES + " lines:\n" + String.join("\n", over));
    }

    private static boolean handWritten(Path p) {
        String s = p.toString();
        if (s.contains("/gen/") || s.contains("/build/")) return false;
        return s.endsWith(".java") || s.endsWith(".go") || s.endsWith(".c") || s.endsWith(".h");
    }
}
