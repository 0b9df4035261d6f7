package testbed.litmus;

import java.util.List;

/** An outcome a test names, with its expectation and a description in plain words. */
public record OutcomeSpec(List<Long> values, OutcomeExpectation expectation, String description) {
    public OutcomeSpec {
        values = List.copyOf(values);
    }

    /** "1, 0" */
    public String key() {
        return format(values);
    }

    public static String format(List<Long> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(values.get(i));
        }
        return b.toString();
    }
}
