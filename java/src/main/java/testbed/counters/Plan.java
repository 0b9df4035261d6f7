package testbed.counters;

import testbed.guest.CounterScript;

/**
 * Which actors a case starts on each slot, and how much each adds; {@code jsActors}
 * JavaScript guests (each its own context and thread) run {@code jsScript}, adding
 * {@code jsIncrements} each.
 */
public record Plan(long incrementsPerActor, int javaThreads, int ffmThreads, int jnrThreads, int goGoroutines,
                   boolean plainJava, int jsActors, long jsIncrements, CounterScript jsScript) {
    /** One actor of each binding per slot (a Java thread, a C thread through FFM, one through JNR, a Go call), each adding {@code n}. */
    public static Plan everyBinding(long n) {
        return new Plan(n, 1, 1, 1, 1, false, 0, 0, null);
    }

    /** One Java thread per slot adding {@code n}. */
    public static Plan javaAlone(long n) {
        return new Plan(n, 1, 0, 0, 0, false, 0, 0, null);
    }

    /**
     * One Java thread per slot adding up to {@code n} ({@code Long.MAX_VALUE}: until the guest is
     * done) beside one JavaScript guest running {@code script}, which adds {@code guestIncrements}.
     */
    public static Plan javaBesideGuest(long n, CounterScript script, long guestIncrements) {
        return new Plan(n, 1, 0, 0, 0, false, 1, guestIncrements, script);
    }

    /** This plan with the Java threads' increments made non-atomic (an opaque read, then an opaque write): the broken variant. */
    public Plan withPlainJava() {
        return new Plan(incrementsPerActor, javaThreads, ffmThreads, jnrThreads, goGoroutines, true, jsActors, jsIncrements, jsScript);
    }

    /**
     * What the {@code k}-th of a case's {@code counted} counted actors (a Go call counts
     * as one) is asked to add: the plan's count plus 2^k, so that no two sets of them add
     * up to the same total and a word's value says whose increments it holds
     * (docs/COUNTERS.md). The plain count when 2^counted is above it; host actors that
     * add until the guests are done take no count at all.
     */
    long share(int k, int counted) {
        if (hostUntilGuestsDone() || counted >= Long.SIZE - 2 || (1L << counted) > incrementsPerActor) return incrementsPerActor;
        return incrementsPerActor + (1L << k);
    }

    /** Actors of one slot that are given a count: each host thread and each Go call. */
    int countedPerSlot() {
        return javaThreads + ffmThreads + jnrThreads + (goGoroutines > 0 ? 1 : 0);
    }

    boolean hostUntilGuestsDone() {
        return jsActors > 0;
    }

    public Plan {
        if (jsActors > 0 && jsScript == null) throw new IllegalArgumentException("JS actors need a script");
    }

    int actorsPerSlot() {
        return javaThreads + ffmThreads + jnrThreads + goGoroutines + jsActors;
    }
}
