package testbed.litmus.engine;

import testbed.Mode;
import testbed.harness.Progress;
import testbed.harness.Suite;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.report.CaseResult;
import testbed.report.SuiteResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The litmus suite: the canonical tests, grouped by shape, run in forked JVMs with their own
 * region and peer, so that a native crash fails the tests of that JVM and not the run. A
 * JVM runs in one JIT mode, and a test with a Java actor runs in the modes its
 * {@link JitPlan} gives it, one JVM per mode ({@link ForkPlan}); its case is judged on the
 * union of those runs ({@link ModeUnion}); {@link ForkedJvm} starts and reads each JVM. The
 * mode sets a total time budget that is divided among the tests, start-ups included, and kept.
 */
public final class LitmusSuite {
    public static final String NAME = "litmus";
    public static final String TITLE = "Memory-ordering litmus tests whose actors run in Java, C and Go over one shared region.";
    /** This suite as a run sees it. */
    public static final Suite SUITE = Suite.standalone(NAME, TITLE,
            (session, settings, progress) -> run(settings.mode(), t -> settings.cases().test(t.name()), progress));

    /** Time a forked JVM in the JVM's default mode needs besides its tests: JVM start, region, peer, shim, warm-up. */
    static final Duration GROUP_OVERHEAD = Duration.ofMillis(1800);
    /** A discarded first run per group: a fresh JVM's JIT compiles in the background and
     *  takes one of the two cores from the actors of whatever test runs first. */
    static final Duration WARM_UP = Duration.ofMillis(250);
    /** Time a test needs besides its run budget: actors starting, joining, the histogram. */
    static final Duration TEST_OVERHEAD = Duration.ofMillis(40);
    static final Duration MIN_RUN = Duration.ofMillis(30);

    private LitmusSuite() {}

    /** The whole-suite time budget a mode promises. */
    public static Duration totalBudget(Mode mode) {
        return switch (mode) {
            case QUICK -> Duration.ofSeconds(60);
            case DEFAULT -> Duration.ofSeconds(240);
            case TOUGH -> Duration.ofMinutes(30);
        };
    }

    /** The longest one test runs in a mode, however few tests are selected. */
    public static Duration perTestCap(Mode mode) {
        return switch (mode) {
            case QUICK -> Duration.ofSeconds(1);
            case DEFAULT -> Duration.ofSeconds(5);
            case TOUGH -> Duration.ofSeconds(60);
        };
    }

    /** Groups in run order: one per shape, then the broken variants. */
    public static Map<String, List<LitmusCase>> groups(List<LitmusCase> tests) {
        Map<String, List<LitmusCase>> g = new LinkedHashMap<>();
        for (LitmusCase t : tests) {
            String key = t.selfCheck() ? "selfcheck"
                    : hasGuest(t) ? "guest" // docs/GUEST.md
                    : t.shape() == null ? "custom" : t.shape().token();
            g.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        return g;
    }

    static boolean hasGuest(LitmusCase t) {
        return t.hasGuest();
    }

    /**
     * What the plan sets aside for each broken variant. It runs until it is caught enough
     * times or its evidence bound runs out ({@link EvidenceGoal}); on the build machine it is
     * caught within a second, and a rare slow one takes its time from the plan of no test but
     * itself: it runs last.
     */
    static final Duration SELF_CHECK_RESERVE = Duration.ofSeconds(1);

    /**
     * What a test with a JavaScript guest actor costs besides its run: a context per guest
     * actor and its first-use work, measured at 300 to 700 ms on the 2-core build machine.
     */
    static final Duration GUEST_TEST_OVERHEAD = Duration.ofMillis(600);

    /**
     * The guest group's first engine and context in a fresh JVM with JVMCI (the Graal
     * compiler's own classes loading and compiling): seconds, not the 600 ms of a later test.
     */
    static final Duration GUEST_COLD_START = Duration.ofSeconds(4);

    /**
     * The guest tests' own budget, on top of {@link #totalBudget}: they never take time from
     * the canonical tests (docs/GUEST.md, "Litmus tests").
     */
    public static Duration guestBudget(Mode mode) {
        return switch (mode) {
            case QUICK -> Duration.ofSeconds(20);
            case DEFAULT -> Duration.ofSeconds(90);
            case TOUGH -> Duration.ofMinutes(10);
        };
    }

    /** Each guest test's share of {@code leftMs}, the guest budget left, after the cold start and per-test start-ups. */
    static Budget guestShare(Mode mode, long leftMs, int tests) {
        long left = leftMs - GROUP_OVERHEAD.toMillis() - GUEST_COLD_START.toMillis()
                - tests * (TEST_OVERHEAD.toMillis() + GUEST_TEST_OVERHEAD.toMillis());
        long per = Math.max(MIN_RUN.toMillis(), left / Math.max(1, tests));
        return Budget.of(Duration.ofMillis(Math.min(per, perTestCap(mode).toMillis())));
    }

    /**
     * What a forked JVM in {@code jit} needs besides its tests' runs: JVM start, region, peer,
     * shim and the discarded warm-up run, as in {@link #GROUP_OVERHEAD}. Measured against the
     * default mode on the 2-core build machine (docs/LITMUS.md, "JIT modes"): C1 alone starts
     * as fast; C2 alone, with or without stress, leaves the harness interpreted until C2 has
     * compiled it; the interpreter never compiles it.
     */
    static Duration forkOverhead(JitMode jit) {
        return switch (jit.name()) {
            case "interpreter" -> Duration.ofMillis(2700);
            case "c2", "c2_stress" -> Duration.ofMillis(3000);
            default -> GROUP_OVERHEAD;
        };
    }

    /**
     * What each Java kernel costs a JVM in {@code jit} besides the runs' own overhead: a Java
     * actor rehearses its loop for 2,000 rounds before its first, once per kernel in a JVM
     * (docs/LITMUS.md, "Warm-up"). Interpreted it does not (nothing would be compiled; it
     * took 570 to 960 ms a kernel when it did); C2 alone, with or without stress, leaves it
     * interpreted longer than the tiered default: 80 to 90 ms a run against 40 ms
     * ({@link #TEST_OVERHEAD}, which covers the others).
     */
    static Duration rehearsal(JitMode jit) {
        return switch (jit.name()) {
            case "c2", "c2_stress" -> Duration.ofMillis(50);
            default -> Duration.ZERO;
        };
    }

    /**
     * What a forked JVM costs besides its runs' time: its start-up, each run's overhead, the
     * interpreter's rehearsals, the broken variants' reserves.
     */
    static long overheadMs(ForkPlan.Fork f) {
        long ms = forkOverhead(f.jit()).toMillis() + f.tests().size() * TEST_OVERHEAD.toMillis()
                + f.javaKernels() * rehearsal(f.jit()).toMillis();
        boolean interpreted = f.jit().equals(JitMode.INTERPRETER);
        for (LitmusCase t : f.tests()) {
            if (!t.selfCheck()) continue;
            // An interpreted Java actor samples at about 0.1 M/s: its broken variant went
            // uncaught for its whole bound on the build machine, so the plan sets that aside.
            ms += interpreted && JitPlan.applies(t) ? EvidenceGoal.BROKEN_VARIANT_BOUND.toMillis() : SELF_CHECK_RESERVE.toMillis();
        }
        return ms;
    }

    /** The first plan of the tests without a guest actor: each test's share of the whole budget. */
    public static Budget budget(Mode mode, List<LitmusCase> tests) {
        return share(mode, totalBudget(mode).toMillis(), ForkPlan.forks(packs(tests, JitPlan.of(mode, tests, 1))));
    }

    /**
     * Each remaining test's share of {@code leftMs}, the time the suite has left, after what
     * the JVMs still to fork cost besides their runs ({@link #overheadMs}); a test in four JIT
     * modes gets a quarter of its share in each. The run is re-planned before every JVM, so
     * that JVMs that took longer than planned (a loaded machine starts JVMs slowly) shorten
     * the tests after them instead of the budget growing.
     */
    static Budget share(Mode mode, long leftMs, List<ForkPlan.Fork> forks) {
        long left = leftMs;
        double shares = 0;
        int split = 1;
        for (ForkPlan.Fork f : forks) {
            left -= overheadMs(f);
            shares += f.shares();
            split = Math.max(split, f.modesPerTest());
        }
        long per = shares == 0 ? perTestCap(mode).toMillis() : (long) (left / shares);
        per = Math.max(split * MIN_RUN.toMillis(), per);
        // A filtered run of a few tests does not stretch each one to fill the whole budget.
        return Budget.of(Duration.ofMillis(Math.min(per, perTestCap(mode).toMillis())));
    }

    /**
     * How long a run of {@code forks} and {@code guestTests} guest tests is planned to take: the
     * whole budget of the mode, or less for a filtered run whose tests each reach their cap
     * ({@link #perTestCap}) before the budget is spent, so that its progress counts down what it
     * will take, not what a full run would.
     */
    static Duration planned(Mode mode, List<ForkPlan.Fork> forks, int guestTests) {
        long per = share(mode, totalBudget(mode).toMillis(), forks).run().toMillis();
        long ms = 0;
        for (ForkPlan.Fork f : forks) ms += overheadMs(f) + (long) (f.shares() * per);
        Duration planned = Duration.ofMillis(Math.min(ms, totalBudget(mode).toMillis()));
        if (guestTests == 0) return planned;
        long guestPer = guestShare(mode, guestBudget(mode).toMillis(), guestTests).run().toMillis();
        long guestMs = GROUP_OVERHEAD.toMillis() + GUEST_COLD_START.toMillis()
                + guestTests * (TEST_OVERHEAD.toMillis() + GUEST_TEST_OVERHEAD.toMillis() + guestPer);
        return planned.plusMillis(Math.min(guestMs, guestBudget(mode).toMillis()));
    }

    /** The packs of the tests without a guest actor, in run order. */
    static List<ForkPlan.Pack> packs(List<LitmusCase> tests, JitPlan plan) {
        return ForkPlan.of(groups(tests.stream().filter(t -> !hasGuest(t)).toList()), plan);
    }

    /** Runs the canonical tests matching {@code filter} in forked JVMs, each test in the JIT modes of the mode's plan. */
    public static SuiteResult run(Mode mode, Predicate<LitmusCase> filter, PrintStream progress) {
        long judged = System.nanoTime();
        List<LitmusCase> all = CanonicalSuite.all();
        progress.printf(Locale.ROOT, "  model: %d tests from %s parsed, bound and judged in %.0f ms%n", all.size(),
                CanonicalSuite.directory(), (System.nanoTime() - judged) / 1e6);
        List<LitmusCase> tests = all.stream().filter(filter).toList();
        // The guest group has a budget of its own (guestBudget), so the canonical tests are
        // planned as if it were not there, and the time it takes moves their deadline on.
        List<LitmusCase> guestTests = tests.stream().filter(LitmusSuite::hasGuest).toList();
        JitPlan plan = JitPlan.of(mode, tests, JitPlan.runSeed());
        List<ForkPlan.Pack> packs = packs(tests, plan);
        Map<String, List<LitmusCase>> groups = groups(tests);
        List<ForkPlan.Fork> forks = ForkPlan.forks(packs);
        Budget budget = share(mode, totalBudget(mode).toMillis(), forks);
        progress.printf(Locale.ROOT, "  %d tests, %s mode: %d s in all, %d JVMs, %d ms per test%s, stride %d%s%n",
                tests.size() - guestTests.size(), mode.label(), totalBudget(mode).toSeconds(), forks.size(), budget.run().toMillis(),
                describeSplit(mode, plan, tests), budget.stride(),
                guestTests.isEmpty() ? "" : String.format(Locale.ROOT, "; %d guest tests in %d s of their own, %d ms per test",
                        guestTests.size(), guestBudget(mode).toSeconds(),
                        guestShare(mode, guestBudget(mode).toMillis(), guestTests.size()).run().toMillis()));
        long t0 = System.nanoTime();
        long deadline = t0 + totalBudget(mode).toNanos();
        Progress bar = Progress.start(progress, NAME, tests.size(), planned(mode, forks, guestTests.size()));
        // One peer with every Go kernel of the run, built inside the run's time, so a cold
        // build shortens the tests planned after it instead of stretching the run.
        List<String> peer = peerArgs(CompiledKernels.goPeer(tests, progress));
        List<CaseResult> cases = new ArrayList<>();
        boolean guestRan = guestTests.isEmpty();
        int next = 0;
        for (ForkPlan.Pack pack : packs) {
            // The guest group runs where it stands in the suite: before the broken variants.
            if (!guestRan && pack.groups().contains("selfcheck")) {
                deadline += runGuests(guestTests, mode, peer, cases, progress, bar);
                guestRan = true;
            }
            Map<String, List<ModeUnion.Run>> runs = new LinkedHashMap<>();
            Map<String, Integer> modesLeft = modesLeft(pack.forks());
            for (ForkPlan.Fork f : pack.forks()) {
                Budget now = share(mode, (deadline - System.nanoTime()) / 1_000_000, forks.subList(next++, forks.size()));
                if (now.run().compareTo(budget.run()) < 0) {
                    progress.printf(Locale.ROOT, "  (behind plan: %s runs %d ms per test)%n", f.name(), now.run().toMillis());
                }
                collect(runs, f, ForkedJvm.fork(f.name(), f.tests(), peer, now, f.jit(), f.modesPerTest(), progress));
                advance(bar, modesLeft, f);
            }
            cases.addAll(judge(pack.tests(groups), runs, progress));
        }
        if (!guestRan) deadline += runGuests(guestTests, mode, peer, cases, progress, bar);
        bar.close();
        progress.printf(Locale.ROOT, "  litmus: %d tests in %.1f s (budget %d s%s)%n", cases.size(),
                (System.nanoTime() - t0) / 1e9, totalBudget(mode).toSeconds(),
                guestTests.isEmpty() ? "" : " + " + guestBudget(mode).toSeconds() + " s for the guest tests");
        return new SuiteResult(NAME, TITLE, cases);
    }

    /**
     * Runs {@code tests} (a user's file: {@code source} names it) as the suite would, each in
     * the JIT modes of the mode's plan, each test with {@code budget} split across its modes.
     */
    public static List<CaseResult> runInModes(String group, List<LitmusCase> tests, List<String> source, Mode mode, Budget budget,
                                              PrintStream progress) {
        JitPlan plan = JitPlan.of(mode, tests, JitPlan.runSeed());
        List<CaseResult> cases = new ArrayList<>();
        Progress bar = Progress.start(progress, group, tests.size(), null);
        for (ForkPlan.Pack pack : ForkPlan.of(Map.of(group, tests), plan)) {
            Map<String, List<ModeUnion.Run>> runs = new LinkedHashMap<>();
            Map<String, Integer> modesLeft = modesLeft(pack.forks());
            for (ForkPlan.Fork f : pack.forks()) {
                collect(runs, f, ForkedJvm.fork(f.name(), f.tests(), source, budget, f.jit(), f.modesPerTest(), progress));
                advance(bar, modesLeft, f);
            }
            cases.addAll(judge(tests, runs, progress));
        }
        bar.close();
        return cases;
    }

    /** Runs the guest group in the JVM's default mode (docs/GUEST.md); returns the time it took. */
    private static long runGuests(List<LitmusCase> guests, Mode mode, List<String> peer, List<CaseResult> cases, PrintStream progress,
                                  Progress bar) {
        long g0 = System.nanoTime();
        Map<String, List<ModeUnion.Run>> runs = new LinkedHashMap<>();
        ForkPlan.Fork f = new ForkPlan.Fork(List.of("guest"), JitMode.JVM_DEFAULT, guests, 1);
        collect(runs, f, ForkedJvm.fork(f.name(), guests, peer, guestShare(mode, guestBudget(mode).toMillis(), guests.size()),
                f.jit(), 1, progress));
        advance(bar, modesLeft(List.of(f)), f);
        cases.addAll(judge(guests, runs, progress));
        return System.nanoTime() - g0;
    }

    /** Adds a JVM's cases to their tests' runs; a test it held but did not report is a run that erred, so no mode goes missing unsaid. */
    static void collect(Map<String, List<ModeUnion.Run>> runs, ForkPlan.Fork f, List<CaseResult> results) {
        Map<String, CaseResult> byName = new LinkedHashMap<>();
        for (CaseResult r : results) byName.put(r.name(), r);
        for (LitmusCase t : f.tests()) {
            CaseResult r = byName.getOrDefault(t.name(),
                    CaseResult.error(t.name(), LitmusRunner.title(t), "JVM " + f.name() + " reported no case for it", 0));
            runs.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(new ModeUnion.Run(f.jit(), r));
        }
    }

    /** How many of {@code forks} each test runs in: its JIT modes in this pack. */
    private static Map<String, Integer> modesLeft(List<ForkPlan.Fork> forks) {
        Map<String, Integer> left = new java.util.HashMap<>();
        for (ForkPlan.Fork f : forks) for (LitmusCase t : f.tests()) left.merge(t.name(), 1, Integer::sum);
        return left;
    }

    /** A test is done, for the progress line, when the last JVM it runs in has reported. */
    private static void advance(Progress bar, Map<String, Integer> modesLeft, ForkPlan.Fork f) {
        for (LitmusCase t : f.tests()) if (modesLeft.merge(t.name(), -1, Integer::sum) == 0) bar.advance();
    }

    /** Each test's case over its runs, in suite order, with one progress line each. */
    private static List<CaseResult> judge(List<LitmusCase> tests, Map<String, List<ModeUnion.Run>> runs, PrintStream progress) {
        List<CaseResult> out = new ArrayList<>();
        for (LitmusCase t : tests) {
            List<ModeUnion.Run> r = runs.get(t.name());
            CaseResult c = r == null ? CaseResult.error(t.name(), LitmusRunner.title(t), "no JVM ran it", 0) : ModeUnion.of(t, r);
            out.add(c);
            progress.printf(Locale.ROOT, "  %s  litmus/%-36s %s%n", c.status().label(), t.name(), c.message());
        }
        progress.flush();
        return out;
    }

    /**
     * The arguments that hand a forked group the run's peer; none when there is no peer to
     * hand (no Go actor, or its build failed: the group then tries once more and reports why).
     */
    public static List<String> peerArgs(CompiledKernels.GoPeer peer) {
        return peer.binary() == null ? List.of() : List.of("--peer", peer.binary().toString());
    }

    /** How the plan line says the tests with a Java actor use the JIT modes. */
    private static String describeSplit(Mode mode, JitPlan plan, List<LitmusCase> tests) {
        long jit = tests.stream().filter(JitPlan::applies).count();
        if (jit == 0) return "";
        String modes = String.join(", ", plan.modes().stream().map(JitMode::label).toList());
        return mode == Mode.QUICK
                ? String.format(Locale.ROOT, " (%d tests with a Java actor run in one JIT mode each, rotating over %s)", jit, modes)
                : String.format(Locale.ROOT, " (%d tests with a Java actor split it across %s)", jit, modes);
    }
}
