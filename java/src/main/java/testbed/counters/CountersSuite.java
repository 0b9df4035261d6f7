package testbed.counters;

import testbed.Mode;
import testbed.ffi.AtomicShim;
import testbed.peer.PeerClient;
import testbed.proto.v1.AddCountersRequest;
import testbed.proto.v1.AddCountersResponse;
import testbed.proto.v1.Block;
import testbed.region.Region;
import testbed.region.RegionLayout;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The counters suite: Java threads, C pthreads started through FFM, C pthreads
 * started through JNR, and Go goroutines in the peer add 1 to the same region slots
 * at the same time, released together by the region's start gate. Every slot must
 * end exactly at the sum of what the actors were asked to add, and each runtime's
 * own count of what it added must agree.
 *
 * <p>The broken variant replaces the Java actors' atomic getAndAdd with a plain
 * read and write; it must lose updates, and the suite reports how many.
 */
public final class CountersSuite {
    public static final String NAME = "counters";

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final Duration GATE_TIMEOUT = Duration.ofSeconds(20);

    /** Which actors a case starts on each slot, and how much each adds. */
    public record Plan(long incrementsPerActor, int javaThreads, int ffmThreads, int jnrThreads, int goGoroutines,
                       boolean plainJava) {
        int actorsPerSlot() {
            return javaThreads + ffmThreads + jnrThreads + goGoroutines;
        }
    }

    private final Region region;
    private final AtomicShim panama;
    private final AtomicShim jnr;
    private final PeerClient peer;
    private final PrintStream progress;

    public CountersSuite(Region region, AtomicShim panama, AtomicShim jnr, PeerClient peer, PrintStream progress) {
        this.region = region;
        this.panama = panama;
        this.jnr = jnr;
        this.peer = peer;
        this.progress = progress;
    }

    /** One actor per runtime per slot, each adding five million (scaled by the mode). */
    public static Plan plan(Mode mode) {
        return new Plan(mode.scale(5_000_000), 1, 1, 1, 1, false);
    }

    public SuiteResult run(Mode mode) {
        List<CaseResult> cases = new ArrayList<>();
        cases.add(runCase("padded_slots_all_runtimes",
                "Java, C via FFM, C via JNR and Go add to two padded slots at once; each slot is exact.",
                Block.BLOCK_COUNTERS, new int[] {0, 1}, plan(mode)));
        cases.add(runCase("packed_slots_all_runtimes",
                "The same on two slots that share one cache line (false sharing); each slot is exact.",
                Block.BLOCK_PACKED, new int[] {0, 1}, plan(mode)));
        cases.add(brokenVariant(mode));
        return new SuiteResult(NAME, "Atomic counters shared by the JVM, C (FFM and JNR) and Go over one region.", cases);
    }

    /** Attempts the broken variant gets: one that loses an update is enough to prove the check. */
    static final int BROKEN_VARIANT_ATTEMPTS = 3;

    /**
     * The broken variant: plain Java increments racing atomic ones on one slot. A plain
     * loop finishes a million increments in about a millisecond, so on a loaded machine
     * it can run entirely before or after the others and lose nothing; every actor
     * therefore adds four times as much as in the exact cases, and the variant gets up
     * to three attempts. The case says how many it took.
     */
    CaseResult brokenVariant(Mode mode) {
        Plan plan = new Plan(mode.scale(20_000_000), 1, 1, 1, 1, true);
        CaseResult last = null;
        for (int attempt = 1; attempt <= BROKEN_VARIANT_ATTEMPTS; attempt++) {
            last = runCase("plain_java_increments_lose_updates",
                    "Broken variant: the Java actors use a plain read and write; the check must see lost updates.",
                    Block.BLOCK_COUNTERS, new int[] {2}, plan);
            Map<String, Object> metrics = new LinkedHashMap<>(last.metrics());
            metrics.put("attempts", (long) attempt);
            last = new CaseResult(last.name(), last.title(), last.status(),
                    last.message() + (attempt > 1 ? " (attempt " + attempt + ")" : ""), last.durationMs(), metrics, last.details());
            if (last.status() != Status.FAILED) break;
        }
        return last;
    }

    /** Runs one case; never throws: a fault becomes an ERROR case with its reason. */
    public CaseResult runCase(String name, String title, Block block, int[] slots, Plan plan) {
        progress.printf(Locale.ROOT, "  counters/%s: %d slot(s) x %d actors x %,d increments%n",
                name, slots.length, plan.actorsPerSlot(), plan.incrementsPerActor());
        long t0 = System.nanoTime();
        try {
            return execute(name, title, block, slots, plan, t0);
        } catch (RuntimeException e) {
            return CaseResult.error(name, title, e.getMessage() == null ? e.toString() : e.getMessage(), ms(t0));
        }
    }

    private CaseResult execute(String name, String title, Block block, int[] slots, Plan plan, long t0) {
        MemorySegment gate = region.controlWord(RegionLayout.CONTROL_START_GATE);
        MemorySegment ready = region.controlWord(RegionLayout.CONTROL_READY_COUNT);
        LONG.setVolatile(gate, 0L, 0L);
        LONG.setVolatile(ready, 0L, 0L);
        for (int s : slots) LONG.setVolatile(slot(block, s), 0L, 0L);

        int expectedActors = slots.length * plan.actorsPerSlot();
        List<Actor> actors = new ArrayList<>();
        AtomicReference<Throwable> javaFailure = new AtomicReference<>();
        try {
            for (int s : slots) {
                MemorySegment seg = slot(block, s);
                for (int i = 0; i < plan.javaThreads(); i++) {
                    actors.add(Actor.java(s, seg, gate, ready, plan.incrementsPerActor(), plan.plainJava(), javaFailure));
                }
                for (int i = 0; i < plan.ffmThreads(); i++) {
                    actors.add(Actor.nativeGroup("c_ffm", s, panama, panama.workersStart(seg.address(), 1,
                            plan.incrementsPerActor(), gate.address(), ready.address(), 0L)));
                }
                for (int i = 0; i < plan.jnrThreads(); i++) {
                    actors.add(Actor.nativeGroup("c_jnr", s, jnr, jnr.workersStart(seg.address(), 1,
                            plan.incrementsPerActor(), gate.address(), ready.address(), 0L)));
                }
                if (plan.goGoroutines() > 0) {
                    AddCountersRequest req = AddCountersRequest.newBuilder()
                            .setBlock(block).setSlot(s).setGoroutines(plan.goGoroutines())
                            .setIncrementsPerGoroutine(plan.incrementsPerActor())
                            .setUseStartGate(true).setGateTimeoutMs((int) GATE_TIMEOUT.toMillis()).build();
                    CompletableFuture<AddCountersResponse> call = CompletableFuture.supplyAsync(
                            () -> peer.addCounters(req, null, GATE_TIMEOUT.multipliedBy(3)),
                            r -> Thread.ofPlatform().daemon().name("counters-go-call").start(r));
                    actors.add(Actor.go(s, call, plan.goGoroutines()));
                }
            }
            awaitReady(ready, expectedActors);
            long opened = System.nanoTime();
            LONG.setVolatile(gate, 0L, 1L);

            Map<String, long[]> byRuntime = new LinkedHashMap<>(); // runtime -> {actors, increments}
            Map<Integer, Long> contributedPerSlot = new LinkedHashMap<>();
            for (Actor a : actors) {
                long done = a.await(GATE_TIMEOUT.multipliedBy(3));
                byRuntime.computeIfAbsent(a.runtime, k -> new long[2])[0] += a.count;
                byRuntime.get(a.runtime)[1] += done;
                contributedPerSlot.merge(a.slot, done, Long::sum);
            }
            long elapsed = System.nanoTime() - opened;
            if (javaFailure.get() != null) throw new IllegalStateException("Java actor failed: " + javaFailure.get());

            long expectedTotal = 0, actualTotal = 0, contributedTotal = 0;
            List<Map<String, Object>> slotRows = new ArrayList<>();
            List<String> wrong = new ArrayList<>();
            for (int s : slots) {
                long expected = plan.actorsPerSlot() * plan.incrementsPerActor();
                long contributed = contributedPerSlot.getOrDefault(s, 0L);
                long actual = (long) LONG.getVolatile(slot(block, s), 0L);
                expectedTotal += expected;
                actualTotal += actual;
                contributedTotal += contributed;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("slot", blockName(block) + "[" + s + "]");
                row.put("expected", expected);
                row.put("contributed", contributed);
                row.put("actual", actual);
                row.put("lost", contributed - actual);
                slotRows.add(row);
                if (actual != expected || contributed != expected) {
                    wrong.add(String.format(Locale.ROOT, "%s[%d] = %,d, want %,d (actors counted %,d)",
                            blockName(block), s, actual, expected, contributed));
                }
            }
            List<Map<String, Object>> runtimeRows = new ArrayList<>();
            byRuntime.forEach((rt, v) -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("runtime", rt);
                row.put("actors", v[0]);
                row.put("increments", v[1]);
                runtimeRows.add(row);
            });
            long lost = contributedTotal - actualTotal;
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("expected", expectedTotal);
            metrics.put("actual", actualTotal);
            metrics.put("lost_updates", lost);
            metrics.put("elapsed_ms", elapsed / 1e6);
            metrics.put("ns_per_increment", actualTotal == 0 ? 0.0 : (double) elapsed / actualTotal);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("contributions", runtimeRows);
            details.put("slots", slotRows);

            Status status;
            String message;
            if (plan.plainJava()) {
                if (lost > 0 && contributedTotal == expectedTotal) {
                    status = Status.EXPECTED_FAILURE;
                    message = String.format(Locale.ROOT, "caught: %,d of %,d updates lost (%.2f%%) with plain Java increments",
                            lost, expectedTotal, 100.0 * lost / expectedTotal);
                } else {
                    status = Status.FAILED;
                    message = String.format(Locale.ROOT,
                            "the broken variant was not caught: %,d of %,d updates lost, so this run does not prove the check can fail",
                            lost, expectedTotal);
                }
            } else if (wrong.isEmpty()) {
                status = Status.PASSED;
                message = String.format(Locale.ROOT, "exact: %,d increments from %s in %.1f ms",
                        actualTotal, summarise(runtimeRows), elapsed / 1e6);
            } else {
                status = Status.FAILED;
                message = String.join("; ", wrong);
            }
            return new CaseResult(name, title, status, message, ms(t0), metrics, details);
        } finally {
            LONG.setVolatile(gate, 0L, 1L); // release anyone still waiting, so cleanup cannot hang
            for (Actor a : actors) a.abandon();
            LONG.setVolatile(gate, 0L, 0L);
        }
    }

    private void awaitReady(MemorySegment ready, int expected) {
        long deadline = System.nanoTime() + GATE_TIMEOUT.toNanos();
        while ((long) LONG.getVolatile(ready, 0L) < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "only %d of %d actors reached the start gate within %d s",
                        (long) LONG.getVolatile(ready, 0L), expected, GATE_TIMEOUT.toSeconds()));
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at the start gate");
            }
        }
    }

    private MemorySegment slot(Block block, int s) {
        return block == Block.BLOCK_PACKED ? region.packedSlot(s) : region.counterSlot(s);
    }

    private static String blockName(Block block) {
        return block == Block.BLOCK_PACKED ? "packed" : "counters";
    }

    private static String summarise(List<Map<String, Object>> rows) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> r : rows) parts.add(String.format(Locale.ROOT, "%s %,d", r.get("runtime"), (Long) r.get("increments")));
        return String.join(", ", parts);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** One runtime's actor(s) on one slot: how to wait for them and how to abandon them. */
    private static final class Actor {
        final String runtime;
        final int slot;
        final int count;
        private final Thread thread;
        private final long[] javaDone;
        private final AtomicShim shim;
        private long handle;
        private final CompletableFuture<AddCountersResponse> goCall;

        private Actor(String runtime, int slot, int count, Thread thread, long[] javaDone, AtomicShim shim, long handle,
                      CompletableFuture<AddCountersResponse> goCall) {
            this.runtime = runtime;
            this.slot = slot;
            this.count = count;
            this.thread = thread;
            this.javaDone = javaDone;
            this.shim = shim;
            this.handle = handle;
            this.goCall = goCall;
        }

        static Actor java(int slot, MemorySegment seg, MemorySegment gate, MemorySegment ready, long n, boolean plain,
                          AtomicReference<Throwable> failure) {
            long[] done = new long[1];
            Thread t = Thread.ofPlatform().daemon().name("counters-java-" + slot).unstarted(() -> {
                LONG.getAndAdd(ready, 0L, 1L);
                long spins = 0;
                while ((long) LONG.getVolatile(gate, 0L) == 0L) {
                    // On 2 cores a pure spin would starve the actors still starting up.
                    if (++spins % 256 == 0) Thread.yield();
                    else Thread.onSpinWait();
                }
                long i = 0;
                if (plain) {
                    for (; i < n; i++) {
                        long v = (long) LONG.get(seg, 0L);
                        LONG.set(seg, 0L, v + 1);
                    }
                } else {
                    for (; i < n; i++) LONG.getAndAdd(seg, 0L, 1L);
                }
                done[0] = i;
            });
            t.setUncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e));
            t.start();
            return new Actor(plain ? "java_plain" : "java", slot, 1, t, done, null, 0, null);
        }

        static Actor nativeGroup(String runtime, int slot, AtomicShim shim, long handle) {
            return new Actor(runtime, slot, 1, null, null, shim, handle, null);
        }

        static Actor go(int slot, CompletableFuture<AddCountersResponse> call, int goroutines) {
            return new Actor("go", slot, goroutines, null, null, null, 0, call);
        }

        long await(Duration bound) {
            try {
                if (thread != null) {
                    if (!thread.join(bound)) throw new IllegalStateException("Java actor still running after " + bound.toSeconds() + " s");
                    return javaDone[0];
                }
                if (shim != null) {
                    long r = shim.workersJoin(handle, bound.toMillis());
                    if (r < 0) throw new IllegalStateException(shim.name() + " workers did not finish within " + bound.toSeconds() + " s");
                    handle = 0;
                    return r;
                }
                return goCall.get(bound.toMillis(), TimeUnit.MILLISECONDS).getIncrementsDone();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the " + runtime + " actor");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("Go actor did not answer within " + bound.toSeconds() + " s");
            }
        }

        /** Stops and reaps whatever is left after a failure, so no native thread outlives the case. */
        void abandon() {
            if (shim != null && handle > 0) {
                shim.workersStop(handle);
                shim.workersJoin(handle, 5_000);
                handle = 0;
            }
        }
    }
}
