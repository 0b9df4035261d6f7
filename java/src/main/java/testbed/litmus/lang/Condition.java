package testbed.litmus.lang;

import java.util.ArrayList;
import java.util.List;

/**
 * The final condition: {@code exists (P)}, {@code ~exists (P)} or {@code forall (P)}
 * over a proposition about the final state (registers and memory).
 */
public record Condition(Quantifier quantifier, Proposition proposition, Position at) {

    public enum Quantifier {
        EXISTS("exists"), NOT_EXISTS("~exists"), FORALL("forall");

        private final String keyword;

        Quantifier(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() {
            return keyword;
        }
    }

    /** A value of the final state: thread n's register, or a location's last value. */
    public sealed interface Observable {
        /** herd's spelling: {@code 0:r0} or {@code x}. */
        String label();

        record Register(int thread, String name) implements Observable {
            @Override public String label() {
                return thread + ":" + name;
            }
        }

        record Memory(String location) implements Observable {
            @Override public String label() {
                return location;
            }
        }
    }

    /** A proposition over the final state; {@code /\} binds tighter than {@code \/}. */
    public sealed interface Proposition {
        record Equals(Observable observable, long value, Position at) implements Proposition { }
        record Not(Proposition operand) implements Proposition { }
        record And(Proposition left, Proposition right) implements Proposition { }
        record Or(Proposition left, Proposition right) implements Proposition { }
        record Truth(boolean value) implements Proposition { }
    }

    /** herd's spelling of the whole condition, e.g. {@code exists (0:r0=0 /\ 1:r0=0)}. */
    public String text() {
        return quantifier.keyword() + " (" + text(proposition, 0) + ")";
    }

    /** Precedence: 0 or, 1 and, 2 not and atoms; parentheses only where they are needed. */
    private static String text(Proposition p, int context) {
        return switch (p) {
            case Proposition.Equals e -> e.observable().label() + "=" + e.value();
            case Proposition.Truth t -> t.value() ? "true" : "false";
            case Proposition.Not n -> "~" + text(n.operand(), 2);
            case Proposition.And a -> wrap(text(a.left(), 1) + " /\\ " + text(a.right(), 1), context > 1);
            case Proposition.Or o -> wrap(text(o.left(), 0) + " \\/ " + text(o.right(), 0), context > 0);
        };
    }

    private static String wrap(String s, boolean parenthesise) {
        return parenthesise ? "(" + s + ")" : s;
    }

    /** The observables the proposition names, in order of first appearance. */
    public List<Observable> observables() {
        List<Observable> out = new ArrayList<>();
        collect(proposition, out);
        return out;
    }

    private static void collect(Proposition p, List<Observable> out) {
        switch (p) {
            case Proposition.Equals e -> {
                if (!out.contains(e.observable())) out.add(e.observable());
            }
            case Proposition.Not n -> collect(n.operand(), out);
            case Proposition.And a -> {
                collect(a.left(), out);
                collect(a.right(), out);
            }
            case Proposition.Or o -> {
                collect(o.left(), out);
                collect(o.right(), out);
            }
            case Proposition.Truth t -> { }
        }
    }

    /** Whether the proposition holds of a final state, given each observable's value. */
    public static boolean holds(Proposition p, java.util.function.ToLongFunction<Observable> value) {
        return switch (p) {
            case Proposition.Equals e -> value.applyAsLong(e.observable()) == e.value();
            case Proposition.Not n -> !holds(n.operand(), value);
            case Proposition.And a -> holds(a.left(), value) && holds(a.right(), value);
            case Proposition.Or o -> holds(o.left(), value) || holds(o.right(), value);
            case Proposition.Truth t -> t.value();
        };
    }
}
