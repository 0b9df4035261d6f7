package testbed.counters;

import testbed.Mode;
import testbed.ffi.AtomicShim;
import testbed.guest.CounterScript;
import testbed.guest.GuestRuntime;
import testbed.guest.JsCounterActor;
import testbed.harness.Session;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntToLongFunction;

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
    public static final String TITLE = "Atomic counters shared by the JVM, C (FFM and JNR), Go and a JavaScript guest over one region.";
    /** This suite as a run sees it. */
    public static final testbed.harness.Suite SUITE = testbed.harness.Suite.of(NAME, TITLE,
            (session, settings, progress) -> new CountersSuite(session, progress).run(settings.mode()));

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final Duration DEFAULT_GATE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration ABANDON_BOUND = Duration.ofSeconds(10);

    private final Region region;
    private final AtomicShim panama;
    private final AtomicShim jnr;
    private final PeerClient peer;
    private final PrintStream progress;
    private GuestRuntime guest = GuestRuntime.shared();
    private Duration gateTimeout = DEFAULT_GATE_TIMEOUT;
    /** Planted faults (tests only): per runtime, how many bytes from its slot its actors aim, by slot. */
    private final Map<String, IntToLongFunction> misplacements = new HashMap<>();

    /**
     * The suite on {@code session}'s region, shim bindings and peer, on the counter and packed
     * slots it claims there: counter slots 0 to {@link #GUEST_SLOT} (two for the padded case,
     * one for the broken variant, one for the guest cases) and one for the guest to rehearse
     * on, and {@value #PACKED_SLOTS_USED} packed ones.
     */
    public CountersSuite(Session session, PrintStream progress) {
        this.region = session.region();
        this.panama = session.panama();
        this.jnr = session.jnr();
        this.peer = session.peer();
        this.progress = progress;
        this.counterSlots = session.counterSlots(NAME, COUNTER_SLOTS_USED);
        this.packedSlots = session.packedSlots(NAME, PACKED_SLOTS_USED);
    }

    static final int COUNTER_SLOTS_USED = 6; // GUEST_SLOT and one rehearsal slot after it
    static final int PACKED_SLOTS_USED = 2;
    private final Session.Claim counterSlots;
    private final Session.Claim packedSlots;

    /** The same suite with JavaScript actors on {@code guest} (a test gives an engine that cannot start). */
    public CountersSuite withGuest(GuestRuntime guest) {
        this.guest = guest;
        return this;
    }

    /** The same suite with another bound for actors to reach the gate (a test of a hung guest shortens it). */
    CountersSuite withGateTimeout(Duration bound) {
        this.gateTimeout = bound;
        return this;
    }

    /**
     * A planted fault, for tests: the actors of {@code runtime} (as the report names it) aim
     * {@code bytesFromSlot.applyAsLong(slot)} bytes away from the slot they are given, as an
     * accessor off by that much would. The peer takes a slot index, not an address, so Go's
     * actors can be sent only whole slots away: 8 bytes in the packed block, 128 in the padded one.
     */
    CountersSuite withMisplacement(String runtime, IntToLongFunction bytesFromSlot) {
        misplacements.put(runtime, bytesFromSlot);
        return this;
    }

    /** One actor per runtime per slot, each adding five million (scaled by the mode). */
    public static Plan plan(Mode mode) {
        return new Plan(mode.scale(5_000_000), 1, 1, 1, 1, false);
    }

    public SuiteResult run(Mode mode) {
        List<CaseResult> cases = new ArrayList<>();
        cases.add(runCase("padded_slots_all_runtimes",
                "Java, C via FFM, C via JNR and Go add to two padded slots at once; each slot is exact.",
                Block.BLOCK_COUNTERS, new int[] {counterSlots.at(0), counterSlots.at(1)}, plan(mode)));
        cases.add(runCase("packed_slots_all_runtimes",
                "The same on two slots that share one cache line (false sharing); each slot is exact.",
                Block.BLOCK_PACKED, new int[] {packedSlots.at(0), packedSlots.at(1)}, plan(mode)));
        cases.add(brokenVariant(mode));
        cases.add(guestCase(mode, CounterScript.ATOMICS_VIEW));
        cases.add(guestCase(mode, CounterScript.HOST_VARHANDLE));
        cases.add(guestCase(mode, CounterScript.HOST_PLAIN_BROKEN));
        return new SuiteResult(NAME, TITLE, cases);
    }

    /** Attempts the broken variant gets: one that loses an update is enough to prove the check. */
    static final int BROKEN_VARIANT_ATTEMPTS = 3;

    /**
     * The broken variant: non-atomic Java increments (an opaque read, then an opaque write)
     * racing atomic ones on one slot. Such a loop finishes a million increments in a few
     * milliseconds, so on a loaded machine
     * it can run entirely before or after the others and lose nothing; every actor
     * therefore adds four times as much as in the exact cases, and the variant gets up
     * to three attempts. The case says how many it took.
     */
    CaseResult brokenVariant(Mode mode) {
        Plan plan = new Plan(mode.scale(20_000_000), 1, 1, 1, 1, true);
        CaseResult last = null;
        for (int attempt = 1; attempt <= BROKEN_VARIANT_ATTEMPTS; attempt++) {
            last = runCase("plain_java_increments_lose_updates",
                    "Broken variant: the Java actors read, then write (not atomically); the check must see lost updates.",
                    Block.BLOCK_COUNTERS, new int[] {counterSlots.at(2)}, plan);
            Map<String, Object> metrics = new LinkedHashMap<>(last.metrics());
            metrics.put("attempts", (long) attempt);
            last = new CaseResult(last.name(), last.title(), last.status(),
                    last.message() + (attempt > 1 ? " (attempt " + attempt + ")" : ""), last.durationMs(), metrics, last.details());
            if (last.status() != Status.FAILED) break;
        }
        return last;
    }

    /** The claimed counter slot the JavaScript cases use (the other cases use 0 to 3); the slots after it are the guests' rehearsal slots. */
    static final int GUEST_SLOT = 4;

    /**
     * One JavaScript plan: a Java thread and one guest on one padded slot (no C actor: three
     * busy threads on two cores starve the guest). A guest increment costs 100 ns to several
     * µs, a host getAndAdd about 20 ns, so the Java actor does not take a count: it adds from
     * the gate until the guest is done (bounded by time, not by a count: the guest's own
     * bound, after which it is cancelled and the host told to stop), and the case overlaps
     * them for the guest's whole run.
     */
    public static Plan guestPlan(Mode mode, CounterScript script) {
        return new Plan(Long.MAX_VALUE, 1, 0, 0, 0, false, 1, mode.scale(250_000), script);
    }

    /**
     * A JavaScript guest adding beside a Java and a C actor (docs/GUEST.md). Style (b)
     * must be exact. Style (a) is a known cross-runtime hazard: lost updates are expected,
     * counted and reported as such, not as a failure; since they need the guest and the
     * host to overlap, it gets up to three attempts to show them, like the broken variant.
     */
    CaseResult guestCase(Mode mode, CounterScript script) {
        String title = script.broken()
                ? "Broken variant: JavaScript increments through host getPlain then setPlain (style b, not atomic) beside Java getAndAdd; the check must see lost updates."
                : script.knownHazard()
                ? "JavaScript Atomics.add on a typed-array view of the region, beside Java getAndAdd (style a: known hazard)."
                : "JavaScript calls a host method doing VarHandle getAndAdd, beside Java getAndAdd (style b); the slot is exact.";
        CaseResult last = null;
        int attempts = script.knownHazard() || script.broken() ? BROKEN_VARIANT_ATTEMPTS : 1;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long compiledBefore = guest.compilations(script.name() + ".js");
            last = runCase(script.name(), title, Block.BLOCK_COUNTERS, new int[] {counterSlots.at(GUEST_SLOT)}, guestPlan(mode, script));
            if (last.status() == Status.ERROR) break;
            // Compilations of this script that landed during the case: "compiled" says only
            // that the engine could compile; this says whether it did.
            long compiled = guest.compilations(script.name() + ".js") - compiledBefore;
            Map<String, Object> metrics = new LinkedHashMap<>(last.metrics());
            metrics.put("attempts", (long) attempt);
            metrics.put("guest_compilations", compiled);
            Map<String, Object> details = new LinkedHashMap<>(last.details());
            details.put("guest_style", script.style());
            details.put("guest_execution", guest.execution());
            last = new CaseResult(last.name(), last.title(), last.status(),
                    last.message() + " [guest " + guest.execution() + ", " + compiled + " compilation(s) landed"
                            + (attempt > 1 ? ", attempt " + attempt : "") + "]",
                    last.durationMs(), metrics, details);
            if (script.broken() ? last.status() != Status.FAILED : !"hazard_not_seen".equals(details.get("verdict"))) break;
        }
        return last;
    }

    /** Runs one case; never throws: a fault becomes an ERROR case with its reason. */
    public CaseResult runCase(String name, String title, Block block, int[] slots, Plan plan) {
        if (plan.jsActors() == 0) {
            progress.printf(Locale.ROOT, "  counters/%s: %d slot(s) x %d actors x %,d increments%n",
                    name, slots.length, plan.actorsPerSlot(), plan.incrementsPerActor());
        } else {
            progress.printf(Locale.ROOT, "  counters/%s: %d slot(s) x %d actors: JS actors %,d increments each, host actors until the guests are done%n",
                    name, slots.length, plan.actorsPerSlot(), plan.jsIncrements());
        }
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
        SlotSweep sweep = SlotSweep.begin(region.segment());

        int expectedActors = slots.length * plan.actorsPerSlot();
        List<Actor> actors = new ArrayList<>();
        AtomicReference<Throwable> javaFailure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean hostStop = plan.hostUntilGuestsDone() ? new java.util.concurrent.atomic.AtomicBoolean() : null;
        int counted = slots.length * plan.countedPerSlot(), nextShare = 0;
        Map<Integer, Long> asked = new LinkedHashMap<>();
        try {
            for (int s : slots) {
                for (int i = 0; i < plan.jsActors(); i++) {
                    // Each guest rehearses on its own unused counter slot (past the ones cases use).
                    actors.add(Actor.js(s, JsCounterActor.start(guest, plan.jsScript(), s, region.segment(),
                            aim(block, s, plan.jsScript().name()).address() - region.segment().address(),
                            region.counterSlot(counterSlots.at(GUEST_SLOT + 1 + i)).address() - region.segment().address(),
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

            Status status;
            String message;
            if (who.stray()) {
                // Increments outside the used slots: whatever else the case was for, its
                // figures are not what they seem (a broken variant's losses could be these).
                status = Status.FAILED;
                message = String.join("; ", wrong);
                if (plan.jsScript() != null && plan.jsScript().knownHazard()) details.put("verdict", "wrong");
            } else if (plan.jsScript() != null && plan.jsScript().knownHazard()) {
                // Style (a): the guest's Atomics.add is not atomic across the host boundary.
                long guestDone = 0;
                for (Actor a : actors) if (a.js != null) guestDone += a.js.done();
                String verdict = hazardVerdict(lost, guestDone);
                details.put("verdict", verdict);
                switch (verdict) {
                    case "known_hazard_observed" -> {
                        status = Status.EXPECTED_FAILURE;
                        message = String.format(Locale.ROOT,
                                "known cross-runtime hazard: %,d of %,d updates lost (%.3f%%): JS Atomics.add on a view of a host buffer is a plain read-add-write",
                                lost, contributedTotal, 100.0 * lost / contributedTotal);
                    }
                    case "hazard_not_seen" -> {
                        // Nothing lost proves nothing about the hazard: the guest and the host may
                        // simply not have overlapped. Inconclusive, not a pass.
                        status = Status.SKIPPED;
                        message = String.format(Locale.ROOT,
                                "inconclusive: hazard not seen in this run (%,d increments, none lost); the guest and the host may not have overlapped",
                                actualTotal);
                    }
                    default -> {
                        status = Status.FAILED;
                        wrong.add(0, lost > 0
                                ? String.format(Locale.ROOT,
                                        "harness fault, not the hazard: %,d updates lost, exactly the guest's whole count (%,d): the slot holds only the host's increments, so the guest's writes never reached it",
                                        lost, guestDone)
                                : String.format(Locale.ROOT, "the slot holds %,d more than the actors added", -lost));
                        message = String.join("; ", wrong);
                    }
                }
            } else if (plan.jsScript() != null && plan.jsScript().broken()) {
                // Style (b)'s broken variant: a plain read and write through host methods.
                if (lost > 0) {
                    status = Status.EXPECTED_FAILURE;
                    message = String.format(Locale.ROOT, "caught: %,d of %,d updates lost (%.3f%%) with host getPlain/setPlain increments",
                            lost, contributedTotal, 100.0 * lost / contributedTotal);
                } else {
                    status = Status.FAILED;
                    message = String.format(Locale.ROOT,
                            "the broken variant was not caught: %,d of %,d updates lost, so this run does not prove style (b)'s check can fail",
                            lost, contributedTotal);
                }
            } else if (plan.plainJava()) {
                if (lost > 0 && contributedTotal == expectedTotal) {
                    status = Status.EXPECTED_FAILURE;
                    message = String.format(Locale.ROOT, "caught: %,d of %,d updates lost (%.2f%%) with non-atomic Java increments (an opaque read, then an opaque write)",
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

    /**
     * What style (a)'s numbers mean. Host atomics never lose an update, so with the host's
     * increments H and the guest's G the slot ends at H + G - lost. A slot at exactly H
     * ({@code lost == G}) is what a guest whose writes never reach the slot gives (a copy of
     * the buffer, a view that drops them): a harness fault, not the hazard. Any other loss
     * shows the guest's writes on the slot: below G, some of them landed; above G, they
     * erased host increments, which only a write to the slot can do. A slot above H + G is
     * wrong too.
     */
    static String hazardVerdict(long lost, long guestDone) {
        if (lost < 0) return "wrong";
        if (lost == 0) return "hazard_not_seen";
        return lost == guestDone ? "wrong" : "known_hazard_observed";
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

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
