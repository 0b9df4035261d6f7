package testbed.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import testbed.region.Region;
import testbed.region.RegionLayout;
import testbed.region.SegmentAtomics;

/**
 * The three bindings of the C shim (FFM, FFM critical, jnr-ffi) against the same expectations on
 * slots of one region: every function and every order C11 permits, the refused orders, worker groups
 * and their error paths. No native thread outlives a test.
 */
@Timeout(30)
class ShimConformanceTest {

    @TempDir
    static Path dir;

    private static Region region;
    private static Map<String, AtomicShim> shims;

    @BeforeAll
    static void setUp() {
        region = Region.create(dir, RegionLayout.LITMUS_ALIGN);
        shims = new LinkedHashMap<>();
        shims.put("ffm", NativeLibrary.panama(false));
        shims.put("ffm-critical", NativeLibrary.panama(true));
        shims.put("jnr", NativeLibrary.jnr());
    }

    @AfterAll
    static void tearDown() {
        if (shims != null) shims.values().forEach(AtomicShim::close);
        if (region != null) region.close();
    }

    static Stream<String> bindings() {
        return Stream.of("ffm", "ffm-critical", "jnr");
    }

    @BeforeEach
    void clearControl() {
        for (int i = 0; i < RegionLayout.CONTROL_WORDS; i++) SegmentAtomics.setVolatile(region.controlWord(i), 0);
        for (int i = 0; i < 4; i++) SegmentAtomics.setVolatile(region.cancelFlag(i), 0);
    }

    @AfterEach
    void noNativeThreadLeft() {
        assertEquals(0, shims.get("ffm").workersAlive(), "native worker threads alive after the test");
    }

    // ---- identity ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("bindings")
    void identityMatchesThisJvm(String binding) {
        AtomicShim shim = shims.get(binding);
        assertEquals(binding, shim.name());
        assertTrue(shim.version().startsWith("interop-testbed shim "), shim.version());
        assertEquals(RegionLayout.archCode(), shim.arch());
        assertTrue(shim.arch() != 0, "this JVM's arch is unsupported: " + System.getProperty("os.arch"));
    }

    @Test
    void aForeignArchIsRefused() {
        AtomicShim foreign = (AtomicShim) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AtomicShim.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "arch" -> RegionLayout.archCode() == RegionLayout.ARCH_X86_64
                            ? RegionLayout.ARCH_AARCH64 : RegionLayout.ARCH_X86_64;
                    case "name" -> "fake";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeLibrary.checkArch(foreign));
        assertTrue(e.getMessage().startsWith("native shim (fake) is built for arch "), e.getMessage());
    }

    @Test
    void aMissingLibraryNamesThePathAndTheFix() {
        Path missing = dir.resolve("no-libinterop.so");
        String want = "native shim not found at " + missing + ": run `make native`";
        assertEquals(want, assertThrows(IllegalStateException.class, () -> new PanamaShim(missing, false)).getMessage());
        assertEquals(want, assertThrows(IllegalStateException.class, () -> new JnrShim(missing)).getMessage());
        String saved = System.getProperty(NativeLibrary.PROPERTY);
        try {
            System.setProperty(NativeLibrary.PROPERTY, missing.toString());
            assertEquals(want, assertThrows(IllegalStateException.class, NativeLibrary::require).getMessage());
        } finally {
            System.setProperty(NativeLibrary.PROPERTY, saved);
        }
    }

    @Test
    void aLibraryThatIsNotTheShimIsRefusedAtConstruction() throws IOException {
        Path text = Files.writeString(dir.resolve("not-a-library.so"), "not ELF");
        assertTrue(assertThrows(IllegalStateException.class, () -> new PanamaShim(text, false)).getMessage()
                .startsWith("cannot load the native shim " + text + ": "));
        assertTrue(assertThrows(IllegalStateException.class, () -> new JnrShim(text)).getMessage()
                .startsWith("cannot load the native shim " + text + ": "));

        Path other = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        assertEquals("native shim " + other + " has no function interop_load_relaxed: rebuild it with `make native`",
                assertThrows(IllegalStateException.class, () -> new PanamaShim(other, true)).getMessage());
        String jnr = assertThrows(IllegalStateException.class, () -> new JnrShim(other)).getMessage();
        assertTrue(jnr.matches("native shim " + Pattern.quote(other.toString())
                + " has no function interop_\\w+: rebuild it with `make native`"), jnr);
    }

    // ---- every function x every permitted order ------------------------------------------------

    /**
     * Runs every operation in every order it accepts on one slot and records what came back; the
     * transcript is written out in full here, so each binding is compared with the C11 semantics
     * and therefore with the others.
     */
    private static List<String> transcript(AtomicShim shim, MemorySegment slot) {
        long a = slot.address();
        List<String> t = new ArrayList<>();
        for (MemoryOrder o : MemoryOrder.Op.LOAD.orders().stream().sorted().toList()) {
            SegmentAtomics.setVolatile(slot, 0x7EAD_0000L + o.ordinal());
            t.add("load_" + o.suffix() + " " + Long.toHexString(shim.load(o, a)));
        }
        for (MemoryOrder o : MemoryOrder.Op.STORE.orders().stream().sorted().toList()) {
            shim.store(o, a, -1000 - o.ordinal());
            t.add("store_" + o.suffix() + " " + SegmentAtomics.getVolatile(slot));
        }
        for (MemoryOrder o : MemoryOrder.values()) {
            SegmentAtomics.setVolatile(slot, 5);
            long previous = shim.exchange(o, a, Long.MIN_VALUE);
            t.add("exchange_" + o.suffix() + " " + previous + " -> " + SegmentAtomics.getVolatile(slot));
        }
        for (MemoryOrder o : MemoryOrder.values()) {
            SegmentAtomics.setVolatile(slot, 7);
            long hit = shim.compareAndExchange(o, a, 7, 11);
            long afterHit = SegmentAtomics.getVolatile(slot);
            long miss = shim.compareAndExchange(o, a, 7, 13);
            t.add("cas_" + o.suffix() + " " + hit + " -> " + afterHit + ", " + miss + " -> " + SegmentAtomics.getVolatile(slot));
        }
        for (MemoryOrder o : MemoryOrder.values()) {
            SegmentAtomics.setVolatile(slot, Long.MAX_VALUE);
            long previous = shim.fetchAdd(o, a, 1);
            long wrapped = SegmentAtomics.getVolatile(slot);
            long back = shim.fetchAdd(o, a, -1);
            t.add("fetch_add_" + o.suffix() + " " + previous + " -> " + wrapped + ", " + back + " -> "
                    + SegmentAtomics.getVolatile(slot));
        }
        for (MemoryOrder o : MemoryOrder.values()) {
            shim.fence(o);
            t.add("fence_" + o.suffix());
        }
        return t;
    }

    private static final List<String> EXPECTED = List.of(
            "load_relaxed 7ead0000",
            "load_acquire 7ead0001",
            "load_seq_cst 7ead0004",
            "store_relaxed -1000",
            "store_release -1002",
            "store_seq_cst -1004",
            "exchange_relaxed 5 -> -9223372036854775808",
            "exchange_acquire 5 -> -9223372036854775808",
            "exchange_release 5 -> -9223372036854775808",
            "exchange_acq_rel 5 -> -9223372036854775808",
            "exchange_seq_cst 5 -> -9223372036854775808",
            "cas_relaxed 7 -> 11, 11 -> 11",
            "cas_acquire 7 -> 11, 11 -> 11",
            "cas_release 7 -> 11, 11 -> 11",
            "cas_acq_rel 7 -> 11, 11 -> 11",
            "cas_seq_cst 7 -> 11, 11 -> 11",
            "fetch_add_relaxed 9223372036854775807 -> -9223372036854775808, -9223372036854775808 -> 9223372036854775807",
            "fetch_add_acquire 9223372036854775807 -> -9223372036854775808, -9223372036854775808 -> 9223372036854775807",
            "fetch_add_release 9223372036854775807 -> -9223372036854775808, -9223372036854775808 -> 9223372036854775807",
            "fetch_add_acq_rel 9223372036854775807 -> -9223372036854775808, -9223372036854775808 -> 9223372036854775807",
            "fetch_add_seq_cst 9223372036854775807 -> -9223372036854775808, -9223372036854775808 -> 9223372036854775807",
            "fence_relaxed",
            "fence_acquire",
            "fence_release",
            "fence_acq_rel",
            "fence_seq_cst");

    @ParameterizedTest
    @MethodSource("bindings")
    void everyFunctionInEveryPermittedOrder(String binding) {
        assertEquals(EXPECTED, transcript(shims.get(binding), region.counterSlot(0)));
        assertEquals(EXPECTED, transcript(shims.get(binding), region.packedSlot(3)));
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void refusedOrdersNameTheOperationAndTheOrder(String binding) {
        AtomicShim shim = shims.get(binding);
        long a = region.counterAddress(1);
        SegmentAtomics.setVolatile(region.counterSlot(1), 42);
        for (MemoryOrder o : EnumSet.complementOf(EnumSet.copyOf(MemoryOrder.Op.LOAD.orders()))) {
            assertEquals("load does not accept memory order " + o.suffix() + " (C11 allows relaxed, acquire, seq_cst)",
                    assertThrows(IllegalArgumentException.class, () -> shim.load(o, a)).getMessage());
        }
        for (MemoryOrder o : EnumSet.complementOf(EnumSet.copyOf(MemoryOrder.Op.STORE.orders()))) {
            assertEquals("store does not accept memory order " + o.suffix() + " (C11 allows relaxed, release, seq_cst)",
                    assertThrows(IllegalArgumentException.class, () -> shim.store(o, a, 1)).getMessage());
        }
        assertEquals(42, SegmentAtomics.getVolatile(region.counterSlot(1)), "a refused store must not write");
        assertEquals(EnumSet.of(MemoryOrder.ACQUIRE, MemoryOrder.ACQ_REL),
                EnumSet.complementOf(EnumSet.copyOf(MemoryOrder.Op.STORE.orders())));
        assertThrows(IllegalArgumentException.class, () -> shim.load(null, a));
        assertThrows(IllegalArgumentException.class, () -> shim.fetchAdd(null, a, 1));
        assertThrows(IllegalArgumentException.class, () -> shim.compareAndExchange(null, a, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> shim.fence(null));
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void concurrentFetchAddIsExact(String binding) throws InterruptedException {
        AtomicShim shim = shims.get(binding);
        MemorySegment slot = region.counterSlot(2);
        SegmentAtomics.setVolatile(slot, 0);
        long a = slot.address();
        int threads = 4;
        long each = 250_000;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            MemoryOrder order = MemoryOrder.values()[t % MemoryOrder.values().length];
            started.add(Thread.ofPlatform().start(() -> {
                for (long i = 0; i < each; i++) shim.fetchAdd(order, a, 1);
            }));
        }
        for (Thread t : started) t.join();
        assertEquals(threads * each, SegmentAtomics.getVolatile(slot));
    }

    // ---- worker groups -------------------------------------------------------------------------

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void gatedWorkersWaitThenCountExactly(String binding) throws InterruptedException {
        AtomicShim shim = shims.get(binding);
        MemorySegment slot = region.counterSlot(4);
        MemorySegment gate = region.controlWord(RegionLayout.CONTROL_START_GATE);
        MemorySegment ready = region.controlWord(RegionLayout.CONTROL_READY_COUNT);
        SegmentAtomics.setVolatile(slot, 0);
        long handle = shim.workersStart(slot.address(), 3, 100_000, gate.address(), ready.address(), 0);
        assertTrue(handle > 0);
        await("3 workers ready", () -> SegmentAtomics.getAcquire(ready) == 3);
        assertEquals(3, shim.workersAlive());
        assertEquals(0, SegmentAtomics.getVolatile(slot), "workers counted before the gate opened");
        SegmentAtomics.setRelease(gate, 1);
        assertEquals(300_000, shim.workersJoin(handle, 10_000));
        assertEquals(300_000, SegmentAtomics.getVolatile(slot));
        assertEquals(0, shim.workersAlive());
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void stopEndsAGroupEarlyAndJoinReportsWhatItDid(String binding) throws InterruptedException {
        AtomicShim shim = shims.get(binding);
        MemorySegment slot = region.counterSlot(5);
        SegmentAtomics.setVolatile(slot, 0);
        long handle = shim.workersStart(slot.address(), 2, Long.MAX_VALUE / 4, 0, 0, 0);
        await("workers counting", () -> SegmentAtomics.getVolatile(slot) > 1000);
        shim.workersStop(handle);
        long done = shim.workersJoin(handle, 10_000);
        assertTrue(done > 1000 && done < Long.MAX_VALUE / 4, "done " + done);
        assertEquals(done, SegmentAtomics.getVolatile(slot));
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void theCancelFlagEndsAGroup(String binding) throws InterruptedException {
        AtomicShim shim = shims.get(binding);
        MemorySegment slot = region.counterSlot(6);
        MemorySegment cancel = region.cancelFlag(1);
        SegmentAtomics.setVolatile(slot, 0);
        long handle = shim.workersStart(slot.address(), 2, Long.MAX_VALUE / 4, 0, 0, cancel.address());
        await("workers counting", () -> SegmentAtomics.getVolatile(slot) > 1000);
        SegmentAtomics.setRelease(cancel, 1);
        long done = shim.workersJoin(handle, 10_000);
        assertTrue(done > 1000, "done " + done);
        assertEquals(done, SegmentAtomics.getVolatile(slot));
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void joinTimesOutThenStopAndJoinAgainSucceed(String binding) throws InterruptedException {
        AtomicShim shim = shims.get(binding);
        MemorySegment slot = region.counterSlot(7);
        MemorySegment gate = region.controlWord(RegionLayout.CONTROL_START_GATE);
        SegmentAtomics.setVolatile(slot, 0);
        long handle = shim.workersStart(slot.address(), 2, 1_000, gate.address(), 0, 0);
        assertEquals(AtomicShim.JOIN_TIMED_OUT, shim.workersJoin(handle, 50));
        assertEquals(2, shim.workersAlive(), "a timed-out join must leave the group running");
        shim.workersStop(handle);
        assertEquals(0, shim.workersJoin(handle, 10_000), "stopped at the gate: no increments");
        assertEquals(0, SegmentAtomics.getVolatile(slot));
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void errnoResultsBecomeClearExceptions(String binding) {
        AtomicShim shim = shims.get(binding);
        long slot = region.counterAddress(8);

        NativeWorkerException zero = assertThrows(NativeWorkerException.class,
                () -> shim.workersStart(slot, 0, 10, 0, 0, 0));
        assertEquals(NativeWorkerException.EINVAL, zero.errno());
        assertEquals("interop_workers_start", zero.function());
        assertTrue(zero.getMessage().startsWith("interop_workers_start: EINVAL (bad arguments: slot=0x"
                + Long.toHexString(slot) + " threads=0 increments=10"), zero.getMessage());

        assertEquals(NativeWorkerException.EINVAL, assertThrows(NativeWorkerException.class,
                () -> shim.workersStart(slot + 4, 1, 10, 0, 0, 0)).errno(), "misaligned slot");
        assertEquals(NativeWorkerException.EINVAL, assertThrows(NativeWorkerException.class,
                () -> shim.workersStart(0, 1, 10, 0, 0, 0)).errno(), "NULL slot");

        long unknown = 1L << 50;
        assertEquals("interop_workers_stop: ENOENT (unknown worker handle " + unknown + ")",
                assertThrows(NativeWorkerException.class, () -> shim.workersStop(unknown)).getMessage());
        assertEquals("interop_workers_join: ENOENT (unknown worker handle " + unknown + ")",
                assertThrows(NativeWorkerException.class, () -> shim.workersJoin(unknown, 10)).getMessage());
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void aJoinedHandleIsGone(String binding) {
        AtomicShim shim = shims.get(binding);
        long handle = shim.workersStart(region.counterAddress(9), 1, 10, 0, 0, 0);
        assertEquals(10, shim.workersJoin(handle, 10_000));
        assertEquals(NativeWorkerException.ENOENT,
                assertThrows(NativeWorkerException.class, () -> shim.workersJoin(handle, 10)).errno());
        assertEquals(NativeWorkerException.ENOENT,
                assertThrows(NativeWorkerException.class, () -> shim.workersStop(handle)).errno());
    }

    @ParameterizedTest
    @MethodSource("bindings")
    void closingABindingEndsTheGroupsItStarted(String binding) throws InterruptedException {
        AtomicShim shim = switch (binding) {
            case "ffm" -> NativeLibrary.panama(false);
            case "ffm-critical" -> NativeLibrary.panama(true);
            default -> NativeLibrary.jnr();
        };
        MemorySegment slot = region.counterSlot(10);
        SegmentAtomics.setVolatile(slot, 0);
        shim.workersStart(slot.address(), 2, Long.MAX_VALUE / 4, 0, 0, 0);
        await("workers counting", () -> SegmentAtomics.getVolatile(slot) > 0);
        assertEquals(2, shim.workersAlive());
        shim.close();
        assertEquals(0, shim.workersAlive());
    }
}
