package testbed.litmus.engine;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How HotSpot compiles the Java actors of a forked litmus group: the JVM flags that set it,
 * and how a JVM checks that it really runs in it. On x86 most reorderings a Java actor can
 * show come from the JIT, not the hardware, so each Java test runs under several modes, as
 * jcstress does (its {@code VMSupport} lists the same four): the interpreter, C1 alone, C2
 * alone, and C2 with its stress options, which shuffle instruction scheduling (LCM, GCM) and
 * the IGVN worklist from {@code StressSeed}, so another seed compiles the same kernel into
 * another legal instruction order.
 *
 * @param name  {@code interpreter}, {@code c1}, {@code c2}, {@code c2_stress}, or
 *              {@code jvm_default} (the JVM's own tiered mode, kept by the guest group)
 * @param seed  the stress seed ({@code c2_stress} only; 0 otherwise)
 */
public record JitMode(String name, long seed) {
    public static final JitMode INTERPRETER = new JitMode("interpreter", 0);
    public static final JitMode C1 = new JitMode("c1", 0);
    public static final JitMode C2 = new JitMode("c2", 0);
    /** The JVM's tiered default, with no flag of ours: what a guest group runs in (docs/GUEST.md). */
    public static final JitMode JVM_DEFAULT = new JitMode("jvm_default", 0);

    public JitMode {
        if (!List.of("interpreter", "c1", "c2", "c2_stress", "jvm_default").contains(name)) {
            throw new IllegalArgumentException("unknown JIT mode '" + name + "'");
        }
        if (name.equals("c2_stress") != (seed > 0)) {
            throw new IllegalArgumentException("a stress seed goes with c2_stress, and only there: " + name + " seed " + seed);
        }
        if (seed > 0xFFFF_FFFFL) throw new IllegalArgumentException("StressSeed is a 32-bit unsigned int: " + seed);
    }

    /** C2 alone, with its scheduling and IGVN stress options seeded by {@code seed} (1 to 2^32-1). */
    public static JitMode c2Stress(long seed) {
        return new JitMode("c2_stress", seed);
    }

    /** The JVM flags that put a JVM in this mode. */
    public List<String> flags() {
        return switch (name) {
            case "interpreter" -> List.of("-Xint");
            case "c1" -> List.of("-XX:TieredStopAtLevel=1");
            case "c2" -> List.of("-XX:-TieredCompilation");
            case "c2_stress" -> List.of("-XX:-TieredCompilation", "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:+StressLCM", "-XX:+StressGCM", "-XX:+StressIGVN", "-XX:StressSeed=" + seed);
            default -> List.of();
        };
    }

    /** {@code c1}, {@code c2_stress_12345}: the report's spelling, and what {@link #parse} reads. */
    public String label() {
        return seed == 0 ? name : name + "_" + seed;
    }

    public static JitMode parse(String label) {
        String s = label.toLowerCase(Locale.ROOT);
        if (s.startsWith("c2_stress_")) {
            try {
                return c2Stress(Long.parseLong(s.substring("c2_stress_".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown JIT mode '" + label + "': the stress seed is a number", e);
            }
        }
        return new JitMode(s, 0);
    }

    /**
     * What this JVM says of its compilation, read back through the management API: the
     * flags this mode sets (as {@code HotSpotDiagnosticMXBean} reports them),
     * {@code java.vm.info} and the JIT compiler's name.
     *
     * @param readBack   flag or property name to its value, in a fixed order
     * @param mismatches one line per flag that is not what this mode sets; empty: the JVM is in this mode
     */
    public record Check(Map<String, String> readBack, List<String> mismatches) {
        public boolean holds() {
            return mismatches.isEmpty();
        }

        /** "UseCompiler=false, TieredCompilation=false, java.vm.info=interpreted mode, sharing, compiler=none". */
        public String describe() {
            List<String> parts = new ArrayList<>();
            readBack.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join("; ", parts);
        }
    }

    /** Reads this JVM's compilation mode and compares it with the one this mode sets. */
    public Check checkThisJvm() {
        return check(JitMode::vmOption, System.getProperty("java.vm.info", ""), compilerName());
    }

    /** The comparison behind {@link #checkThisJvm}, over given readings (a test feeds it wrong ones). */
    Check check(java.util.function.Function<String, String> option, String vmInfo, String compiler) {
        Map<String, String> want = new LinkedHashMap<>();
        switch (name) {
            case "interpreter" -> want.put("UseCompiler", "false");
            case "c1" -> {
                want.put("TieredCompilation", "true");
                want.put("TieredStopAtLevel", "1");
            }
            case "c2" -> want.put("TieredCompilation", "false");
            case "c2_stress" -> {
                want.put("TieredCompilation", "false");
                want.put("StressLCM", "true");
                want.put("StressGCM", "true");
                want.put("StressIGVN", "true");
                want.put("StressSeed", String.valueOf(seed));
            }
            default -> {
                // The JVM's default: tiered, every level, compiling.
                want.put("UseCompiler", "true");
                want.put("TieredCompilation", "true");
                want.put("TieredStopAtLevel", "4");
            }
        }
        Map<String, String> readBack = new LinkedHashMap<>();
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String> w : want.entrySet()) {
            String got = option.apply(w.getKey());
            readBack.put(w.getKey(), got);
            if (!w.getValue().equals(got)) mismatches.add(w.getKey() + " is " + got + ", not " + w.getValue());
        }
        readBack.put("java.vm.info", vmInfo);
        readBack.put("compiler", compiler);
        // The flag alone could be read back from a JVM that ignored it; the VM's own words agree.
        if (name.equals("interpreter") && !vmInfo.contains("interpreted mode")) {
            mismatches.add("java.vm.info is '" + vmInfo + "', not interpreted mode");
        }
        if (!name.equals("interpreter") && !compiler.startsWith("HotSpot")) {
            mismatches.add("no HotSpot JIT compiler in this JVM (" + compiler + ")");
        }
        return new Check(readBack, mismatches);
    }

    /** A VM option's value, or "absent" (diagnostic options exist only once unlocked). */
    private static String vmOption(String flag) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(flag).getValue();
        } catch (IllegalArgumentException e) {
            return "absent";
        }
    }

    private static String compilerName() {
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c == null ? "none" : c.getName();
    }
}
