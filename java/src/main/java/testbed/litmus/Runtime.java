package testbed.litmus;

import java.util.List;
import java.util.Map;

/**
 * A runtime an actor can be bound to, with the access modes its kernels are compiled
 * for (docs/LITMUS.md) and what each mode means on the common C11 scale.
 */
public enum Runtime {
    JAVA("J", Map.of("plain", Strength.PLAIN, "opaque", Strength.RELAXED, "acquire", Strength.ACQUIRE,
            "release", Strength.RELEASE, "volatile", Strength.SEQ_CST),
            List.of("plain", "opaque", "acquire", "volatile"),
            List.of("plain", "opaque", "release", "volatile"),
            List.of("volatile", "acquire", "release"), true),
    C("C", Map.of("relaxed", Strength.RELAXED, "acquire", Strength.ACQUIRE, "release", Strength.RELEASE,
            "acq_rel", Strength.ACQ_REL, "seq_cst", Strength.SEQ_CST),
            List.of("relaxed", "acquire", "seq_cst"),
            List.of("relaxed", "release", "seq_cst"),
            List.of("relaxed", "acquire", "release", "acq_rel", "seq_cst"), true),
    GO("G", Map.of("plain", Strength.PLAIN, "atomic", Strength.SEQ_CST),
            List.of("atomic", "plain"),
            List.of("atomic", "plain"),
            List.of("atomic"), false);

    private final String letter;
    private final Map<String, Strength> strengths;
    private final List<String> loadModes;
    private final List<String> storeModes;
    private final List<String> rmwModes;
    private final boolean hasFence;

    Runtime(String letter, Map<String, Strength> strengths, List<String> loadModes, List<String> storeModes,
            List<String> rmwModes, boolean hasFence) {
        this.letter = letter;
        this.strengths = strengths;
        this.loadModes = loadModes;
        this.storeModes = storeModes;
        this.rmwModes = rmwModes;
        this.hasFence = hasFence;
    }

    /** One letter for test names: J, C, G. */
    public String letter() {
        return letter;
    }

    public List<String> loadModes() {
        return loadModes;
    }

    public List<String> storeModes() {
        return storeModes;
    }

    public List<String> rmwModes() {
        return rmwModes;
    }

    /** Whether this runtime has a standalone full fence (Go has none). */
    public boolean hasFence() {
        return hasFence;
    }

    /** The strength of {@code mode}; an unknown mode is refused with the runtime's valid ones. */
    public Strength strength(String mode) {
        Strength s = strengths.get(mode);
        if (s == null) {
            throw new IllegalArgumentException("unknown " + this + " access mode '" + mode + "' (known: "
                    + String.join(", ", strengths.keySet().stream().sorted().toList()) + ")");
        }
        return s;
    }
}
