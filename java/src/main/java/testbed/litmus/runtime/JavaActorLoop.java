package testbed.litmus.runtime;

import static testbed.litmus.runtime.LitmusSection.ABORT;
import static testbed.litmus.runtime.LitmusSection.ARRIVED;
import static testbed.litmus.runtime.LitmusSection.DONE;
import static testbed.litmus.runtime.LitmusSection.EPOCH;
import static testbed.litmus.runtime.LitmusSection.LATE;
import static testbed.litmus.runtime.LitmusSection.LEAD_MAX_NS;
import static testbed.litmus.runtime.LitmusSection.LEAD_MIN_NS;
import static testbed.litmus.runtime.LitmusSection.LEAD_NS;
import static testbed.litmus.runtime.LitmusSection.READY;
import static testbed.litmus.runtime.LitmusSection.ROUNDS;
import static testbed.litmus.runtime.LitmusSection.START_NS;
import static testbed.litmus.runtime.LitmusSection.STOP;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread body of one Java litmus actor ({@link JavaActor}): the actor loop of docs/LITMUS.md
 * ("One actor's loop") over the section, with the descriptor read once at start into fields, so
 * that a round reads no descriptor word and allocates nothing. It waits for each round (spin,
 * yield, then park in doubling steps, checking {@code epoch}, {@code abort} and {@code done}
 * between every step), runs the kernel on every instance, arrives, and, the last to arrive,
 * consumes the round into the histogram and releases the next one.
 *
 * <p>Before round 1 it rehearses the whole loop on scratch memory in the section ({@link #warmUp}),
 * so that the test does not begin interpreted.
 */
final class JavaActorLoop implements Runnable {
    // A round of stride 1024 (two kernels and one consume) took 7 to 15 us on the 2-core x86_64
    // build machine: a spin phase of 100 us covers a peer's round and the consume without a system
    // call. With more actors than CPUs a waiter spins only briefly: it holds a CPU that an actor
    // with work needs (4 Java actors on 2 CPUs: 14 M samples/s at stride 1024).
    static final long SPIN_NS = 100_000;
    static final long SPIN_SHARED_NS = 2_000;
    // Past 1 ms of waiting the round is not coming soon (round 1 not released yet, a peer lost its
    // CPU): park, 20 us first, doubling up to 1 ms, which bounds the abort latency
    // (docs/LITMUS.md, "Waiting").
    static final long YIELD_NS = 1_000_000;
    static final long PARK_MIN_NS = 20_000;
    static final long PARK_MAX_NS = 1_000_000;

    // Warm-up (see warmUp): 2000 rounds pass C2's compile thresholds for the kernel's loop
    // and the consume step; 64 instances a round keep it to tens of milliseconds.
    static final int WARM_ROUNDS = 2000;
    // A guest kernel (ThreadBoundKernel) rehearses fewer rounds: its interpreted first runs cost
    // 1 to 4 s for 2000 rounds on the 2-core build machine, and the Java loop around it is the
    // same code the Java kernels' rehearsals have compiled already.
    static final int GUEST_WARM_ROUNDS = 256;
    /** Whether this JVM runs interpreted only ({@code -Xint}): then nothing is rehearsed. */
    static final boolean INTERPRETED = String.valueOf(System.getProperty("java.vm.info")).contains("interpreted mode");
    static final int WARM_STRIDE = 64;
    static final long WARM_ALIGN = 4096;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    // Kernels that do nothing, for the warm-up only (see warmUp); two lambdas, two classes.
    private static final JavaKernel IDLE_A = (s, loc, ls, r, rs, n) -> { };
    private static final JavaKernel IDLE_B = (s, loc, ls, r, rs, n) -> { };
    /** "kernel/n_gather" pairs already warmed in this JVM. */
    private static final Set<String> WARMED = ConcurrentHashMap.newKeySet();

    private static final int GO = 0;
    private static final int LEAVE_DONE = 1;
    private static final int LEAVE_ABORT = 2;
    private static final int LEAVE_STALL = 3;

    private final MemorySegment s;
    private final Descriptor descriptor;
    private final String kernelName;
    private final int actor;
    private final JavaKernel kernel;
    private final long stallNs;
    private final long spinNs;
    private final int nActors;
    private final int stride;
    private final int nGather;
    private final long maxRounds;
    private final long locOffset, locStride;
    private final long resultOffset, resultStride;
    private final long histOffset;
    /** The histogram's radix, and its top digit, where a value outside 0..top counts. */
    private final long radix, top;
    private final long g0, g0s, g1, g1s, g2, g2s, g3, g3s;
    // The areas the consumer zeroes, sliced once: no allocation per round.
    private final MemorySegment[] zero;

    // The actor thread's own counts.
    private long rounds;
    private long consumed;

    // Written by the actor's thread before it ends; read after Thread.join.
    ActorResult result;
    Throwable failure;

    JavaActorLoop(MemorySegment s, Descriptor d, int actor, String kernelName, JavaKernel kernel, long stallNs) {
        this.s = s;
        this.descriptor = d;
        this.kernelName = kernelName;
        this.actor = actor;
        this.kernel = kernel;
        this.stallNs = stallNs;
        this.nActors = d.actors();
        this.spinNs = nActors <= Runtime.getRuntime().availableProcessors() ? SPIN_NS : SPIN_SHARED_NS;
        this.stride = d.stride();
        this.nGather = d.gather();
        this.maxRounds = d.maxRounds();
        this.locOffset = d.locOffset();
        this.locStride = d.locStride();
        this.resultOffset = d.resultOffset(actor);
        this.resultStride = d.resultStride(actor);
        this.histOffset = d.histOffset();
        this.radix = d.radix();
        this.top = d.radix() - 1;
        long[][] g = d.gatherSlots();
        this.g0 = g[0][0];
        this.g0s = g[0][1];
        this.g1 = nGather > 1 ? g[1][0] : 0;
        this.g1s = nGather > 1 ? g[1][1] : 0;
        this.g2 = nGather > 2 ? g[2][0] : 0;
        this.g2s = nGather > 2 ? g[2][1] : 0;
        this.g3 = nGather > 3 ? g[3][0] : 0;
        this.g3s = nGather > 3 ? g[3][1] : 0;
        long[][] areas = d.dataAreas();
        this.zero = new MemorySegment[areas.length];
        for (int i = 0; i < areas.length; i++) {
            zero[i] = s.asSlice(areas[i][0], areas[i][1]);
        }
    }

    @Override
    public void run() {
        try {
            if (kernel instanceof ThreadBoundKernel tb) tb.open();
            result = loop();
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (kernel instanceof ThreadBoundKernel tb) {
                try {
                    tb.close();
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                }
            }
        }
    }

    private ActorResult loop() {
        // Best effort: an actor that cannot be pinned still runs correctly.
        Affinity.pinToNthAllowedCpu(actor);
        warmUp();
        LONG.getAndAdd(s, READY, 1L);
        long began = 0;
        for (long r = 1; ; r++) {
            int w = await(r);
            // Abort wins over a released round: the runner wants everyone out.
            if (w != GO || (long) LONG.getAcquire(s, ABORT) != 0) {
                return leave(w, r, rounds == 0 ? 0 : System.nanoTime() - began);
            }
            if (r == 1) {
                began = System.nanoTime();
            }
            round(r);
        }
    }

    /** Round r, once released: the kernel on every instance, arrive, and consume if last. */
    private void round(long r) {
        awaitStart();
        kernel.run(s, locOffset, locStride, resultOffset, resultStride, stride);
        rounds++;
        // Seq_cst RMW: every kernel write of this round precedes it in each actor, and the
        // last arriver reads the last value in arrived's modification order (LITMUS.md).
        long n = (long) LONG.getAndAdd(s, ARRIVED, 1L) + 1;
        if (n == nActors) {
            consume(r);
            consumed++;
        }
    }

    /**
     * Rehearses this actor's loop {@value #WARM_ROUNDS} rounds long on a private scratch copy
     * of the test's layout (at most {@value #WARM_STRIDE} instances), so that the JIT has
     * compiled the kernel, the round and the consume step before round 1, instead of the
     * first hundreds of milliseconds of the test running interpreted (measured: about 1 M
     * samples/s for the first 200 ms of a cold kernel at stride 1024, 30 to 70 M/s compiled).
     * Once per kernel and gather count in this JVM.
     *
     * <p>The rehearsal takes every path the test will take (consumer and not, a wait that
     * ends in each of its four ways, stop and max_rounds, a failed CAS), because C2 compiles
     * a branch never taken as a trap: the first real use of it would throw the compiled code
     * away mid-test. For the same reason the round's kernel call sees two idle kernels too: a
     * call site that has seen several classes does not deoptimise for the next kernel.
     *
     * <p>The scratch lies in the section itself, past every byte the descriptor uses, one
     * page-aligned area per actor index: compiled code specialises on the segment's class,
     * and warming on memory of another class (a heap or arena segment) left the kernel 50
     * times slower on the mapped section. It is zeroed afterwards (and by
     * {@link LitmusSection#reset()}); with no room for it, the actor starts cold.
     */
    private void warmUp() {
        // Interpreted (-Xint) nothing is compiled, so a rehearsal buys nothing and cost 570 to
        // 960 ms a kernel (docs/LITMUS.md, "JIT modes").
        if (INTERPRETED) return;
        String key = kernelName + "/" + nGather;
        if (!WARMED.add(key)) {
            return;
        }
        int warmRounds = kernel instanceof ThreadBoundKernel ? GUEST_WARM_ROUNDS : WARM_ROUNDS;
        Descriptor w = descriptor.withStride(Math.min(stride, WARM_STRIDE)).withMaxRounds(warmRounds);
        long size = Descriptor.alignUp(w.end(), WARM_ALIGN);
        long base = Descriptor.alignUp(descriptor.end(), WARM_ALIGN) + actor * size;
        if (base + size > s.byteSize()) {
            WARMED.remove(key);
            return;
        }
        MemorySegment scratch = s.asSlice(base, size);
        try {
            // Stall bound 1 ns: a wait with nothing released ends after two spin batches.
            JavaActorLoop warm = new JavaActorLoop(scratch, w, actor, kernelName, kernel, 1);
            // Once: a wait through the spin, yield and park phases.
            new JavaActorLoop(scratch, w, actor, kernelName, kernel, YIELD_NS + PARK_MIN_NS).rehearseWaits(1);
            JavaActorLoop idleA = new JavaActorLoop(scratch, w, actor, "idle", IDLE_A, 1);
            JavaActorLoop idleB = new JavaActorLoop(scratch, w, actor, "idle", IDLE_B, 1);
            for (int r = 1; r <= warmRounds; r++) {
                if (r % 64 == 0) {
                    warm.rehearseWaits(r);
                    LONG.setOpaque(scratch, ARRIVED, 0L);
                    idleA.round(r);
                    LONG.setOpaque(scratch, ARRIVED, 0L);
                    idleB.round(r);
                }
                LONG.setRelease(scratch, EPOCH, (long) r);
                warm.await(r);
                // Odd rounds: the others have arrived and this actor consumes (and zeroes);
                // even rounds: it is not the last, nothing is zeroed, the next CAS fails.
                boolean last = (r & 1) == 1 || r == warmRounds;
                LONG.setOpaque(scratch, ARRIVED, last ? (long) nActors - 1 : 0L);
                LONG.setOpaque(scratch, STOP, r == warmRounds / 2 + 1 ? 1L : 0L);
                warm.round(r);
                LONG.setOpaque(scratch, DONE, 0L);
            }
        } finally {
            scratch.fill((byte) 0);
        }
    }

    /** Waits for round r that end by done, by abort, and by the (1 ns) stall bound. */
    private void rehearseWaits(long r) {
        LONG.setRelease(s, EPOCH, r - 1);
        LONG.setRelease(s, DONE, 1L);
        await(r);
        LONG.setRelease(s, DONE, 0L);
        LONG.setRelease(s, ABORT, 1L);
        await(r);
        LONG.setRelease(s, ABORT, 0L);
        await(r);
    }

    private ActorResult leave(int w, long r, long elapsed) {
        if (w == LEAVE_ABORT || (long) LONG.getAcquire(s, ABORT) != 0) {
            return new ActorResult(rounds, consumed, ActorResult.ABORT_WORD,
                    "saw the abort word while waiting for round " + r, elapsed);
        }
        if (w == LEAVE_STALL) {
            return new ActorResult(rounds, consumed, ActorResult.OWN_STALL,
                    "round " + r + " not released within the stall timeout of "
                            + TimeUnit.NANOSECONDS.toMillis(stallNs) + " ms (arrived "
                            + (long) LONG.getAcquire(s, ARRIVED) + " of " + nActors + ", ready "
                            + (long) LONG.getAcquire(s, READY) + ")", elapsed);
        }
        return new ActorResult(rounds, consumed, ActorResult.COMPLETED, "", elapsed);
    }

    /** Waits until round r is released (GO), done, aborted, or the stall timeout passes. */
    private int await(long r) {
        long begin = 0;
        long nap = PARK_MIN_NS;
        int spins = 0;
        while (true) {
            if ((long) LONG.getAcquire(s, EPOCH) >= r) {
                return GO;
            }
            if ((long) LONG.getAcquire(s, ABORT) != 0) {
                return LEAVE_ABORT;
            }
            if ((long) LONG.getAcquire(s, DONE) != 0) {
                return (long) LONG.getAcquire(s, EPOCH) >= r ? GO : LEAVE_DONE;
            }
            if (++spins < 64) {
                Thread.onSpinWait();
                continue;
            }
            spins = 0;
            long now = System.nanoTime();
            if (begin == 0) {
                begin = now;
            }
            long waited = now - begin;
            if (waited >= stallNs) {
                return LEAVE_STALL;
            }
            if (waited < spinNs) {
                continue;
            }
            // Past the spin phase every turn of the loop reads the clock again.
            spins = 64;
            if (waited < YIELD_NS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(nap);
                nap = Math.min(2 * nap, PARK_MAX_NS);
            }
        }
    }

    /**
     * The last arriver's work (LITMUS.md): count every instance's outcome, zero the data, reset
     * arrived, publish rounds, then release the next round or set done.
     */
    private void consume(long r) {
        MemorySegment s = this.s;
        long h = histOffset;
        long b = radix, t = top;
        int n = stride;
        switch (nGather) {
            case 1 -> {
                long a0 = g0;
                for (int i = 0; i < n; i++, a0 += g0s) {
                    bump(s, h, digit((long) LONG.get(s, a0), t));
                }
            }
            case 2 -> {
                long a0 = g0, a1 = g1;
                for (int i = 0; i < n; i++, a0 += g0s, a1 += g1s) {
                    bump(s, h, digit((long) LONG.get(s, a0), t) * b + digit((long) LONG.get(s, a1), t));
                }
            }
            case 3 -> {
                long a0 = g0, a1 = g1, a2 = g2;
                for (int i = 0; i < n; i++, a0 += g0s, a1 += g1s, a2 += g2s) {
                    bump(s, h, (digit((long) LONG.get(s, a0), t) * b + digit((long) LONG.get(s, a1), t)) * b
                            + digit((long) LONG.get(s, a2), t));
                }
            }
            default -> {
                long a0 = g0, a1 = g1, a2 = g2, a3 = g3;
                for (int i = 0; i < n; i++, a0 += g0s, a1 += g1s, a2 += g2s, a3 += g3s) {
                    bump(s, h, ((digit((long) LONG.get(s, a0), t) * b + digit((long) LONG.get(s, a1), t)) * b
                            + digit((long) LONG.get(s, a2), t)) * b + digit((long) LONG.get(s, a3), t));
                }
            }
        }
        for (MemorySegment area : zero) {
            area.fill((byte) 0);
        }
        // Opaque is enough: the release of epoch (or done) below orders it before any actor's
        // next fetch_add on arrived.
        LONG.setOpaque(s, ARRIVED, 0L);
        // Single writer: the previous consumer's store is ordered before ours by the epoch
        // release/acquire this actor went through.
        LONG.setRelease(s, ROUNDS, (long) LONG.get(s, ROUNDS) + 1);
        if ((long) LONG.getAcquire(s, STOP) != 0 || (maxRounds > 0 && r >= maxRounds)) {
            LONG.setRelease(s, DONE, 1L);
        } else {
            setStart();
            LONG.setRelease(s, EPOCH, r + 1);
        }
    }

    /**
     * The consumer's half of starting a round together (LITMUS.md): the lead doubles when an
     * actor reached this round after its start and shrinks by 1/32 otherwise, within
     * [LEAD_MIN_NS, LEAD_MAX_NS]. Opaque: the epoch release that follows publishes all three.
     */
    private void setStart() {
        long late = (long) LONG.getOpaque(s, LATE);
        long lead = (long) LONG.getOpaque(s, LEAD_NS);
        if (lead < LEAD_MIN_NS || lead > LEAD_MAX_NS) {
            lead = LEAD_MIN_NS;
        }
        lead = late > 0 ? Math.min(2 * lead, LEAD_MAX_NS) : Math.max(lead - lead / 32, LEAD_MIN_NS);
        LONG.setOpaque(s, LEAD_NS, lead);
        LONG.setOpaque(s, LATE, 0L);
        LONG.setOpaque(s, START_NS, System.nanoTime() + lead);
    }

    /**
     * The actor's half: spin until the round's start, or count itself late. A start further
     * ahead than LEAD_MAX_NS is not one a consumer wrote and is ignored, so no word can hold
     * the actor. System.nanoTime is CLOCK_MONOTONIC on Linux, the C and Go actors' clock.
     */
    private void awaitStart() {
        long start = (long) LONG.getOpaque(s, START_NS);
        if (start == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now > start) {
            LONG.getAndAddRelease(s, LATE, 1L);
            return;
        }
        if (start - now > LEAD_MAX_NS) {
            return;
        }
        while (System.nanoTime() < start) {
            Thread.onSpinWait();
        }
    }

    /** The histogram digit of value v: v itself in 0..top, top for any other (LITMUS.md). */
    private static long digit(long v, long top) {
        return Long.compareUnsigned(v, top) > 0 ? top : v;
    }

    private static void bump(MemorySegment s, long h, long key) {
        long at = h + (key << 3);
        LONG.set(s, at, (long) LONG.get(s, at) + 1);
    }
}
