package testbed.litmus.lang;

/**
 * A shared memory location of a test.
 *
 * @param name    as the threads' parameters and the initial state name it
 * @param atomic  declared {@code atomic_int*} (every thread agrees) rather than {@code int*}
 * @param initial its value before any thread runs (0 unless the initial state says otherwise)
 * @param at      where it is first declared
 */
public record Location(String name, boolean atomic, long initial, Position at) { }
