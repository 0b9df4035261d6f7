package testbed.litmus;

import testbed.litmus.lang.Strength;

/**
 * One memory operation of an actor, as the SC enumerator and the model see it.
 *
 * @param kind     what it does
 * @param location the location (0 = x, 1 = y); -1 for a fence
 * @param value    the value a store writes, or a CAS's new value
 * @param register the register a load, fetch_add or CAS writes; -1 otherwise
 * @param strength its guarantee on the C11 scale
 */
public record Op(Kind kind, int location, long value, int register, Strength strength) {
    public enum Kind { STORE, LOAD, FENCE, FADD, CAS }

    public static final String[] LOCATION_NAMES = {"x", "y"};
}
