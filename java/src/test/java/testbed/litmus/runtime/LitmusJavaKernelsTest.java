package testbed.litmus.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import testbed.region.Region;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated Java kernels: the set of names docs/LITMUS.md promises, each kernel's effect on
 * memory, the access mode at each of its call sites, and the generated file's freshness.
 */
@Timeout(60)
class LitmusJavaKernelsTest {

    private static final List<String> LOADS = List.of("plain", "opaque", "acquire", "volatile");
    private static final List<String> STORES = List.of("plain", "opaque", "release", "volatile");
    private static final List<String> RMWS = List.of("volatile", "acquire", "release");

    /**
     * Every Java kernel, built here from docs/LITMUS.md's tables independently of the generator,
     * with the VarHandle operations its loop must perform, in order.
     */
    static Map<String, List<String>> expected() {
        Map<String, String> load = Map.of("plain", "get", "opaque", "getOpaque", "acquire", "getAcquire",
                "volatile", "getVolatile");
        Map<String, String> store = Map.of("plain", "set", "opaque", "setOpaque", "release", "setRelease",
                "volatile", "setVolatile");
        Map<String, List<String>> k = new LinkedHashMap<>();
        for (String s : STORES) k.put("st." + s, List.of(store.get(s)));
        for (String a : STORES) for (String b : STORES) k.put("st_st." + a + "." + b, List.of(store.get(a), store.get(b)));
        for (String a : STORES) for (String b : LOADS) k.put("st_ld." + a + "." + b, List.of(store.get(a), load.get(b), "set"));
        for (String a : LOADS) for (String b : STORES) k.put("ld_st." + a + "." + b, List.of(load.get(a), store.get(b), "set"));
        for (String a : LOADS) for (String b : LOADS) k.put("ld_ld." + a + "." + b, List.of(load.get(a), load.get(b), "set", "set"));
        for (String a : STORES) for (String b : LOADS) {
            k.put("st_fence_ld." + a + "." + b, List.of(store.get(a), "fullFence", load.get(b), "set"));
        }
        Map<String, String> suffix = Map.of("volatile", "", "acquire", "Acquire", "release", "Release");
        for (String m : RMWS) k.put("fadd." + m, List.of("getAndAdd" + suffix.get(m), "set"));
        for (String m : List.of("volatile", "acquire")) k.put("cas." + m, List.of("compareAndExchange" + suffix.get(m), "set"));
        return k;
    }

    @Test
    void namesAreExactlyTheKernelsTheContractPromises() {
        Map<String, List<String>> want = expected();
        // 4 st + 16 each of st_st, st_ld, ld_st, ld_ld, st_fence_ld + 3 fadd + 3 cas.
        assertEquals(89, want.size());
        assertEquals(List.copyOf(want.keySet()), JavaKernels.names());
        for (String name : want.keySet()) {
            assertTrue(JavaKernels.has(name), name);
        }
    }

    @Test
    void unknownNamesAreRefused() {
        for (String name : List.of("st_ld.relaxed.relaxed", "st_ld.seq_cst.seq_cst", "fadd.plain", "st_ld.volatile",
                "st.acquire", "ld_ld.release.plain", "")) {
            assertFalse(JavaKernels.has(name), name);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JavaKernels.get(name));
            assertTrue(e.getMessage().contains("Java actor: unknown kernel '" + name + "'"), e.getMessage());
        }
        assertFalse(JavaKernels.has(null));
        assertThrows(IllegalArgumentException.class, () -> JavaKernels.get(null));
    }

    /** Each generated method's VarHandle calls, in order, are the modes its name says. */
    @Test
    void everyKernelUsesTheAccessModesItsNameSays() throws IOException {
        String src = Files.readString(generatedFile());
        Pattern method = Pattern.compile("static void (\\w+)\\(MemorySegment s,[^{]*\\{(.*?)\\n    }\\n", Pattern.DOTALL);
        Pattern call = Pattern.compile("(?:LONG|VarHandle)\\.(\\w+)\\(");
        Map<String, List<String>> found = new LinkedHashMap<>();
        Matcher m = method.matcher(src);
        while (m.find()) {
            List<String> calls = new ArrayList<>();
            Matcher c = call.matcher(m.group(2));
            while (c.find()) calls.add(c.group(1));
            found.put(m.group(1), calls);
        }
        Map<String, List<String>> want = new LinkedHashMap<>();
        expected().forEach((name, ops) -> want.put(name.replace('.', '_'), ops));
        assertEquals(want, found);
    }

    @TempDir
    static Path dir;

    private static Region region;

    @BeforeAll
    static void createRegion() {
        region = Region.create(dir, LitmusSection.DATA * 2);
    }

    @AfterAll
    static void closeRegion() {
        if (region != null) region.close();
    }

    /**
     * Zeroed memory of the region, never an arena or heap segment: a kernel's compiled code is
     * specialised on the segment class it first ran on, and running kernels on another class in
     * this JVM would slow the actor tests that follow (see JavaActor's warm-up).
     */
    private static MemorySegment scratch() {
        MemorySegment s = region.litmus().asSlice(LitmusSection.DATA, 512);
        s.fill((byte) 0);
        return s;
    }

    static Stream<String> kernels() {
        return JavaKernels.names().stream();
    }

    /**
     * Runs a kernel on 3 instances (location stride 24: p at 0, q at 8, an untouched guard at 16)
     * with p and q preset, and checks memory and registers against the role's definition.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void eachKernelDoesWhatItsRoleSays(String name) {
        String role = name.substring(0, name.indexOf('.'));
        int n = 3;
        long locStride = 24, rStride = 16, loc = 64, r = 256;
        long pre0 = 5, pre1 = 6, v1 = 7, v2 = 9;
        boolean casFromZero = name.startsWith("cas.");
        MemorySegment s = scratch();
        for (int i = 0; i < n; i++) {
            long at = loc + i * locStride;
            s.set(ValueLayout.JAVA_LONG, at, casFromZero && i == 1 ? 0 : pre0 + i);
            s.set(ValueLayout.JAVA_LONG, at + 8, pre1 + i);
            s.set(ValueLayout.JAVA_LONG, at + 16, -1);
            s.set(ValueLayout.JAVA_LONG, r + i * rStride, -2);
            s.set(ValueLayout.JAVA_LONG, r + i * rStride + 8, -3);
        }
        JavaKernels.get(name).run(s, loc, locStride, 0, 8, v1, v2, r, rStride, n);
        for (int i = 0; i < n; i++) {
            long at = loc + i * locStride;
            long p = s.get(ValueLayout.JAVA_LONG, at);
            long q = s.get(ValueLayout.JAVA_LONG, at + 8);
            long r0 = s.get(ValueLayout.JAVA_LONG, r + i * rStride);
            long r1 = s.get(ValueLayout.JAVA_LONG, r + i * rStride + 8);
            long p0 = casFromZero && i == 1 ? 0 : pre0 + i, q0 = pre1 + i;
            String where = name + ", instance " + i;
            assertEquals(-1, s.get(ValueLayout.JAVA_LONG, at + 16), where + ": guard word untouched");
            switch (role) {
                case "st" -> { assertEquals(v1, p, where); assertEquals(q0, q, where); assertEquals(-2, r0, where); }
                case "st_st" -> { assertEquals(v1, p, where); assertEquals(v2, q, where); assertEquals(-2, r0, where); }
                case "st_ld", "st_fence_ld" -> { assertEquals(v1, p, where); assertEquals(q0, r0, where); }
                case "ld_st" -> { assertEquals(p0, r0, where); assertEquals(v1, q, where); assertEquals(p0, p, where); }
                case "ld_ld" -> { assertEquals(p0, r0, where); assertEquals(q0, r1, where); assertEquals(p0, p, where); }
                case "fadd" -> { assertEquals(p0, r0, where); assertEquals(p0 + 1, p, where); }
                case "cas" -> {
                    assertEquals(p0 == 0 ? 1 : 0, r0, where);
                    assertEquals(p0 == 0 ? v1 : p0, p, where);
                }
                default -> throw new AssertionError("role " + role);
            }
            if (!role.equals("ld_ld")) assertEquals(-3, r1, where + ": r1 untouched");
            if (!role.equals("st_st") && !role.equals("ld_st")) assertEquals(q0, q, where + ": q untouched");
        }
    }

    @Test
    void aMisalignedOffsetThrowsInsteadOfTearing() {
        MemorySegment s = scratch();
        assertThrows(IllegalArgumentException.class,
                () -> JavaKernels.get("st.volatile").run(s, 4, 16, 0, 8, 1, 1, 128, 16, 1));
    }

    /** The committed JavaKernels.java is what the generator writes now. */
    @Test
    void theGeneratedFileIsFresh() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path tool = projectRoot().resolve("java/tools/GenLitmusKernels.java");
        Process p = new ProcessBuilder(java.toString(), tool.toString(), "--check", generatedFile().toString())
                .redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "generator finished");
        assertEquals(0, p.exitValue(), "GenLitmusKernels --check: " + out);
    }

    static Path projectRoot() {
        String layout = System.getProperty("testbed.layout", "native/region.layout");
        return Path.of(layout).toAbsolutePath().getParent().getParent();
    }

    static Path generatedFile() {
        return projectRoot().resolve("java/src/main/java/testbed/litmus/runtime/JavaKernels.java");
    }
}
