package testbed.litmus.engine;

import testbed.harness.Session;
import testbed.litmus.ActorSpec;
import testbed.litmus.ArchModel;
import testbed.litmus.Gather;
import testbed.litmus.LitmusCase;
import testbed.litmus.runtime.ActorResult;
import testbed.litmus.runtime.Descriptor;
import testbed.litmus.runtime.LitmusSection;
import testbed.litmus.runtime.NativeActors;
import testbed.report.CaseResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs litmus tests over the session's region: starts each actor in its runtime (a
 * Java thread, a C pthread through FFM, a goroutine in the peer), releases them
 * together, stops them when the budget is spent, and turns the region's histogram into
 * a case. The runner itself never spins: it sleeps and watches the rounds counter, and
 * aborts a test whose rounds stop moving (a dead peer, a stuck actor).
 */
public final class LitmusRunner {
    private static final Duration START_BOUND = Duration.ofSeconds(10);
    /** A guest actor's first test in a JVM starts the polyglot engine and rehearses a cold
     *  kernel; on the loaded 2-core build machine that took more than 10 s. */
    private static final Duration GUEST_START_BOUND = Duration.ofSeconds(40);
    private static final Duration POLL = Duration.ofMillis(5);

    private final Session session;
    private final LitmusSection section;
    private final NativeActors cActors;
    private long generation;
    private testbed.guest.GuestRuntime guest = testbed.guest.GuestRuntime.shared();
    /** One launcher per runtime: the runner itself has no per-runtime code. */
    private final java.util.Map<testbed.litmus.ActorRuntime, ActorLauncher> launchers = new java.util.EnumMap<>(testbed.litmus.ActorRuntime.class);
    private CKernels cKernels = CKernels.none("no C kernels", "no C kernels were compiled for this run");

    public LitmusRunner(Session session, NativeActors cActors) {
        this.session = session;
        this.section = new LitmusSection(session.region().litmus());
        this.cActors = cActors;
        this.generation = (System.nanoTime() & 0xFFFF_FFFFL) << 8;
        launchers.put(testbed.litmus.ActorRuntime.JAVA, new ActorLauncher.Java(section));
        launchers.put(testbed.litmus.ActorRuntime.C, new ActorLauncher.C(section, cActors, cKernels));
        launchers.put(testbed.litmus.ActorRuntime.GO, new ActorLauncher.Go(session, null, START_BOUND));
        withGuest(guest, null);
    }

    /**
     * Guest actors on {@code guest}, with their kernels' JavaScript from {@code source} (null:
     * the generated kernels): a test gives an engine that cannot start, or a kernel that throws.
     */
    public LitmusRunner withGuest(testbed.guest.GuestRuntime guest, java.util.function.Function<ActorSpec, String> source) {
        this.guest = guest;
        ActorLauncher g = new ActorLauncher.Guest(section, guest, source);
        launchers.put(testbed.litmus.ActorRuntime.JS_VIEW, g);
        launchers.put(testbed.litmus.ActorRuntime.JS_HOST, g);
        return this;
    }

    /** Runs one test toward its evidence goal; never throws for a fault in the test: it becomes an ERROR case with its reason. */
    public CaseResult run(LitmusCase t, Budget budget) {
        return run(t, budget, EvidenceGoal.of(t));
    }

    /**
     * Runs one test with {@code goal} ({@link EvidenceGoal#NONE}: exactly its budget, as the
     * rate measurements do).
     */
    public CaseResult run(LitmusCase t, Budget budget, EvidenceGoal goal) {
        long t0 = System.nanoTime();
        try {
            return execute(t, budget, goal, t0);
        } catch (RuntimeException e) {
            section.requestAbort();
            return CaseResult.error(t.name(), title(t), e.getMessage() == null ? e.toString() : e.getMessage(), ms(t0));
        }
    }

    /**
     * The C kernels of the tests this runner runs, compiled into one library
     * ({@link testbed.litmus.kernel.CKernelLibrary}); without it a test with a C actor is an ERROR
     * with the reason.
     */
    public LitmusRunner withCKernels(CKernels kernels) {
        this.cKernels = kernels;
        launchers.put(testbed.litmus.ActorRuntime.C, new ActorLauncher.C(section, cActors, kernels));
        return this;
    }

    /** Why the Go peer runs none of this run's generated kernels (its build failed), or null. */
    public LitmusRunner withGoRefusal(String reason) {
        launchers.put(testbed.litmus.ActorRuntime.GO, new ActorLauncher.Go(session, reason, START_BOUND));
        return this;
    }

    /** Where each generated C kernel is, or why there is none. */
    public interface CKernels {
        /** The function of {@code plan}'s kernel; throws {@link IllegalStateException} with the reason it has none. */
        java.lang.foreign.MemorySegment address(testbed.litmus.kernel.KernelPlan plan);

        /** How they were made, for the report: how many, compiled or cached, how long it took. */
        String note();

        /** No kernels: asking for one throws with {@code reason}; the report says {@code note}. */
        static CKernels none(String note, String reason) {
            return new CKernels() {
                @Override public java.lang.foreign.MemorySegment address(testbed.litmus.kernel.KernelPlan plan) {
                    throw new IllegalStateException(reason);
                }
                @Override public String note() { return note; }
            };
        }
    }

    private CaseResult execute(LitmusCase t, Budget budget, EvidenceGoal goal, long t0) {
        List<Descriptor.Gather> gathers = new ArrayList<>();
        for (Gather g : t.gathers()) {
            gathers.add(g.isRegister() ? new Descriptor.Gather.Register(g.actor(), g.register())
                    : new Descriptor.Gather.Location(8L * g.location()));
        }
        int[] registers = new int[t.actors().size()];
        for (int i = 0; i < registers.length; i++) registers[i] = t.actors().get(i).registers();
        Descriptor d = Descriptor.standard(registers, Math.max(1, t.locations()), budget.stride(), gathers)
                .withRadix(t.radix());
        section.reset();
        section.write(d);
        long gen = ++generation;
        section.setGeneration(gen);

        List<RunningActor> running = new ArrayList<>();
        try {
            // Guest actors first: a guest's context, first-use work and rehearsal can take
            // longer than a host actor's own stall bound, which starts at its first wait.
            RunningActor[] byIndex = new RunningActor[t.actors().size()];
            for (boolean guestPass : new boolean[] {true, false}) {
                for (int i = 0; i < byIndex.length; i++) {
                    if (t.actors().get(i).runtime().guest() != guestPass) continue;
                    byIndex[i] = start(i, t.actors().get(i), gen, new Budget(goal.limit(budget), budget.stride(), budget.stall()));
                    running.add(byIndex[i]);
                }
                if (guestPass && !running.isEmpty()) awaitReady(running, running.size(), GUEST_START_BOUND);
            }
            running.clear();
            running.addAll(List.of(byIndex)); // actor order, for the results
            awaitReady(running, t.actors().size(), START_BOUND);

            Set<List<Long>> serial = t.source().serialOutcomes();
            long seen = 0;
            long toTarget = -1;
            long released = System.nanoTime();
            section.setEpoch(1);
            long lastRounds = 0;
            long lastMove = released;
            boolean stopped = false;
            String stall = null;
            while (section.done() == 0 && section.abort() == 0) {
                sleep(POLL);
                long now = System.nanoTime();
                long rounds = section.rounds();
                if (rounds != lastRounds) {
                    lastRounds = rounds;
                    lastMove = now;
                }
                // Read while the consumers write it: a monitor for the goal, not the verdict's count.
                if (!stopped && rounds != 0 && !goal.none()) {
                    seen = goal.count(t, serial, Outcomes.observed(section.histogram(), d));
                    if (toTarget < 0 && seen >= goal.target()) toTarget = now - released;
                }
                if (!stopped && goal.done(now - released, budget, seen)) {
                    section.requestStop();
                    stopped = true;
                }
                if (now - lastMove > budget.stall().toNanos()) {
                    stall = String.format(Locale.ROOT, "stalled: no round completed in %d ms (after %,d rounds)",
                            budget.stall().toMillis(), rounds);
                    section.requestAbort();
                    break;
                }
                String early = firstFailure(running);
                if (early != null) {
                    section.requestAbort();
                    stall = early;
                    break;
                }
            }
            long elapsed = System.nanoTime() - released;

            List<ActorResult> results = new ArrayList<>();
            List<String> faults = new ArrayList<>();
            for (RunningActor r : running) {
                ActorResult res = r.await(budget.stall().plusSeconds(5));
                results.add(res);
                if (res == null) faults.add(r.label + ": did not return");
                else if (!res.completed()) faults.add(r.label + ": " + (res.reason() == null || res.reason().isEmpty() ? "aborted" : res.reason()));
            }
            if (stall != null || !faults.isEmpty()) {
                String why = (stall == null ? "" : stall + "; ") + String.join("; ", faults);
                return CaseResult.error(t.name(), title(t), why, ms(t0));
            }
            return verdict(t, d, goal, toTarget, elapsed, results, t0);
        } finally {
            if (section.done() == 0) section.requestAbort();
            for (RunningActor r : running) r.abandon();
        }
    }

    private CaseResult verdict(LitmusCase t, Descriptor d, EvidenceGoal goal, long toTargetNs, long elapsedNs, List<ActorResult> results,
                               long t0) {
        long[] hist = section.histogram();
        long rounds = section.rounds();
        long samples = 0;
        for (long c : hist) samples += c;
        if (samples != rounds * d.stride()) {
            return CaseResult.error(t.name(), title(t), String.format(Locale.ROOT,
                    "engine integrity: the histogram holds %,d samples but %,d rounds x %,d instances were run",
                    samples, rounds, d.stride()), ms(t0));
        }
        Map<List<Long>, Long> observed = Outcomes.observed(hist, d);
        HistogramVerdict.Judged judged = HistogramVerdict.judge(t,
                new HistogramVerdict.Observed(observed, Map.of(), samples, elapsedNs, toTargetNs, null), goal);
        Map<String, Object> metrics = new LinkedHashMap<>(judged.metrics());
        metrics.put("rounds", rounds);
        metrics.put("stride", (long) d.stride());
        metrics.put("start_lead_ns", section.leadNs());
        metrics.put("elapsed_ms", elapsedNs / 1e6);
        Map<String, Object> details = new LinkedHashMap<>();
        if (t.hasGuest()) {
            // This JVM's own mode (a forked group's, not its parent's) and the compilations of
            // the test's guest kernels that have landed in it so far.
            long compiled = 0;
            for (ActorSpec a : t.actors()) {
                if (a.runtime().guest()) compiled += guest.compilations(testbed.litmus.runtime.GuestKernel.sourceName(a.actual()));
            }
            metrics.put("guest_compilations", compiled);
            details.put("guest_execution", String.valueOf(guest.describe().get("execution")));
        }
        details.put("verdict", judged.verdict());
        if (t.actors().stream().anyMatch(a -> a.runtime() == testbed.litmus.ActorRuntime.C)) details.put("c_kernels", cKernels.note());
        details.put("shape", t.shape() == null ? "custom" : t.shape().title());
        details.put("rung", t.rung() == null ? "" : t.rung().label());
        details.put("pairing", t.pairing());
        details.put("arch", ArchModel.arch());
        details.put("observation_expected_here", ArchModel.expect(t, ArchModel.arch()).name().toLowerCase(Locale.ROOT));
        details.put("actors", t.actorRows());
        details.put("histogram", judged.histogram());
        details.putAll(t.source().details());
        details.put("observation", Outcomes.observation(t, observed));
        List<Map<String, Object>> actorRuns = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ActorResult r = results.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("actor", "a" + i);
            row.put("rounds", r.rounds());
            row.put("rounds_consumed", r.consumed());
            actorRuns.add(row);
        }
        details.put("actor_runs", actorRuns);
        return new CaseResult(t.name(), title(t), judged.status(), judged.message(), ms(t0), metrics, details);
    }

    public static String title(LitmusCase t) {
        StringBuilder b = new StringBuilder();
        b.append(t.shape() == null ? "custom" : t.shape().title()).append(' ').append(t.pairing());
        if (t.rung() != null) b.append(' ').append(t.rung().label());
        b.append(": ");
        List<String> parts = new ArrayList<>();
        for (ActorSpec a : t.actors()) parts.add(a.label());
        b.append(String.join(" | ", parts));
        if (t.selfCheck()) b.append(" [broken variant: must be caught]");
        return b.toString();
    }

    private void awaitReady(List<RunningActor> running, int n, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (section.ready() < n) {
            String early = firstFailure(running);
            if (early != null) throw new IllegalStateException(early);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT, "only %d of %d actors started within %d s",
                        section.ready(), n, bound.toSeconds()));
            }
            sleep(Duration.ofMillis(1));
        }
    }

    private static String firstFailure(List<RunningActor> running) {
        for (RunningActor r : running) {
            String f = r.earlyFailure();
            if (f != null) return r.label + ": " + f;
        }
        return null;
    }

    private RunningActor start(int i, ActorSpec a, long gen, Budget budget) {
        return launchers.get(a.runtime()).start(i, a, gen, budget);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
