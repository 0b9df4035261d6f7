package testbed.litmus.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import testbed.Mode;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusTest;
import testbed.report.CaseResult;
import testbed.report.ReportWriter;
import testbed.report.SuiteResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The litmus suite: the canonical tests, grouped by shape, each group in a forked JVM
 * with its own region and peer, so that a native crash fails that group and not the
 * run. The mode sets a total time budget that is divided among the tests and kept.
 */
public final class LitmusSuite {
    public static final String NAME = "litmus";

    /** Time a forked group needs besides its tests: JVM start, region, peer, shim, warm-up. */
    static final Duration GROUP_OVERHEAD = Duration.ofMillis(1800);
    /** A discarded first run per group: a fresh JVM's JIT compiles in the background and
     *  takes one of the two cores from the actors of whatever test runs first. */
    static final Duration WARM_UP = Duration.ofMillis(250);
    /** Fault injection for tests: the group named by this property dies of SIGABRT. */
    public static final String CRASH_GROUP_PROPERTY = "testbed.litmus.crash-group";
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
    public static Map<String, List<LitmusTest>> groups(List<LitmusTest> tests) {
        Map<String, List<LitmusTest>> g = new LinkedHashMap<>();
        for (LitmusTest t : tests) {
            String key = t.selfCheck() ? "selfcheck"
                    : hasGuest(t) ? "guest" // docs/GUEST.md
                    : t.shape() == null ? "custom" : t.shape().token();
            g.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        return g;
    }

    static boolean hasGuest(LitmusTest t) {
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

    /** Each test's share of the total budget, after the overheads and the broken variants' reserve. */
    public static Budget budget(Mode mode, int tests, int groups) {
        return share(mode, totalBudget(mode).toMillis(), tests, groups, CanonicalSuite.selfChecks().size());
    }

    /**
     * Each remaining test's share of {@code leftMs}, the time the suite has left: the run is
     * re-planned before every group, so that groups that took longer than planned (a loaded
     * machine starts JVMs slowly) shorten the tests after them instead of the budget growing.
     */
    static Budget share(Mode mode, long leftMs, int tests, int groups, int selfChecks) {
        long left = leftMs - groups * GROUP_OVERHEAD.toMillis() - tests * TEST_OVERHEAD.toMillis()
                - selfChecks * SELF_CHECK_RESERVE.toMillis();
        long per = Math.max(MIN_RUN.toMillis(), left / Math.max(1, tests));
        // A filtered run of a few tests does not stretch each one to fill the whole budget.
        return Budget.of(Duration.ofMillis(Math.min(per, perTestCap(mode).toMillis())));
    }

    /** The first plan for the tests without a guest actor: the guest group neither counts nor costs here. */
    static Budget canonicalBudget(Mode mode, List<LitmusTest> tests) {
        Map<String, List<LitmusTest>> groups = groups(tests);
        int guestTests = groups.getOrDefault("guest", List.of()).size();
        return share(mode, totalBudget(mode).toMillis(), tests.size() - guestTests,
                groups.size() - (guestTests == 0 ? 0 : 1), CanonicalSuite.selfChecks().size());
    }

    /** Runs the canonical tests matching {@code filter}, each group in its own JVM. */
    public static SuiteResult run(Mode mode, Predicate<LitmusTest> filter, PrintStream progress) {
        long judged = System.nanoTime();
        List<LitmusTest> all = CanonicalSuite.all();
        progress.printf(Locale.ROOT, "  model: %d tests from %s parsed, bound and judged in %.0f ms%n", all.size(),
                CanonicalSuite.directory(), (System.nanoTime() - judged) / 1e6);
        List<LitmusTest> tests = all.stream().filter(filter).toList();
        Map<String, List<LitmusTest>> groups = groups(tests);
        // The guest group has a budget of its own (guestBudget), so the canonical tests are
        // planned as if it were not there, and the time it takes moves their deadline on.
        List<LitmusTest> guestTests = groups.getOrDefault("guest", List.of());
        int canonicalTests = tests.size() - guestTests.size();
        int canonicalGroups = groups.size() - (guestTests.isEmpty() ? 0 : 1);
        Budget budget = canonicalBudget(mode, tests);
        progress.printf(Locale.ROOT, "  %d tests in %d forked groups, %s mode: %d s in all, %d ms per test, stride %d%s%n",
                canonicalTests, canonicalGroups, mode.label(), totalBudget(mode).toSeconds(), budget.run().toMillis(), budget.stride(),
                guestTests.isEmpty() ? "" : String.format(Locale.ROOT, "; %d guest tests in %d s of their own, %d ms per test",
                        guestTests.size(), guestBudget(mode).toSeconds(),
                        guestShare(mode, guestBudget(mode).toMillis(), guestTests.size()).run().toMillis()));
        long t0 = System.nanoTime();
        long deadline = t0 + totalBudget(mode).toNanos();
        // One peer with every Go kernel of the run, built inside the run's time, so a cold
        // build shortens the tests planned after it instead of stretching the run.
        List<String> peer = peerArgs(CompiledKernels.goPeer(tests, progress));
        int testsLeft = canonicalTests, groupsLeft = canonicalGroups;
        int selfChecksLeft = CanonicalSuite.selfChecks().size();
        List<CaseResult> cases = new ArrayList<>();
        for (Map.Entry<String, List<LitmusTest>> g : groups.entrySet()) {
            if (g.getKey().equals("guest")) {
                long g0 = System.nanoTime();
                cases.addAll(runForked("guest", g.getValue(), peer, mode, guestShare(mode, guestBudget(mode).toMillis(), g.getValue().size()), progress));
                deadline += System.nanoTime() - g0;
                continue;
            }
            Budget now = share(mode, (deadline - System.nanoTime()) / 1_000_000, testsLeft, groupsLeft, selfChecksLeft);
            if (now.run().compareTo(budget.run()) < 0) {
                progress.printf(Locale.ROOT, "  (behind plan: group %s runs %d ms per test)%n", g.getKey(), now.run().toMillis());
            }
            cases.addAll(runForked(g.getKey(), g.getValue(), peer, mode, now, progress));
            testsLeft -= g.getValue().size();
            groupsLeft--;
            if (g.getKey().equals("selfcheck")) selfChecksLeft = 0;
        }
        progress.printf(Locale.ROOT, "  litmus: %d tests in %.1f s (budget %d s%s)%n", cases.size(),
                (System.nanoTime() - t0) / 1e9, totalBudget(mode).toSeconds(),
                guestTests.isEmpty() ? "" : " + " + guestBudget(mode).toSeconds() + " s for the guest tests");
        return new SuiteResult(NAME, "Memory-ordering litmus tests whose actors run in Java, C and Go over one shared region.", cases);
    }

    /**
     * Runs one group in a child JVM ({@code Main litmus-group}); if the child dies, hangs
     * or reports nothing, every test of the group is an ERROR with the reason. The child finds
     * the tests by name among the canonical ones, or among a user file's when {@code source}
     * names it ({@code --file PATH [--runtimes LIST]}).
     */
    public static List<CaseResult> runForked(String group, List<LitmusTest> tests, List<String> source, Mode mode, Budget budget,
                                             PrintStream progress) {
        Path out = null;
        Process child = null;
        Deque<String> stderr = new ArrayDeque<>();
        long bound = GROUP_OVERHEAD.toMillis() * 4;
        for (LitmusTest t : tests) bound += EvidenceGoal.of(t).limit(budget).toMillis() + budget.stall().toMillis() + 2000L;
        try {
            out = Files.createTempFile("interop-litmus-" + group + "-", ".json");
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("--enable-preview");
            cmd.add("--enable-native-access=ALL-UNNAMED");
            // Only a group with guest actors pays JVMCI's start-up (about 0.5 s a JVM).
            if (tests.stream().anyMatch(LitmusSuite::hasGuest)) cmd.addAll(testbed.guest.GuestRuntime.jvmFlagsOfThisJvm());
            for (String p : List.of("testbed.native.lib", "testbed.peer.bin", "testbed.layout", CanonicalSuite.ROOT_PROPERTY, CRASH_GROUP_PROPERTY)) {
                String v = System.getProperty(p);
                if (v != null) cmd.add("-D" + p + "=" + v);
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "testbed.cli.Main", "litmus-group",
                    "--mode", mode.label(), "--run-ms", String.valueOf(budget.run().toMillis()),
                    "--stride", String.valueOf(budget.stride()), "--group", group, "--out", out.toString()));
            cmd.addAll(source);
            for (LitmusTest t : tests) cmd.addAll(List.of("--test", t.name()));
            child = new ProcessBuilder(cmd).start();
            Process c = child;
            Thread errPump = Thread.ofPlatform().daemon().start(() -> pump(c, stderr));
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                Thread outPump = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        String line;
                        while ((line = r.readLine()) != null) progress.println(line);
                    } catch (IOException ignored) {
                        // The child closed its stdout by exiting.
                    }
                });
                if (!child.waitFor(bound, TimeUnit.MILLISECONDS)) {
                    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    return errors(tests, "group '" + group + "' JVM did not finish within " + bound / 1000 + " s; killed it");
                }
                outPump.join(2000);
                errPump.join(2000);
            }
            String text = Files.readString(out);
            if (text.isBlank()) {
                String last;
                synchronized (stderr) {
                    last = stderr.isEmpty() ? "" : "; last stderr: " + stderr.peekLast();
                }
                return errors(tests, "group '" + group + "' JVM exited with code " + child.exitValue() + describeExit(child.exitValue())
                        + " before reporting" + last);
            }
            return ReportWriter.mapper().readValue(text, new TypeReference<List<CaseResult>>() { });
        } catch (IOException e) {
            return errors(tests, "group '" + group + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return errors(tests, "interrupted");
        } finally {
            if (child != null && child.isAlive()) child.destroyForcibly();
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // A temp file in the system temp directory; nothing else depends on it.
                }
            }
        }
    }

    /**
     * The arguments that hand a forked group the run's peer; none when there is no peer to
     * hand (no Go actor, or its build failed: the group then tries once more and reports why).
     */
    public static List<String> peerArgs(CompiledKernels.GoPeer peer) {
        return peer.binary() == null ? List.of() : List.of("--peer", peer.binary().toString());
    }

    /** Runs a group in this JVM (the child side of {@link #runForked}); writes one progress line per test. */
    public static List<CaseResult> runInProcess(LitmusRunner runner, List<LitmusTest> tests, Budget budget, PrintStream progress) {
        List<CaseResult> cases = new ArrayList<>();
        if (!tests.isEmpty()) runner.run(tests.get(0), new Budget(WARM_UP, budget.stride(), budget.stall()));
        for (LitmusTest t : tests) {
            CaseResult r = runner.run(t, budget);
            cases.add(r);
            progress.printf(Locale.ROOT, "  %s  litmus/%-36s %s%n", r.status().label(), t.name(), r.message());
            progress.flush();
        }
        return cases;
    }

    /**
     * Kills this JVM the way a native crash would (SIGABRT from libc's abort), when the
     * fault-injection property names {@code group}; used by the isolation test.
     */
    public static void crashIfAsked(String group) {
        if (group == null || !group.equals(System.getProperty(CRASH_GROUP_PROPERTY))) return;
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            java.lang.invoke.MethodHandle abort = linker.downcallHandle(linker.defaultLookup().find("abort").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.ofVoid());
            abort.invokeExact();
        } catch (Throwable t) {
            Runtime.getRuntime().halt(134);
        }
    }

    private static List<CaseResult> errors(List<LitmusTest> tests, String reason) {
        List<CaseResult> out = new ArrayList<>();
        for (LitmusTest t : tests) out.add(CaseResult.error(t.name(), LitmusRunner.title(t), reason, 0));
        return out;
    }

    private static String describeExit(int code) {
        return code > 128 ? " (signal " + (code - 128) + ")" : "";
    }

    private static void pump(Process p, Deque<String> tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == 20) tail.removeFirst();
                    tail.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // The child closed stderr by exiting.
        }
    }
}
