package testbed.build;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Makefile's toolchain check: with one tool missing, `make toolchain` stops
 * with exit code 2 and one line naming the tool and how to get it.
 */
@Timeout(60)
class MakefileToolchainTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    /** What the Makefile's parse-time shell and the toolchain check need, besides the tools under test. */
    private static final List<String> BASICS = List.of("sh", "bash", "sed", "grep", "awk", "mawk", "gawk", "cat",
            "head", "tail", "tr", "uname", "env", "dirname", "basename", "find", "ls", "readlink", "mkdir", "rm",
            "printf", "echo", "true", "false", "expr", "sort", "cut", "wc", "make", "cc", "gcc", "go", "mvn");

    /** A PATH of symlinks to the basics and the tools found on the real PATH, except {@code hidden}. */
    private static String pathWithout(Path dir, Set<String> hidden) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String name : BASICS) {
            if (hidden.contains(name)) continue;
            for (String entry : System.getenv("PATH").split(File.pathSeparator)) {
                Path f = Path.of(entry, name);
                if (Files.isExecutable(f) && !Files.isDirectory(f)) {
                    Files.createSymbolicLink(bin.resolve(name), f);
                    break;
                }
            }
        }
        return bin.toString();
    }

    /** Removes the links themselves, never what they point to. */
    private static void removeLinks(Path dir) throws Exception {
        Path bin = dir.resolve("bin");
        try (Stream<Path> links = Files.list(bin)) {
            for (Path l : (Iterable<Path>) links::iterator) Files.delete(l);
        }
        Files.delete(bin);
    }

    private static String[] make(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of("make", "-s", "--no-print-directory"), Stream.of(args)).toList())
                .directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "make toolchain is bounded");
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    private static String errorLine(String out) {
        List<String> lines = out.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, lines.size(), "exactly one error line in:\n" + out);
        return lines.get(0);
    }

    @ParameterizedTest(name = "missing {0}")
    @CsvSource({
            "go,        'go' not found on PATH: install Go 1.24 or newer",
            "cc gcc,    no C compiler ('cc' or 'gcc') on PATH: apt-get install gcc",
            "mvn,       'mvn' not found on PATH: apt-get install maven",
    })
    void aMissingToolIsNamedInOneLine(String hidden, String expected, @TempDir Path dir) throws Exception {
        String path = pathWithout(dir, Set.of(hidden.split(" ")));
        try {
            String[] r = make(Map.of("PATH", path), "toolchain");
            assertEquals("2", r[0], r[1]);
            assertTrue(errorLine(r[1]).contains(expected), r[1]);
        } finally {
            removeLinks(dir);
        }
    }

    @Test
    void noJdk25IsNamedInOneLine() throws Exception {
        String[] r = make(Map.of("JAVA_HOME", "/nonexistent-jdk"), "toolchain", "JDK_SEARCH=/nonexistent-jvm-dir");
        assertEquals("2", r[0], r[1]);
        assertTrue(errorLine(r[1]).startsWith("error: no JDK 25 found (JAVA_HOME='/nonexistent-jdk', none under /nonexistent-jvm-dir)"), r[1]);
    }

    @Test
    void theRealToolchainPasses() throws Exception {
        String[] r = make(Map.of(), "toolchain");
        assertEquals("0", r[0], r[1]);
    }
}
