package testbed.litmus.kernel;

import testbed.litmus.ActorRuntime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * C11 source for generated litmus kernels: one translation unit holding one function per
 * {@link KernelPlan} of runtime C, named {@link KernelPlan#id()}, with the signature the shim's
 * {@code interop_litmus_start_compiled} calls (native/include/interop_litmus.h):
 * <pre>
 * void kXXXXXXXXXXXXXXXX(unsigned char *loc, int64_t loc_stride, unsigned char *reg, int64_t reg_stride, int64_t instances)
 * </pre>
 * Each function keeps the plan's contract: the loop over the instances is inside it (a round
 * costs one call), each access is {@code atomic_*_explicit} with its {@code memory_order_*} a
 * constant written into the call (GCC and Clang compile a memory order known only at run time
 * as seq_cst), a {@code plain} access is an ordinary {@code int64_t} access, and the registers
 * are stored with relaxed stores after the instance's statements. Only {@code <stdatomic.h>} and
 * {@code <stdint.h>} are included; the kernels are exported with default visibility and
 * everything else is static.
 *
 * <p>A mode C11 does not allow for the statement (a release load, an acquire store, a plain
 * read-modify-write or fence, a failure order stronger than the success order) is refused here:
 * GCC would otherwise warn and compile it as seq_cst, a silently stronger kernel.
 *
 * <p>The source is a pure function of the plans and their order: equal inputs give equal text,
 * which is what {@link CKernelLibrary} names its cache entries by.
 */
public final class CKernelSource {

    /** The C11 orders, weakest first; a step's mode is one of these or {@code plain}. */
    public static final List<String> ORDERS = List.of("relaxed", "acquire", "release", "acq_rel", "seq_cst");
    /** A non-atomic access (C's {@code int*} location). */
    public static final String PLAIN = "plain";

    private static final Set<String> LOAD_MODES = Set.of(PLAIN, "relaxed", "acquire", "seq_cst");
    private static final Set<String> STORE_MODES = Set.of(PLAIN, "relaxed", "release", "seq_cst");
    private static final Set<String> RMW_MODES = Set.copyOf(ORDERS);
    private static final Set<String> FAILURE_MODES = Set.of("relaxed", "acquire", "seq_cst");

    private CKernelSource() {}

    /**
     * The translation unit for {@code plans}, in their order; a plan listed twice (the same
     * {@link KernelPlan#id()}) is written once.
     *
     * @throws IllegalArgumentException for no plans, a plan of another runtime, or a mode C11
     *     does not allow for its statement
     */
    public static String of(List<KernelPlan> plans) {
        Objects.requireNonNull(plans, "plans");
        if (plans.isEmpty()) throw new IllegalArgumentException("no kernels to generate");
        Map<String, KernelPlan> unique = new LinkedHashMap<>();
        for (KernelPlan p : plans) {
            if (p.runtime() != ActorRuntime.C) {
                throw new IllegalArgumentException("a C kernel is generated from a C plan, not " + p);
            }
            for (KernelPlan.Step s : p.steps()) checkMode(p, s);
            unique.putIfAbsent(p.id(), p);
        }
        StringBuilder out = new StringBuilder(HEADER_START);
        for (KernelPlan p : unique.values()) {
            out.append(" *   ").append(p.id()).append(": ").append(p.text()).append(" (")
                    .append(p.registers()).append(p.registers() == 1 ? " register)\n" : " registers)\n");
        }
        out.append(HEADER_END);
        for (KernelPlan p : unique.values()) function(out, p);
        return out.toString();
    }

    /** The C statement(s) of one step inside the loop, without indentation: what a test inspects. */
    public static String statement(KernelPlan.Step step) {
        return switch (step) {
            case KernelPlan.Load l -> assign(l.register(), PLAIN.equals(l.mode())
                    ? "*plain_at(loc, " + l.at() + ")"
                    : "atomic_load_explicit(atomic_at(loc, " + l.at() + "), " + order(l.mode()) + ")");
            case KernelPlan.Store s -> PLAIN.equals(s.mode())
                    ? "*plain_at(loc, " + s.at() + ") = " + literal(s.value()) + ";"
                    : "atomic_store_explicit(atomic_at(loc, " + s.at() + "), " + literal(s.value()) + ", " + order(s.mode()) + ");";
            case KernelPlan.FetchAdd f -> assign(f.register(), "atomic_fetch_add_explicit(atomic_at(loc, " + f.at() + "), "
                    + literal(f.delta()) + ", " + order(f.mode()) + ")");
            case KernelPlan.Exchange x -> assign(x.register(), "atomic_exchange_explicit(atomic_at(loc, " + x.at() + "), "
                    + literal(x.value()) + ", " + order(x.mode()) + ")");
            case KernelPlan.CompareExchange c -> compareExchange(c);
            case KernelPlan.Fence f -> "atomic_thread_fence(" + order(f.mode()) + ");";
        };
    }

    // ---- the text ---------------------------------------------------------------------------

    private static final String HEADER_START = """
            /*
             * Generated by testbed.litmus.kernel.CKernelSource from the kernel plans below; do not edit.
             * Each function runs its plan on every instance of a round (testbed.litmus.kernel.KernelPlan):
             *
            """;

    /*
     * The reasoning about plain accesses lives in the generated file, beside the code it is about,
     * as the Go generator's does (GoKernelSource).
     */
    private static final String HEADER_END = """
             *
             * Every memory order is a constant in its call, so the compiler emits exactly that
             * order's instructions. The strides and the count are parameters, locals whose address
             * is never taken, so no store in the loop can alias them and they stay in registers.
             *
             * Plain accesses are data races by C11, on purpose: they are what a test observes, and
             * the model judges them as non-atomic accesses (races flagged). The compiler can neither
             * hoist nor merge them across instances: instance i's location is loc + i * loc_stride
             * + offset with loc_stride a run-time value, so no access is loop-invariant and no two
             * instances' accesses are known to be one address. It may interleave instances (unroll,
             * or vectorise where a run-time check shows the addresses apart), which changes no
             * instance's outcome: each instance is a test of its own. Within one instance it may
             * reorder, merge (two plain stores into one wider store, seen with GCC 12) or forward
             * plain accesses as C allows for non-atomic objects, but never move one before an
             * acquire or after a release that precedes or follows it; across a relaxed access it
             * may, as the model allows. C11 forbids inventing a store, and GCC and Clang do not
             * (GCC's -fallow-store-data-races is off unless -Ofast). An aligned int64_t access is one
             * instruction on x86_64 and arm64, so a plain access is not torn there.
             */
            #include <stdatomic.h>
            #include <stdint.h>

            static inline _Atomic int64_t *atomic_at(unsigned char *base, int64_t offset)
            {
                return (_Atomic int64_t *)(void *)(base + offset);
            }

            static inline int64_t *plain_at(unsigned char *base, int64_t offset)
            {
                return (int64_t *)(void *)(base + offset);
            }
            """;

    private static void function(StringBuilder out, KernelPlan p) {
        out.append("\n/* ").append(p.text()).append(" */\n")
                .append("__attribute__((visibility(\"default\"))) void ").append(p.id())
                .append("(unsigned char *loc, int64_t loc_stride, unsigned char *reg, int64_t reg_stride, int64_t instances)\n")
                .append("{\n");
        if (p.registers() == 0) out.append("    (void)reg, (void)reg_stride;\n");
        out.append("    for (; instances > 0; instances--) {\n");
        if (p.registers() > 0) {
            List<String> regs = new ArrayList<>();
            for (int k = 0; k < p.registers(); k++) regs.add("r" + k + " = 0");
            out.append("        int64_t ").append(String.join(", ", regs)).append(";\n");
        }
        for (KernelPlan.Step s : p.steps()) {
            for (String line : statement(s).split("\n")) out.append("        ").append(line).append('\n');
        }
        for (int k = 0; k < p.registers(); k++) {
            out.append("        atomic_store_explicit(atomic_at(reg, ").append(8 * k).append("), r").append(k)
                    .append(", memory_order_relaxed);\n");
        }
        out.append("        loc += loc_stride;\n");
        if (p.registers() > 0) out.append("        reg += reg_stride;\n");
        out.append("    }\n}\n");
    }

    /*
     * C11's strong compare-exchange with the expected value in a plain location, as herd reads it:
     * read plainly before, written back plainly only when the exchange failed.
     */
    private static String compareExchange(KernelPlan.CompareExchange c) {
        String r = c.register() < 0 ? null : "r" + c.register();
        return "{\n"
                + "    int64_t expected = *plain_at(loc, " + c.expectedAt() + ");\n"
                + "    if (atomic_compare_exchange_strong_explicit(atomic_at(loc, " + c.at() + "), &expected, "
                + literal(c.desired()) + ", " + order(c.mode()) + ", " + order(c.failure()) + ")) {\n"
                + (r == null ? "" : "        " + r + " = 1;\n")
                + "    } else {\n"
                + "        *plain_at(loc, " + c.expectedAt() + ") = expected;\n"
                + (r == null ? "" : "        " + r + " = 0;\n")
                + "    }\n"
                + "}";
    }

    private static String assign(int register, String expression) {
        return register < 0 ? "(void)" + expression + ";" : "r" + register + " = " + expression + ";";
    }

    private static String order(String mode) {
        return "memory_order_" + mode;
    }

    /** A C constant of type int64_t for any long (INT64_MIN has no literal of its own). */
    static String literal(long v) {
        return v == Long.MIN_VALUE ? "INT64_MIN" : "INT64_C(" + v + ")";
    }

    private static void checkMode(KernelPlan p, KernelPlan.Step s) {
        Set<String> allowed = switch (s) {
            case KernelPlan.Load l -> LOAD_MODES;
            case KernelPlan.Store st -> STORE_MODES;
            case KernelPlan.FetchAdd f -> RMW_MODES;
            case KernelPlan.Exchange x -> RMW_MODES;
            case KernelPlan.CompareExchange c -> RMW_MODES;
            case KernelPlan.Fence f -> RMW_MODES;
        };
        if (!allowed.contains(s.mode())) {
            throw new IllegalArgumentException("C11 has no " + kind(s) + " in mode '" + s.mode() + "' (allowed: "
                    + allowed.stream().sorted().toList() + "): " + p);
        }
        if (s instanceof KernelPlan.CompareExchange c) {
            String f = c.failure();
            // C11 7.17.7.4: the failure order is neither release nor acq_rel nor stronger than the success order.
            boolean ok = FAILURE_MODES.contains(f)
                    && (!f.equals("acquire") || Set.of("acquire", "acq_rel", "seq_cst").contains(c.mode()))
                    && (!f.equals("seq_cst") || c.mode().equals("seq_cst"));
            if (!ok) {
                throw new IllegalArgumentException("C11 has no compare-exchange of success order '" + c.mode()
                        + "' and failure order '" + f + "': " + p);
            }
        }
    }

    private static String kind(KernelPlan.Step s) {
        return switch (s) {
            case KernelPlan.Load l -> "load";
            case KernelPlan.Store st -> "store";
            case KernelPlan.FetchAdd f -> "fetch_add";
            case KernelPlan.Exchange x -> "exchange";
            case KernelPlan.CompareExchange c -> "compare-exchange";
            case KernelPlan.Fence f -> "fence";
        };
    }
}
