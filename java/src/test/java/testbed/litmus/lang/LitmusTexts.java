package testbed.litmus.lang;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Litmus texts for the parser's tests, and the checks they share. */
final class LitmusTexts {

    static final Path FILE = Path.of("test.litmus");

    private LitmusTexts() {}

    static LitmusProgram parse(String text) {
        return LitmusParser.parse(FILE, text);
    }

    /** Where {@code token} first occurs on 1-based {@code line} of {@code text}. */
    static Position at(String text, int line, String token) {
        String l = text.lines().skip(line - 1).findFirst().orElseThrow();
        int column = l.indexOf(token);
        if (column < 0) throw new AssertionError("no " + token + " on line " + line + ": " + l);
        return new Position(line, column + 1);
    }

    /**
     * A test with one thread P0 of the given parameters and body, and no initial state:
     * the body's first line is line 4 of the file.
     */
    static String thread(String parameters, String body) {
        return "C T\n{}\nP0 (" + parameters + ") {\n" + body + "}\nexists (true)\n";
    }

    /** Asserts that {@code text} is refused at line:column with a reason containing {@code phrase}. */
    static LitmusFileException assertRefused(String text, int line, int column, String phrase) {
        LitmusFileException e = assertThrows(LitmusFileException.class, () -> parse(text));
        assertEquals(new Position(line, column), e.at(), e.getMessage());
        assertTrue(e.reason().contains(phrase), "reason should contain '" + phrase + "': " + e.getMessage());
        assertEquals(FILE + ":" + line + ":" + column + ": " + e.reason(), e.getMessage());
        return e;
    }
}
