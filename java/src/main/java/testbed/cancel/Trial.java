package testbed.cancel;

import testbed.harness.CaseTrials;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one trial of a cancellation case saw, built in named steps from what each side saw:
 * {@code Trial.saw("CANCELLED", "canceled").latency(ns).problems(problems)}.
 *
 * <ul>
 *   <li>{@link #latency}: one duration; {@link #latencies}: many (one per call of a burst),
 *       which then stand for it. None given: the trial measured no duration.
 *   <li>{@link #measuring}: what the duration is. By default {@link #CANCEL_TO_LAST_STOP}, the
 *       initiator's cancel to the last piece of work observing it, the only measure reported as
 *       "latency"; another measure is reported under its own name.
 *   <li>{@link #with}: a further named measure of the trial.
 *   <li>{@link #leaked}: goroutines of the call still alive after the leak bound.
 *   <li>{@link #problems}: what failed; none means every assertion held.
 *   <li>{@link #notExercised}: the trial never reached the case's subject (a deadline that
 *       expired before the Go handler ran) and does not count towards the case's trials.
 * </ul>
 *
 * A trial is immutable: every step returns a new one.
 */
final class Trial {
    /** The measure every case's "latency" is: the initiator's cancel to the last piece of work that observed it. */
    static final String CANCEL_TO_LAST_STOP = "cancel_to_last_stop";
    /** A duration not measured. */
    static final long NONE = Long.MIN_VALUE;

    private final String javaSaw;
    private final String goSaw;
    private final long latencyNs;
    private final long[] latenciesNs;
    private final String measure;
    private final Map<String, long[]> others;
    private final int leakedGoroutines;
    private final String problem;
    private final boolean exercised;

    private Trial(String javaSaw, String goSaw, long latencyNs, long[] latenciesNs, String measure, Map<String, long[]> others,
                  int leakedGoroutines, String problem, boolean exercised) {
        this.javaSaw = javaSaw;
        this.goSaw = goSaw;
        this.latencyNs = latencyNs;
        this.latenciesNs = latenciesNs;
        this.measure = measure;
        this.others = others;
        this.leakedGoroutines = leakedGoroutines;
        this.problem = problem;
        this.exercised = exercised;
    }

    /** A trial in which Java saw {@code javaSaw} and Go {@code goSaw}; no duration, no leak, no problem yet. */
    static Trial saw(String javaSaw, String goSaw) {
        return new Trial(javaSaw, goSaw, NONE, null, CANCEL_TO_LAST_STOP, Map.of(), 0, null, true);
    }

    /** This trial with its one duration {@code ns} ({@link #NONE}: not measured). */
    Trial latency(long ns) {
        return new Trial(javaSaw, goSaw, ns, latenciesNs, measure, others, leakedGoroutines, problem, exercised);
    }

    /** This trial with many durations, which stand for its one duration. */
    Trial latencies(long[] ns) {
        return new Trial(javaSaw, goSaw, latencyNs, ns.clone(), measure, others, leakedGoroutines, problem, exercised);
    }

    /** This trial, its duration(s) being {@code m} rather than the cancel-to-last-stop latency. */
    Trial measuring(String m) {
        return new Trial(javaSaw, goSaw, latencyNs, latenciesNs, m, others, leakedGoroutines, problem, exercised);
    }

    /** This trial with a further measure {@code m}. */
    Trial with(String m, long[] ns) {
        Map<String, long[]> o = new LinkedHashMap<>(others);
        o.put(m, ns.clone());
        return new Trial(javaSaw, goSaw, latencyNs, latenciesNs, measure, Collections.unmodifiableMap(o), leakedGoroutines, problem, exercised);
    }

    /** This trial with {@code goroutines} of its call still alive after the leak bound. */
    Trial leaked(int goroutines) {
        return new Trial(javaSaw, goSaw, latencyNs, latenciesNs, measure, others, goroutines, problem, exercised);
    }

    /** This trial with the problems it found, worst first ({@link CaseTrials#line}); none: it held. */
    Trial problems(List<String> problems) {
        return problem(CaseTrials.line(problems));
    }

    /** This trial with {@code problem} (null: it held). */
    Trial problem(String problem) {
        return new Trial(javaSaw, goSaw, latencyNs, latenciesNs, measure, others, leakedGoroutines, problem, exercised);
    }

    /** This trial, counted as not exercising its case. */
    Trial notExercised() {
        return new Trial(javaSaw, goSaw, latencyNs, latenciesNs, measure, others, leakedGoroutines, problem, false);
    }

    /** This trial with Go's side said as {@code goSaw}. */
    Trial goSaw(String goSaw) {
        return new Trial(javaSaw, goSaw, latencyNs, latenciesNs, measure, others, leakedGoroutines, problem, exercised);
    }

    String javaSaw() {
        return javaSaw;
    }

    String goSaw() {
        return goSaw;
    }

    /** The one duration, {@link #NONE} when not measured. */
    long latencyNs() {
        return latencyNs;
    }

    /** The many durations that stand for the one, null when there is one or none. */
    long[] latenciesNs() {
        return latenciesNs == null ? null : latenciesNs.clone();
    }

    String measure() {
        return measure;
    }

    /** The further named measures, in the order given. */
    Map<String, long[]> others() {
        return others;
    }

    int leakedGoroutines() {
        return leakedGoroutines;
    }

    /** The problems as one line, worst first; null when every assertion held. */
    String problem() {
        return problem;
    }

    boolean exercised() {
        return exercised;
    }
}
