package testbed.litmus.lang;

import testbed.litmus.lang.Strength;

/**
 * One statement of a thread, in the subset of herd's C dialect this engine supports
 * (docs/LITMUS.md). Every memory order is a {@link Strength}: {@code PLAIN} is a
 * non-atomic access ({@code *x = 1;}, {@code int r0 = *x;}). Locations are named as in
 * the thread's parameters; a register is null where the result is discarded.
 */
public sealed interface Statement {
    Position at();

    /** {@code atomic_store_explicit(x, value, order);}, {@code atomic_store(x, value);} or {@code *x = value;}. */
    record Store(String location, long value, Strength order, Position at) implements Statement { }

    /** {@code int r = atomic_load_explicit(x, order);}, {@code atomic_load(x)} or {@code int r = *x;}. */
    record Load(String register, String location, Strength order, Position at) implements Statement { }

    /** {@code [int r =] atomic_exchange_explicit(x, value, order);}: r gets the old value. */
    record Exchange(String register, String location, long value, Strength order, Position at) implements Statement { }

    /**
     * {@code [int r =] atomic_fetch_add_explicit(x, delta, order);} ({@code _sub} is a
     * negative delta): r gets the old value.
     */
    record FetchAdd(String register, String location, long delta, Strength order, Position at) implements Statement { }

    /**
     * {@code [int r =] atomic_compare_exchange_strong_explicit(x, e, desired, success, failure);}
     * as C11 defines it: e is a non-atomic location holding the expected value; if x
     * holds it, x becomes {@code desired} (an RMW of order {@code success}), else the value
     * of x is written to e (a load of x of order {@code failure}, then a plain store to e).
     * r gets 1 on success, 0 on failure.
     */
    record CompareExchange(String register, String location, String expected, long desired,
                           Strength success, Strength failure, Position at) implements Statement { }

    /** {@code atomic_thread_fence(order);} */
    record Fence(Strength order, Position at) implements Statement { }
}
