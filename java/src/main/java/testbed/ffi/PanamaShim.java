package testbed.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shim through the FFM API (java.lang.foreign, final since JDK 22).
 *
 * <p>Every C function's address is looked up once, at construction, and a missing one fails there.
 * Calls go through downcall handles that take the target address as their first argument
 * ({@link Linker#downcallHandle(FunctionDescriptor, Linker.Option...)}), one per C signature, held
 * in static finals: the JIT treats them as constants and inlines the call stub. A handle bound to a
 * symbol and kept in an instance field is not a JIT constant and measured about 5 ns slower per call
 * on the 2-core x86_64 build machine (14.4 vs 9.3 ns for fetch_add_seq_cst).
 *
 * <p>Addresses are passed as {@code JAVA_LONG}, not {@code ADDRESS}: on LP64 System V (x86_64) and
 * AAPCS64 (AArch64), the two supported ABIs, a pointer and an int64 argument travel in the same
 * integer register, and a long needs no {@link MemorySegment} wrapper per call.
 *
 * <p>With {@code critical} true, the short atomic functions (not the worker functions, which may
 * block) are called with {@link Linker.Option#critical(boolean) critical(false)}: no thread-state
 * transition, so a call cannot be interrupted by a safepoint and a GC waits for it to return. This
 * is safe because those functions run for nanoseconds and never call back into Java.
 *
 * <p>The library is loaded into the global arena and never unloaded (see {@link AtomicShim#close()}).
 */
// Restricted FFM methods (linking, library lookup) are this class's purpose; the JVM is run
// with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
public final class PanamaShim extends WorkerGroups {

    private static final Linker LINKER = Linker.nativeLinker();

    private static final FunctionDescriptor LOAD_FD = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor STORE_FD = FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor RMW_FD = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor CAS_FD = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor FENCE_FD = FunctionDescriptor.ofVoid();

    private static final MethodHandle LOAD = LINKER.downcallHandle(LOAD_FD);
    private static final MethodHandle STORE = LINKER.downcallHandle(STORE_FD);
    private static final MethodHandle RMW = LINKER.downcallHandle(RMW_FD);
    private static final MethodHandle CAS = LINKER.downcallHandle(CAS_FD);
    private static final MethodHandle FENCE = LINKER.downcallHandle(FENCE_FD);

    private static final Linker.Option CRITICAL = Linker.Option.critical(false);
    private static final MethodHandle LOAD_CRITICAL = LINKER.downcallHandle(LOAD_FD, CRITICAL);
    private static final MethodHandle STORE_CRITICAL = LINKER.downcallHandle(STORE_FD, CRITICAL);
    private static final MethodHandle RMW_CRITICAL = LINKER.downcallHandle(RMW_FD, CRITICAL);
    private static final MethodHandle CAS_CRITICAL = LINKER.downcallHandle(CAS_FD, CRITICAL);
    private static final MethodHandle FENCE_CRITICAL = LINKER.downcallHandle(FENCE_FD, CRITICAL);

    private static final MethodHandle VERSION = LINKER.downcallHandle(FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle ARCH = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle WORKERS_START = LINKER.downcallHandle(FunctionDescriptor.of(
            JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WORKERS_STOP = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle WORKERS_JOIN = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WORKERS_ALIVE = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT));

    private final Path library;
    private final boolean critical;
    // Function addresses, indexed by MemoryOrder.ordinal(); null where C11 has no such function.
    private final MemorySegment[] load;
    private final MemorySegment[] store;
    private final MemorySegment[] exchange;
    private final MemorySegment[] cas;
    private final MemorySegment[] fetchAdd;
    private final MemorySegment[] fence;
    private final MemorySegment version;
    private final MemorySegment arch;
    private final MemorySegment workersStart;
    private final MemorySegment workersStop;
    private final MemorySegment workersJoin;
    private final MemorySegment workersAlive;

    /**
     * Loads the shim from {@code library} and resolves every function of interop.h.
     *
     * @throws IllegalStateException if the file is missing, is not a library, or lacks a function
     */
    public PanamaShim(Path library, boolean critical) {
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException("native shim not found at " + library + ": run `make native`");
        }
        this.library = library;
        this.critical = critical;
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the native shim " + library + ": " + e.getMessage(), e);
        }
        this.load = resolve(lookup, MemoryOrder.Op.LOAD);
        this.store = resolve(lookup, MemoryOrder.Op.STORE);
        this.exchange = resolve(lookup, MemoryOrder.Op.EXCHANGE);
        this.cas = resolve(lookup, MemoryOrder.Op.COMPARE_EXCHANGE);
        this.fetchAdd = resolve(lookup, MemoryOrder.Op.FETCH_ADD);
        this.fence = resolve(lookup, MemoryOrder.Op.FENCE);
        this.version = find(lookup, "interop_version");
        this.arch = find(lookup, "interop_arch");
        this.workersStart = find(lookup, "interop_workers_start");
        this.workersStop = find(lookup, "interop_workers_stop");
        this.workersJoin = find(lookup, "interop_workers_join");
        this.workersAlive = find(lookup, "interop_workers_alive");
    }

    /** The library file this shim was loaded from. */
    public Path library() {
        return library;
    }

    /** True if the atomic functions are called as critical downcalls. */
    public boolean critical() {
        return critical;
    }

    @Override
    public long load(MemoryOrder order, long address) {
        MemorySegment fn = function(load, MemoryOrder.Op.LOAD, order);
        try {
            return critical ? (long) LOAD_CRITICAL.invokeExact(fn, address) : (long) LOAD.invokeExact(fn, address);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void store(MemoryOrder order, long address, long value) {
        MemorySegment fn = function(store, MemoryOrder.Op.STORE, order);
        try {
            if (critical) {
                STORE_CRITICAL.invokeExact(fn, address, value);
            } else {
                STORE.invokeExact(fn, address, value);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long exchange(MemoryOrder order, long address, long value) {
        return rmw(function(exchange, MemoryOrder.Op.EXCHANGE, order), address, value);
    }

    @Override
    public long compareAndExchange(MemoryOrder order, long address, long expected, long desired) {
        MemorySegment fn = function(cas, MemoryOrder.Op.COMPARE_EXCHANGE, order);
        try {
            return critical
                    ? (long) CAS_CRITICAL.invokeExact(fn, address, expected, desired)
                    : (long) CAS.invokeExact(fn, address, expected, desired);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long fetchAdd(MemoryOrder order, long address, long delta) {
        return rmw(function(fetchAdd, MemoryOrder.Op.FETCH_ADD, order), address, delta);
    }

    @Override
    public void fence(MemoryOrder order) {
        MemorySegment fn = function(fence, MemoryOrder.Op.FENCE, order);
        try {
            if (critical) {
                FENCE_CRITICAL.invokeExact(fn);
            } else {
                FENCE.invokeExact(fn);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected long rawWorkersStart(long slot, int threads, long increments, long gate, long ready, long cancel) {
        try {
            return (long) WORKERS_START.invokeExact(workersStart, slot, threads, increments, gate, ready, cancel);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawWorkersStop(long handle) {
        try {
            return (int) WORKERS_STOP.invokeExact(workersStop, handle);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected long rawWorkersJoin(long handle, long timeoutMillis) {
        try {
            return (long) WORKERS_JOIN.invokeExact(workersJoin, handle, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int workersAlive() {
        try {
            return (int) WORKERS_ALIVE.invokeExact(workersAlive);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String version() {
        try {
            MemorySegment s = (MemorySegment) VERSION.invokeExact(version);
            // Static NUL-terminated storage in the library; 4 KiB bounds the scan.
            return s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int arch() {
        try {
            return (int) ARCH.invokeExact(arch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String name() {
        return critical ? "ffm-critical" : "ffm";
    }

    @Override
    public String toString() {
        return "PanamaShim[" + name() + ", " + library + "]";
    }

    private long rmw(MemorySegment fn, long address, long operand) {
        try {
            return critical ? (long) RMW_CRITICAL.invokeExact(fn, address, operand) : (long) RMW.invokeExact(fn, address, operand);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment function(MemorySegment[] table, MemoryOrder.Op op, MemoryOrder order) {
        MemorySegment fn = order == null ? null : table[order.ordinal()];
        if (fn == null) {
            throw op.invalid(order);
        }
        return fn;
    }

    private MemorySegment[] resolve(SymbolLookup lookup, MemoryOrder.Op op) {
        MemorySegment[] table = new MemorySegment[MemoryOrder.values().length];
        for (MemoryOrder order : op.orders()) {
            table[order.ordinal()] = find(lookup, op.symbol(order));
        }
        return table;
    }

    private MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new IllegalStateException(
                "native shim " + library + " has no function " + symbol + ": rebuild it with `make native`"));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("downcall failed: " + t, t);
    }
}
