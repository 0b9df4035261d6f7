package testbed.harness;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a case promises before it runs: that its check <em>holds</em>, or that it is a
 * deliberately broken variant whose check must find the fault it plants. A broken variant
 * names that fault ({@link #caughtWhen}, read by a person) and recognises it in a trial's
 * problem ({@link #caught}), so that failing for some other reason is never taken for a catch.
 */
public final class Expectation {
    /** The case's check holds: any problem fails it. */
    public static final Expectation HOLDS = new Expectation(null, p -> false);

    private final String caughtWhen;
    private final Predicate<String> caught;

    private Expectation(String caughtWhen, Predicate<String> caught) {
        this.caughtWhen = caughtWhen;
        this.caught = caught;
    }

    /** A broken variant, caught when a problem contains {@code marker} (a fixed phrase of the check's message). */
    public static Expectation caughtBy(String marker) {
        Objects.requireNonNull(marker, "a broken variant names what catches it");
        return new Expectation("a problem naming '" + marker + "'", p -> p.contains(marker));
    }

    /**
     * A broken variant, caught when {@code caught} accepts the problem; {@code caughtWhen} says
     * in words what that is ("an update lost", "the kernel judged weaker than required").
     */
    public static Expectation caughtWhen(String caughtWhen, Predicate<String> caught) {
        return new Expectation(Objects.requireNonNull(caughtWhen), Objects.requireNonNull(caught));
    }

    /** Whether this is a deliberately broken variant. */
    public boolean broken() {
        return caughtWhen != null;
    }

    /** What catches the broken variant, in words; null for a case that holds. */
    public String caughtWhen() {
        return caughtWhen;
    }

    /** Whether {@code problem} is the fault this broken variant plants (always false for a case that holds). */
    public boolean caught(String problem) {
        return broken() && problem != null && caught.test(problem);
    }

    @Override
    public String toString() {
        return broken() ? "broken variant, caught by " + caughtWhen : "holds";
    }
}
