package testbed.litmus.lang;

import testbed.litmus.lang.Condition.Observable;
import testbed.litmus.lang.Condition.Proposition;
import testbed.litmus.lang.LitmusLexer.Kind;
import testbed.litmus.lang.LitmusLexer.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code locations [...]} clause and the final condition, read after the threads so
 * that every name resolves as it is read: {@code n:r} must be a register that Pn writes,
 * {@code x} a location of the test.
 */
final class ConditionParser {

    /** Deeper nesting is refused rather than risking the parser's stack on a hostile file. */
    static final int MAX_NESTING = 64;

    private final LitmusLexer lexer;
    private final List<ThreadCode> threads;
    private final LocationTable locations;
    private int nesting;

    ConditionParser(LitmusLexer lexer, List<ThreadCode> threads, LocationTable locations) {
        this.lexer = lexer;
        this.threads = threads;
        this.locations = locations;
    }

    /** {@code locations [x; 0:r0; [y];]}, its keyword already peeked. */
    List<Observable> observedClause() {
        lexer.next();
        expect("[", "after locations");
        List<Observable> out = new ArrayList<>();
        while (!lexer.peek().is("]")) {
            out.add(observable());
            Token t = lexer.peek();
            if (t.is(";")) {
                lexer.next();
            } else if (!t.is("]")) {
                throw lexer.refuse(t.at(), "expected ; or ] in the locations clause, found " + t.shown());
            }
        }
        lexer.next();
        return out;
    }

    /** {@code exists P}, {@code ~exists P} or {@code forall P}; P is usually parenthesised, but need not be. */
    Condition condition() {
        Token t = lexer.peek();
        Condition.Quantifier q;
        if (t.is("exists")) {
            q = Condition.Quantifier.EXISTS;
        } else if (t.is("forall")) {
            q = Condition.Quantifier.FORALL;
        } else if (t.is("~") && lexer.peek(1).is("exists")) {
            lexer.next();
            q = Condition.Quantifier.NOT_EXISTS;
        } else if (t.is("filter")) {
            throw lexer.refuse(t.at(), "filter clauses are not supported: every outcome of the test counts");
        } else if (t.kind() == Kind.END) {
            throw lexer.refuse(t.at(), "missing final condition: expected exists, ~exists or forall, found the end of the file");
        } else {
            throw lexer.refuse(t.at(), "expected the final condition (exists, ~exists or forall), found " + t.shown());
        }
        lexer.next();
        return new Condition(q, disjunction(), t.at());
    }

    /** {@code \/} binds loosest; both binary operators group to the left. */
    private Proposition disjunction() {
        Proposition left = conjunction();
        while (lexer.peek().kind() == Kind.OR) {
            lexer.next();
            left = new Proposition.Or(left, conjunction());
        }
        return left;
    }

    private Proposition conjunction() {
        Proposition left = negation();
        while (lexer.peek().kind() == Kind.AND) {
            lexer.next();
            left = new Proposition.And(left, negation());
        }
        return left;
    }

    private Proposition negation() {
        if (!lexer.peek().is("~")) return primary();
        enter(lexer.next());
        Proposition p = new Proposition.Not(negation());
        nesting--;
        return p;
    }

    private Proposition primary() {
        Token t = lexer.peek();
        if (t.is("(")) {
            enter(lexer.next());
            Proposition p = disjunction();
            expect(")", "closing the ( at " + t.at());
            nesting--;
            return p;
        }
        if (t.is("true") || t.is("false")) {
            lexer.next();
            return new Proposition.Truth(t.is("true"));
        }
        Observable o = observable();
        expect("=", "after " + o.label());
        Token v = lexer.next();
        boolean negative = v.is("-");
        if (negative) v = lexer.next();
        if (v.kind() != Kind.NUMBER) {
            throw lexer.refuse(v.at(), "expected an integer value after " + o.label() + "=, found " + v.shown());
        }
        return new Proposition.Equals(o, lexer.integer(v, negative), t.at());
    }

    /** {@code n:r} (a register of Pn), {@code x} or {@code [x]} (a location's final value). */
    private Observable observable() {
        Token t = lexer.next();
        if (t.kind() == Kind.NUMBER && lexer.peek().is(":")) {
            lexer.next();
            Token reg = lexer.next();
            if (reg.kind() != Kind.NAME) {
                throw lexer.refuse(reg.at(), "expected a register name after " + t.text() + ":, found " + reg.shown());
            }
            if (!t.text().matches("[0-9]{1,3}") || Integer.parseInt(t.text()) >= threads.size()) {
                throw lexer.refuse(t.at(), "thread " + t.text() + " does not exist: the test has P0.."
                        + "P" + (threads.size() - 1));
            }
            int n = Integer.parseInt(t.text());
            if (!threads.get(n).registers().contains(reg.text())) {
                throw lexer.refuse(t.at(), n + ":" + reg.text() + " is not written by P" + n);
            }
            return new Observable.Register(n, reg.text());
        }
        Token name = t;
        if (t.is("[")) name = lexer.next();
        if (name.kind() != Kind.NAME) {
            throw lexer.refuse(name.at(), "expected a register (such as 0:r0) or a location (such as x), found "
                    + name.shown());
        }
        if (!locations.contains(name.text())) {
            throw lexer.refuse(name.at(), name.text() + " is not a location of this test");
        }
        if (t.is("[")) expect("]", "after [" + name.text());
        return new Observable.Memory(name.text());
    }

    private void enter(Token t) {
        if (++nesting > MAX_NESTING) {
            throw lexer.refuse(t.at(), "the condition nests ( and ~ more than " + MAX_NESTING + " deep");
        }
    }

    private void expect(String symbol, String where) {
        Token t = lexer.next();
        if (!t.is(symbol)) throw lexer.refuse(t.at(), "expected " + symbol + " " + where + ", found " + t.shown());
    }
}
