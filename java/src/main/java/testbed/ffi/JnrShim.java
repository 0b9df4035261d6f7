package testbed.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Pointer;

/**
 * The shim through jnr-ffi 2.3.3 (a JNI-based binding: jffi's stubs, interface methods generated
 * at load time).
 *
 * <p>Addresses of the atomic functions are declared {@code long} (C {@code int64_t *} is passed in
 * the same integer register as an int64 on x86_64 System V and AAPCS64). Measured on the 2-core x86_64 build machine, 3 M
 * fetch_add_seq_cst calls: {@code long} 9.5 ns, {@code long} with errno saving off 5.6 to 7.9 ns,
 * {@code Pointer.wrap(runtime, address)} per call 8.3 to 13 ns. The shim never sets errno (results
 * carry negative errno values), so the library is loaded with {@link LibraryOption#IgnoreError}.
 * interop_workers_start takes {@link Pointer}s instead; see its declaration for why.
 *
 * <p>The library stays loaded for the life of the process (see {@link AtomicShim#close()}).
 */
// Restricted FFM methods (linking, library lookup) are this class's purpose; the JVM is run
// with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
public final class JnrShim extends WorkerGroups {

    /** interop.h, declared for jnr-ffi: int64_t and pointers as long, int32_t as int. */
    public interface LibInterop {
        String interop_version();
        int interop_arch();

        long interop_load_relaxed(long p);
        long interop_load_acquire(long p);
        long interop_load_seq_cst(long p);

        void interop_store_relaxed(long p, long v);
        void interop_store_release(long p, long v);
        void interop_store_seq_cst(long p, long v);

        long interop_exchange_relaxed(long p, long v);
        long interop_exchange_acquire(long p, long v);
        long interop_exchange_release(long p, long v);
        long interop_exchange_acq_rel(long p, long v);
        long interop_exchange_seq_cst(long p, long v);

        long interop_cas_relaxed(long p, long expected, long desired);
        long interop_cas_acquire(long p, long expected, long desired);
        long interop_cas_release(long p, long expected, long desired);
        long interop_cas_acq_rel(long p, long expected, long desired);
        long interop_cas_seq_cst(long p, long expected, long desired);

        long interop_fetch_add_relaxed(long p, long delta);
        long interop_fetch_add_acquire(long p, long delta);
        long interop_fetch_add_release(long p, long delta);
        long interop_fetch_add_acq_rel(long p, long delta);
        long interop_fetch_add_seq_cst(long p, long delta);

        void interop_fence_relaxed();
        void interop_fence_acquire();
        void interop_fence_release();
        void interop_fence_acq_rel();
        void interop_fence_seq_cst();

        /*
         * Pointers, not longs: jffi's all-numeric fast path corrupts the 6th of six integer arguments
         * (jnr/jnr-ffi#181, still open; reproduced with 2.3.3 here: cancel_flag arrived as a stray
         * address). A Pointer parameter moves the call to the buffer invoker, which passes all six.
         * ShimConformanceTest's cancel-flag test fails if the flag does not arrive.
         */
        long interop_workers_start(Pointer slot, int threads, long increments, Pointer startGate,
                                   Pointer readyCount, Pointer cancelFlag);
        int interop_workers_stop(long handle);
        long interop_workers_join(long handle, long timeoutMs);
        int interop_workers_alive();
    }

    private final Path library;
    private final LibInterop lib;
    private final jnr.ffi.Runtime runtime;

    /**
     * Loads the shim from {@code library} after checking that it defines every function of
     * {@link LibInterop}: jnr-ffi itself reports a missing function only when it is first called.
     *
     * @throws IllegalStateException if the file is missing, lacks a function or cannot be loaded
     */
    public JnrShim(Path library) {
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException("native shim not found at " + library + ": run `make native`");
        }
        this.library = library;
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lookup = SymbolLookup.libraryLookup(library, arena);
            for (Method m : LibInterop.class.getMethods()) {
                if (lookup.find(m.getName()).isEmpty()) {
                    throw new IllegalStateException("native shim " + library + " has no function " + m.getName()
                            + ": rebuild it with `make native`");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the native shim " + library + ": " + e.getMessage(), e);
        }
        try {
            this.lib = LibraryLoader.create(LibInterop.class)
                    .option(LibraryOption.IgnoreError, true)
                    .load(library.toAbsolutePath().toString());
            this.runtime = jnr.ffi.Runtime.getRuntime(lib);
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException("jnr-ffi cannot load the native shim " + library + ": " + e, e);
        }
    }

    /** The raw jnr-ffi binding, for callers that measure it without the order dispatch. */
    public LibInterop library() {
        return lib;
    }

    @Override
    public long load(MemoryOrder order, long address) {
        return switch (order) {
            case RELAXED -> lib.interop_load_relaxed(address);
            case ACQUIRE -> lib.interop_load_acquire(address);
            case SEQ_CST -> lib.interop_load_seq_cst(address);
            case null, default -> throw MemoryOrder.Op.LOAD.invalid(order);
        };
    }

    @Override
    public void store(MemoryOrder order, long address, long value) {
        switch (order) {
            case RELAXED -> lib.interop_store_relaxed(address, value);
            case RELEASE -> lib.interop_store_release(address, value);
            case SEQ_CST -> lib.interop_store_seq_cst(address, value);
            case null, default -> throw MemoryOrder.Op.STORE.invalid(order);
        }
    }

    @Override
    public long exchange(MemoryOrder order, long address, long value) {
        return switch (order) {
            case RELAXED -> lib.interop_exchange_relaxed(address, value);
            case ACQUIRE -> lib.interop_exchange_acquire(address, value);
            case RELEASE -> lib.interop_exchange_release(address, value);
            case ACQ_REL -> lib.interop_exchange_acq_rel(address, value);
            case SEQ_CST -> lib.interop_exchange_seq_cst(address, value);
            case null -> throw MemoryOrder.Op.EXCHANGE.invalid(null);
        };
    }

    @Override
    public long compareAndExchange(MemoryOrder order, long address, long expected, long desired) {
        return switch (order) {
            case RELAXED -> lib.interop_cas_relaxed(address, expected, desired);
            case ACQUIRE -> lib.interop_cas_acquire(address, expected, desired);
            case RELEASE -> lib.interop_cas_release(address, expected, desired);
            case ACQ_REL -> lib.interop_cas_acq_rel(address, expected, desired);
            case SEQ_CST -> lib.interop_cas_seq_cst(address, expected, desired);
            case null -> throw MemoryOrder.Op.COMPARE_EXCHANGE.invalid(null);
        };
    }

    @Override
    public long fetchAdd(MemoryOrder order, long address, long delta) {
        return switch (order) {
            case RELAXED -> lib.interop_fetch_add_relaxed(address, delta);
            case ACQUIRE -> lib.interop_fetch_add_acquire(address, delta);
            case RELEASE -> lib.interop_fetch_add_release(address, delta);
            case ACQ_REL -> lib.interop_fetch_add_acq_rel(address, delta);
            case SEQ_CST -> lib.interop_fetch_add_seq_cst(address, delta);
            case null -> throw MemoryOrder.Op.FETCH_ADD.invalid(null);
        };
    }

    @Override
    public void fence(MemoryOrder order) {
        switch (order) {
            case RELAXED -> lib.interop_fence_relaxed();
            case ACQUIRE -> lib.interop_fence_acquire();
            case RELEASE -> lib.interop_fence_release();
            case ACQ_REL -> lib.interop_fence_acq_rel();
            case SEQ_CST -> lib.interop_fence_seq_cst();
            case null -> throw MemoryOrder.Op.FENCE.invalid(null);
        }
    }

    @Override
    protected long rawWorkersStart(long slot, int threads, long increments, long gate, long ready, long cancel) {
        return lib.interop_workers_start(pointer(slot), threads, increments, pointer(gate), pointer(ready),
                pointer(cancel));
    }

    @Override
    protected int rawWorkersStop(long handle) {
        return lib.interop_workers_stop(handle);
    }

    @Override
    protected long rawWorkersJoin(long handle, long timeoutMillis) {
        return lib.interop_workers_join(handle, timeoutMillis);
    }

    @Override
    public int workersAlive() {
        return lib.interop_workers_alive();
    }

    @Override
    public String version() {
        return lib.interop_version();
    }

    @Override
    public int arch() {
        return lib.interop_arch();
    }

    @Override
    public String name() {
        return "jnr";
    }

    @Override
    public String toString() {
        return "JnrShim[" + library + "]";
    }

    /** A jnr-ffi Pointer for a raw address; 0 is NULL. */
    private Pointer pointer(long address) {
        return address == 0 ? null : Pointer.wrap(runtime, address);
    }
}
