package testbed.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ProgressTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aPlainLogGetsALineEveryTenSecondsAndAtTheEnd() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        AtomicLong now = new AtomicLong(0);
        Progress p = Progress.start(out, "litmus", 4, Duration.ofSeconds(80), now::get);
        now.set(3 * S);
        p.advance(); // 3 s since the start: no line yet
        now.set(12 * S);
        p.advance(); // 12 s: a line
        now.set(15 * S);
        p.advance(); // 3 s after that line: none
        now.set(95 * S);
        p.advance(); // the last case: a line, over the budget
        p.close();
        assertEquals(List.of("  [2/4] litmus: 0:12 elapsed, 1:08 left of 1:20", "  [4/4] litmus: 1:35 elapsed, 0:15 over its 1:20"),
                buf.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void withoutABudgetTheTimeLeftIsAtThePaceSoFar() {
        AtomicLong now = new AtomicLong(0);
        Progress p = Progress.start(new PrintStream(new ByteArrayOutputStream()), "cancellation", 38, null, now::get);
        now.set(20 * S);
        for (int i = 0; i < 10; i++) p.advance();
        assertEquals("[10/38] cancellation: 0:20 elapsed, about 0:56 left at this pace", p.line());
        assertEquals("1:02:03", Progress.clockTime(3723 * S));
    }

    @Test
    void onATerminalTheStatusLineStaysUnderTheOutputAndLeavesNoTraceWhenClosed() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream terminal = new PrintStream(screen, true, StandardCharsets.UTF_8);
        Progress.Console console = new Progress.Console(terminal);
        AtomicLong now = new AtomicLong(0);
        Progress p = Progress.start(console, "litmus", 2, Duration.ofSeconds(60), now::get);
        console.println("  PASS  litmus/sb_jj_plain");
        now.set(5 * S);
        p.advance();
        p.close();
        console.close();
        String s = screen.toString(StandardCharsets.UTF_8);
        String erase = "\r\u001b[K";
        // Drawn, erased for the case line, drawn again under it, redrawn on advance, erased at close.
        assertTrue(s.startsWith(erase + "[0/2] litmus: 0:00 elapsed, 1:00 left of 1:00" + erase + "  PASS  litmus/sb_jj_plain\n"), s);
        assertTrue(s.contains(erase + "[1/2] litmus: 0:05 elapsed, 0:55 left of 1:00"), s);
        assertTrue(s.endsWith(erase), "the status line is taken down: " + s);
        // A status line is always erased before anything else is written: it never ends in a newline of its own.
        assertFalse(java.util.regex.Pattern.compile("\\[\\d+/\\d+\\] litmus[^\r\n]*\n").matcher(s).find(), s);
    }
}
