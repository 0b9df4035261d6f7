package testbed.harness;

import testbed.Mode;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A case as its suite declares it, before it runs: the stable name the report and the
 * command line use, a one-line title a person reads, how many trials it runs per mode, and
 * what it promises ({@link Expectation}).
 */
public record CaseSpec(String name, String title, TrialCount trials, Expectation expectation) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

    public CaseSpec {
        Objects.requireNonNull(name, "a case has a name");
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("a case name is snake_case, not '" + name + "'");
        Objects.requireNonNull(title, "case " + name + " has a title");
        Objects.requireNonNull(trials, "case " + name + " has a trial count");
        Objects.requireNonNull(expectation, "case " + name + " has an expectation");
    }

    /** A case whose check holds. */
    public static CaseSpec holds(String name, String title, TrialCount trials) {
        return new CaseSpec(name, title, trials, Expectation.HOLDS);
    }

    /** A deliberately broken variant: one trial, caught when a problem contains {@code marker}. */
    public static CaseSpec broken(String name, String title, String marker) {
        return new CaseSpec(name, title, TrialCount.once(), Expectation.caughtBy(marker));
    }

    /** Its trials in {@code mode}. */
    public int trialsIn(Mode mode) {
        return trials.in(mode);
    }

    /** Whether this is a deliberately broken variant. */
    public boolean broken() {
        return expectation.broken();
    }
}
