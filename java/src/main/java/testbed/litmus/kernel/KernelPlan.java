package testbed.litmus.kernel;

import testbed.litmus.ActorRuntime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What one generated kernel does to each instance of a round (docs/LITMUS.md, "Generated
 * kernels"): a thread's statements bound to its runtime, with every location a fixed byte
 * offset into the instance's locations and every register a fixed slot of the actor's
 * record. A generator turns a plan into source for its runtime (C, Java, Go, the JS guest);
 * every mode is a constant there, so the compiler emits exactly the instructions of that mode.
 *
 * <p>The contract every generator keeps, for instance {@code i} of a round of {@code n}:
 * <ul>
 *   <li>location at byte {@code a} of the instance is the int64 at {@code loc + i * locStride + a};</li>
 *   <li>the steps run in program order, each access in its mode, on that instance only;</li>
 *   <li>register {@code k} ends as the value of the last step that wrote it (0 if none ran),
 *       stored after every step, with a plain (or relaxed) store, at {@code reg + i * regStride + 8 * k};
 *       the round's barrier orders it for the consumer, so a stronger store would only add
 *       fences between the accesses under test.</li>
 * </ul>
 *
 * @param runtime   the runtime the kernel is generated for
 * @param steps     the thread's statements, in program order
 * @param registers registers the kernel writes: 0 .. registers - 1
 */
public record KernelPlan(ActorRuntime runtime, List<Step> steps, int registers) {

    /** One statement of the kernel. Offsets are bytes into an instance's locations, multiples of 8. */
    public sealed interface Step {
        /** The runtime's access mode of this step (e.g. {@code acquire}, {@code atomic}, {@code seq_cst}). */
        String mode();

        /** The same step in another mode (a broken variant runs weaker modes than it declares). */
        Step withMode(String mode);

        /** The register written, or -1 where there is none or the result is dropped. */
        default int register() {
            return -1;
        }
    }

    /** {@code register := load [at]}. */
    public record Load(long at, String mode, int register) implements Step {
        @Override public Step withMode(String m) { return new Load(at, m, register); }
    }

    /** {@code [at] := value}. */
    public record Store(long at, long value, String mode) implements Step {
        @Override public Step withMode(String m) { return new Store(at, value, m); }
    }

    /** {@code register := fetch_add([at], delta)}: the value before the add. */
    public record FetchAdd(long at, long delta, String mode, int register) implements Step {
        @Override public Step withMode(String m) { return new FetchAdd(at, delta, m, register); }
    }

    /** {@code register := exchange([at], value)}: the value before. */
    public record Exchange(long at, long value, String mode, int register) implements Step {
        @Override public Step withMode(String m) { return new Exchange(at, value, m, register); }
    }

    /**
     * C11's strong compare-exchange: the expected value is the int64 at {@code expectedAt} (a
     * non-atomic location, read plainly); if {@code [at]} holds it, {@code [at] := desired}, an RMW
     * in {@code mode}; else the value found is a load of order {@code failure} and is stored
     * plainly to {@code [expectedAt]}. {@code register := 1} on success, 0 on failure.
     *
     * @param failure the C11 order of a failed attempt ({@code relaxed}, {@code acquire},
     *     {@code seq_cst}); C compiles it, the other runtimes' failure order follows from the mode
     */
    public record CompareExchange(long at, long expectedAt, long desired, String mode, String failure, int register)
            implements Step {
        @Override public Step withMode(String m) { return new CompareExchange(at, expectedAt, desired, m, failure, register); }
    }

    /** A standalone fence in the runtime's mode. */
    public record Fence(String mode) implements Step {
        @Override public Step withMode(String m) { return new Fence(m); }
    }

    public KernelPlan {
        Objects.requireNonNull(runtime, "runtime");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) throw new IllegalArgumentException("a kernel runs at least one statement");
        if (registers < 0) throw new IllegalArgumentException("registers " + registers);
        for (Step s : steps) {
            for (long off : offsets(s)) {
                if (off < 0 || off % 8 != 0) throw new IllegalArgumentException("location offset " + off + " is not a non-negative multiple of 8");
            }
            if (s.register() >= registers) {
                throw new IllegalArgumentException("step writes register " + s.register() + " of a kernel with " + registers);
            }
        }
    }

    /** The modes of the steps, in order. */
    public List<String> modes() {
        return steps.stream().map(Step::mode).toList();
    }

    /** This plan with each step in {@code modes.get(i)}. */
    public KernelPlan withModes(List<String> modes) {
        if (modes.size() != steps.size()) {
            throw new IllegalArgumentException("the kernel has " + steps.size() + " statements, " + modes.size() + " modes given");
        }
        List<Step> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) out.add(steps.get(i).withMode(modes.get(i)));
        return new KernelPlan(runtime, out, registers);
    }

    /** Bytes of an instance's locations this kernel reaches: one past its highest location. */
    public long locationBytes() {
        long end = 0;
        for (Step s : steps) for (long off : offsets(s)) end = Math.max(end, off + 8);
        return end;
    }

    /** Whether the kernel has a standalone fence (Go has none). */
    public boolean hasFence() {
        return steps.stream().anyMatch(s -> s instanceof Fence);
    }

    /**
     * The kernel in one line, its identity: equal texts are the same kernel. Locations are
     * written {@code [offset]}, registers {@code rK}, e.g.
     * {@code st [0] := 1 release; r0 := ld [8] acquire}.
     */
    public String text() {
        List<String> parts = new ArrayList<>();
        for (Step s : steps) {
            parts.add(switch (s) {
                case Load l -> reg(l.register()) + "ld [" + l.at() + "] " + l.mode();
                case Store st -> "st [" + st.at() + "] := " + st.value() + " " + st.mode();
                case FetchAdd f -> reg(f.register()) + "fadd [" + f.at() + "] " + f.delta() + " " + f.mode();
                case Exchange x -> reg(x.register()) + "xchg [" + x.at() + "] " + x.value() + " " + x.mode();
                case CompareExchange c -> reg(c.register()) + "cas [" + c.at() + "] [" + c.expectedAt() + "] " + c.desired()
                        + " " + c.mode() + "/" + c.failure();
                case Fence f -> "fence " + f.mode();
            });
        }
        return String.join("; ", parts);
    }

    /**
     * A name for generated code and caches, unique per runtime and text: {@code k} and 16 hex
     * digits of the SHA-256 of both (a valid identifier in C, Java and Go).
     */
    public String id() {
        return "k" + sha256(runtime.label() + "\n" + text() + "\n" + registers).substring(0, 16);
    }

    /** The hex SHA-256 of {@code text} (UTF-8); generators name their caches with it. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return runtime.label() + " {" + text() + "}";
    }

    private static String reg(int r) {
        return r < 0 ? "" : "r" + r + " := ";
    }

    private static List<Long> offsets(Step s) {
        return switch (s) {
            case Load l -> List.of(l.at());
            case Store st -> List.of(st.at());
            case FetchAdd f -> List.of(f.at());
            case Exchange x -> List.of(x.at());
            case CompareExchange c -> List.of(c.at(), c.expectedAt());
            case Fence f -> List.of();
        };
    }
}
