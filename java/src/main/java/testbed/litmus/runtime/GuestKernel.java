package testbed.litmus.runtime;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan;
import testbed.guest.GuestException;
import testbed.guest.GuestRegion;
import testbed.guest.GuestRuntime;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A litmus kernel written in JavaScript (docs/GUEST.md): the guest runs a thread's
 * statements on every instance of a round, in one call per round, from the Java actor loop
 * of docs/LITMUS.md. Like every other runtime's kernels, it is generated from the thread's
 * {@link KernelPlan} with the accesses fixed in its text: {@link #source} writes it.
 *
 * <p>Style (a) ({@link ActorRuntime#JS_VIEW}) accesses a BigInt64Array over the host's buffer of
 * the whole section; style (b) ({@link ActorRuntime#JS_HOST}) calls {@link GuestRegion} methods.
 * Both write the result registers through the same way they access memory, with a plain
 * access (as every runtime's kernels do).
 *
 * <p>The context is made on the actor's thread ({@link #open}) and closed there when the
 * actor leaves. A guest that throws fails the actor with the guest's message.
 */
public final class GuestKernel implements ThreadBoundKernel {
    private final GuestRuntime guest;
    private final ActorRuntime style;
    private final KernelPlan plan;
    private final LitmusSection section;
    private final String source;
    private volatile Context context;
    private Value fn;
    private long sectionAddress;

    /**
     * @param plan the thread's kernel, in a guest style's mode names
     * @throws IllegalArgumentException for a statement or mode the style does not have
     */
    public GuestKernel(GuestRuntime guest, KernelPlan plan, LitmusSection section) {
        this(guest, plan, section, source(plan));
    }

    /** A kernel with a given source: a test gives one that throws. */
    public GuestKernel(GuestRuntime guest, KernelPlan plan, LitmusSection section, String source) {
        this.guest = guest;
        this.style = plan.runtime();
        this.plan = plan;
        this.section = section;
        this.source = source;
    }

    /** The name the actor loop knows this kernel by: distinct from every Java kernel's. */
    public String name() {
        return style.label() + ":" + plan.id();
    }

    /** The name of the guest source a kernel is evaluated from (what compilation counts go by). */
    public static String sourceName(KernelPlan plan) {
        return plan.runtime().label() + ":" + plan.id() + ".js";
    }

    @Override
    public void open() {
        context = guest.newContext();
        try {
            Value factory = context.eval(Source.newBuilder(GuestRuntime.LANGUAGE, source, sourceName(plan)).buildLiteral());
            fn = factory.execute(section.segment().asByteBuffer(), new GuestRegion(section.segment()));
            if (!fn.canExecute()) throw new IllegalArgumentException("the kernel script gave " + fn + ", not a function");
        } catch (PolyglotException e) {
            throw new GuestException("guest kernel " + name() + ": " + GuestRuntime.message(e), e);
        }
        sectionAddress = section.segment().address();
    }

    @Override
    public void run(MemorySegment s, long loc, long locStride, long r, long rStride, int n) {
        try {
            // The warm-up runs on a slice of the section: offsets are relative to that slice.
            fn.executeVoid(s.address() - sectionAddress, loc, locStride, r, rStride, n);
        } catch (PolyglotException e) {
            throw new GuestException("guest kernel " + name() + ": " + GuestRuntime.message(e), e);
        }
    }

    /** Cancels the guest from another thread (a kernel that never returns): its actor then fails and ends. */
    public void cancel() {
        Context c = context;
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException e) {
                // Closed already, by the actor's own thread.
            }
        }
    }

    @Override
    public void close() {
        Context c = context;
        context = null;
        if (c != null) {
            try {
                c.close(true);
            } catch (RuntimeException e) {
                // Cancelled and closed from the runner's thread already.
            }
        }
    }

    /**
     * The kernel's JavaScript: a function of (buffer, host) returning the round function
     * {@code (base, loc, ls, r, rs, n)}; offsets are bytes, {@code base} is the
     * slice's offset in the section. It visits the instances from the last to the first:
     * its partner sweeps them from the first, a hundred times faster, so the two sweeps
     * meet, and the actors overlap on some instance in most rounds; swept the same way, the
     * guest trailed its partner on every instance but the first few, and a guest test waited
     * seconds for one witness of overlap (docs/LITMUS.md, "Verdicts that rest on an observation").
     */
    public static String source(KernelPlan plan) {
        Access a = switch (plan.runtime()) {
            case JS_VIEW -> new ViewAccess();
            case JS_HOST -> new HostAccessStyle();
            default -> throw new IllegalArgumentException(plan.runtime() + " is not a guest style");
        };
        List<String> body = new ArrayList<>();
        for (int k = 0; k < plan.registers(); k++) body.add("let r" + k + " = " + a.value("0") + ";");
        for (KernelPlan.Step step : plan.steps()) {
            switch (step) {
                case KernelPlan.Load l -> body.add(assign(l.register(), a.load(l.mode(), "at + " + l.at())));
                case KernelPlan.Store st -> body.add(a.store(st.mode(), "at + " + st.at(), a.value(String.valueOf(st.value()))));
                case KernelPlan.FetchAdd f -> body.add(assign(f.register(), a.fadd(f.mode(), "at + " + f.at(), a.value(String.valueOf(f.delta())))));
                default -> throw new IllegalArgumentException("the guest runs loads, stores and fetch_add, not {" + plan.text() + "}");
            }
        }
        for (int k = 0; k < plan.registers(); k++) body.add(a.result("res + " + 8 * k, "r" + k));
        return "(function (buffer, host) {\n"
                + a.prelude()
                + "  return function " + plan.id() + "(base, loc, ls, r, rs, n) {\n"
                + "    for (let i = n - 1; i >= 0; i--) {\n"
                + "      const at = base + loc + i * ls;\n"
                + "      const res = base + r + i * rs;\n"
                + "      " + String.join("\n      ", body) + "\n"
                + "    }\n"
                + "  };\n"
                + "})\n";
    }

    private static String assign(int register, String expression) {
        return register < 0 ? expression + ";" : "r" + register + " = " + expression + ";";
    }

    /** How one style writes an access with a mode fixed in the text. */
    private interface Access {
        String prelude();
        String value(String v);
        String load(String mode, String off);
        String store(String mode, String off, String value);
        String fadd(String mode, String off, String delta);
        String result(String off, String value);
    }

    /** Style (a): a BigInt64Array over the section's buffer; offsets / 8 are indexes. */
    private static final class ViewAccess implements Access {
        public String prelude() {
            // Out-of-range typed-array accesses are silently dropped: refuse a view that is not
            // the whole section (a buffer the engine did not alias gives length 0).
            return "  const v = new BigInt64Array(new ArrayBuffer(buffer));\n"
                    + "  if (v.length * 8 !== host.byteSize()) throw new Error('the view has ' + v.length"
                    + " + ' words, the section ' + host.byteSize() + ' bytes');\n";
        }
        /** A BigInt literal: the values are constants of the kernel's text. */
        public String value(String x) {
            return x + "n";
        }
        public String load(String mode, String off) {
            return switch (mode) {
                case "atomics" -> "Atomics.load(v, (" + off + ") / 8)";
                case "plain" -> "v[(" + off + ") / 8]";
                default -> throw new IllegalArgumentException("style (a) has no load mode '" + mode + "'");
            };
        }
        public String store(String mode, String off, String value) {
            return switch (mode) {
                case "atomics" -> "Atomics.store(v, (" + off + ") / 8, " + value + ");";
                case "plain" -> "v[(" + off + ") / 8] = " + value + ";";
                default -> throw new IllegalArgumentException("style (a) has no store mode '" + mode + "'");
            };
        }
        public String fadd(String mode, String off, String delta) {
            if (!mode.equals("atomics")) throw new IllegalArgumentException("style (a) has no fetch_add mode '" + mode + "'");
            return "Atomics.add(v, (" + off + ") / 8, " + delta + ")";
        }
        public String result(String off, String value) {
            return "v[(" + off + ") / 8] = " + value + ";";
        }
    }

    /** Style (b): host VarHandle methods named for their mode. */
    private static final class HostAccessStyle implements Access {
        public String prelude() {
            return "";
        }
        public String value(String x) {
            return x;
        }
        public String load(String mode, String off) {
            return switch (mode) {
                case "plain" -> "host.getPlain(" + off + ")";
                case "opaque" -> "host.getOpaque(" + off + ")";
                case "acquire" -> "host.getAcquire(" + off + ")";
                case "volatile" -> "host.getVolatile(" + off + ")";
                default -> throw new IllegalArgumentException("style (b) has no load mode '" + mode + "'");
            };
        }
        public String store(String mode, String off, String value) {
            return switch (mode) {
                case "plain" -> "host.setPlain(" + off + ", " + value + ");";
                case "opaque" -> "host.setOpaque(" + off + ", " + value + ");";
                case "release" -> "host.setRelease(" + off + ", " + value + ");";
                case "volatile" -> "host.setVolatile(" + off + ", " + value + ");";
                default -> throw new IllegalArgumentException("style (b) has no store mode '" + mode + "'");
            };
        }
        public String fadd(String mode, String off, String delta) {
            if (!mode.equals("volatile")) throw new IllegalArgumentException("style (b) has no fetch_add mode '" + mode + "'");
            return "host.getAndAdd(" + off + ", " + delta + ")";
        }
        public String result(String off, String value) {
            return "host.setPlain(" + off + ", " + value + ");";
        }
    }
}
