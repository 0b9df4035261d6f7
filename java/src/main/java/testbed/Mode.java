package testbed;

import java.util.Locale;

/**
 * How hard a run works. Every suite scales its sizes from this; quick is sized so
 * that `make test` stays short on a 2-core machine, tough for bigger machines and
 * for hunting rare outcomes.
 */
public enum Mode {
    QUICK(0.2),
    DEFAULT(1.0),
    TOUGH(10.0);

    private final double scale;

    Mode(double scale) {
        this.scale = scale;
    }

    /** {@code base} scaled for this mode, at least 1. */
    public long scale(long base) {
        return Math.max(1, Math.round(base * scale));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String s) {
        for (Mode m : values()) {
            if (m.label().equals(s.toLowerCase(Locale.ROOT))) return m;
        }
        throw new IllegalArgumentException("unknown mode '" + s + "': use quick, default or tough");
    }
}
