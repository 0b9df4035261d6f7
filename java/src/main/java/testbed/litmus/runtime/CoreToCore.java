package testbed.litmus.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * How long a cache line takes to go from the first allowed CPU to the second and back: two
 * platform threads pinned as actors 0 and 1 are ({@link Affinity}), handing one volatile word
 * back and forth. On a virtual machine this is not a constant: the host may run the two
 * vCPUs on neighbouring cores one second and on distant ones the next (on the 2-vCPU build
 * machine, 60-90 ns against 330-420 ns), and every litmus figure moves with it, so {@code
 * make bench-litmus} measures it beside each repetition.
 */
public final class CoreToCore {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    /** The word both threads hand back and forth, with no other data on its 128 bytes. */
    private static final int AT = 16;
    /** The pong side's state, on a line of its own: 1 pinned and ready, -1 could not pin. */
    private static final int READY = 48;
    /** Set by the ping side when it gives up, so that the pong side never outlives it. */
    private static final int ABANDONED = 80;
    /** A probe that cannot finish within this long (a CPU taken by something else) reports nothing. */
    private static final long BOUND_NS = 2_000_000_000L;

    private CoreToCore() {}

    /**
     * The median over {@code batches} batches of {@code trips} round trips of the nanoseconds one
     * round trip took; empty when there are fewer than two CPUs, a thread could not be pinned, or
     * a batch did not finish within 2 s.
     */
    public static OptionalDouble roundTripNanos(int batches, int trips) {
        if (batches < 1 || trips < 1) throw new IllegalArgumentException("batches and trips must be positive");
        if (Runtime.getRuntime().availableProcessors() < 2) return OptionalDouble.empty();
        double[] each = new double[batches];
        for (int b = 0; b < batches; b++) {
            double ns = batch(trips);
            if (Double.isNaN(ns)) return OptionalDouble.empty();
            each[b] = ns;
        }
        Arrays.sort(each);
        return OptionalDouble.of(batches % 2 == 1 ? each[batches / 2] : (each[batches / 2 - 1] + each[batches / 2]) / 2);
    }

    /** One batch: NaN when it could not run or finish. Both threads end by the deadline, whatever happens. */
    private static double batch(int trips) {
        long[] words = new long[AT + ABANDONED];
        long deadline = System.nanoTime() + BOUND_NS;
        Thread pong = Thread.ofPlatform().daemon().name("core-to-core-pong").start(() -> {
            WORDS.setVolatile(words, READY, Affinity.pinToNthAllowedCpu(1) >= 0 ? 1L : -1L);
            long polls = 0;
            for (long i = 0; i < trips; i++) {
                long want = 2 * i + 1;
                while ((long) WORDS.getVolatile(words, AT) != want) {
                    if ((++polls & 1023) == 0
                            && ((long) WORDS.getVolatile(words, ABANDONED) != 0 || System.nanoTime() > deadline)) return;
                    Thread.onSpinWait();
                }
                WORDS.setVolatile(words, AT, want + 1);
            }
        });
        // Pinning a thread changes its affinity for good: the ping side gets a thread of its own too.
        double[] out = {Double.NaN};
        Thread ping = Thread.ofPlatform().daemon().name("core-to-core-ping").start(() -> {
            try {
                if (Affinity.pinToNthAllowedCpu(0) < 0) return;
                long ready;
                while ((ready = (long) WORDS.getVolatile(words, READY)) == 0) {
                    if (System.nanoTime() > deadline) return;
                    Thread.onSpinWait();
                }
                if (ready < 0) return;
                long t0 = System.nanoTime();
                for (long i = 0; i < trips; i++) {
                    WORDS.setVolatile(words, AT, 2 * i + 1);
                    while ((long) WORDS.getVolatile(words, AT) != 2 * i + 2) {
                        if (System.nanoTime() > deadline) return;
                        Thread.onSpinWait();
                    }
                }
                out[0] = (double) (System.nanoTime() - t0) / trips;
            } finally {
                WORDS.setVolatile(words, ABANDONED, 1L);
            }
        });
        try {
            ping.join(BOUND_NS / 1_000_000 + 1_000);
            pong.join(BOUND_NS / 1_000_000 + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
        // Both threads give up at the deadline; the joins' bound only guards against a bug.
        return !ping.isAlive() && !pong.isAlive() ? out[0] : Double.NaN;
    }
}
