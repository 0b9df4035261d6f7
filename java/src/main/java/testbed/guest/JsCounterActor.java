package testbed.guest;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;

/**
 * One JavaScript counters actor: its own thread and its own context. The thread makes the
 * context and evaluates the script, counts itself ready, waits for the start gate, then
 * calls the script's function once for all its increments.
 *
 * <p>A script that does not evaluate, does not give a function, or throws, and an engine
 * that cannot start, end the actor with {@link #failure()} holding the guest's own message;
 * the actor still counts itself ready, so the gate opens for the others at once.
 */
public final class JsCounterActor {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final CounterScript script;
    private final int slot;
    private final Thread thread;
    /** Increments of the rehearsal each actor runs on its scratch word before it counts itself ready. */
    static final long REHEARSAL = 20_000;

    private volatile long done;
    private volatile long elapsedNs;
    private volatile String failure;
    private volatile Context context;

    private JsCounterActor(CounterScript script, int slot, Thread thread) {
        this.script = script;
        this.slot = slot;
        this.thread = thread;
    }

    /**
     * Starts the actor.
     *
     * @param region     the whole region (the guest's buffer and host object cover it)
     * @param slotOffset the slot's byte offset in {@code region}
     * @param gate       the start gate word: the actor runs once it is non-zero
     * @param ready      the ready count the actor adds 1 to
     * @param scratchOffset a word of {@code region} that nobody else uses: the actor rehearses
     *     its script there ({@value #REHEARSAL} increments) before it counts itself ready, so that
     *     its first real increment is not hundreds of milliseconds of first-use work after the
     *     gate, when the host actors may already be done; the word is zeroed afterwards
     */
    public static JsCounterActor start(GuestRuntime guest, CounterScript script, int slot, MemorySegment region,
                                       long slotOffset, long scratchOffset, MemorySegment gate, MemorySegment ready, long n) {
        JsCounterActor[] self = new JsCounterActor[1];
        Thread t = Thread.ofPlatform().daemon().name("counters-" + script.name() + "-" + slot).unstarted(() -> self[0].body(
                guest, region, slotOffset, scratchOffset, gate, ready, n));
        self[0] = new JsCounterActor(script, slot, t);
        t.start();
        return self[0];
    }

    private void body(GuestRuntime guest, MemorySegment region, long slotOffset, long scratchOffset, MemorySegment gate,
                      MemorySegment ready, long n) {
        boolean counted = false;
        try (Context cx = guest.newContext()) {
            context = cx;
            Value fn = cx.eval(Source.newBuilder(GuestRuntime.LANGUAGE, script.source(), script.name() + ".js").buildLiteral());
            if (!fn.canExecute()) {
                throw new IllegalArgumentException("the script evaluated to " + fn + ", not a function");
            }
            ByteBuffer buffer = region.asByteBuffer();
            GuestRegion host = new GuestRegion(region);
            fn.execute(buffer, host, scratchOffset, REHEARSAL);
            LONG.setVolatile(region, scratchOffset, 0L);
            LONG.getAndAdd(ready, 0L, 1L);
            counted = true;
            long spins = 0;
            while ((long) LONG.getVolatile(gate, 0L) == 0L) {
                if (++spins % 256 == 0) Thread.yield();
                else Thread.onSpinWait();
            }
            long t0 = System.nanoTime();
            Value r = fn.execute(buffer, host, slotOffset, n);
            elapsedNs = System.nanoTime() - t0;
            if (!r.fitsInLong()) throw new IllegalArgumentException("the script returned " + r + ", not a count");
            done = r.asLong();
        } catch (RuntimeException e) {
            failure = String.format(Locale.ROOT, "%s actor on slot %d: %s", script.name(), slot, GuestRuntime.message(e));
        } finally {
            if (!counted) LONG.getAndAdd(ready, 0L, 1L);
        }
    }

    /**
     * Cancels the guest wherever it is (a script that never returns): its context is closed
     * from this thread, the guest's thread sees the cancellation and ends.
     */
    public void cancel() {
        Context cx = context;
        if (cx != null) {
            try {
                cx.close(true);
            } catch (RuntimeException e) {
                // Closed already, by its own thread.
            }
        }
    }

    /** Waits for the actor; false if it is still running after {@code bound}. */
    public boolean join(Duration bound) throws InterruptedException {
        return thread.join(bound);
    }

    /** Increments the script reported (0 if it failed). */
    public long done() {
        return done;
    }

    /** How long the script's run took, from the gate to its return. */
    public long elapsedNs() {
        return elapsedNs;
    }

    /** Null, or why the actor failed, with the guest's message. */
    public String failure() {
        return failure;
    }

    public CounterScript script() {
        return script;
    }
}
