package testbed.litmus.lang;

import testbed.litmus.lang.LitmusLexer.Kind;
import testbed.litmus.lang.LitmusLexer.Token;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a litmus test written in herd's C dialect (the subset that docs/LITMUS.md
 * describes) into a {@link LitmusProgram}:
 *
 * <pre>
 * C NAME ["description"]
 * { x = 0; y = 0; }
 * P0 (atomic_int* x, atomic_int* y) { ... }
 * P1 (...) { ... }
 * [locations [x; 0:r0;]]
 * exists | ~exists | forall (proposition)
 * </pre>
 *
 * A file it cannot take whole is refused with a {@link LitmusFileException} at the token
 * where it stops making sense or leaves the subset, with a reason that says what was
 * found and what was expected. Nothing else is thrown for bad input.
 */
public final class LitmusParser {

    private final Path file;
    private final LitmusLexer lexer;
    private final LocationTable locations;

    private LitmusParser(Path file, String text) {
        this.file = file;
        this.lexer = new LitmusLexer(file, text);
        this.locations = new LocationTable(lexer);
    }

    /** Reads and parses a file (UTF-8). */
    public static LitmusProgram parse(Path file) throws IOException {
        return parse(file, Files.readString(file));
    }

    /** Parses {@code text}; {@code file} is where refusals say it came from. */
    public static LitmusProgram parse(Path file, String text) {
        return new LitmusParser(file, text).program();
    }

    private LitmusProgram program() {
        Token c = lexer.next();
        if (c.kind() == Kind.END) {
            throw lexer.refuse(c.at(), "empty file: expected a litmus test starting with C NAME");
        }
        if (!c.is("C")) {
            throw lexer.refuse(c.at(), "expected C NAME: only herd's C dialect is read, and this file starts with "
                    + c.shown());
        }
        String name = lexer.testName().text();
        String description = lexer.peek().kind() == Kind.STRING ? lexer.next().text() : "";
        skipHeaderInfo();
        initialState();
        List<ThreadCode> threads = threads();
        ConditionParser conditions = new ConditionParser(lexer, threads, locations);
        List<Condition.Observable> observed = lexer.peek().is("locations") ? conditions.observedClause() : List.of();
        Condition condition = conditions.condition();
        Token end = lexer.peek();
        if (end.kind() != Kind.END) {
            throw lexer.refuse(end.at(), "unexpected " + end.shown() + " after the final condition: it must end the file");
        }
        return new LitmusProgram(file, name, description, locations.locations(), threads, observed, condition);
    }

    /**
     * Lines such as {@code Variant=Quad} or {@code Cycle=Rfe PodRW} that herd and diy write
     * between the name and the initial state: they tune herd's tools, not the test, so
     * they are skipped.
     */
    private void skipHeaderInfo() {
        while (lexer.peek().kind() == Kind.NAME && lexer.peek(1).is("=")) {
            lexer.next();
            lexer.next();
            lexer.skipRestOfLine();
        }
    }

    /** {@code { x = 0; [y] = 1; int z = -2; }}: the last semicolon may be left out, as herd allows. */
    private void initialState() {
        Token open = lexer.next();
        if (!open.is("{")) {
            throw lexer.refuse(open.at(), "expected { starting the initial state, found " + open.shown());
        }
        while (!lexer.peek().is("}")) {
            if (lexer.peek().kind() == Kind.END) {
                throw lexer.refuse(lexer.peek().at(), "missing } closing the initial state opened at " + open.at());
            }
            String name = initialValue();
            Token t = lexer.peek();
            if (t.is(";")) {
                lexer.next();
            } else if (!t.is("}")) {
                throw lexer.refuse(t.at(), "expected ; or } after the initial value of " + name + ", found " + t.shown());
            }
        }
        lexer.next();
    }

    /** One {@code [type] x = value} of the initial state; the type is accepted and ignored. */
    private String initialValue() {
        Token t = lexer.next();
        if (t.kind() == Kind.NUMBER && lexer.peek().is(":")) {
            throw lexer.refuse(t.at(), "initialising a register (" + t.text() + ":" + lexer.peek(1).text()
                    + ") is not supported: registers start at 0, only locations have an initial state");
        }
        if (t.is("int") || t.is("atomic_int")) {
            t = lexer.next();
        } else if (t.is("_Atomic") && lexer.peek().is("int")) {
            lexer.next();
            t = lexer.next();
        } else if (t.kind() == Kind.NAME && lexer.peek().kind() == Kind.NAME) {
            throw lexer.refuse(t.at(), "type " + t.text() + " is not supported in the initial state:"
                    + " write int, atomic_int or no type");
        }
        Token name = t.is("[") ? lexer.next() : t;
        if (name.kind() != Kind.NAME || ThreadBodyParser.RESERVED.contains(name.text())) {
            throw lexer.refuse(name.at(), "expected a location in the initial state, such as x = 0, found " + name.shown());
        }
        if (t.is("[")) expect("]", "after [" + name.text());
        expect("=", "after " + name.text() + " in the initial state");
        Token v = lexer.next();
        boolean negative = v.is("-");
        if (negative) v = lexer.next();
        if (v.kind() != Kind.NUMBER) {
            throw lexer.refuse(v.at(), "expected an integer initial value for " + name.text() + ", found " + v.shown());
        }
        locations.initialise(name.text(), lexer.integer(v, negative), name.at());
        return name.text();
    }

    private List<ThreadCode> threads() {
        List<ThreadCode> threads = new ArrayList<>();
        while (lexer.peek().kind() == Kind.NAME && lexer.peek().text().matches("P[0-9]{1,6}")) {
            threads.add(thread(threads.size()));
        }
        if (threads.isEmpty()) {
            Token t = lexer.peek();
            throw lexer.refuse(t.at(), "expected thread P0 after the initial state, found " + t.shown());
        }
        return threads;
    }

    /** {@code Pn (params) { statements }}, where n must be {@code expected}. */
    private ThreadCode thread(int expected) {
        Token p = lexer.next();
        int n = Integer.parseInt(p.text().substring(1));
        if (expected == Limits.MAX_THREADS) {
            throw lexer.refuse(p.at(), "too many threads: a test has at most " + Limits.MAX_THREADS
                    + " (P0..P" + (Limits.MAX_THREADS - 1) + ")");
        }
        if (n != expected) {
            throw lexer.refuse(p.at(), "thread " + p.text() + " is out of order: expected P" + expected
                    + ", as threads are numbered from P0 in order");
        }
        expect("(", "after " + p.text());
        Map<String, Boolean> atomicByParameter = new LinkedHashMap<>();
        if (!lexer.peek().is(")")) {
            parameter(n, atomicByParameter);
            while (lexer.peek().is(",")) {
                lexer.next();
                parameter(n, atomicByParameter);
            }
        }
        expect(")", "closing the parameters of " + p.text());
        Token open = lexer.next();
        if (!open.is("{")) {
            throw lexer.refuse(open.at(), "expected { starting the body of " + p.text() + ", found " + open.shown());
        }
        lexer.inCode(true);
        List<Statement> statements = ThreadBodyParser.parse(lexer, n, atomicByParameter, open.at());
        lexer.next();
        lexer.inCode(false);
        return new ThreadCode(n, List.copyOf(atomicByParameter.keySet()), statements, p.at());
    }

    /** {@code atomic_int* x}, {@code _Atomic int *x} or {@code int* x}. */
    private void parameter(int thread, Map<String, Boolean> atomicByParameter) {
        Token t = lexer.next();
        boolean atomic;
        if (t.is("atomic_int")) {
            atomic = true;
        } else if (t.is("_Atomic") && lexer.peek().is("int")) {
            lexer.next();
            atomic = true;
        } else if (t.is("int")) {
            atomic = false;
        } else if (t.kind() == Kind.NAME) {
            throw lexer.refuse(t.at(), "parameter type " + t.text() + " is not supported: a parameter is atomic_int*"
                    + " (an atomic location) or int* (a non-atomic one)");
        } else {
            throw lexer.refuse(t.at(), "expected a parameter such as atomic_int* x, found " + t.shown());
        }
        Token star = lexer.next();
        if (!star.is("*")) {
            throw lexer.refuse(star.at(), "expected * after " + (atomic ? "atomic_int" : "int")
                    + ": a parameter is a pointer to a shared location, found " + star.shown());
        }
        Token name = lexer.next();
        if (name.kind() != Kind.NAME || ThreadBodyParser.RESERVED.contains(name.text())) {
            throw lexer.refuse(name.at(), "expected a parameter name, found " + name.shown());
        }
        if (atomicByParameter.putIfAbsent(name.text(), atomic) != null) {
            throw lexer.refuse(name.at(), "P" + thread + " names parameter " + name.text() + " twice");
        }
        locations.declare(name.text(), atomic, thread, name.at());
    }

    private void expect(String symbol, String where) {
        Token t = lexer.next();
        if (!t.is(symbol)) throw lexer.refuse(t.at(), "expected " + symbol + " " + where + ", found " + t.shown());
    }
}
