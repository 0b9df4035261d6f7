package testbed.audit;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The two instruction sets the audit reads, and what each instruction means for ordering:
 * a {@link Token} per instruction that touches shared memory or orders it, null for the
 * others. Instructions arrive in GNU syntax (binutils objdump, {@code go tool objdump -gnu},
 * HotSpot's disassembler plugin): AT&T operand order on x86_64, Arm's on AArch64.
 *
 * <p>Accesses through the stack pointer (spills, frame set-up) and PC-relative loads
 * (constants, a runtime's CPU-feature flags) are not accesses of a kernel, except a locked
 * instruction on the stack, which is x86's idiom for a full fence ({@code lock addl $0,(%rsp)}).
 */
public enum Isa {
    X86_64("x86_64"),
    AARCH64("aarch64");

    /** What an instruction does, for ordering. */
    public enum Kind {
        /** An ordinary or acquiring load. */
        LOAD,
        /** An ordinary or releasing store. */
        STORE,
        /** An atomic read-modify-write in one instruction (x86 locked, AArch64 LSE). */
        RMW,
        /** The load-exclusive half of an AArch64 LL/SC loop. */
        EXCLUSIVE_LOAD,
        /** The store-exclusive half. */
        EXCLUSIVE_STORE,
        /** A barrier: mfence, a locked op on the stack, dmb. */
        BARRIER,
        /** A direct call; {@link Token#name} is its target, followed into when it is in the same object. */
        CALL
    }

    /**
     * One instruction as the mapping table sees it.
     *
     * @param kind what it does for ordering
     * @param name its canonical spelling in the table: {@code mov}, {@code xchg}, {@code lock xadd},
     *     {@code mfence}, {@code ldar}, {@code ldapr}, {@code stlr}, {@code ldaxr}, {@code ldaddal}, {@code dmb ish}, ...
     * @param text the instruction as disassembled
     */
    public record Token(Kind kind, String name, String text) {}

    private final String label;

    Isa(String label) {
        this.label = label;
    }

    /** {@code x86_64} or {@code aarch64}. */
    public String label() {
        return label;
    }

    /**
     * The token of one instruction, or null when it neither accesses shared memory nor orders.
     *
     * @param mnemonic the mnemonic, with a {@code lock} prefix if any ({@code lock xadd})
     * @param operands the operands as disassembled; a direct call's may end in {@code <target>}
     */
    public Token token(String mnemonic, String operands) {
        String m = mnemonic.strip().toLowerCase(Locale.ROOT);
        String ops = operands == null ? "" : operands.strip().toLowerCase(Locale.ROOT);
        String text = (m + " " + ops).strip();
        return this == X86_64 ? x86(m, ops, text) : aarch64(m, ops, text);
    }

    // ---- x86_64 ------------------------------------------------------------------------------

    private static final Pattern X86_LOCKABLE = Pattern.compile("(xadd|cmpxchg|xchg|add|sub|or|and|xor|inc|dec|neg|not|bts|btr|btc)[bwlq]?");

    private static Token x86(String m, String ops, String text) {
        boolean locked = m.startsWith("lock ");
        String base = locked ? m.substring(5).strip() : m;
        if (base.equals("mfence") || base.equals("lfence") || base.equals("sfence")) return new Token(Kind.BARRIER, base, text);
        if (base.startsWith("call")) return new Token(Kind.CALL, target(ops), text);
        boolean memory = ops.contains("(");
        if (!memory || base.startsWith("lea") || base.startsWith("nop") || base.startsWith("prefetch")) return null;
        boolean stack = ops.contains("(%rsp") || ops.contains("(%esp");
        java.util.regex.Matcher lockable = X86_LOCKABLE.matcher(base);
        String op = lockable.matches() ? lockable.group(1) : base;
        if (locked) {
            // A locked op on the stack changes nothing anyone reads: it is there for its fence.
            return stack ? new Token(Kind.BARRIER, "lock " + op, text) : new Token(Kind.RMW, "lock " + op, text);
        }
        // xchg with a memory operand is locked whether or not it says so (Intel SDM, XCHG).
        if (op.equals("xchg")) return stack ? null : new Token(Kind.RMW, "xchg", text);
        if (stack || ops.contains("(%rip)")) return null;
        // AT&T: the destination is the last operand. Under TSO every ordinary load is the same
        // load and every ordinary store the same store, whatever the instruction: all are "mov".
        String last = ops.substring(lastOperand(ops));
        return new Token(last.contains("(") && !base.startsWith("cmp") && !base.startsWith("test") ? Kind.STORE : Kind.LOAD, "mov", text);
    }

    /** Where the last operand starts: after the last comma outside parentheses ({@code $0x1,(%rcx,%rdx,1)}). */
    private static int lastOperand(String ops) {
        int depth = 0;
        int start = 0;
        for (int k = 0; k < ops.length(); k++) {
            char c = ops.charAt(k);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) start = k + 1;
        }
        return start;
    }

    // ---- AArch64 -----------------------------------------------------------------------------

    private static final Pattern LSE = Pattern.compile("(ld|st)(add|clr|eor|set|smax|smin|umax|umin)(a|l|al)?[bh]?|(swp|cas)(a|l|al)?[bh]?");

    private static Token aarch64(String m, String ops, String text) {
        if (m.equals("dmb")) return new Token(Kind.BARRIER, "dmb " + ops.replace("#", ""), text);
        if (m.equals("bl")) return new Token(Kind.CALL, target(ops), text);
        if (!ops.contains("[")) return null;
        String address = ops.substring(ops.indexOf('['));
        if (address.startsWith("[sp")) return null;
        java.util.regex.Matcher lse = LSE.matcher(m);
        if (lse.matches()) {
            // st<op> is ld<op> with the result discarded (Arm ARM, STADD and friends); it has no acquire form.
            String name = lse.group(2) != null
                    ? "ld" + lse.group(2) + (lse.group(3) == null ? "" : lse.group(3))
                    : lse.group(4) + (lse.group(5) == null ? "" : lse.group(5));
            return new Token(Kind.RMW, name, text);
        }
        if (m.matches("ldaxr[bh]?|ldaxp")) return new Token(Kind.EXCLUSIVE_LOAD, "ldaxr", text);
        if (m.matches("ldxr[bh]?|ldxp")) return new Token(Kind.EXCLUSIVE_LOAD, "ldxr", text);
        if (m.matches("stlxr[bh]?|stlxp")) return new Token(Kind.EXCLUSIVE_STORE, "stlxr", text);
        if (m.matches("stxr[bh]?|stxp")) return new Token(Kind.EXCLUSIVE_STORE, "stxr", text);
        if (m.matches("ldar[bh]?")) return new Token(Kind.LOAD, "ldar", text);
        if (m.matches("ldapu?r(s?[bhw])?")) return new Token(Kind.LOAD, "ldapr", text);
        if (m.matches("stlu?r[bh]?")) return new Token(Kind.STORE, "stlr", text);
        if (m.matches("ld(u?r|p|np)(s?[bhw])?|ldpsw")) return new Token(Kind.LOAD, "ldr", text);
        if (m.matches("st(u?r|p|np)[bh]?")) return new Token(Kind.STORE, "str", text);
        return null;
    }

    /** The symbol of a direct call, from objdump's {@code 830 <__aarch64_ldadd8_relax>}; else the operands. */
    private static String target(String ops) {
        int lt = ops.indexOf('<');
        int gt = ops.indexOf('>', lt + 1);
        if (lt < 0 || gt < 0) return ops;
        String t = ops.substring(lt + 1, gt);
        int plus = t.indexOf('+');
        return plus < 0 ? t : t.substring(0, plus);
    }
}
