package testbed.litmus.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusCase;
import testbed.proc.ChildProcess;
import testbed.report.CaseResult;
import testbed.report.ReportWriter;

import java.io.IOException;
import java.io.PrintStream;
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

/**
 * One forked litmus JVM, from both ends: the parent starts it in a JIT mode
 * ({@link #fork}), with that mode's flags, and reads its cases back; the child
 * ({@link LitmusGroupMain}) checks that it is in the mode it was told, then runs its tests
 * ({@link #runHere}). A native crash takes only this JVM, whose tests become ERRORs with the
 * reason, and the run goes on.
 */
public final class ForkedJvm {
    /** Fault injection for tests: the JVMs holding the group this property names ("rmw_cas", or "rmw_cas@c1": in that JIT mode) die of SIGABRT. */
    public static final String CRASH_GROUP_PROPERTY = "testbed.litmus.crash-group";

    private ForkedJvm() {}

    /**
     * Runs tests in a child JVM ({@link LitmusGroupMain}) in JIT mode {@code jit}; if the
     * child dies, hangs or reports nothing, every test it held is an ERROR with the reason. The
     * child finds the tests by name among the canonical ones, or among a user file's when
     * {@code source} names it ({@code --file PATH [--runtimes LIST]}); a test with a Java actor
     * runs {@code 1/split} of {@code budget} there, its share of its time in this mode.
     */
    public static List<CaseResult> fork(String name, List<LitmusCase> tests, List<String> source, Budget budget,
                                             JitMode jit, int split, PrintStream progress) {
        Path out = null;
        Deque<String> stderr = new ArrayDeque<>();
        // A hang bound, not a plan: four times the start-up a JVM in this mode is planned for
        // (a loaded machine starts JVMs slowly), then each test's longest run and stall.
        long bound = 4 * (LitmusSuite.forkOverhead(jit).toMillis() + 2 * tests.size() * LitmusSuite.rehearsal(jit).toMillis())
                + LitmusSuite.WARM_UP.toMillis() + budget.stall().toMillis();
        for (LitmusCase t : tests) bound += EvidenceGoal.of(t).limit(budget).toMillis() + budget.stall().toMillis() + 2000L;
        long f0 = System.nanoTime();
        try {
            out = Files.createTempFile("interop-litmus-", ".json");
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(jit.flags());
            cmd.add("--enable-preview");
            cmd.add("--enable-native-access=ALL-UNNAMED");
            // Only a group with guest actors pays JVMCI's start-up (about 0.5 s a JVM).
            if (tests.stream().anyMatch(LitmusCase::hasGuest)) cmd.addAll(testbed.guest.GuestRuntime.jvmFlagsOfThisJvm());
            for (String p : List.of("testbed.native.lib", "testbed.peer.bin", "testbed.layout", CanonicalSuite.ROOT_PROPERTY, CRASH_GROUP_PROPERTY)) {
                String v = System.getProperty(p);
                if (v != null) cmd.add("-D" + p + "=" + v);
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LitmusGroupMain.class.getName(),
                    "--run-ms", String.valueOf(budget.run().toMillis()),
                    "--stride", String.valueOf(budget.stride()), "--group", name, "--jit", jit.label(), "--jit-split", String.valueOf(split),
                    "--out", out.toString()));
            cmd.addAll(source);
            for (LitmusCase t : tests) cmd.addAll(List.of("--test", t.name()));
            ChildProcess.Result child = ChildProcess.of(cmd).bound(Duration.ofMillis(bound)).lines(progress::println, line -> {
                synchronized (stderr) {
                    if (stderr.size() == 20) stderr.removeFirst();
                    stderr.addLast(line);
                }
            }).run();
            if (child.timedOut()) return errors(tests, "JVM " + name + " did not finish within " + bound / 1000 + " s; killed it");
            String text = Files.readString(out);
            if (text.isBlank()) {
                String last;
                synchronized (stderr) {
                    last = stderr.isEmpty() ? "" : "; last stderr: " + stderr.peekLast();
                }
                return errors(tests, "JVM " + name + " exited with code " + child.exitCode() + describeExit(child.exitCode())
                        + " before reporting" + last);
            }
            List<CaseResult> cases = ReportWriter.mapper().readValue(text, new TypeReference<List<CaseResult>>() { });
            double ran = cases.stream().mapToDouble(CaseResult::durationMs).sum();
            long took = (System.nanoTime() - f0) / 1_000_000;
            progress.printf(Locale.ROOT, "    JVM %s: %d runs in %,d ms, %,d ms of them besides the runs%n", name, cases.size(), took,
                    took - (long) ran);
            return cases;
        } catch (IOException e) {
            return errors(tests, "JVM " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return errors(tests, "interrupted");
        } finally {
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
     * Runs tests in this JVM (the child side of {@link #fork}), after checking that it is in
     * JIT mode {@code jit}: if it is not, every test is an ERROR saying which flag is wrong, and
     * nothing opens or runs. Then it opens the tests' {@link LitmusSession} (Go kernels in
     * {@code peer}, the peer the parent built for the run, or null to build one; C kernels
     * compiled here), dies if the crash injection names {@code fork}, and runs each test, one
     * with a Java actor for {@code 1/split} of {@code budget}. Each case says the mode and what
     * was read back; writes one progress line per run.
     */
    public static List<CaseResult> runHere(List<LitmusCase> tests, Budget budget, JitMode jit, int split, Path peer, String fork,
                                           PrintStream progress) {
        JitMode.Check check = jit.checkThisJvm();
        List<CaseResult> cases = new ArrayList<>();
        if (!check.holds()) {
            for (LitmusCase t : tests) {
                cases.add(stamp(CaseResult.error(t.name(), LitmusRunner.title(t), "this JVM is not in JIT mode " + jit.label() + ": "
                        + String.join("; ", check.mismatches()), 0), jit, check));
            }
            return cases;
        }
        try (LitmusSession litmus = LitmusSession.open(tests, peer, progress)) {
            crashIfAsked(fork);
            LitmusRunner runner = litmus.runner();
            // The warm-up chases no evidence: a broken variant first would otherwise look for its
            // whole bound in a mode that rarely shows it (the interpreter) before its real run.
            if (!tests.isEmpty()) runner.run(tests.get(0), new Budget(LitmusSuite.WARM_UP, budget.stride(), budget.stall()), EvidenceGoal.NONE);
            for (LitmusCase t : tests) {
                CaseResult r = stamp(runner.run(t, JitPlan.applies(t) ? budget.perMode(split) : budget), jit, check);
                cases.add(r);
                progress.printf(Locale.ROOT, "    %-20s %s %-36s %s%n", jit.label(), r.status().label(), t.name(), r.message());
                progress.flush();
            }
        }
        return cases;
    }

    /** The run's case with the JIT mode of its JVM and what was read back of it. */
    private static CaseResult stamp(CaseResult r, JitMode jit, JitMode.Check check) {
        Map<String, Object> details = new LinkedHashMap<>(r.details());
        details.put("jvm_mode", jit.label());
        details.put("jvm_verified", check.describe());
        return new CaseResult(r.name(), r.title(), r.status(), r.message(), r.durationMs(), r.metrics(), details);
    }

    /**
     * Kills this JVM the way a native crash would (SIGABRT from libc's abort), when the
     * fault-injection property names one of the shape groups of {@code fork} (a
     * {@link ForkPlan.Fork#name()}, "lb+corr@c1"), and, if it says one ("corr@c1"), its JIT
     * mode; used by the isolation test.
     */
    public static void crashIfAsked(String fork) {
        String asked = System.getProperty(CRASH_GROUP_PROPERTY);
        if (fork == null || asked == null || !crashes(fork, asked)) return;
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            java.lang.invoke.MethodHandle abort = linker.downcallHandle(linker.defaultLookup().find("abort").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.ofVoid());
            abort.invokeExact();
        } catch (Throwable t) {
            Runtime.getRuntime().halt(134);
        }
    }

    /** Whether the crash property's value {@code asked} ("corr" or "corr@c1") names the JVM {@code fork}. */
    static boolean crashes(String fork, String asked) {
        int at = fork.indexOf('@');
        List<String> groups = List.of((at < 0 ? fork : fork.substring(0, at)).split("\\+"));
        int askedAt = asked.indexOf('@');
        if (!groups.contains(askedAt < 0 ? asked : asked.substring(0, askedAt))) return false;
        return askedAt < 0 || (at >= 0 && JitMode.parse(fork.substring(at + 1)).name().equals(asked.substring(askedAt + 1)));
    }

    private static List<CaseResult> errors(List<LitmusCase> tests, String reason) {
        List<CaseResult> out = new ArrayList<>();
        for (LitmusCase t : tests) out.add(CaseResult.error(t.name(), LitmusRunner.title(t), reason, 0));
        return out;
    }

    private static String describeExit(int code) {
        return code > 128 ? " (signal " + (code - 128) + ")" : "";
    }
}
