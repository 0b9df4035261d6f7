package testbed.audit;

import testbed.litmus.lang.Strength;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What each access must compile to, per instruction set: the table of docs/MEMORY_MODEL.md
 * ("What the kernels compile to"), written once. A row is (role, C11 order) to the
 * instruction sequences that implement it; a found sequence is judged against the row of the
 * order the access promises, and against the rows of the stronger orders.
 *
 * <p>Sources: the C/C++11 mappings to x86 and ARMv8 (Sewell et al., "C/C++11 mappings to
 * processors", https://www.cl.cam.ac.uk/~pes20/cpp/cpp0xmappings.html; Batty et al., POPL 2011,
 * for x86-TSO); the Arm Architecture Reference Manual (DDI 0487: LDAR, LDAPR, STLR, LDAXR/STLXR,
 * the LSE atomics and their A/L suffixes, DMB ISH/ISHLD); Go's SSA lowering of sync/atomic
 * (cmd/compile/internal/ssa/_gen/AMD64.rules, ARM64.rules) and HotSpot's C2 back ends
 * (src/hotspot/cpu/x86/x86_64.ad, membar_volatile as {@code lock addl $0,(%rsp)}).
 *
 * <p>A sequence is written as the tokens' names ({@link Isa.Token#name}) joined by {@code +}
 * for an access with a barrier attached (x86 {@code mov+mfence}, AArch64 {@code ldr+dmb ishld}) and
 * by {@code /} for an LL/SC pair ({@code ldaxr/stlxr}); {@code none} is no instruction at all.
 */
public final class MappingTable {

    /** What a statement is, for the table. */
    public enum Role { LOAD, STORE, RMW, FENCE }

    /** How a found sequence compares with the row of the order the access promises. */
    public enum Verdict {
        MATCHES("matches"),
        /** Allowed (it still keeps the promise) but noted: the sequence is a stronger order's. */
        STRONGER("stronger than required"),
        WEAKER("weaker than required");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The worse of two verdicts: weaker over stronger over matches. */
        public Verdict worst(Verdict other) {
            return ordinal() >= other.ordinal() ? this : other;
        }
    }

    private record Key(Isa isa, Role role, Strength order) {}

    private static final java.util.Map<Key, Pattern> ROWS = new java.util.HashMap<>();
    private static final java.util.Map<Key, String> SPELLED = new java.util.HashMap<>();
    private static final String ANY = "(.*)";
    private static final String RMW_X86 = "lock (xadd|cmpxchg|add|sub|xchg)|xchg";

    static {
        // x86-TSO keeps loads in order, stores in order, and a load before a later store; only a
        // later load may pass an earlier store (the store buffer). So only a seq_cst store (or
        // fence) needs a full barrier, and every load is a plain mov (Sewell et al.).
        row(Isa.X86_64, Role.LOAD, Strength.PLAIN, ANY, "anything (non-atomic)");
        row(Isa.X86_64, Role.LOAD, Strength.RELAXED, "mov", "mov");
        row(Isa.X86_64, Role.LOAD, Strength.ACQUIRE, "mov", "mov");
        row(Isa.X86_64, Role.LOAD, Strength.SEQ_CST, "mov", "mov");
        row(Isa.X86_64, Role.STORE, Strength.PLAIN, ANY, "anything (non-atomic)");
        row(Isa.X86_64, Role.STORE, Strength.RELAXED, "mov", "mov");
        row(Isa.X86_64, Role.STORE, Strength.RELEASE, "mov", "mov");
        row(Isa.X86_64, Role.STORE, Strength.SEQ_CST, "xchg|mov\\+(mfence|lock (add|or))", "xchg | mov+mfence | mov+lock add");
        row(Isa.X86_64, Role.RMW, Strength.PLAIN, ANY, "anything (non-atomic)");
        for (Strength s : List.of(Strength.RELAXED, Strength.ACQUIRE, Strength.RELEASE, Strength.ACQ_REL, Strength.SEQ_CST)) {
            row(Isa.X86_64, Role.RMW, s, RMW_X86, "lock xadd | lock cmpxchg | xchg");
        }
        row(Isa.X86_64, Role.FENCE, Strength.RELAXED, "none", "none");
        row(Isa.X86_64, Role.FENCE, Strength.ACQUIRE, "none", "none (a compiler barrier)");
        row(Isa.X86_64, Role.FENCE, Strength.RELEASE, "none", "none (a compiler barrier)");
        row(Isa.X86_64, Role.FENCE, Strength.ACQ_REL, "none", "none (a compiler barrier)");
        row(Isa.X86_64, Role.FENCE, Strength.SEQ_CST, "mfence|lock (add|or)", "mfence | lock add");

        // ARMv8 (AArch64), both with LL/SC (v8.0) and with the LSE atomics (v8.1): acquire loads
        // are LDAR or, where RCpc suffices, LDAPR; release and seq_cst stores STLR; seq_cst loads
        // LDAR (RCsc: an STLR is never reordered with a later LDAR), never LDAPR.
        row(Isa.AARCH64, Role.LOAD, Strength.PLAIN, ANY, "anything (non-atomic)");
        row(Isa.AARCH64, Role.LOAD, Strength.RELAXED, "ldr", "ldr");
        row(Isa.AARCH64, Role.LOAD, Strength.ACQUIRE, "ldar|ldapr|ldr\\+dmb ish(ld)?", "ldar | ldapr | ldr+dmb ishld");
        row(Isa.AARCH64, Role.LOAD, Strength.SEQ_CST, "ldar", "ldar");
        row(Isa.AARCH64, Role.STORE, Strength.PLAIN, ANY, "anything (non-atomic)");
        row(Isa.AARCH64, Role.STORE, Strength.RELAXED, "str", "str");
        row(Isa.AARCH64, Role.STORE, Strength.RELEASE, "stlr|dmb ish\\+str", "stlr | dmb ish+str");
        row(Isa.AARCH64, Role.STORE, Strength.SEQ_CST, "stlr", "stlr");
        row(Isa.AARCH64, Role.RMW, Strength.PLAIN, ANY, "anything (non-atomic)");
        row(Isa.AARCH64, Role.RMW, Strength.RELAXED, "ldxr/stxr|" + lse(""), "ldxr/stxr | ldadd, swp, cas");
        row(Isa.AARCH64, Role.RMW, Strength.ACQUIRE, "ldaxr/stxr|" + lse("a"), "ldaxr/stxr | ldadda, swpa, casa");
        row(Isa.AARCH64, Role.RMW, Strength.RELEASE, "ldxr/stlxr|" + lse("l"), "ldxr/stlxr | ldaddl, swpl, casl");
        row(Isa.AARCH64, Role.RMW, Strength.ACQ_REL, "ldaxr/stlxr|" + lse("al"), "ldaxr/stlxr | ldaddal, swpal, casal");
        row(Isa.AARCH64, Role.RMW, Strength.SEQ_CST, "ldaxr/stlxr|" + lse("al"), "ldaxr/stlxr | ldaddal, swpal, casal");
        row(Isa.AARCH64, Role.FENCE, Strength.RELAXED, "none", "none");
        row(Isa.AARCH64, Role.FENCE, Strength.ACQUIRE, "dmb ishld", "dmb ishld");
        row(Isa.AARCH64, Role.FENCE, Strength.RELEASE, "dmb ish", "dmb ish");
        row(Isa.AARCH64, Role.FENCE, Strength.ACQ_REL, "dmb ish", "dmb ish");
        row(Isa.AARCH64, Role.FENCE, Strength.SEQ_CST, "dmb ish", "dmb ish");
    }

    private static String lse(String suffix) {
        return "(ld(add|clr|eor|set|smax|smin|umax|umin)|swp|cas)" + suffix;
    }

    private static void row(Isa isa, Role role, Strength order, String regex, String spelled) {
        ROWS.put(new Key(isa, role, order), Pattern.compile(regex));
        SPELLED.put(new Key(isa, role, order), spelled);
    }

    private MappingTable() {}

    /** The row's sequences as the report and docs spell them, e.g. {@code ldar | ldapr | ldr+dmb ishld}. */
    public static String required(Isa isa, Role role, Strength order) {
        String s = SPELLED.get(new Key(isa, role, order));
        if (s == null) throw new IllegalArgumentException("no row for a " + order.c11() + " " + role + " on " + isa.label());
        return s;
    }

    /**
     * The verdict on one found sequence for an access that promises {@code order}: matches its
     * row; else stronger if it matches the row of an order that promises more; else weaker.
     */
    public static Verdict judge(Isa isa, Role role, Strength order, String found) {
        if (matches(isa, role, order, found)) return Verdict.MATCHES;
        for (Strength o : Strength.values()) {
            if (o != order && o.atLeast(order) && matches(isa, role, o, found)) return Verdict.STRONGER;
        }
        return Verdict.WEAKER;
    }

    /** The verdict on every sequence found for one access (each path of the code): the worst of them. */
    public static Verdict judgeAll(Isa isa, Role role, Strength order, List<String> found) {
        List<String> paths = found.isEmpty() ? List.of("none") : found;
        Verdict v = Verdict.MATCHES;
        for (String f : paths) v = v.worst(judge(isa, role, order, f));
        return v;
    }

    /**
     * The table as docs/MEMORY_MODEL.md shows it, in Markdown: a row per access and C11 order,
     * the x86_64 and AArch64 columns spelled as {@link #required}; the docs hold this text between
     * their {@code mapping-table} markers, and MappingTableTest fails when the two differ.
     */
    public static String markdown() {
        StringBuilder b = new StringBuilder("| access | order | x86_64 | AArch64 (ARMv8.0: LL/SC; ARMv8.1: LSE) |\n| --- | --- | --- | --- |\n");
        for (Role role : Role.values()) {
            for (Strength order : Strength.values()) {
                if (!order.atomic() || !SPELLED.containsKey(new Key(Isa.X86_64, role, order))) continue;
                b.append("| ").append(role.name().toLowerCase(java.util.Locale.ROOT)).append(" | ").append(order.c11())
                        .append(" | ").append(cell(required(Isa.X86_64, role, order)))
                        .append(" | ").append(cell(required(Isa.AARCH64, role, order))).append(" |\n");
            }
        }
        return b.append("| any | non-atomic | anything | anything |\n").toString();
    }

    /** One cell: each alternative in code quotes, Markdown's pipe escaped; prose (none, anything) as it is. */
    private static String cell(String spelled) {
        List<String> out = new java.util.ArrayList<>();
        for (String alternative : spelled.split(" \\| ")) {
            out.add(alternative.startsWith("none") || alternative.startsWith("anything") ? alternative : "`" + alternative + "`");
        }
        return String.join(" \\| ", out);
    }

    private static boolean matches(Isa isa, Role role, Strength order, String found) {
        Pattern p = ROWS.get(new Key(isa, role, order));
        return p != null && p.matcher(found).matches();
    }
}
