package testbed.litmus;

import java.util.Locale;

/**
 * The canonical litmus shapes: the families of {@code litmus/canonical/}, one directory
 * each ({@link #token()}), with their herd-style titles and number of threads. What a
 * shape allows is no longer a rule written here: the model judges each file
 * (testbed.litmus.model, docs/MEMORY_MODEL.md).
 */
public enum Shape {
    /** Store buffering: each thread stores to one location, then loads the other. */
    SB("SB", "store buffering", 2),
    /** Message passing: the writer stores data x then flag y; the reader loads y then x. */
    MP("MP", "message passing", 2),
    /** Load buffering: each thread loads one location, then stores to the other. */
    LB("LB", "load buffering", 2),
    /** Coherence of read-read: one thread stores x, the other loads x twice. */
    CORR("CoRR", "coherence of two reads", 2),
    /** Two writes, two writes: each thread stores both locations, in opposite orders. */
    TWO_PLUS_TWO_W("2+2W", "two pairs of writes", 2),
    /** S: the writer stores x=2 then flag y; the other thread reads y, then stores x=1. */
    S("S", "write then read-write", 2),
    /** R: the writer stores x then y=1; the other thread stores y=2, then loads x. */
    R("R", "write then write-read", 2),
    /** Independent reads of independent writes: two writers, two readers in opposite orders. */
    IRIW("IRIW", "independent reads of independent writes", 4),
    /** Write-to-read causality: P0 stores x; P1 reads x, then stores y; P2 reads y, then x. */
    WRC("WRC", "write-to-read causality", 3),
    /** Atomicity of fetch_add: two threads add 1 to x once each. */
    RMW_FADD("RMW-fadd", "fetch_add atomicity", 2),
    /** Atomicity of compare-and-set: two threads try to move x from 0. */
    RMW_CAS("RMW-cas", "compare-and-set atomicity", 2);

    private final String title;
    private final String longName;
    private final int arity;

    Shape(String title, String longName, int arity) {
        this.title = title;
        this.longName = longName;
        this.arity = arity;
    }

    public String title() {
        return title;
    }

    public String longName() {
        return longName;
    }

    public int arity() {
        return arity;
    }

    /** snake_case prefix for test names, and the shape's directory under litmus/canonical. */
    public String token() {
        return switch (this) {
            case TWO_PLUS_TWO_W -> "w2w2";
            case RMW_FADD -> "rmw_fadd";
            case RMW_CAS -> "rmw_cas";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }
}
