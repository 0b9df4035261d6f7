package testbed.harness;

import testbed.report.CaseResult;
import testbed.report.Status;

import java.util.Map;
import java.util.Objects;

/**
 * How every suite turns what a case found into its status and message, in one wording:
 *
 * <ul>
 *   <li>a case that holds and found no problem: PASSED, with its figures;
 *   <li>a case that holds and found a problem: FAILED, with the problem;
 *   <li>a broken variant that found the fault it planted: EXPECTED_FAILURE, "caught: " and the problem;
 *   <li>a broken variant that found nothing: FAILED, "the broken variant was not caught: " and what
 *       it saw instead, since the run then does not prove the check can fail;
 *   <li>a broken variant that found another problem: FAILED as well, naming what should have
 *       caught it and the problem it found, since a catch for the wrong reason proves nothing.
 * </ul>
 *
 * A case that could not be carried out at all is {@link Status#ERROR} ({@link #error}).
 *
 * <p>Two outcomes stand beside this table on purpose, each given and explained where it is
 * judged: a run that shows nothing either way is SKIPPED as inconclusive (a litmus test with a
 * guest actor whose outcomes never show the actors overlapping; a known hazard not seen), and a
 * known cross-runtime hazard that shows (the counters' {@code js_atomics_view}: JavaScript
 * {@code Atomics.add} on a view of a host buffer loses updates) is EXPECTED_FAILURE with its
 * figures, since the case documents the hazard rather than a check that must hold.
 *
 * @param status  the case's status
 * @param message one line: the figures, the problem or why the variant is not caught
 */
public record Verdict(Status status, String message) {
    /** How a broken variant's message begins when its check did not catch it. */
    public static final String NOT_CAUGHT = "the broken variant was not caught: ";
    /** How a broken variant's message begins when its check caught it. */
    public static final String CAUGHT = "caught: ";

    public Verdict {
        Objects.requireNonNull(status);
        message = message == null ? "" : message;
    }

    /**
     * Judges a case. {@code problem} is the worst problem its trials found (null: none);
     * {@code figures} is what it measured, said when it passed and, for a broken variant that
     * found nothing, as what it saw instead of the fault.
     */
    public static Verdict of(Expectation expectation, String problem, String figures) {
        if (!expectation.broken()) {
            return problem == null ? new Verdict(Status.PASSED, figures) : new Verdict(Status.FAILED, problem);
        }
        if (expectation.caught(problem)) return new Verdict(Status.EXPECTED_FAILURE, CAUGHT + problem);
        if (problem == null) {
            return new Verdict(Status.FAILED, NOT_CAUGHT + figures + ", so this run does not prove the check can fail");
        }
        return new Verdict(Status.FAILED, NOT_CAUGHT + "it failed, but not with " + expectation.caughtWhen()
                + ", so this run does not prove the check can fail: " + problem);
    }

    /** A case that could not be carried out: a fault of the test bed or the machine, not a verdict on the subject. */
    public static Verdict error(String reason) {
        return new Verdict(Status.ERROR, reason);
    }

    /** The verdict on {@code spec}, as its report entry. */
    public CaseResult result(CaseSpec spec, double durationMs, Map<String, Object> metrics, Map<String, Object> details) {
        return new CaseResult(spec.name(), spec.title(), status, message, durationMs, metrics, details);
    }
}
