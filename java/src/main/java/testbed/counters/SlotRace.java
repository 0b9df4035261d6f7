package testbed.counters;

import testbed.ffi.AtomicShim;
import testbed.guest.GuestRuntime;
import testbed.guest.JsCounterActor;
import testbed.peer.PeerClient;
import testbed.proto.v1.AddCountersRequest;
import testbed.proto.v1.AddCountersResponse;
import testbed.proto.v1.Block;
import testbed.region.Region;
import testbed.region.RegionLayout;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;

/**
 * One race of the counters suite: a plan's actors (Java threads, C pthreads through FFM and
 * JNR, Go goroutines in the peer, JavaScript guests) started on region slots, held at the
 * region's start gate until all have reached it, released together, and waited for; then what
 * every slot and the words around it hold ({@link SlotSweep}), attributed to the actors'
 * shares ({@link Attribution}). It finds figures, not verdicts: {@link CountersSuite} judges them.
 */
final class SlotRace {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final Duration DEFAULT_GATE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration ABANDON_BOUND = Duration.ofSeconds(10);

    /**
     * What a race left behind.
     *
     * @param expectedTotal    what the slots must hold together: what the actors were asked to add, or,
     *                         for host actors that add until the guests are done, what they say they added
     * @param contributedTotal what the actors say they added
     * @param actualTotal      what the slots hold
     * @param lost             {@code contributedTotal - actualTotal}: updates lost (negative: the slots hold more)
     * @param elapsedNs        from the gate's opening until the last actor was done
     * @param guestDone        the JavaScript guests' increments
     * @param attribution      whose increments every swept word holds
     * @param wrong            every slot or word that does not hold what it must, one line each
     * @param contributions    "java 1,000, c_ffm 1,001": each runtime's increments
     * @param metrics          the report's figures
     * @param details          the report's rows: contributions, slots, where each share landed
     */
    record Tally(long expectedTotal, long contributedTotal, long actualTotal, long lost, long elapsedNs, long guestDone,
                 Attribution attribution, List<String> wrong, String contributions,
                 Map<String, Object> metrics, Map<String, Object> details) {
    }

    private final Region region;
    private final AtomicShim panama;
    private final AtomicShim jnr;
    private final PeerClient peer;
    private final PrintStream progress;
    /** The counter slot the {@code i}-th guest of a slot rehearses on: one no case adds to. */
    private final IntUnaryOperator rehearsalSlot;
    GuestRuntime guest = GuestRuntime.shared();
    Duration gateTimeout = DEFAULT_GATE_TIMEOUT;
    /** Planted faults (tests only): per runtime, how many bytes from its slot its actors aim, by slot. */
    final Map<String, IntToLongFunction> misplacements = new HashMap<>();

    SlotRace(Region region, AtomicShim panama, AtomicShim jnr, PeerClient peer, IntUnaryOperator rehearsalSlot, PrintStream progress) {
        this.region = region;
        this.panama = panama;
        this.jnr = jnr;
        this.peer = peer;
        this.rehearsalSlot = rehearsalSlot;
        this.progress = progress;
    }

    /**
     * Starts {@code plan}'s actors on {@code slots} of {@code block}, opens the gate once all
     * have reached it, waits for each (bounded), and reads what the slots and the words around
     * them hold. Throws when an actor fails or does not reach the gate in time; either way, no
     * actor is left adding when it returns (the gate is opened for the stragglers and each is
     * abandoned within {@link #ABANDON_BOUND}).
     */
    Tally run(String name, Block block, int[] slots, Plan plan) {
        MemorySegment gate = region.controlWord(RegionLayout.CONTROL_START_GATE);
        MemorySegment ready = region.controlWord(RegionLayout.CONTROL_READY_COUNT);
        LONG.setVolatile(gate, 0L, 0L);
        LONG.setVolatile(ready, 0L, 0L);
        SlotSweep sweep = SlotSweep.begin(region.segment());

        int expectedActors = slots.length * plan.actorsPerSlot();
        List<Actor> actors = new ArrayList<>();
        AtomicReference<Throwable> javaFailure = new AtomicReference<>();
        AtomicBoolean hostStop = plan.hostUntilGuestsDone() ? new AtomicBoolean() : null;
        int counted = slots.length * plan.countedPerSlot(), nextShare = 0;
        Map<Integer, Long> asked = new LinkedHashMap<>();
        try {
            for (int s : slots) {
                for (int i = 0; i < plan.jsActors(); i++) {
                    // Each guest rehearses on its own unused counter slot (past the ones cases use).
                    actors.add(Actor.js(s, JsCounterActor.start(guest, plan.jsScript(), s, region.segment(),
                            aim(block, s, plan.jsScript().name()).address() - region.segment().address(),
                            region.counterSlot(rehearsalSlot.applyAsInt(i)).address() - region.segment().address(),
                            gate, ready, plan.jsIncrements())));
                }
                for (int i = 0; i < plan.javaThreads(); i++) {
                    long n = plan.share(nextShare++, counted);
                    asked.merge(s, n, Long::sum);
                    actors.add(Actor.java(s, aim(block, s, plan.plainJava() ? "java_plain" : "java"), gate, ready, n, plan.plainJava(), javaFailure, hostStop));
                }
                for (int i = 0; i < plan.ffmThreads(); i++) {
                    long n = plan.share(nextShare++, counted);
                    asked.merge(s, n, Long::sum);
                    actors.add(Actor.nativeGroup("c_ffm", s, panama, panama.workersStart(aim(block, s, "c_ffm").address(), 1,
                            n, gate.address(), ready.address(), 0L)));
                }
                for (int i = 0; i < plan.jnrThreads(); i++) {
                    long n = plan.share(nextShare++, counted);
                    asked.merge(s, n, Long::sum);
                    actors.add(Actor.nativeGroup("c_jnr", s, jnr, jnr.workersStart(aim(block, s, "c_jnr").address(), 1,
                            n, gate.address(), ready.address(), 0L)));
                }
                if (plan.goGoroutines() > 0) {
                    long n = plan.share(nextShare++, counted);
                    asked.merge(s, n * plan.goGoroutines(), Long::sum);
                    AddCountersRequest req = AddCountersRequest.newBuilder()
                            .setBlock(block).setSlot(goSlot(block, s)).setGoroutines(plan.goGoroutines())
                            .setIncrementsPerGoroutine(n)
                            .setUseStartGate(true).setGateTimeoutMs((int) gateTimeout.toMillis()).build();
                    CompletableFuture<AddCountersResponse> call = CompletableFuture.supplyAsync(
                            () -> peer.addCounters(req, null, gateTimeout.multipliedBy(3)),
                            r -> Thread.ofPlatform().daemon().name("counters-go-call").start(r));
                    actors.add(Actor.go(s, call, plan.goGoroutines()));
                }
            }
            awaitReady(ready, expectedActors);
            long opened = System.nanoTime();
            LONG.setVolatile(gate, 0L, 1L);

            Map<String, long[]> byRuntime = new LinkedHashMap<>(); // runtime -> {actors, increments}
            Map<Integer, Long> contributedPerSlot = new LinkedHashMap<>();
            List<Attribution.Share> shares = new ArrayList<>();
            // Every actor is waited for before a failure is reported, so none still adds to
            // the slot when the next case starts (a guest that threw leaves the others running).
            RuntimeException firstFailure = null;
            if (hostStop != null) {
                // The guests first (each bounded: a hung one is cancelled); then the host
                // actors, which add until told, are told to stop.
                for (Actor a : actors) {
                    if (a.js == null) continue;
                    try {
                        a.awaitThread(gateTimeout.multipliedBy(3));
                    } catch (RuntimeException e) {
                        if (firstFailure == null) firstFailure = e;
                    }
                }
                hostStop.set(true);
                for (Actor a : actors) a.stopEarly();
            }
            for (Actor a : actors) {
                long done;
                try {
                    done = a.await(gateTimeout.multipliedBy(3));
                } catch (RuntimeException e) {
                    if (firstFailure == null) firstFailure = e;
                    continue;
                }
                byRuntime.computeIfAbsent(a.runtime, k -> new long[2])[0] += a.count;
                byRuntime.get(a.runtime)[1] += done;
                contributedPerSlot.merge(a.slot, done, Long::sum);
                shares.add(new Attribution.Share(a.runtime, slotName(block, a.slot), done));
            }
            if (firstFailure != null) throw firstFailure;
            long elapsed = System.nanoTime() - opened;
            if (javaFailure.get() != null) throw new IllegalStateException("Java actor failed: " + javaFailure.get());

            long expectedTotal = 0, actualTotal = 0, contributedTotal = 0;
            List<Map<String, Object>> slotRows = new ArrayList<>();
            Map<String, Long> used = new LinkedHashMap<>();
            for (int s : slots) {
                // Host actors that add until the guests are done have no count: such a slot
                // must hold what its actors say they added.
                long expected = plan.hostUntilGuestsDone() ? contributedPerSlot.getOrDefault(s, 0L) : asked.getOrDefault(s, 0L);
                long contributed = contributedPerSlot.getOrDefault(s, 0L);
                long actual = (long) LONG.getVolatile(slot(block, s), 0L);
                expectedTotal += expected;
                actualTotal += actual;
                contributedTotal += contributed;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("slot", slotName(block, s));
                row.put("expected", expected);
                row.put("contributed", contributed);
                row.put("actual", actual);
                row.put("lost", contributed - actual);
                slotRows.add(row);
                used.put(slotName(block, s), expected);
            }
            Attribution who = Attribution.of(shares, sweep.read(used));
            List<String> wrong = who.lines();
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
            metrics.put("misplaced_increments", who.misplacedIncrements());
            metrics.put("swept_words", (long) SlotSweep.WORDS.size());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("contributions", runtimeRows);
            for (Actor a : actors) {
                if (a.js != null) metrics.merge("guest_run_ms", a.js.elapsedNs() / 1e6, (x, y) -> Math.max((Double) x, (Double) y));
                if (plan.hostUntilGuestsDone() && a.javaDone != null) {
                    metrics.merge("host_run_ms", a.javaDone[1] / 1e6, (x, y) -> Math.max((Double) x, (Double) y));
                }
            }
            details.put("slots", slotRows);
            details.put("landed", who.landedRows());
            if (!who.offRows().isEmpty()) details.put("off", who.offRows());
            long guestDone = 0;
            for (Actor a : actors) if (a.js != null) guestDone += a.js.done();
            return new Tally(expectedTotal, contributedTotal, actualTotal, lost, elapsed, guestDone, who, wrong,
                    summarise(runtimeRows), metrics, details);
        } finally {
            // The host actors that add until the guests are done must stop before the gate
            // opens for cleanup, or a released one would add up to its cap after the case.
            if (hostStop != null) hostStop.set(true);
            LONG.setVolatile(gate, 0L, 1L); // release anyone still waiting, so cleanup cannot hang
            List<String> left = new ArrayList<>();
            for (Actor a : actors) {
                String l = a.abandon(ABANDON_BOUND);
                if (l != null) left.add(l);
            }
            LONG.setVolatile(gate, 0L, 0L);
            if (!left.isEmpty()) {
                progress.printf(Locale.ROOT, "  counters/%s: still running after cleanup: %s%n", name, String.join(", ", left));
            }
        }
    }

    private void awaitReady(MemorySegment ready, int expected) {
        long deadline = System.nanoTime() + gateTimeout.toNanos();
        while ((long) LONG.getVolatile(ready, 0L) < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "only %d of %d actors reached the start gate within %d s",
                        (long) LONG.getVolatile(ready, 0L), expected, gateTimeout.toSeconds()));
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

    /** The word {@code runtime}'s actors add to for slot {@code s}: the slot itself unless a fault is planted. */
    private MemorySegment aim(Block block, int s, String runtime) {
        long bytes = misplacements.getOrDefault(runtime, x -> 0L).applyAsLong(s);
        long offset = slot(block, s).address() - region.segment().address() + bytes;
        return region.segment().asSlice(offset, RegionLayout.SLOT_SIZE);
    }

    /** The slot index the peer is asked for: the peer maps it to an address itself. */
    private int goSlot(Block block, int s) {
        long bytes = misplacements.getOrDefault("go", x -> 0L).applyAsLong(s);
        long stride = block == Block.BLOCK_PACKED ? RegionLayout.SLOT_SIZE : RegionLayout.SLOT_STRIDE;
        if (bytes % stride != 0) {
            throw new IllegalArgumentException("go can be misplaced by whole slots only (" + stride + " bytes here), not " + bytes);
        }
        return Math.toIntExact(s + bytes / stride);
    }

    /** A slot's name in messages and in the sweep: {@code counters[0]}, {@code packed[1]}. */
    private static String slotName(Block block, int s) {
        return (block == Block.BLOCK_PACKED ? "packed" : "counters") + "[" + s + "]";
    }

    private static String summarise(List<Map<String, Object>> rows) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> r : rows) parts.add(String.format(Locale.ROOT, "%s %,d", r.get("runtime"), (Long) r.get("increments")));
        return String.join(", ", parts);
    }
}
