package testbed.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The functions of one disassembled object, each a list of instructions in address order with
 * the source line each came from: read from binutils' {@code objdump -d -l} (an object compiled
 * with {@code -g}) or from {@code go tool objdump -gnu}, whose lines name the source file and line.
 */
public final class Disassembly {

    /**
     * One instruction.
     *
     * @param address  its address in the object
     * @param file     the source file's name (no directory) it was compiled from, "" if unknown
     * @param line     the line in that file, 0 if unknown
     * @param mnemonic GNU mnemonic, with a {@code lock} prefix if any
     * @param operands GNU operands, comments removed
     * @param encoding the instruction's bytes as the tool printed them (Go only; "" otherwise)
     */
    public record Instruction(long address, String file, int line, String mnemonic, String operands, String encoding) {
        public String text() {
            return (mnemonic + " " + operands).strip();
        }
    }

    private final Map<String, List<Instruction>> functions;

    Disassembly(Map<String, List<Instruction>> functions) {
        this.functions = functions;
    }

    /** The instructions of {@code name}, or null when the object has no such function. */
    public List<Instruction> function(String name) {
        return functions.get(name);
    }

    public Set<String> names() {
        return functions.keySet();
    }

    // ---- binutils ----------------------------------------------------------------------------

    private static final Pattern OBJDUMP_FUNCTION = Pattern.compile("^[0-9a-f]+ <([^>]+)>:$");
    private static final Pattern OBJDUMP_LINE = Pattern.compile("^(/?[^\\s:]*/)?([^/\\s:]+):(\\d+)( \\(discriminator \\d+\\))?$");
    private static final Pattern OBJDUMP_INSN = Pattern.compile("^\\s+([0-9a-f]+):\\s+(.*)$");
    /** Prefixes objdump writes before the mnemonic; only lock means anything for ordering. */
    private static final Set<String> PREFIXES = Set.of("lock", "rep", "repz", "repnz", "data16", "cs", "ds", "notrack", "bnd");

    /** Parses {@code objdump -d -l --no-show-raw-insn} output. */
    public static Disassembly objdump(String text) {
        Map<String, List<Instruction>> functions = new LinkedHashMap<>();
        List<Instruction> current = null;
        String file = "";
        int line = 0;
        for (String raw : text.split("\n")) {
            Matcher f = OBJDUMP_FUNCTION.matcher(raw);
            if (f.matches()) {
                current = new ArrayList<>();
                functions.put(f.group(1), current);
                file = "";
                line = 0;
                continue;
            }
            if (current == null) continue;
            Matcher l = OBJDUMP_LINE.matcher(raw.strip());
            if (!raw.startsWith(" ") && l.matches()) {
                file = l.group(2);
                line = Integer.parseInt(l.group(3));
                continue;
            }
            Matcher i = OBJDUMP_INSN.matcher(raw);
            if (!i.matches()) continue;
            String[] parts = splitMnemonic(stripComment(i.group(2)));
            if (parts[0].isEmpty() || parts[0].startsWith("(bad)") || parts[0].startsWith(".")) continue;
            current.add(new Instruction(Long.parseLong(i.group(1), 16), file, line, parts[0], parts[1], ""));
        }
        return new Disassembly(functions);
    }

    /** The mnemonic (with a lock prefix kept, other prefixes dropped) and the operands. */
    static String[] splitMnemonic(String insn) {
        String[] words = insn.strip().split("\\s+", -1);
        int w = 0;
        String lock = "";
        while (w < words.length - 1 && PREFIXES.contains(words[w])) {
            if (words[w].equals("lock")) lock = "lock ";
            w++;
        }
        if (w >= words.length) return new String[] {"", ""};
        String mnemonic = lock + words[w];
        StringBuilder ops = new StringBuilder();
        for (int k = w + 1; k < words.length; k++) ops.append(k == w + 1 ? "" : " ").append(words[k]);
        return new String[] {mnemonic, ops.toString()};
    }

    /** Drops objdump's comments: {@code // #1} on AArch64, {@code # 0x1234 <sym>} on x86. */
    static String stripComment(String insn) {
        String s = insn;
        int slash = s.indexOf("//");
        if (slash >= 0) s = s.substring(0, slash);
        int hash = s.indexOf(" # ");
        if (hash < 0) hash = s.indexOf("\t# ");
        if (hash >= 0) s = s.substring(0, hash);
        return s.strip();
    }

    // ---- go tool objdump -gnu ----------------------------------------------------------------

    private static final Pattern GO_FUNCTION = Pattern.compile("^TEXT (\\S+)\\(SB\\)( .*)?$");
    private static final Pattern GO_INSN = Pattern.compile("^\\s+([^\\s:]+):(\\d+)\\s+0x([0-9a-f]+)\\s+([0-9a-f]+)\\s+(.*)$");

    /**
     * Parses {@code go tool objdump -gnu} output. Function names are the symbol's last
     * element ({@code pkg/path.kXXXX} gives {@code kXXXX}). An instruction Go's disassembler
     * cannot decode (it prints {@code ?}: so it does for the LSE atomics) keeps its encoding
     * and an empty mnemonic, for {@link #decodeUnknown} to fill in.
     */
    public static Disassembly goObjdump(String text) {
        Map<String, List<Instruction>> functions = new LinkedHashMap<>();
        List<Instruction> current = null;
        for (String raw : text.split("\n")) {
            Matcher f = GO_FUNCTION.matcher(raw);
            if (f.matches()) {
                String sym = f.group(1);
                String name = sym.substring(sym.lastIndexOf('/') + 1);
                name = name.substring(name.indexOf('.') + 1);
                current = new ArrayList<>();
                functions.put(name, current);
                continue;
            }
            if (current == null) continue;
            Matcher i = GO_INSN.matcher(raw);
            if (!i.matches()) continue;
            String rest = i.group(5);
            int gnu = rest.indexOf("//");
            String[] parts = {"", ""};
            if (gnu >= 0) {
                String g = rest.substring(gnu + 2).strip();
                int tab = g.indexOf('\t');
                if (tab >= 0) g = g.substring(0, tab);
                parts = splitMnemonic(g.strip());
            } else if (i.group(4).matches("0+")) {
                // An object file's placeholder for a relocated call or address: no instruction to decode.
                parts = new String[] {"(relocation)", ""};
            }
            current.add(new Instruction(Long.parseLong(i.group(3), 16), i.group(1), Integer.parseInt(i.group(2)),
                    parts[0], parts[1], i.group(4)));
        }
        return new Disassembly(functions);
    }

    /** Every instruction left undecoded (an empty mnemonic), in order: what {@link #decodeUnknown} fills. */
    List<Instruction> unknown() {
        List<Instruction> out = new ArrayList<>();
        for (List<Instruction> f : functions.values()) for (Instruction i : f) if (i.mnemonic().isEmpty()) out.add(i);
        return out;
    }

    /**
     * This disassembly with each undecoded instruction replaced by {@code decoded}'s (same order
     * as {@link #unknown}), the file and line kept.
     */
    Disassembly decodeUnknown(List<String[]> decoded) {
        Map<String, List<Instruction>> out = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, List<Instruction>> e : functions.entrySet()) {
            List<Instruction> list = new ArrayList<>();
            for (Instruction i : e.getValue()) {
                if (i.mnemonic().isEmpty()) {
                    String[] d = decoded.get(k++);
                    list.add(new Instruction(i.address(), i.file(), i.line(), d[0], d[1], i.encoding()));
                } else {
                    list.add(i);
                }
            }
            out.put(e.getKey(), list);
        }
        return new Disassembly(out);
    }
}
