package testbed.litmus.lang;

import testbed.litmus.lang.Strength;
import testbed.litmus.lang.LitmusLexer.Kind;
import testbed.litmus.lang.LitmusLexer.Token;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statements of one thread, between its braces, checked against C11 and against the
 * thread's parameters as they are read: atomic_* functions only on {@code atomic_int*}
 * locations, {@code *x} only on {@code int*} ones, memory orders that C11 allows for the
 * access, registers declared once and values that are integer literals. What is outside
 * the subset (docs/LITMUS.md) is refused at the token that leaves it.
 */
final class ThreadBodyParser {

    private static final Set<String> CONTROL = Set.of("if", "else", "while", "for", "do", "goto", "return",
            "switch", "case", "default", "break", "continue");
    /** Words that name no register or location: C's types and keywords, and the condition's truth values. */
    static final Set<String> RESERVED = Set.of("int", "long", "short", "char", "unsigned", "signed", "void",
            "const", "volatile", "static", "struct", "sizeof", "_Atomic", "atomic_int", "true", "false");
    private static final Set<String> KERNEL = Set.of("WRITE_ONCE", "READ_ONCE", "xchg", "cmpxchg", "atomic_read",
            "atomic_set", "atomic_add", "atomic_sub", "spin_lock", "spin_unlock");
    private static final Map<String, Strength> ORDERS = new LinkedHashMap<>();
    static {
        for (Strength s : List.of(Strength.RELAXED, Strength.ACQUIRE, Strength.RELEASE, Strength.ACQ_REL, Strength.SEQ_CST)) {
            ORDERS.put(cName(s), s);
        }
    }
    private static final String ORDER_NAMES = String.join(", ", ORDERS.keySet());
    private static final Map<String, String> SIGNATURES = Map.ofEntries(
            Map.entry("atomic_load_explicit", "atomic_load_explicit(x, order)"),
            Map.entry("atomic_load", "atomic_load(x)"),
            Map.entry("atomic_store_explicit", "atomic_store_explicit(x, value, order)"),
            Map.entry("atomic_store", "atomic_store(x, value)"),
            Map.entry("atomic_exchange_explicit", "atomic_exchange_explicit(x, value, order)"),
            Map.entry("atomic_exchange", "atomic_exchange(x, value)"),
            Map.entry("atomic_fetch_add_explicit", "atomic_fetch_add_explicit(x, delta, order)"),
            Map.entry("atomic_fetch_add", "atomic_fetch_add(x, delta)"),
            Map.entry("atomic_fetch_sub_explicit", "atomic_fetch_sub_explicit(x, delta, order)"),
            Map.entry("atomic_fetch_sub", "atomic_fetch_sub(x, delta)"),
            Map.entry("atomic_compare_exchange_strong_explicit",
                    "atomic_compare_exchange_strong_explicit(x, expected, desired, success, failure)"),
            Map.entry("atomic_compare_exchange_strong", "atomic_compare_exchange_strong(x, expected, desired)"),
            Map.entry("atomic_thread_fence", "atomic_thread_fence(order)"));

    private final LitmusLexer lexer;
    private final int thread;
    private final Map<String, Boolean> atomicByParameter;
    private final Map<String, Position> registers = new HashMap<>();
    private final List<Statement> statements = new ArrayList<>();

    private ThreadBodyParser(LitmusLexer lexer, int thread, Map<String, Boolean> atomicByParameter) {
        this.lexer = lexer;
        this.thread = thread;
        this.atomicByParameter = atomicByParameter;
    }

    /**
     * Reads statements up to the thread's closing brace, which it leaves unread.
     *
     * @param atomicByParameter the thread's parameters: true for {@code atomic_int*}
     * @param open              where the thread's opening brace is, for a missing closing one
     */
    static List<Statement> parse(LitmusLexer lexer, int thread, Map<String, Boolean> atomicByParameter, Position open) {
        ThreadBodyParser p = new ThreadBodyParser(lexer, thread, atomicByParameter);
        while (!lexer.peek().is("}")) {
            Token first = lexer.peek();
            if (first.kind() == Kind.END) {
                throw lexer.refuse(first.at(), "missing } closing the body of P" + thread + " opened at " + open);
            }
            Statement s = p.statement();
            if (s == null) continue;
            if (p.statements.size() == Limits.MAX_STATEMENTS) {
                throw lexer.refuse(first.at(), "too many statements in P" + thread + ": a thread has at most "
                        + Limits.MAX_STATEMENTS);
            }
            p.statements.add(s);
        }
        return p.statements;
    }

    /** One statement, or null for a declaration {@code int r;} that does nothing. */
    private Statement statement() {
        Token t = lexer.peek();
        if (t.is("{")) {
            throw refuse(t, "a block { ... } inside a thread is not supported: a thread is one straight line of statements");
        }
        if (t.is("*")) return plainStore();
        if (t.kind() == Kind.NAME) {
            String word = t.text();
            if (CONTROL.contains(word)) {
                throw refuse(t, "'" + word + "' is not supported: a thread is a straight line of accesses, without control flow");
            }
            if (word.equals("int")) return declaration();
            Token after = lexer.peek(1);
            if (after.is(":")) {
                throw refuse(t, "labels are not supported (" + word + ":): a thread is a straight line of accesses, without jumps");
            }
            if (after.is("=")) return assignment();
            if (after.is("(")) return call(null, t.at());
            if (after.kind() == Kind.NAME) {
                throw refuse(t, "declaring a local of type " + word + " is not supported: a register is declared int r;");
            }
        }
        throw refuse(t, "expected a statement (an atomic_* call, *x = value; or int r = ...;), found " + t.shown());
    }

    /** {@code int r;} or {@code int r = load;} */
    private Statement declaration() {
        Token type = lexer.next();
        Token name = lexer.next();
        if (name.is("*")) {
            throw refuse(name, "declaring a pointer is not supported: a thread names locations through its parameters");
        }
        if (name.kind() != Kind.NAME || RESERVED.contains(name.text())) {
            throw refuse(name, "expected a register name after int, found " + name.shown());
        }
        if (atomicByParameter.containsKey(name.text())) {
            throw refuse(name, name.text() + " is a parameter of P" + thread + ": a register needs a name of its own");
        }
        Position earlier = registers.putIfAbsent(name.text(), name.at());
        if (earlier != null) {
            throw refuse(name, "P" + thread + " declares register " + name.text() + " twice: first at " + earlier);
        }
        Token t = lexer.next();
        if (t.is(";")) return null;
        if (t.is(",")) throw refuse(t, "declare one register per statement: int " + name.text() + "; then the next");
        if (!t.is("=")) throw refuse(t, "expected = or ; after int " + name.text() + ", found " + t.shown());
        return loadInto(name.text(), type.at());
    }

    /** {@code r = load;} for a register declared earlier by {@code int r;}. */
    private Statement assignment() {
        Token name = lexer.next();
        if (atomicByParameter.containsKey(name.text())) {
            throw refuse(name, name.text() + " is a pointer: store through it with *" + name.text()
                    + " = value; or atomic_store_explicit(" + name.text() + ", value, order);");
        }
        if (!registers.containsKey(name.text())) {
            throw refuse(name, "register " + name.text() + " is not declared in P" + thread + ": write int "
                    + name.text() + " = ...; or declare int " + name.text() + "; before");
        }
        lexer.next();
        return loadInto(name.text(), name.at());
    }

    /** What follows {@code r =}: a load or a read-modify-write whose result r keeps. */
    private Statement loadInto(String register, Position at) {
        Token t = lexer.peek();
        Statement s;
        if (t.is("*")) {
            lexer.next();
            s = new Statement.Load(register, plainLocation(t), Strength.PLAIN, at);
        } else if (t.kind() == Kind.NAME && lexer.peek(1).is("(")) {
            return call(register, at);
        } else if (t.kind() == Kind.NUMBER || t.is("-")) {
            throw refuse(t, "setting a register to a constant is not supported: a register holds what its thread read");
        } else if (registers.containsKey(t.text())) {
            throw refuse(t, "copying register " + t.text() + " is not supported: a register holds what its thread read");
        } else {
            throw refuse(t, "expected a load after =, such as *x or atomic_load_explicit(x, order), found " + t.shown());
        }
        endOfStatement();
        return s;
    }

    /** {@code *x = value;} on an {@code int*} location. */
    private Statement plainStore() {
        Token star = lexer.next();
        String location = plainLocation(star);
        Token eq = lexer.next();
        if (!eq.is("=")) throw refuse(eq, "expected = after *" + location + ", found " + eq.shown());
        long value = value();
        endOfStatement();
        return new Statement.Store(location, value, Strength.PLAIN, star.at());
    }

    /** The location after {@code *}: a non-atomic parameter. */
    private String plainLocation(Token star) {
        Token t = lexer.next();
        if (t.is("(")) {
            throw refuse(t, "pointer arithmetic is not supported: write *x with x a parameter of P" + thread);
        }
        String x = location(t);
        if (atomicByParameter.get(x)) {
            throw refuse(star, "*" + x + " on the atomic location " + x + " is not supported: C makes it a seq_cst access"
                    + " but herd reads it as non-atomic; write atomic_load_explicit or atomic_store_explicit");
        }
        return x;
    }

    private Statement call(String register, Position at) {
        Token fn = lexer.next();
        String f = fn.text();
        if (KERNEL.contains(f) || f.startsWith("smp_") || f.startsWith("rcu_")) {
            throw refuse(fn, f + " is the Linux-kernel dialect, which is not supported: write C11's atomic_* functions");
        }
        if (f.startsWith("atomic_compare_exchange_weak")) {
            throw refuse(fn, f + " is not supported: a weak compare-exchange may fail spuriously, which is not modelled;"
                    + " write atomic_compare_exchange_strong_explicit");
        }
        if (!SIGNATURES.containsKey(f)) {
            throw refuse(fn, "a call to " + f + " is not supported: expected atomic_load, atomic_store, atomic_exchange,"
                    + " atomic_fetch_add, atomic_fetch_sub, atomic_compare_exchange_strong (each also _explicit)"
                    + " or atomic_thread_fence");
        }
        boolean explicit = f.endsWith("_explicit");
        boolean returnsValue = !f.startsWith("atomic_store") && !f.equals("atomic_thread_fence");
        if (register != null && !returnsValue) {
            throw refuse(fn, f + " returns no value: it cannot be assigned to " + register);
        }
        if (register == null && f.startsWith("atomic_load")) {
            throw refuse(fn, "the value of " + f + " is dropped: write int r = " + f + "(...); to keep it");
        }
        lexer.next();
        Statement s;
        if (f.equals("atomic_thread_fence")) {
            s = new Statement.Fence(order(), at);
        } else if (f.startsWith("atomic_load")) {
            String x = atomicLocation(fn);
            s = new Statement.Load(register, x, explicit ? loadOrder(fn) : Strength.SEQ_CST, at);
        } else if (f.startsWith("atomic_compare_exchange_strong")) {
            s = compareExchange(fn, register, explicit, at);
        } else {
            String x = atomicLocation(fn);
            separator(fn);
            long value = value();
            Strength order = Strength.SEQ_CST;
            if (explicit) {
                separator(fn);
                Token ot = lexer.peek();
                order = order();
                if (f.startsWith("atomic_store") && (order == Strength.ACQUIRE || order == Strength.ACQ_REL)) {
                    throw refuse(ot, "a store cannot be " + cName(order) + ": C11 allows memory_order_relaxed,"
                            + " memory_order_release or memory_order_seq_cst");
                }
            }
            s = switch (f) {
                case "atomic_store", "atomic_store_explicit" -> new Statement.Store(x, value, order, at);
                case "atomic_exchange", "atomic_exchange_explicit" -> new Statement.Exchange(register, x, value, order, at);
                case "atomic_fetch_add", "atomic_fetch_add_explicit" -> new Statement.FetchAdd(register, x, value, order, at);
                default -> new Statement.FetchAdd(register, x, -value, order, at);
            };
        }
        Token close = lexer.next();
        if (close.is(",")) throw refuse(close, "too many arguments: expected " + SIGNATURES.get(f));
        if (!close.is(")")) throw refuse(close, "expected ) closing " + SIGNATURES.get(f) + ", found " + close.shown());
        endOfStatement();
        return s;
    }

    private Strength loadOrder(Token fn) {
        separator(fn);
        Token ot = lexer.peek();
        Strength order = order();
        if (order == Strength.RELEASE || order == Strength.ACQ_REL) {
            throw refuse(ot, "a load cannot be " + cName(order) + ": C11 allows memory_order_relaxed,"
                    + " memory_order_acquire or memory_order_seq_cst");
        }
        return order;
    }

    private Statement compareExchange(Token fn, String register, boolean explicit, Position at) {
        String x = atomicLocation(fn);
        separator(fn);
        Token et = lexer.next();
        if (et.is("&")) {
            throw refuse(et, "taking an address (&) is not supported: pass the int* parameter that holds the expected"
                    + " value itself, as herd does");
        }
        String expected = location(et);
        if (atomicByParameter.get(expected)) {
            throw refuse(et, "the expected value of a compare-exchange lives in an int* location, but " + expected
                    + " is atomic_int* in P" + thread);
        }
        separator(fn);
        long desired = value();
        if (!explicit) {
            return new Statement.CompareExchange(register, x, expected, desired, Strength.SEQ_CST, Strength.SEQ_CST, at);
        }
        separator(fn);
        Strength success = order();
        separator(fn);
        Token ft = lexer.peek();
        Strength failure = order();
        if (failure == Strength.RELEASE || failure == Strength.ACQ_REL) {
            throw refuse(ft, "a compare-exchange's failure order cannot be " + cName(failure)
                    + ": a failed compare-exchange only loads; write relaxed, acquire or seq_cst");
        }
        if (failure == Strength.SEQ_CST && success != Strength.SEQ_CST || failure == Strength.ACQUIRE && !success.acquires()) {
            throw refuse(ft, "the failure order " + cName(failure) + " is stronger than the success order "
                    + cName(success) + ": C11 requires the failure order to be no stronger");
        }
        return new Statement.CompareExchange(register, x, expected, desired, success, failure, at);
    }

    /** An argument that an atomic_* function accesses: an {@code atomic_int*} parameter. */
    private String atomicLocation(Token fn) {
        Token t = lexer.next();
        if (t.is("&")) {
            throw refuse(t, "taking an address (&) is not supported: pass the parameter itself, it is already a pointer");
        }
        String x = location(t);
        if (!atomicByParameter.get(x)) {
            throw refuse(t, fn.text() + " needs an atomic_int* location, but " + x + " is int* in P" + thread);
        }
        return x;
    }

    /** A location named by a parameter of this thread, never a register or an address computed from one. */
    private String location(Token t) {
        if (t.kind() != Kind.NAME) {
            throw refuse(t, "expected a location (a parameter of P" + thread + "), found " + t.shown());
        }
        String x = t.text();
        if (registers.containsKey(x)) {
            throw refuse(t, x + " is a register, not a location: an address dependency (a loaded value used as a pointer)"
                    + " is not supported");
        }
        if (!atomicByParameter.containsKey(x)) {
            throw refuse(t, x + " is not a parameter of P" + thread + ": add atomic_int* " + x + " or int* " + x
                    + " to its parameters");
        }
        Token after = lexer.peek();
        if (after.is("+") || after.is("-") || after.is("[")) {
            throw refuse(after, "pointer arithmetic is not supported: name the location " + x + " itself");
        }
        return x;
    }

    /** An integer literal: stored values are constants, so no statement depends on another's data. */
    private long value() {
        Token t = lexer.next();
        boolean negative = t.is("-");
        if (negative) t = lexer.next();
        if (t.kind() == Kind.NUMBER) {
            long v = lexer.integer(t, negative);
            Token after = lexer.peek();
            if (after.kind() == Kind.SYMBOL && "+-*/%&|^<>!?".contains(after.text())) {
                throw refuse(after, "an expression is not supported as a value: write an integer literal");
            }
            return v;
        }
        if (!negative && registers.containsKey(t.text())) {
            throw refuse(t, "a data dependency (storing a register) is not supported: " + t.text()
                    + " is a register; write an integer literal");
        }
        if (!negative && atomicByParameter.containsKey(t.text())) {
            throw refuse(t, "storing a pointer (" + t.text() + ") is not supported: write an integer literal");
        }
        throw refuse(t, "expected an integer value, found " + t.shown());
    }

    private Strength order() {
        Token t = lexer.next();
        if (t.is("memory_order_consume")) {
            throw refuse(t, "memory_order_consume is not supported: compilers implement consume as acquire;"
                    + " write memory_order_acquire");
        }
        Strength s = ORDERS.get(t.text());
        if (s != null && t.kind() == Kind.NAME) return s;
        if (t.kind() == Kind.NAME && t.text().startsWith("memory_order_")) {
            throw refuse(t, "unknown memory order " + t.text() + ": expected one of " + ORDER_NAMES);
        }
        throw refuse(t, "expected a memory order (one of " + ORDER_NAMES + "), found " + t.shown());
    }

    /** The comma between two arguments of {@code fn}, or a refusal naming its arguments. */
    private void separator(Token fn) {
        Token t = lexer.next();
        if (t.is(",")) return;
        if (t.is(")")) throw refuse(t, "too few arguments: expected " + SIGNATURES.get(fn.text()));
        throw refuse(t, "expected , between the arguments of " + SIGNATURES.get(fn.text()) + ", found " + t.shown());
    }

    private void endOfStatement() {
        Token t = lexer.next();
        if (!t.is(";")) {
            String why = t.kind() == Kind.SYMBOL && "+-*/%&|^<>!?".contains(t.text())
                    ? "an expression is not supported here; " : "";
            throw refuse(t, why + "expected ; at the end of the statement, found " + t.shown());
        }
    }

    static String cName(Strength s) {
        return "memory_order_" + s.name().toLowerCase(java.util.Locale.ROOT);
    }

    private LitmusFileException refuse(Token t, String reason) {
        return lexer.refuse(t.at(), reason);
    }
}
