package testbed.litmus.lang;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of a litmus file in herd's C dialect, each with the line and column where
 * it starts. Comments (C's line and block comments, and OCaml's {@code (* ... *)}) and
 * whitespace separate tokens and are otherwise dropped.
 *
 * <p>Inside a thread's body the parser switches the lexer to {@linkplain #inCode(boolean)
 * code}, where {@code (*} is C's parenthesis and star, not a comment: herd reads OCaml
 * comments only around the C code, never within it.
 *
 * <p>Tokens are read on demand, so a mode switch or a {@linkplain #testName() raw read}
 * applies to everything not yet peeked.
 */
final class LitmusLexer {

    enum Kind { NAME, NUMBER, STRING, AND, OR, SYMBOL, END }

    /** One token; a SYMBOL is a single character, AND and OR are herd's {@code /\} and {@code \/}. */
    record Token(Kind kind, String text, Position at) {
        boolean is(String word) {
            return (kind == Kind.NAME || kind == Kind.SYMBOL) && text.equals(word);
        }

        /** How a refusal names what it found. */
        String shown() {
            return switch (kind) {
                case END -> "the end of the file";
                case STRING -> "a quoted string";
                default -> "'" + text + "'";
            };
        }
    }

    private final Path file;
    private final String text;
    private int index;
    private int line = 1;
    private int column = 1;
    private boolean inCode;
    private final List<Token> ahead = new ArrayList<>();

    LitmusLexer(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    LitmusFileException refuse(Position at, String reason) {
        return new LitmusFileException(file, at, reason);
    }

    Token peek() {
        return peek(0);
    }

    /** The token {@code k} places ahead of the next one. */
    Token peek(int k) {
        while (ahead.size() <= k) ahead.add(read());
        return ahead.get(k);
    }

    Token next() {
        Token t = peek();
        ahead.removeFirst();
        return t;
    }

    /**
     * The value of a NUMBER token, negated if a minus sign preceded it. Values are C
     * {@code int}s, as the locations that hold them are, so a literal outside that range
     * is refused rather than wrapped.
     */
    long integer(Token number, boolean negative) {
        String digits = number.text();
        java.math.BigInteger v = digits.length() > 2 && (digits.charAt(1) == 'x' || digits.charAt(1) == 'X')
                ? new java.math.BigInteger(digits.substring(2), 16)
                : new java.math.BigInteger(digits);
        if (negative) v = v.negate();
        if (v.bitLength() > 31) {
            throw refuse(number.at(), (negative ? "-" : "") + digits + " does not fit in a C int ("
                    + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ")");
        }
        return v.longValue();
    }

    /** Whether what follows is C code (a thread's body), where {@code (*} is not a comment. */
    void inCode(boolean code) {
        requireNothingAhead();
        inCode = code;
    }

    /**
     * The test's name after {@code C}, read raw because herd names such as {@code 2+2W}
     * or {@code SB+rel+acq} are not single tokens: the letters, digits and {@code + - _ .}
     * up to the next whitespace, on the same line.
     */
    Token testName() {
        requireNothingAhead();
        while (index < text.length() && (text.charAt(index) == ' ' || text.charAt(index) == '\t')) advance();
        Position at = here();
        int start = index;
        while (index < text.length() && !Character.isWhitespace(text.charAt(index))) {
            char c = text.charAt(index);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "+-_.".indexOf(c) < 0) {
                throw refuse(here(), "the test's name may hold letters, digits and + - _ . only, found '" + c + "'");
            }
            advance();
        }
        if (index == start) throw refuse(at, "expected the test's name after C on the same line, e.g. C SB+fences");
        return new Token(Kind.NAME, text.substring(start, index), at);
    }

    /** Drops the rest of the current line: a header line such as {@code Variant=Quad} that this engine ignores. */
    void skipRestOfLine() {
        requireNothingAhead();
        while (index < text.length() && text.charAt(index) != '\n') advance();
    }

    private void requireNothingAhead() {
        if (!ahead.isEmpty()) throw new IllegalStateException("a raw read or mode switch after a peek");
    }

    private Position here() {
        return new Position(line, column);
    }

    private void advance() {
        if (text.charAt(index++) == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }

    private boolean at(String s) {
        return text.startsWith(s, index);
    }

    private Token read() {
        skipSpaceAndComments();
        Position at = here();
        if (index >= text.length()) return new Token(Kind.END, "", at);
        char c = text.charAt(index);
        int start = index;
        if (Character.isLetter(c) && c < 128 || c == '_') {
            while (index < text.length() && isNamePart(text.charAt(index))) advance();
            return new Token(Kind.NAME, text.substring(start, index), at);
        }
        if (c >= '0' && c <= '9') {
            while (index < text.length() && isNamePart(text.charAt(index))) advance();
            String digits = text.substring(start, index);
            if (!digits.matches("[0-9]+|0[xX][0-9a-fA-F]+")) {
                throw refuse(at, "malformed number '" + digits + "': expected decimal digits or 0x and hex digits");
            }
            return new Token(Kind.NUMBER, digits, at);
        }
        if (c == '"') return string(at);
        if (at("/\\") || at("\\/")) {
            advance();
            advance();
            return new Token(c == '/' ? Kind.AND : Kind.OR, text.substring(start, index), at);
        }
        advance();
        return new Token(Kind.SYMBOL, String.valueOf(c), at);
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) && c < 128 || c == '_';
    }

    private Token string(Position at) {
        advance();
        int start = index;
        while (index < text.length() && text.charAt(index) != '"' && text.charAt(index) != '\n') advance();
        if (index >= text.length() || text.charAt(index) != '"') {
            throw refuse(at, "unterminated string: the \" here has no closing \" on its line");
        }
        String body = text.substring(start, index);
        advance();
        return new Token(Kind.STRING, body, at);
    }

    private void skipSpaceAndComments() {
        while (index < text.length()) {
            if (Character.isWhitespace(text.charAt(index))) {
                advance();
            } else if (at("//")) {
                while (index < text.length() && text.charAt(index) != '\n') advance();
            } else if (at("/*")) {
                skipComment("/*", "*/", false);
            } else if (at("(*") && !inCode) {
                skipComment("(*", "*)", true);
            } else {
                return;
            }
        }
    }

    /** OCaml comments nest, as in herd; C comments do not. */
    private void skipComment(String open, String close, boolean nests) {
        Position start = here();
        int depth = 0;
        do {
            if (index >= text.length()) {
                throw refuse(start, "unterminated comment: the " + open + " here has no closing " + close);
            }
            if (at(open) && (nests || depth == 0)) {
                depth++;
                advance();
                advance();
            } else if (at(close)) {
                depth--;
                advance();
                advance();
            } else {
                advance();
            }
        } while (depth > 0);
    }
}
