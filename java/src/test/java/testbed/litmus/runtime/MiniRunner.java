package testbed.litmus.runtime;

import testbed.litmus.kernel.KernelPlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The runner's side of docs/LITMUS.md, as small as the runtime's tests need: reset, descriptor,
 * generation, start the actors, wait for ready, release round 1, watch rounds while sleeping, stop
 * at the budget (or once a watched outcome shows up), abort on a stall, join everything.
 * The engine's runner (testbed.litmus.engine) is the real one; this one exists so that the
 * runtime layer is tested on its own.
 */
final class MiniRunner {

    static final Duration POLL = Duration.ofMillis(2);
    static final Duration READY_BOUND = Duration.ofSeconds(5);
    static final Duration STALL = Duration.ofSeconds(5);

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final LitmusSection section;
    private final NativeActors c;
    private long generation = 100;

    /** An actor to start: a generated Java or C kernel. */
    record Actor(KernelPlan plan) {
        /** A Java kernel named as the role kernels were ({@link RoleKernels}); p and q are byte offsets inside an instance. */
        static Actor java(String kernel, long p, long q, long v1, long v2) {
            return new Actor(RoleKernels.plan(testbed.litmus.ActorRuntime.JAVA, kernel, p, q, v1, v2));
        }

        static Actor c(String kernel, long p, long q, long v1, long v2) {
            return new Actor(RoleKernels.plan(testbed.litmus.ActorRuntime.C, kernel, p, q, v1, v2));
        }
    }

    /** What a run produced. */
    record Outcome(Descriptor d, long[] hist, long rounds, long elapsedNs, List<ActorResult> results) {

        long samples() {
            return Arrays.stream(hist).sum();
        }

        /** The count of the outcome with these values (each a digit of the descriptor's radix), in gather order. */
        long count(long... values) {
            assertEquals(d.gather(), values.length, "outcome arity");
            int key = 0;
            for (long v : values) key = key * d.radix() + (int) v;
            return hist[key];
        }

        double samplesPerSecond() {
            return samples() / (elapsedNs / 1e9);
        }

        /** The structural checks every run must pass: every sample counted once, every actor done. */
        Outcome checkIntegrity() {
            assertEquals(rounds * d.stride(), samples(), "histogram holds every sample of every round once");
            long consumed = 0;
            for (int a = 0; a < results.size(); a++) {
                ActorResult r = results.get(a);
                assertTrue(r.completed(), "actor " + a + " completed: " + r);
                assertEquals(rounds, r.rounds(), "actor " + a + " ran every round");
                consumed += r.consumed();
            }
            assertEquals(rounds, consumed, "each round consumed exactly once");
            return this;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (int key = 0; key < hist.length; key++) {
                if (hist[key] == 0) continue;
                StringBuilder o = new StringBuilder();
                for (int j = d.gather() - 1; j >= 0; j--) o.append(j < d.gather() - 1 ? "," : "").append((key >> (2 * j)) & 3);
                b.append(" (").append(o).append(")=").append(hist[key]);
            }
            return String.format("%d rounds, %d samples in %.0f ms (%.1f M/s):%s", rounds, samples(),
                    elapsedNs / 1e6, samplesPerSecond() / 1e6, b);
        }
    }

    /** A C kernel's function, compiled (or found in the kernel cache) on first use. */
    static java.lang.foreign.MemorySegment cKernel(KernelPlan plan) {
        try {
            return testbed.litmus.kernel.CKernelLibrary.compile(List.of(plan)).kernel(plan);
        } catch (testbed.litmus.kernel.KernelCompileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    MiniRunner(LitmusSection section, NativeActors c) {
        this.section = section;
        this.c = c;
    }

    Outcome run(Descriptor d, Duration budget, Actor... actors) {
        return run(d, budget, -1, actors);
    }

    /**
     * Runs until max_rounds (if the descriptor sets it), the budget, or (watchKey &gt;= 0) the first
     * round that counts outcome {@code watchKey}.
     */
    Outcome run(Descriptor d, Duration budget, int watchKey, Actor... actors) {
        section.reset();
        section.write(d);
        long gen = ++generation;
        section.setGeneration(gen);
        List<Object> started = new ArrayList<>();
        try {
            for (int i = 0; i < actors.length; i++) {
                KernelPlan plan = actors[i].plan();
                started.add(plan.runtime() == testbed.litmus.ActorRuntime.JAVA
                        ? JavaActor.start(section, i, plan, gen, STALL)
                        : (Object) c.startCompiled(section, i, cKernel(plan), plan.registers(), plan.locationBytes(), gen, STALL));
            }
            long deadline = System.nanoTime() + READY_BOUND.toNanos();
            while (section.ready() < actors.length) {
                if (System.nanoTime() > deadline) fail("only " + section.ready() + " of " + actors.length + " actors ready");
                sleep(Duration.ofMillis(1));
            }
            long released = System.nanoTime();
            section.setEpoch(1);
            long lastRounds = 0;
            long lastMove = released;
            boolean stopped = false;
            while (section.done() == 0) {
                sleep(POLL);
                long now = System.nanoTime();
                long rounds = section.rounds();
                if (rounds != lastRounds) {
                    lastRounds = rounds;
                    lastMove = now;
                }
                boolean seen = watchKey >= 0 && (long) LONG.getOpaque(section.segment(), d.histOffset() + 8L * watchKey) > 0;
                if (!stopped && (seen || now - released >= budget.toNanos())) {
                    section.requestStop();
                    stopped = true;
                }
                if (now - lastMove > STALL.toNanos()) {
                    section.requestAbort();
                    fail("stalled after " + rounds + " rounds: " + section);
                }
            }
            long elapsed = System.nanoTime() - released;
            List<ActorResult> results = new ArrayList<>();
            for (Object s : started) results.add(join(s, Duration.ofSeconds(5)));
            started.clear();
            return new Outcome(d, section.histogram(), section.rounds(), elapsed, results);
        } finally {
            if (!started.isEmpty()) {
                section.requestAbort();
                for (Object s : started) join(s, Duration.ofSeconds(5));
            }
        }
    }

    private ActorResult join(Object started, Duration bound) {
        ActorResult r = started instanceof JavaActor j ? j.join(bound) : c.join((Long) started, bound);
        if (r == null) fail("actor " + started + " still running after " + bound);
        return r;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
