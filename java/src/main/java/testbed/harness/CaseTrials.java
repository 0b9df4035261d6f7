package testbed.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trials of one case, stopped at the first that found a problem. After that trial the
 * case's verdict cannot change, and on a regression every further trial would only wait out
 * its own bounds (a leak check's seconds, trial after trial), so that a broken build would
 * cost many times a green one. The trials not run are reported as such: the message ends
 * "failed at trial K of N; M not run", and the metrics carry {@code trials_not_run} and
 * {@code failed_at_trial}.
 *
 * <p>A broken variant (a case that must fail) stops at the same point: its first trial that
 * shows a problem is its success, and whether that problem is the one it planted decides its
 * status. Trials that show none go on, since a planted fault may show only in a later one.
 *
 * <p>The failed trial's problems are put worst first ({@link #worstFirst}), so that a
 * message's headline is the worst thing the trial found.
 */
public final class CaseTrials {
    /** How a problem begins when something the case started was still running past its bound: the worst a trial can find. */
    public static final String LEAK = "leak:";

    private final int planned;
    private int counted;
    private List<String> failedWith;

    /** The trials of a case that plans {@code planned} of them (at least 1). */
    public CaseTrials(int planned) {
        if (planned < 1) throw new IllegalArgumentException("a case plans at least one trial, not " + planned);
        this.planned = planned;
    }

    /** Whether to run another trial: fewer than planned have counted, and none failed. */
    public boolean more() {
        return failedWith == null && counted < planned;
    }

    /**
     * Records a trial that ran and returns whether it failed (found a problem). A trial that
     * {@code counts} stands for one of the planned trials; one that does not (it never reached
     * the case's subject) is replaced, unless it failed: a failed trial always counts, since
     * it decides the verdict.
     */
    public boolean record(boolean counts, List<String> problems) {
        if (!more()) throw new IllegalStateException("no trial is left to record: " + stoppedAt());
        boolean failed = !problems.isEmpty();
        if (counts || failed) counted++;
        if (failed) failedWith = worstFirst(problems);
        return failed;
    }

    /** Trials run that stand for planned ones (the failed one included). */
    public int counted() {
        return counted;
    }

    public int planned() {
        return planned;
    }

    /** Planned trials that were not run because an earlier one failed (0 when none failed). */
    public int notRun() {
        return failedWith == null ? 0 : planned - counted;
    }

    public boolean failed() {
        return failedWith != null;
    }

    /** The failed trial's problems, worst first, as one line; null when no trial failed. */
    public String problem() {
        return failedWith == null ? null : String.join("; ", failedWith);
    }

    /** "failed at trial K of N; M not run" ("; M not run" only when M is above 0), or "" when no trial failed. */
    public String stoppedAt() {
        if (failedWith == null) return "";
        return String.format(Locale.ROOT, "failed at trial %d of %d", counted, planned)
                + (notRun() > 0 ? String.format(Locale.ROOT, "; %d not run", notRun()) : "");
    }

    /** The failed trial's problems, worst first, then where the case stopped; null when no trial failed. */
    public String headline() {
        return failedWith == null ? null : problem() + "; " + stoppedAt();
    }

    /** Adds {@code trials_not_run} and, when a trial failed, {@code failed_at_trial} (1-based). */
    public void putMetrics(Map<String, Object> metrics) {
        metrics.put("trials_not_run", notRun());
        if (failedWith != null) metrics.put("failed_at_trial", counted);
    }

    /**
     * {@code problems} with the leaks ({@link #LEAK}: something still running past its bound)
     * first, the rest after them, each group in its original order.
     */
    public static List<String> worstFirst(List<String> problems) {
        List<String> ordered = new ArrayList<>(problems.size());
        for (String p : problems) if (p.startsWith(LEAK)) ordered.add(p);
        for (String p : problems) if (!p.startsWith(LEAK)) ordered.add(p);
        return ordered;
    }

    /** {@code problems} worst first as one line, or null when there are none: a trial's problem. */
    public static String line(List<String> problems) {
        return problems.isEmpty() ? null : String.join("; ", worstFirst(problems));
    }
}
