package testbed.litmus.model;

import testbed.litmus.lang.Condition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the model says of one program: every final state it allows, projected onto the
 * test's outcome shape, which of them a sequentially consistent interleaving also
 * reaches, and herd7's one-word verdict on the condition.
 *
 * @param test        the test's name
 * @param shape       what an outcome is made of (the condition's registers and locations)
 * @param condition   the final condition the verdict is about
 * @param allowed     every outcome some consistent execution gives
 * @param sequential  every outcome some sequentially consistent interleaving gives (a subset of allowed)
 * @param dataRace    some consistent execution has a data race (two conflicting accesses,
 *                    at least one non-atomic, not ordered by happens-before)
 * @param candidates  candidate executions enumerated
 * @param nanos       time the judgement took
 */
public record Judgement(String test, List<Condition.Observable> shape, Condition condition, Set<List<Long>> allowed,
                        Set<List<Long>> sequential, boolean dataRace, long candidates, long nanos) {

    /** herd7's reading of the condition's proposition over the allowed final states. */
    public enum Verdict {
        /** No allowed final state satisfies it. */
        NEVER("Never"),
        /** Some do and some do not. */
        SOMETIMES("Sometimes"),
        /** Every allowed final state does. */
        ALWAYS("Always");

        private final String word;

        Verdict(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Verdict parse(String word) {
            for (Verdict v : values()) if (v.word.equalsIgnoreCase(word)) return v;
            throw new IllegalArgumentException("no verdict '" + word + "' (Never, Sometimes, Always)");
        }
    }

    public Judgement {
        shape = List.copyOf(shape);
        allowed = Set.copyOf(allowed);
        sequential = Set.copyOf(sequential);
    }

    public boolean allows(List<Long> outcome) {
        return allowed.contains(outcome);
    }

    /** Whether the condition's proposition holds of an outcome (values in {@link #shape} order). */
    public boolean satisfies(List<Long> outcome) {
        return Condition.holds(condition.proposition(), o -> outcome.get(shape.indexOf(o)));
    }

    public Verdict verdict() {
        long positive = allowed.stream().filter(this::satisfies).count();
        if (positive == 0) return Verdict.NEVER;
        return positive == allowed.size() ? Verdict.ALWAYS : Verdict.SOMETIMES;
    }

    /** Allowed outcomes that no sequentially consistent interleaving gives: the interesting ones. */
    public List<List<Long>> relaxed() {
        return sortedOutcomes(allowed.stream().filter(o -> !sequential.contains(o)).toList());
    }

    /** {@code Model NAME Sometimes}, herd7's shape, with the race flag on a line of its own. */
    public String modelLine() {
        return "Model " + test + " " + verdict().word() + (dataRace ? "\nFlag data-race" : "");
    }

    /** One line per allowed outcome, herd7-style: {@code 0:r0=0; 1:r0=1;}, marked when not SC. */
    public List<String> outcomeLines() {
        List<String> lines = new ArrayList<>();
        for (List<Long> o : sortedOutcomes(allowed)) {
            String marks = (sequential.contains(o) ? "" : "  relaxed") + (satisfies(o) ? "  (condition holds)" : "");
            lines.add(marks.isEmpty() ? label(o) : String.format(Locale.ROOT, "%-40s%s", label(o), marks));
        }
        return lines;
    }

    /** {@code 0:r0=0; x=1;} */
    public String label(List<Long> outcome) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.size(); i++) b.append(shape.get(i).label()).append('=').append(outcome.get(i)).append("; ");
        return b.toString().trim();
    }

    /** Outcomes in lexicographic order, for stable reports. */
    public static List<List<Long>> sortedOutcomes(java.util.Collection<List<Long>> outcomes) {
        Comparator<List<Long>> lex = (a, b) -> {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c = Long.compare(a.get(i), b.get(i));
                if (c != 0) return c;
            }
            return Integer.compare(a.size(), b.size());
        };
        return outcomes.stream().sorted(lex).toList();
    }
}
