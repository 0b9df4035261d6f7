package testbed.ffi;

/**
 * The C shim (libinterop, native/include/interop.h) as seen from Java, one binding per
 * implementation ({@link PanamaShim}, {@link JnrShim}). Every binding must give the same results for
 * the same calls; {@code ShimConformanceTest} holds them to it.
 *
 * <p>Addresses are raw {@code long} addresses of 8-byte-aligned int64 slots, normally inside the
 * shared region ({@code Region.counterAddress(i)} etc.); 0 stands for NULL where the C API accepts
 * it. The shim does not check addresses: an address that is not mapped crashes the process.
 *
 * <p>Orders: an operation given an order C11 does not permit for it (see {@link MemoryOrder.Op})
 * throws {@link IllegalArgumentException} naming the operation and the order, before any native call.
 *
 * <p>Thread-safety: every method may be called from any thread at any time, as the C functions may.
 */
public interface AtomicShim extends AutoCloseable {

    /** What {@link #workersJoin} returns when the group is still running at the timeout: -ETIMEDOUT. */
    long JOIN_TIMED_OUT = -NativeWorkerException.ETIMEDOUT;

    /** atomic_load_explicit; orders: relaxed, acquire, seq_cst. */
    long load(MemoryOrder order, long address);

    /** atomic_store_explicit; orders: relaxed, release, seq_cst. */
    void store(MemoryOrder order, long address, long value);

    /** atomic_exchange_explicit: returns the previous value; every order. */
    long exchange(MemoryOrder order, long address, long value);

    /**
     * atomic_compare_exchange_strong_explicit: returns the witness, the value found at the address;
     * the exchange happened iff the witness equals {@code expected}. Every order; the failure order
     * is the strongest C11 allows for it (see interop.h).
     */
    long compareAndExchange(MemoryOrder order, long address, long expected, long desired);

    /** atomic_fetch_add_explicit: returns the previous value; every order. */
    long fetchAdd(MemoryOrder order, long address, long delta);

    /** atomic_thread_fence; every order (relaxed is a no-op). */
    void fence(MemoryOrder order);

    /**
     * Starts a native worker group: {@code threads} pthreads each doing {@code increments} seq_cst
     * fetch_adds of 1 on {@code slotAddress}, after incrementing {@code readyAddress} and waiting for
     * {@code gateAddress} to become non-zero (each skipped when 0), stopping early once
     * {@code cancelAddress} is non-zero (skipped when 0). Every address must stay mapped until the
     * group is joined.
     *
     * @return a handle &gt; 0 for {@link #workersStop} and {@link #workersJoin}
     * @throws NativeWorkerException for EINVAL (bad arguments), EAGAIN or ENOMEM (threads cannot be
     *     made; those already made were stopped and joined)
     */
    long workersStart(long slotAddress, int threads, long increments,
                      long gateAddress, long readyAddress, long cancelAddress);

    /**
     * Asks the group's threads to stop early; returns at once.
     *
     * @throws NativeWorkerException ENOENT for an unknown (or already joined) handle
     */
    void workersStop(long handle);

    /**
     * Waits up to {@code timeoutMillis} for the group to end, joins its threads and frees the handle.
     *
     * @return the total increments the group made (&ge; 0), or {@link #JOIN_TIMED_OUT} when the group
     *     is still running: the handle then stays valid, and the caller stops and joins again. A
     *     timeout is an expected outcome for callers that enforce deadlines, hence a value, not an
     *     exception.
     * @throws NativeWorkerException ENOENT for an unknown (or already joined) handle
     */
    long workersJoin(long handle, long timeoutMillis);

    /** Native worker threads alive in this process now, across every group and binding. */
    int workersAlive();

    /** The shim's version string, "interop-testbed shim &lt;version&gt;". */
    String version();

    /** The arch code the shim was compiled for ({@code RegionLayout.ARCH_*}), 0 if unknown. */
    int arch();

    /** The binding's name for reports: "ffm", "ffm-critical" or "jnr". */
    String name();

    /**
     * Stops and joins (bounded, 5 s per group) every worker group started through this object and
     * not yet joined, so that no native thread started here outlives it. The library stays loaded:
     * unloading it while another binding or a leftover thread runs its code would crash the process.
     *
     * @throws IllegalStateException if a group did not end within the bound
     */
    @Override
    void close();
}
