package testbed.litmus;

import testbed.litmus.lang.Strength;

import java.util.List;
import java.util.Map;

/**
 * A runtime an actor can be bound to, with the access modes its kernels are compiled
 * for (docs/LITMUS.md) and what each mode means on the common C11 scale.
 */
public enum ActorRuntime {
    JAVA("J", Map.of("plain", Strength.PLAIN, "opaque", Strength.RELAXED, "acquire", Strength.ACQUIRE,
            "release", Strength.RELEASE, "volatile", Strength.SEQ_CST),
            List.of("plain", "opaque", "acquire", "volatile"),
            List.of("plain", "opaque", "release", "volatile"),
            List.of("volatile", "acquire", "release"), List.of("acquire", "release", "full")),
    C("C", Map.of("plain", Strength.PLAIN, "relaxed", Strength.RELAXED, "acquire", Strength.ACQUIRE, "release", Strength.RELEASE,
            "acq_rel", Strength.ACQ_REL, "seq_cst", Strength.SEQ_CST),
            List.of("plain", "relaxed", "acquire", "seq_cst"),
            List.of("plain", "relaxed", "release", "seq_cst"),
            List.of("relaxed", "acquire", "release", "acq_rel", "seq_cst"),
            List.of("relaxed", "acquire", "release", "acq_rel", "seq_cst")),
    GO("G", Map.of("plain", Strength.PLAIN, "atomic", Strength.SEQ_CST),
            List.of("atomic", "plain"),
            List.of("atomic", "plain"),
            List.of("atomic"), List.of()),
    /**
     * The JavaScript guest, style (a): {@code Atomics.load/store/add} ("atomics") or indexing
     * ("plain") on a BigInt64Array over the host's buffer of the section. ECMAScript makes
     * Atomics sequentially consistent only on a SharedArrayBuffer; over a host buffer the
     * model gives both modes nothing (docs/MEMORY_MODEL.md, "The embedded guest").
     */
    JS_VIEW("V", Map.of("plain", Strength.PLAIN, "atomics", Strength.PLAIN),
            List.of("atomics", "plain"),
            List.of("atomics", "plain"),
            List.of("atomics"), List.of()),
    /**
     * The JavaScript guest, style (b): calls of host methods that are VarHandle accesses in
     * the mode they are named for, so each mode is as strong as the Java one.
     */
    JS_HOST("H", Map.of("plain", Strength.PLAIN, "opaque", Strength.RELAXED, "acquire", Strength.ACQUIRE,
            "release", Strength.RELEASE, "volatile", Strength.SEQ_CST),
            List.of("plain", "opaque", "acquire", "volatile"),
            List.of("plain", "opaque", "release", "volatile"),
            List.of("volatile"), List.of());

    private final String letter;
    private final Map<String, Strength> strengths;
    private final List<String> loadModes;
    private final List<String> storeModes;
    private final List<String> rmwModes;
    private final List<String> fenceModes;

    ActorRuntime(String letter, Map<String, Strength> strengths, List<String> loadModes, List<String> storeModes,
            List<String> rmwModes, List<String> fenceModes) {
        this.letter = letter;
        this.strengths = strengths;
        this.loadModes = loadModes;
        this.storeModes = storeModes;
        this.rmwModes = rmwModes;
        this.fenceModes = fenceModes;
    }

    /** The name a run uses for it ({@code RUNTIMES=java,c}): java, c, go, js_view, js_host. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The runtime named {@code name} (its label, case-insensitive, or its letter).
     *
     * @throws IllegalArgumentException naming the runtimes there are
     */
    public static ActorRuntime parse(String name) {
        for (ActorRuntime r : values()) {
            if (r.label().equalsIgnoreCase(name.trim()) || r.letter.equalsIgnoreCase(name.trim())) return r;
        }
        throw new IllegalArgumentException("no runtime '" + name.trim() + "' (known: java, c, go, js_view, js_host)");
    }

    /** One letter for test names: J, C, G, V (JS typed-array view), H (JS host method). */
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

    /** The modes of its standalone fences: C's orders, Java's VarHandle fences; none in Go and the guest. */
    public List<String> fenceModes() {
        return fenceModes;
    }

    /** Whether this runtime has a standalone fence (Go has none). */
    public boolean hasFence() {
        return !fenceModes.isEmpty();
    }

    /** Whether an actor of this runtime is an embedded JavaScript guest. */
    public boolean guest() {
        return this == JS_VIEW || this == JS_HOST;
    }

    /**
     * The order of a failed compare-and-exchange in {@code mode}: C's kernels use the
     * strongest failure order C11 allows for the success order; Java's
     * {@code compareAndExchangeRelease} reads its witness with a plain get.
     */
    public Strength casFailure(String mode) {
        Strength success = strength(mode);
        return switch (this) {
            case C -> switch (success) {
                case RELEASE -> Strength.RELAXED;
                case ACQ_REL -> Strength.ACQUIRE;
                default -> success;
            };
            case JAVA, JS_HOST -> success == Strength.RELEASE ? Strength.PLAIN : success;
            case GO, JS_VIEW -> success;
        };
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
