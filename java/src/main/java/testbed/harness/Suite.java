package testbed.harness;

import testbed.Mode;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A suite as a run sees it: its name (the report's and the command line's) and how it runs
 * in a {@link Session}. A suite asks the session for what it uses (the region's slots and
 * cancel flags, the peer), so two suites in one session never touch the same slot, and a
 * suite that uses none of it (the contract check, the instruction audit) never starts the peer.
 */
public interface Suite {
    /** The suite's stable name: a report section and a {@code --suite} value. */
    String name();

    /** One line for {@code --help} and the report. */
    String title();

    /**
     * Whether the suite uses the session's region, shim or peer. A run closes its session
     * (stopping the peer) before the first suite after which none does, so that the peer
     * is not left idling beside suites that measure this machine on their own.
     */
    boolean usesSession();

    /**
     * Runs every case the suite holds; never throws for a case that fails (that is a
     * verdict), only when the suite as a whole cannot go on.
     */
    SuiteResult run(Session session, Settings settings, PrintStream progress);

    /** How a suite declared with {@link #of} runs. */
    @FunctionalInterface
    interface Body {
        SuiteResult run(Session session, Settings settings, PrintStream progress);
    }

    /**
     * A suite named {@code name}, described by {@code title}, that uses the session and runs as
     * {@code body} does. {@code caseNames} lists its cases in a mode without running anything, so
     * that a run whose filter selects none of them does not open the session for it: the suite
     * then reports no case, as it would have.
     */
    static Suite of(String name, String title, Function<Mode, List<String>> caseNames, Body body) {
        return new Declared(name, title, true, caseNames, body);
    }

    /** A suite that never asks the session for its region, shim or peer (it brings its own, or needs none). */
    static Suite standalone(String name, String title, Body body) {
        return new Declared(name, title, false, null, body);
    }

    /** A suite declared by {@link #of} or {@link #standalone}; {@code caseNames} null for one that selects its cases itself. */
    record Declared(String name, String title, boolean usesSession, Function<Mode, List<String>> caseNames, Body body) implements Suite {
        @Override
        public SuiteResult run(Session session, Settings settings, PrintStream progress) {
            if (caseNames != null && caseNames.apply(settings.mode()).stream().noneMatch(settings.cases())) {
                return new SuiteResult(name, title, List.of());
            }
            SuiteResult r = body.run(session, settings, progress);
            if (!r.name().equals(name)) throw new IllegalStateException("suite " + name + " reported itself as " + r.name());
            return r;
        }
    }

    /**
     * What a run asks of every suite: its mode, and which cases to run by name; every suite
     * runs exactly the cases it selects.
     */
    record Settings(Mode mode, Predicate<String> cases) {
        /** Every case in {@code mode}. */
        public static Settings all(Mode mode) {
            return new Settings(mode, name -> true);
        }
    }
}
