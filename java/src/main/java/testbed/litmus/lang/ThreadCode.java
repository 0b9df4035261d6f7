package testbed.litmus.lang;

import java.util.List;

/**
 * One thread {@code Pn (atomic_int* x, int* d) { ... }}: its index n, the locations it
 * names (in parameter order) and its statements in program order.
 */
public record ThreadCode(int index, List<String> parameters, List<Statement> statements, Position at) {
    public ThreadCode {
        parameters = List.copyOf(parameters);
        statements = List.copyOf(statements);
    }

    /** The registers this thread writes, in the order they are first written. */
    public List<String> registers() {
        java.util.LinkedHashSet<String> regs = new java.util.LinkedHashSet<>();
        for (Statement s : statements) {
            String r = register(s);
            if (r != null) regs.add(r);
        }
        return List.copyOf(regs);
    }

    /** The register a statement writes, or null (a store, a fence, a result it drops). */
    public static String register(Statement s) {
        return switch (s) {
            case Statement.Load l -> l.register();
            case Statement.Exchange x -> x.register();
            case Statement.FetchAdd f -> f.register();
            case Statement.CompareExchange c -> c.register();
            case Statement.Store st -> null;
            case Statement.Fence f -> null;
        };
    }
}
