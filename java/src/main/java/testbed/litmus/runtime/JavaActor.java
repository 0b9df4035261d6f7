package testbed.litmus.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Java litmus actor: runs the actor loop of docs/LITMUS.md ("One actor's loop") with a
 * generated kernel ({@link testbed.litmus.kernel.JavaKernelClass}) or a guest's, on its own platform thread named {@code litmus-java-actor-N}.
 *
 * <p>Waiting for a round spins with {@link Thread#onSpinWait()} for a short while, then yields, then
 * parks in doubling steps of at most {@value JavaActorLoop#PARK_MAX_NS} ns, checking {@code epoch}, {@code abort}
 * and {@code done} between every step: an abort is seen within about a millisecond whatever the
 * phase. The spin phase is long ({@value JavaActorLoop#SPIN_NS} ns) when every actor of the test can have its
 * own CPU, and short ({@value JavaActorLoop#SPIN_SHARED_NS} ns) when actors outnumber CPUs, where a spinning
 * actor would take the CPU from the one it waits for.
 *
 * <p>The actor leaves (its thread ends) when it sees {@code done} and no further round, when it sees
 * {@code abort}, or when it has waited for one round longer than its stall timeout; it never writes
 * {@code abort} (the runner does). An exception in the actor (a bug, or the region closed under it)
 * ends the thread and is thrown by {@link #join(Duration)}.
 *
 * <p>Thread-safety: {@link #join} and {@link #isAlive} may be called from any thread.
 */
public final class JavaActor {

    private static final AtomicInteger ALIVE = new AtomicInteger();

    private final int actor;
    private final String kernel;
    private final Thread thread;
    private final JavaActorLoop loop;

    private JavaActor(int actor, String kernel, JavaActorLoop loop) {
        this.actor = actor;
        this.kernel = kernel;
        this.loop = loop;
        // Counted out only when the loop has ended, its guest kernel's thread binding closed included.
        this.thread = Thread.ofPlatform().name("litmus-java-actor-" + actor).daemon(true).unstarted(() -> {
            try {
                loop.run();
            } finally {
                ALIVE.decrementAndGet();
            }
        });
    }

    /**
     * Starts the kernel generated from {@code plan} ({@link testbed.litmus.kernel.JavaKernelClass})
     * as actor {@code actor}, after checking that the descriptor gives it room: its locations fit
     * an instance and its registers its record.
     */
    public static JavaActor start(LitmusSection section, int actor, testbed.litmus.kernel.KernelPlan plan, long generation,
                                  Duration stall) {
        return start(section, actor, plan.id(), testbed.litmus.kernel.JavaKernelClass.of(plan), plan.registers(),
                plan.locationBytes(), generation, stall);
    }

    /**
     * A generated kernel that writes {@code registers} registers and reaches the first
     * {@code locationBytes} of each instance; a guest's kernel is one too.
     */
    public static JavaActor start(LitmusSection section, int actor, String name, JavaKernel k, int registers, long locationBytes,
                                  long generation, Duration stall) {
        Descriptor d = section.descriptor();
        if (locationBytes > d.locStride()) {
            throw new IllegalArgumentException("Java actor " + actor + ": kernel " + name + " reaches " + locationBytes
                    + " bytes of each instance, which has " + d.locStride());
        }
        if (actor >= 0 && actor < d.actors() && d.registerWindow(actor) < Descriptor.REGISTER_BYTES * registers) {
            throw new IllegalArgumentException("Java actor " + actor + ": its register window (" + d.registerWindow(actor)
                    + " bytes of each record) is too small for kernel " + name + ", which writes " + registers + " register(s)");
        }
        return start(section, actor, name, k, generation, stall);
    }

    /**
     * Checks the request against the section, then starts the actor's thread. The descriptor and
     * generation must already be written (see {@link LitmusSection#write}); the actor adds itself
     * to {@code ready} and waits for round 1. {@code name} identifies the kernel in messages and
     * in the warm-up's once-per-JVM record, so it must differ from every other kernel's name.
     *
     * @param stall leave as aborted ({@link ActorResult#OWN_STALL}) after waiting this long for one
     *     round; zero: no bound of its own, wait for the runner's abort (as the C actors)
     * @throws IllegalArgumentException (docs/LITMUS.md, "What every runtime refuses") for a
     *     generation of 0 or one the section does not hold (it holds another test: ESTALE in C), an
     *     actor index the descriptor does not allow, a negative stall, or a missing or invalid descriptor
     */
    private static JavaActor start(LitmusSection section, int actor, String name, JavaKernel k, long generation, Duration stall) {
        String kernel = name;
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(k, "kernel");
        Objects.requireNonNull(stall, "stall");
        long stallNs = stall.isZero() ? Long.MAX_VALUE : stall.toNanos();
        if (stallNs < 0) {
            throw new IllegalArgumentException("Java actor " + actor + ": negative stall timeout " + stall);
        }
        if (generation == 0) {
            throw new IllegalArgumentException("Java actor " + actor + ": generation 0 names no test");
        }
        long have = section.generation();
        if (have != generation) {
            throw new IllegalArgumentException("Java actor " + actor + ": the section holds generation " + have
                    + ", not " + generation + " (ESTALE): it was started for another test");
        }
        Descriptor d = section.descriptor();
        if (actor < 0 || actor >= d.actors()) {
            throw new IllegalArgumentException("Java actor " + actor + ": the test has actors 0.." + (d.actors() - 1));
        }
        JavaActorLoop loop = new JavaActorLoop(section.segment(), d, actor, kernel, k, stallNs);
        JavaActor a = new JavaActor(actor, kernel, loop);
        ALIVE.incrementAndGet();
        try {
            a.thread.start();
        } catch (Throwable t) {
            ALIVE.decrementAndGet();
            throw t;
        }
        return a;
    }

    /**
     * Waits up to {@code timeout} for the actor to leave.
     *
     * @return its result, or null if it is still running at the timeout (join again, after setting
     *     {@code abort} if it must end); null too if this thread is interrupted while waiting, with
     *     its interrupt status set again
     * @throws IllegalStateException if the actor's thread ended with an exception (the cause)
     */
    public ActorResult join(Duration timeout) {
        try {
            if (!thread.join(timeout)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        // Thread.join orders the actor's last writes before these reads.
        if (loop.failure != null) {
            throw new IllegalStateException("Java actor " + actor + " (" + kernel + ") failed: " + loop.failure,
                    loop.failure);
        }
        return loop.result;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    public int actor() {
        return actor;
    }

    public String kernel() {
        return kernel;
    }

    /** Java actor threads started and not yet ended, in this JVM. */
    public static int alive() {
        return ALIVE.get();
    }

    @Override
    public String toString() {
        return "JavaActor[" + actor + ", " + kernel + (isAlive() ? ", running" : ", ended") + "]";
    }
}
