import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes testbed.litmus.runtime.JavaKernels: the Java litmus kernels of docs/LITMUS.md, one static
 * method per (role, modes) pair, each with its own loop and its VarHandle access modes written out
 * at the call sites, so that every mode is fixed when the method is compiled.
 *
 * <pre>
 *   $JAVA_HOME/bin/java java/tools/GenLitmusKernels.java OUTPUT_FILE          write OUTPUT_FILE
 *   $JAVA_HOME/bin/java java/tools/GenLitmusKernels.java --check OUTPUT_FILE  exit 1 if it differs
 * </pre>
 *
 * The output depends on nothing but this file: the same generator writes the same bytes.
 */
public final class GenLitmusKernels {

    static final String COMMAND = "$JAVA_HOME/bin/java java/tools/GenLitmusKernels.java "
            + "java/src/main/java/testbed/litmus/runtime/JavaKernels.java";

    // Java modes per docs/LITMUS.md ("Modes, per runtime", the Java row), weakest first.
    static final List<String> LOADS = List.of("plain", "opaque", "acquire", "volatile");
    static final List<String> STORES = List.of("plain", "opaque", "release", "volatile");
    static final List<String> RMWS = List.of("volatile", "acquire", "release");
    /**
     * No compareAndExchangeRelease: its failed read is a plain get, weaker than any failure
     * order C11 allows, so no litmus file binds to it, and a kernel no test can run is not shipped.
     */
    static final List<String> CAS_MODES = List.of("volatile", "acquire");

    /** One kernel: its name, its method name, and the statements of one instance. */
    record Kernel(String name, String role, String body) {
        String method() {
            return name.replace('.', '_');
        }
    }

    static String load(String mode, String at) {
        return switch (mode) {
            case "plain" -> "(long) LONG.get(s, " + at + ")";
            case "opaque" -> "(long) LONG.getOpaque(s, " + at + ")";
            case "acquire" -> "(long) LONG.getAcquire(s, " + at + ")";
            case "volatile" -> "(long) LONG.getVolatile(s, " + at + ")";
            default -> throw new IllegalArgumentException(mode);
        };
    }

    static String store(String mode, String at, String value) {
        return switch (mode) {
            case "plain" -> "LONG.set(s, " + at + ", " + value + ");";
            case "opaque" -> "LONG.setOpaque(s, " + at + ", " + value + ");";
            case "release" -> "LONG.setRelease(s, " + at + ", " + value + ");";
            case "volatile" -> "LONG.setVolatile(s, " + at + ", " + value + ");";
            default -> throw new IllegalArgumentException(mode);
        };
    }

    static String fetchAdd(String mode, String at) {
        return switch (mode) {
            case "volatile" -> "(long) LONG.getAndAdd(s, " + at + ", 1L)";
            case "acquire" -> "(long) LONG.getAndAddAcquire(s, " + at + ", 1L)";
            case "release" -> "(long) LONG.getAndAddRelease(s, " + at + ", 1L)";
            default -> throw new IllegalArgumentException(mode);
        };
    }

    static String compareAndExchange(String mode, String at) {
        return switch (mode) {
            case "volatile" -> "(long) LONG.compareAndExchange(s, " + at + ", 0L, v1)";
            case "acquire" -> "(long) LONG.compareAndExchangeAcquire(s, " + at + ", 0L, v1)";
            case "release" -> "(long) LONG.compareAndExchangeRelease(s, " + at + ", 0L, v1)";
            default -> throw new IllegalArgumentException(mode);
        };
    }

    static final String R0 = "LONG.set(s, r, r0);";
    static final String R1 = "LONG.set(s, r + 8, r1);";

    static List<Kernel> kernels() {
        List<Kernel> ks = new ArrayList<>();
        for (String st : STORES) {
            ks.add(new Kernel("st." + st, "st", store(st, "loc + p", "v1")));
        }
        for (String a : STORES) {
            for (String b : STORES) {
                ks.add(new Kernel("st_st." + a + "." + b, "st_st",
                        store(a, "loc + p", "v1") + "\n" + store(b, "loc + q", "v2")));
            }
        }
        for (String a : STORES) {
            for (String b : LOADS) {
                ks.add(new Kernel("st_ld." + a + "." + b, "st_ld",
                        store(a, "loc + p", "v1") + "\n"
                                + "long r0 = " + load(b, "loc + q") + ";\n" + R0));
            }
        }
        for (String a : LOADS) {
            for (String b : STORES) {
                ks.add(new Kernel("ld_st." + a + "." + b, "ld_st",
                        "long r0 = " + load(a, "loc + p") + ";\n"
                                + store(b, "loc + q", "v1") + "\n" + R0));
            }
        }
        for (String a : LOADS) {
            for (String b : LOADS) {
                ks.add(new Kernel("ld_ld." + a + "." + b, "ld_ld",
                        "long r0 = " + load(a, "loc + p") + ";\n"
                                + "long r1 = " + load(b, "loc + q") + ";\n" + R0 + "\n" + R1));
            }
        }
        for (String a : STORES) {
            for (String b : LOADS) {
                ks.add(new Kernel("st_fence_ld." + a + "." + b, "st_fence_ld",
                        store(a, "loc + p", "v1") + "\n" + "VarHandle.fullFence();\n"
                                + "long r0 = " + load(b, "loc + q") + ";\n" + R0));
            }
        }
        for (String m : RMWS) {
            ks.add(new Kernel("fadd." + m, "fadd",
                    "long r0 = " + fetchAdd(m, "loc + p") + ";\n" + R0));
        }
        for (String m : CAS_MODES) {
            ks.add(new Kernel("cas." + m, "cas",
                    "long r0 = " + compareAndExchange(m, "loc + p") + " == 0L ? 1L : 0L;\n" + R0));
        }
        return ks;
    }

    static final List<String[]> ROLES = List.of(
            new String[] {"st", "store p := v1"},
            new String[] {"st_st", "store p := v1; store q := v2"},
            new String[] {"st_ld", "store p := v1; r0 := load q"},
            new String[] {"ld_st", "r0 := load p; store q := v1"},
            new String[] {"ld_ld", "r0 := load p; r1 := load q"},
            new String[] {"st_fence_ld", "store p := v1; VarHandle.fullFence(); r0 := load q"},
            new String[] {"fadd", "r0 := getAndAdd*(p, 1), the value before the add"},
            new String[] {"cas", "r0 := 1 if compareAndExchange*(p, 0, v1) found 0, else 0"});

    static String generate() {
        List<Kernel> ks = kernels();
        StringBuilder o = new StringBuilder();
        o.append("""
                // GENERATED by java/tools/GenLitmusKernels.java: do not edit. Regenerate with
                //   %s
                package testbed.litmus.runtime;

                import java.lang.foreign.MemorySegment;
                import java.lang.foreign.ValueLayout;
                import java.lang.invoke.VarHandle;
                import java.util.List;
                import java.util.Set;

                /**
                 * The Java litmus kernels of docs/LITMUS.md: one static method per (role, modes) pair, %d in all.
                 *
                 * <p>Each method holds its own loop over the round's instances, and each memory operation in it
                 * is a call of the static final {@link #LONG} handle with its access mode written at the call
                 * site, so the JIT compiles every method with its modes as constants: nothing is chosen at run
                 * time inside a round. Registers are written with plain stores into the actor's own result
                 * array (r0 at {@code r}, r1 at {@code r + 8}); the round's barrier orders them for the consumer.
                 *
                 * <p>Modes: loads {@code plain} (get), {@code opaque} (getOpaque), {@code acquire} (getAcquire),
                 * {@code volatile} (getVolatile); stores {@code plain} (set), {@code opaque} (setOpaque),
                 * {@code release} (setRelease), {@code volatile} (setVolatile); {@code fadd} and {@code cas}
                 * in {@code volatile} (getAndAdd, compareAndExchange), {@code acquire} and {@code release}
                 * (the *Acquire and *Release variants); {@code st_fence_ld} fences with
                 * {@link VarHandle#fullFence()}.
                 *
                 * <p>Roles:
                 * <ul>
                """.formatted(COMMAND, ks.size()));
        for (String[] role : ROLES) {
            o.append(" *   <li>{@code ").append(role[0]).append("}: ").append(role[1]).append("</li>\n");
        }
        o.append("""
                 * </ul>
                 */
                public final class JavaKernels {

                    private JavaKernels() {}

                    /**
                     * Coordinates (MemorySegment, long byte offset); {@link ValueLayout#JAVA_LONG} is 8-byte
                     * aligned, so every access mode is supported and a misaligned offset throws instead of
                     * tearing.
                     */
                    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

                    private static final List<String> NAMES = List.of(
                """);
        for (int i = 0; i < ks.size(); i++) {
            o.append("            \"").append(ks.get(i).name()).append('"')
                    .append(i + 1 < ks.size() ? ",\n" : ");\n");
        }
        o.append("""

                    private static final Set<String> KNOWN = Set.copyOf(NAMES);

                    /** True if a Java kernel of this name exists. */
                    public static boolean has(String name) {
                        return name != null && KNOWN.contains(name);
                    }

                    /** Every Java kernel name, grouped by role, weaker modes first. */
                    public static List<String> names() {
                        return NAMES;
                    }

                    /**
                     * The kernel of this name.
                     *
                     * @throws IllegalArgumentException if there is none
                     */
                    public static JavaKernel get(String name) {
                        if (name == null) {
                            throw new IllegalArgumentException("no Java kernel named null");
                        }
                        return switch (name) {
                """);
        for (Kernel k : ks) {
            o.append("            case \"").append(k.name()).append("\" -> JavaKernels::").append(k.method()).append(";\n");
        }
        o.append("""
                            default -> throw new IllegalArgumentException("Java actor: unknown kernel '" + name
                                    + "' (a Java kernel is ROLE.MODE[.MODE] with Java modes, e.g. st_ld.release.acquire)");
                        };
                    }
                """);
        String role = null;
        for (Kernel k : ks) {
            if (!k.role().equals(role)) {
                role = k.role();
                String what = ROLES.stream().filter(r -> r[0].equals(k.role())).findFirst().orElseThrow()[1];
                o.append("\n    // ---- ").append(role).append(": ").append(what).append(" ")
                        .append("-".repeat(Math.max(4, 90 - role.length() - what.length()))).append("\n");
            }
            o.append("\n    static void ").append(k.method())
                    .append("(MemorySegment s, long loc, long locStride, long p, long q, long v1, long v2,\n")
                    .append("            long r, long rStride, int n) {\n")
                    .append("        for (int i = 0; i < n; i++, loc += locStride, r += rStride) {\n");
            for (String line : k.body().split("\n")) {
                o.append("            ").append(line).append('\n');
            }
            o.append("        }\n    }\n");
        }
        o.append("}\n");
        return o.toString();
    }

    public static void main(String[] args) throws IOException {
        boolean check = args.length == 2 && args[0].equals("--check");
        if (!(args.length == 1 || check)) {
            System.err.println("usage: java java/tools/GenLitmusKernels.java [--check] OUTPUT_FILE");
            System.exit(2);
        }
        Path out = Path.of(args[args.length - 1]);
        String text = generate();
        if (check) {
            String have = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : null;
            if (!text.equals(have)) {
                System.err.println("error: stale generated Java kernels: " + out + (have == null ? " is missing" : " differs")
                        + " from what java/tools/GenLitmusKernels.java writes: run " + COMMAND);
                System.exit(1);
            }
            return;
        }
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, text, StandardCharsets.UTF_8);
    }
}
