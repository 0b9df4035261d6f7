package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forked group's own main refuses what its parent would never send, with exit code 2 and nothing written. */
class LitmusGroupMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LitmusGroupMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownTestOrAMissingOptionIsRefused(@TempDir Path dir) {
        Path cases = dir.resolve("cases.json");
        assertEquals(2, run("--out", cases.toString(), "--test", "no_such_test"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("error: unknown litmus test 'no_such_test'"), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.notExists(cases));
        assertEquals(2, run("--test", "sb_jc_relaxed"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Missing required option: '--out=<out>'"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("--out", cases.toString(), "--test", "sb_jc_relaxed", "--jit", "c2_stress_x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the stress seed is a number"), err.toString(StandardCharsets.UTF_8));
    }
}
