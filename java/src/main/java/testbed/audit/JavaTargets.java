package testbed.audit;

import testbed.audit.Isa.Kind;
import testbed.audit.Isa.Token;
import testbed.audit.MappingTable.Role;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelCache;
import testbed.litmus.kernel.KernelPlan;
import testbed.litmus.lang.Strength;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java kernels on x86_64, as C2 compiles them here: each distinct (statement kind, mode) of
 * the kernels is run as a one-statement probe ({@link JavaProbes}) in one forked JVM, C2 only
 * ({@code -XX:-TieredCompilation -Xbatch}), with {@code -XX:+PrintAssembly} for the probes'
 * {@code run} through the HotSpot disassembler plugin (Debian's libhsdis0-fcml behind the
 * adapter {@code make audit-hsdis} builds, native/hsdis). A kernel's verdict is its statements'
 * probes' verdicts.
 *
 * <p>Why probes: C2 ties only safepoints and calls to bytecode positions and unrolls loops, so the
 * instructions of a kernel of several statements cannot be soundly attributed to statements. A
 * probe's loop holds one statement; its memory instructions there are the statement's, but for
 * the register store (a plain store of the result, left out for loads and RMWs, which store
 * nothing else but a failed compare-exchange's plain write of the witness), the safepoint poll
 * and thread-local reads (through {@code %r15}). What a probe cannot show is what C2 does to
 * neighbouring accesses together: it may merge or elide adjacent fences (docs/MEMORY_MODEL.md).
 */
final class JavaTargets {

    private static final Duration BOUND = Duration.ofMinutes(2);
    /** Where {@code make audit-hsdis} puts {@code hsdis-amd64.so}. */
    static final String HSDIS_PROPERTY = "testbed.hsdis.dir";
    private static final Pattern HEADER = Pattern.compile("^Compiled method \\(c2\\)\\s+\\d+\\s+\\d+\\s+(%?)[^ ]*\\s*"
            + "testbed\\.litmus\\.kernel\\.Kernel_(\\w+)/0x[0-9a-f]+::run\\b");
    private static final Pattern INSN = Pattern.compile("^\\s+0x([0-9a-f]+):\\s+([^;]*?)\\s*(;.*)?$");

    private JavaTargets() {}

    static List<Target> all() {
        return List.of(new Target(ActorRuntime.JAVA, "x86_64", Isa.X86_64,
                "C2 of this JVM (-XX:-TieredCompilation), -XX:+PrintAssembly with libhsdis0-fcml, one probe per statement kind and mode",
                JavaTargets::build));
    }

    /** The probe of each step of each plan, run and disassembled in one JVM. */
    private static Target.Built build(List<KernelPlan> plans) throws Target.Unavailable, Tool.Failed {
        if (!Toolchains.isHost(Isa.X86_64)) {
            throw new Target.Unavailable("C2 compiles for the machine its JVM runs on, and this one is not x86_64");
        }
        Path hsdis = Path.of(System.getProperty(HSDIS_PROPERTY, "build/hsdis")).toAbsolutePath();
        if (!Files.isRegularFile(hsdis.resolve("hsdis-amd64.so"))) {
            throw new Target.Unavailable(hsdis.resolve("hsdis-amd64.so") + " not found: install the Debian package libhsdis0-fcml "
                    + "(apt-get install libhsdis0-fcml) and run make audit-hsdis (make audit does both where it may)");
        }
        Set<String> specs = new LinkedHashSet<>();
        for (KernelPlan p : plans) for (KernelPlan.Step s : p.steps()) specs.add(JavaProbes.spec(s));
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-preview", "--enable-native-access=ALL-UNNAMED", "-XX:-TieredCompilation", "-Xbatch",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:CompileCommand=quiet", "-XX:CompileCommand=print,testbed.litmus.kernel.Kernel_*::run",
                "-D" + KernelCache.PROPERTY + "=" + KernelCache.root(), "-cp", System.getProperty("java.class.path"),
                JavaProbes.class.getName()));
        argv.addAll(specs);
        Map<String, String> env = new HashMap<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        env.put("LD_LIBRARY_PATH", hsdis + (ld == null || ld.isEmpty() ? "" : ":" + ld));
        Map<String, List<Token>> code = parse(Tool.run(argv, null, env, BOUND, "the JDK's java"));
        Map<String, List<Token>> bySpec = new HashMap<>();
        for (String spec : specs) {
            List<Token> t = code.get(JavaProbes.probe(spec).id());
            if (t == null) throw new Tool.Failed("C2 printed no code for the probe " + spec + " (was it compiled? is hsdis decoding?)");
            bySpec.put(spec, t);
        }
        return (isa, declared, actual) -> audit(isa, declared, actual, bySpec);
    }

    /** Each step of {@code actual} judged by its probe's code against the promise of the same step of {@code declared}. */
    static List<KernelAudit.Access> audit(Isa isa, KernelPlan declared, KernelPlan actual, Map<String, List<Token>> bySpec) {
        List<KernelAudit.Access> out = new ArrayList<>();
        for (int s = 0; s < actual.steps().size(); s++) {
            KernelPlan.Step step = actual.steps().get(s);
            Role role = KernelAudit.role(step);
            Strength order = KernelAudit.strength(ActorRuntime.JAVA, declared.steps().get(s), role);
            List<Token> tokens = bySpec.get(JavaProbes.spec(step)).stream().filter(t -> keep(role, t)).toList();
            List<String> found = sequences(role, tokens);
            out.add(new KernelAudit.Access(s, KernelAudit.statement(declared, s), role, order, MappingTable.required(isa, role, order),
                    found, tokens.stream().map(Token::text).toList(), MappingTable.judgeAll(isa, role, order, found)));
        }
        return out;
    }

    /** Whether a token of a probe's loop is its statement's: a load's or an RMW's probe stores nothing but its register. */
    private static boolean keep(Role role, Token t) {
        return t.kind() != Kind.CALL && !(t.kind() == Kind.STORE && (role == Role.LOAD || role == Role.RMW));
    }

    /**
     * The distinct sequences of a probe's loop, which C2 may have unrolled into several copies of
     * the statement: a copy starts at each access of the statement's kind and keeps the barriers
     * up to the next (those before the first go with the first).
     */
    static List<String> sequences(Role role, List<Token> tokens) {
        Kind principal = switch (role) {
            case LOAD -> Kind.LOAD;
            case STORE -> Kind.STORE;
            case RMW -> Kind.RMW;
            case FENCE -> Kind.BARRIER;
        };
        List<List<Token>> copies = new ArrayList<>();
        List<Token> lead = new ArrayList<>();
        for (Token t : tokens) {
            if (t.kind() == principal || (role == Role.STORE && t.kind() == Kind.RMW)) {
                copies.add(new ArrayList<>(copies.isEmpty() ? lead : List.of()));
                copies.getLast().add(t);
            } else if (copies.isEmpty()) {
                lead.add(t);
            } else {
                copies.getLast().add(t);
            }
        }
        if (copies.isEmpty()) return KernelAudit.sequences(role, lead);
        Set<String> out = new LinkedHashSet<>();
        for (List<Token> c : copies) out.addAll(KernelAudit.sequences(role, c));
        return List.copyOf(out);
    }

    /**
     * The tokens of each probe's loops, by kernel id, from {@code -XX:+PrintAssembly}'s output: the
     * standard (not on-stack-replacement) C2 compilation of {@code run}; its loops are the ranges
     * from a backward branch's target to the branch.
     */
    static Map<String, List<Token>> parse(String printed) {
        Map<String, List<Token>> out = new HashMap<>();
        String id = null;
        List<long[]> loops = new ArrayList<>();
        List<Object[]> insns = new ArrayList<>();
        for (String line : (printed + "\nCompiled method (c2) 0 0 end\n").lines().toList()) {
            if (line.startsWith("Compiled method")) {
                if (id != null) out.put(id, loopTokens(insns, loops));
                Matcher h = HEADER.matcher(line);
                id = h.find() && h.group(1).isEmpty() ? h.group(2) : null;
                loops.clear();
                insns.clear();
                continue;
            }
            if (id == null) continue;
            if (line.startsWith("[Stub Code]") || line.startsWith("[Exception Handler]")) {
                out.put(id, loopTokens(insns, loops));
                id = null;
                continue;
            }
            Matcher m = INSN.matcher(line);
            if (!m.matches() || m.group(2).isEmpty()) continue;
            long at = Long.parseUnsignedLong(m.group(1), 16);
            String[] words = m.group(2).split("\\s+", 3);
            boolean prefix = words[0].equals("lock") && words.length > 1;
            String mnemonic = prefix ? "lock " + words[1] : words[0];
            String operands = prefix ? (words.length > 2 ? words[2] : "") : m.group(2).substring(words[0].length()).strip();
            if (mnemonic.startsWith("j") && operands.matches("0x[0-9a-f]+")) {
                long target = Long.parseUnsignedLong(operands.substring(2), 16);
                if (target <= at) loops.add(new long[] {target, at});
            }
            String comment = m.group(3) == null ? "" : m.group(3);
            insns.add(new Object[] {at, mnemonic, operands, comment});
        }
        return out;
    }

    private static List<Token> loopTokens(List<Object[]> insns, List<long[]> loops) {
        List<Token> out = new ArrayList<>();
        for (Object[] i : insns) {
            long at = (long) i[0];
            String operands = (String) i[2];
            if (loops.stream().noneMatch(l -> l[0] <= at && at <= l[1])) continue;
            // The safepoint poll and the thread's own fields are the JVM's, not the kernel's.
            if (((String) i[3]).contains("{poll") || operands.contains("(%r15")) continue;
            Token t = Isa.X86_64.token((String) i[1], operands);
            if (t != null) out.add(t);
        }
        return out;
    }
}
