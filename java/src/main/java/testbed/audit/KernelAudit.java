package testbed.audit;

import testbed.audit.Disassembly.Instruction;
import testbed.audit.Isa.Kind;
import testbed.audit.Isa.Token;
import testbed.audit.MappingTable.Role;
import testbed.audit.MappingTable.Verdict;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan;
import testbed.litmus.lang.Strength;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One kernel's compiled code held to the mapping table: each access of each statement, the
 * instructions found for it, the sequence the table requires, and a verdict.
 *
 * <p>Instructions are attributed to a statement by the source line they were compiled from
 * (the generated source puts each statement on lines of its own, and the object carries a line
 * table: C built with {@code -g}, Go always), never by guessing from addresses or registers. A
 * direct call from such a line into the same object (GCC's outline atomics on AArch64,
 * {@code __aarch64_ldadd8_acq_rel}) is followed, and its body counts as the statement's. Code with
 * several paths for one access (the outline helpers and Go's run-time choice between LSE and an
 * LL/SC loop) gives several sequences, and each must keep the promise: the access's verdict is
 * the worst of them.
 *
 * <p>The requirement comes from the declared plan and the instructions from the code compiled
 * for the actual one; they differ only in a deliberately weakened kernel, which must then be
 * found weaker than required.
 */
public final class KernelAudit {

    /**
     * One access of one statement.
     *
     * @param step         the statement's position in the kernel, from 0
     * @param statement    the statement as the plan writes it ({@code st [0] := 1 release})
     * @param role         what the table calls it
     * @param order        the C11 order it promises
     * @param required     the table's sequences for it
     * @param found        the sequences found, one per path ("none" for no instruction)
     * @param instructions the instructions those came from, as disassembled
     * @param verdict      the worst over the paths
     */
    public record Access(int step, String statement, Role role, Strength order, String required, List<String> found,
                         List<String> instructions, Verdict verdict) {
        public Map<String, Object> row() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("statement", statement);
            r.put("order", order.c11());
            r.put("found", found.isEmpty() ? "none" : String.join(" | ", found));
            r.put("required", required);
            r.put("verdict", verdict.text());
            r.put("instructions", String.join("; ", instructions));
            return r;
        }

        /** {@code st [0] release: stlr}, or with the requirement when the verdict is not a match. */
        public String brief() {
            String f = found.isEmpty() ? "none" : String.join(" | ", found);
            return statement + ": " + f + (verdict == Verdict.MATCHES ? "" : " (" + verdict.text() + ": " + required + ")");
        }
    }

    /** The verdict on a whole kernel: the worst of its accesses. */
    public static Verdict verdict(List<Access> accesses) {
        Verdict v = Verdict.MATCHES;
        for (Access a : accesses) v = v.worst(a.verdict());
        return v;
    }

    private KernelAudit() {}

    /** What the generated source says about one step: its access(es) and the lines each was written on. */
    record SourceAccess(Role role, List<Integer> lines) {}

    /**
     * Audits one kernel's function.
     *
     * @param isa       the instruction set the code is for
     * @param declared  the plan whose promises are the requirement
     * @param actual    the plan the code was generated from (equal to {@code declared} but in a weakened kernel)
     * @param accesses  per step of {@code actual}, its accesses and their source lines ({@link #sourceAccesses})
     * @param file      the source file's name as the line table gives it
     * @param function  the kernel's instructions
     * @param object    the whole object, where called functions are found
     */
    static List<Access> audit(Isa isa, KernelPlan declared, KernelPlan actual, List<List<SourceAccess>> accesses, String file,
                              List<Instruction> function, Disassembly object) {
        List<Access> out = new ArrayList<>();
        for (int s = 0; s < actual.steps().size(); s++) {
            KernelPlan.Step promised = declared.steps().get(s);
            String statement = statement(declared, s);
            for (SourceAccess sa : accesses.get(s)) {
                Strength order = strength(declared.runtime(), promised, sa.role());
                List<Token> tokens = tokens(isa, file, sa.lines(), function, object);
                List<String> found = sequences(sa.role(), tokens);
                Verdict v = MappingTable.judgeAll(isa, sa.role(), order, found);
                out.add(new Access(s, statement, sa.role(), order, MappingTable.required(isa, sa.role(), order), found,
                        tokens.stream().map(Token::text).toList(), v));
            }
        }
        return out;
    }

    /**
     * The order an access of the declared step promises: the step's mode on the C11 scale; for the
     * load of a compare-exchange that reads before it swaps (Go's loop), the failure order.
     */
    static Strength strength(ActorRuntime runtime, KernelPlan.Step declared, Role role) {
        if (declared instanceof KernelPlan.Fence f && runtime == ActorRuntime.JAVA) {
            return f.mode().equals("full") ? Strength.SEQ_CST : runtime.strength(f.mode());
        }
        if (declared instanceof KernelPlan.CompareExchange && role == Role.LOAD) return runtime.casFailure(declared.mode());
        return runtime.strength(declared.mode());
    }

    /** The declared plan's text of step {@code s} alone. */
    static String statement(KernelPlan plan, int s) {
        return new KernelPlan(plan.runtime(), List.of(plan.steps().get(s)), plan.registers()).text();
    }

    /** The tokens of the instructions compiled from {@code lines}, calls into the object followed. */
    private static List<Token> tokens(Isa isa, String file, List<Integer> lines, List<Instruction> function, Disassembly object) {
        List<Token> out = new ArrayList<>();
        for (Instruction i : function) {
            if ((file != null && !i.file().equals(file)) || !lines.contains(i.line())) continue;
            Token t = isa.token(i.mnemonic(), i.operands());
            if (t == null) continue;
            List<Instruction> callee = t.kind() == Kind.CALL ? object.function(t.name()) : null;
            if (callee == null) {
                out.add(t);
                continue;
            }
            for (Instruction c : callee) {
                Token ct = isa.token(c.mnemonic(), c.operands());
                if (ct != null && ct.kind() != Kind.CALL) out.add(ct);
            }
        }
        return out;
    }

    /** The sequences one access's tokens make, one per path through its code. */
    static List<String> sequences(Role role, List<Token> ts) {
        List<String> out = new ArrayList<>();
        switch (role) {
            case LOAD -> {
                for (int k = 0; k < ts.size(); k++) {
                    if (ts.get(k).kind() == Kind.LOAD) out.add(ts.get(k).name() + after(ts, k));
                }
            }
            case STORE -> {
                for (int k = 0; k < ts.size(); k++) {
                    Token t = ts.get(k);
                    if (t.kind() == Kind.STORE) out.add(before(ts, k) + t.name() + after(ts, k));
                    // x86's seq_cst store is an xchg; a store through an RMW counts as that RMW.
                    if (t.kind() == Kind.RMW) out.add(t.name());
                }
            }
            case RMW -> {
                for (int k = 0; k < ts.size(); k++) {
                    Token t = ts.get(k);
                    if (t.kind() == Kind.RMW) out.add(t.name());
                    if (t.kind() == Kind.EXCLUSIVE_LOAD) {
                        for (int j = k + 1; j < ts.size(); j++) {
                            if (ts.get(j).kind() == Kind.EXCLUSIVE_STORE) {
                                out.add(t.name() + "/" + ts.get(j).name() + after(ts, j));
                                break;
                            }
                        }
                    }
                }
                if (out.isEmpty()) {
                    // No atomic instruction: a load and a store of their own, which is no RMW.
                    List<String> plain = ts.stream().filter(t -> t.kind() == Kind.LOAD || t.kind() == Kind.STORE).map(Token::name).toList();
                    if (!plain.isEmpty()) out.add(String.join("/", plain));
                }
            }
            case FENCE -> {
                for (Token t : ts) if (t.kind() == Kind.BARRIER) out.add(t.name());
            }
        }
        return out;
    }

    private static String after(List<Token> ts, int k) {
        return k + 1 < ts.size() && ts.get(k + 1).kind() == Kind.BARRIER ? "+" + ts.get(k + 1).name() : "";
    }

    private static String before(List<Token> ts, int k) {
        return k > 0 && ts.get(k - 1).kind() == Kind.BARRIER ? ts.get(k - 1).name() + "+" : "";
    }

    // ---- where each step is in the generated source -------------------------------------------

    /**
     * Each step's accesses and lines in {@code source}, the generated file of the actual plan:
     * the function starts at the first line containing {@code header}; each step's statement
     * lines ({@code statements}, stripped) follow in order. A line with an atomic call is an access
     * of the role the call names, in the order of the step's mode; a step with none (a plain access)
     * is one access of its kind over all its lines.
     *
     * @throws IllegalStateException when the source does not hold the statements in order
     */
    static List<List<SourceAccess>> sourceAccesses(ActorRuntime runtime, KernelPlan actual, String source, String header,
                                                   List<List<String>> statements) {
        List<String> lines = source.lines().map(String::strip).toList();
        int at = -1;
        for (int k = 0; k < lines.size(); k++) if (lines.get(k).contains(header)) { at = k; break; }
        if (at < 0) throw new IllegalStateException("the generated source has no function '" + header + "'");
        List<List<SourceAccess>> out = new ArrayList<>();
        for (int s = 0; s < statements.size(); s++) {
            List<String> st = statements.get(s);
            int start = find(lines, st, at + 1);
            if (start < 0) throw new IllegalStateException("step " + s + " of " + actual + " is not in the generated source: " + st);
            List<SourceAccess> accesses = new ArrayList<>();
            List<Integer> all = new ArrayList<>();
            KernelPlan.Step step = actual.steps().get(s);
            for (int k = 0; k < st.size(); k++) {
                all.add(start + k + 1);
                Role role = atomicRole(runtime, st.get(k));
                if (role != null) accesses.add(new SourceAccess(role, List.of(start + k + 1)));
            }
            if (accesses.isEmpty()) accesses.add(new SourceAccess(role(step), all));
            out.add(accesses);
            at = start + st.size() - 1;
        }
        return out;
    }

    private static int find(List<String> lines, List<String> block, int from) {
        outer:
        for (int k = from; k + block.size() <= lines.size(); k++) {
            for (int j = 0; j < block.size(); j++) if (!lines.get(k + j).equals(block.get(j))) continue outer;
            return k;
        }
        return -1;
    }

    /** The role of a line of generated C or Go that calls an atomic operation, or null. */
    static Role atomicRole(ActorRuntime runtime, String line) {
        if (runtime == ActorRuntime.C) {
            if (line.contains("atomic_at(reg,")) return null; // a register written back: not the kernel's access
            if (line.contains("atomic_load_explicit(")) return Role.LOAD;
            if (line.contains("atomic_store_explicit(")) return Role.STORE;
            if (line.contains("atomic_fetch_add_explicit(") || line.contains("atomic_exchange_explicit(")
                    || line.contains("atomic_compare_exchange_strong_explicit(")) return Role.RMW;
            if (line.contains("atomic_thread_fence(")) return Role.FENCE;
            return null;
        }
        if (runtime == ActorRuntime.GO) {
            if (line.contains("atomic.Load")) return Role.LOAD;
            if (line.contains("atomic.Store")) return Role.STORE;
            if (line.contains("atomic.Add") || line.contains("atomic.Swap") || line.contains("atomic.CompareAndSwap")) return Role.RMW;
            return null;
        }
        throw new IllegalArgumentException("no generated source to read lines from for " + runtime.label());
    }

    static Role role(KernelPlan.Step step) {
        return switch (step) {
            case KernelPlan.Load l -> Role.LOAD;
            case KernelPlan.Store st -> Role.STORE;
            case KernelPlan.FetchAdd f -> Role.RMW;
            case KernelPlan.Exchange x -> Role.RMW;
            case KernelPlan.CompareExchange c -> Role.RMW;
            case KernelPlan.Fence f -> Role.FENCE;
        };
    }
}
