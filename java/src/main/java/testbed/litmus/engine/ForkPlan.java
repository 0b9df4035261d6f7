package testbed.litmus.engine;

import testbed.litmus.LitmusCase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forked JVMs of a litmus run. A JVM runs in one JIT mode, so a test that runs in four
 * modes runs in four JVMs; to keep what the start-ups cost near what it was with one JVM per
 * shape, consecutive shape groups are packed together until each JVM of the pack has about
 * {@link #RUNS_PER_FORK} runs. A pack forks one JVM per JIT mode its tests use, in the plan's
 * order; its cases are judged once its last JVM has reported. The broken variants are a pack
 * of their own and come last; the guest group is not planned here (it has its own budget).
 */
final class ForkPlan {
    /**
     * Runs a forked JVM holds when the groups allow: about what one shape group held when each
     * had a JVM of its own (317 tests in 12 groups), so a crash costs as many tests as before.
     */
    static final int RUNS_PER_FORK = 64;

    /** The JIT mode of the JVM that a pack's tests without a JIT mode of their own ride in, when the pack has one in it. */
    static final JitMode HOST = JitMode.C2;

    /**
     * One forked JVM.
     *
     * @param groups       the shape groups it holds tests of
     * @param jit          the JIT mode it runs in
     * @param tests        its tests, in suite order
     * @param modesPerTest how many modes a test with a JIT mode runs in, over all forks: its run here is that share of its time
     */
    record Fork(List<String> groups, JitMode jit, List<LitmusCase> tests, int modesPerTest) {
        Fork {
            groups = List.copyOf(groups);
            tests = List.copyOf(tests);
        }

        /** "lb+corr@c1": what progress lines and errors call it. */
        String name() {
            return String.join("+", groups) + "@" + jit.label();
        }

        /** Its runs in units of a test's whole share: a test split over four modes counts a quarter here. */
        double shares() {
            double s = 0;
            for (LitmusCase t : tests) s += JitPlan.applies(t) ? 1.0 / modesPerTest : 1.0;
            return s;
        }

        long selfChecks() {
            return tests.stream().filter(LitmusCase::selfCheck).count();
        }

        /**
         * The Java kernels its tests run, each with its outcome's size: a Java actor rehearses
         * its loop once per such pair in a JVM before its first round (docs/LITMUS.md, "Warm-up").
         */
        int javaKernels() {
            java.util.Set<String> kernels = new java.util.HashSet<>();
            for (LitmusCase t : tests) {
                for (testbed.litmus.ActorSpec a : t.actors()) {
                    if (a.runtime() == testbed.litmus.ActorRuntime.JAVA) kernels.add(a.actual().id() + "/" + t.gathers().size());
                }
            }
            return kernels.size();
        }
    }

    /** Shape groups packed together, and their JVMs in run order. */
    record Pack(List<String> groups, List<Fork> forks) {
        Pack {
            groups = List.copyOf(groups);
            forks = List.copyOf(forks);
        }

        List<LitmusCase> tests(Map<String, List<LitmusCase>> byGroup) {
            List<LitmusCase> out = new ArrayList<>();
            for (String g : groups) out.addAll(byGroup.get(g));
            return out;
        }
    }

    private ForkPlan() {}

    /** Packs {@code groups} (in run order; no guest group) into JVMs, each in one of the plan's modes. */
    static List<Pack> of(Map<String, List<LitmusCase>> groups, JitPlan plan) {
        List<List<String>> packed = new ArrayList<>();
        List<String> open = new ArrayList<>();
        for (String g : groups.keySet()) {
            if (g.equals("guest")) throw new IllegalArgumentException("the guest group is not packed");
            // The broken variants run last, in JVMs of their own: their reserve is planned apart.
            if (g.equals("selfcheck")) {
                close(packed, open, groups, plan);
                packed.add(List.of(g));
                open = new ArrayList<>();
                continue;
            }
            open.add(g);
            if (runsPerFork(open, groups, plan) >= RUNS_PER_FORK) {
                packed.add(open);
                open = new ArrayList<>();
            }
        }
        close(packed, open, groups, plan);
        List<Pack> packs = new ArrayList<>();
        for (List<String> names : packed) packs.add(pack(names, groups, plan));
        return packs;
    }

    /** Adds the groups left over; fewer than half a JVM's worth join the pack before them, which saves their start-ups. */
    private static void close(List<List<String>> packed, List<String> open, Map<String, List<LitmusCase>> groups, JitPlan plan) {
        if (open.isEmpty()) return;
        boolean small = runsPerFork(open, groups, plan) < RUNS_PER_FORK / 2.0;
        if (small && !packed.isEmpty() && !packed.getLast().contains("selfcheck")) {
            List<String> merged = new ArrayList<>(packed.removeLast());
            merged.addAll(open);
            packed.add(merged);
        } else {
            packed.add(new ArrayList<>(open));
        }
    }

    /** Every fork of {@code packs}, in run order. */
    static List<Fork> forks(List<Pack> packs) {
        List<Fork> out = new ArrayList<>();
        for (Pack p : packs) out.addAll(p.forks());
        return out;
    }

    private static double runsPerFork(List<String> names, Map<String, List<LitmusCase>> groups, JitPlan plan) {
        List<Fork> forks = pack(names, groups, plan).forks();
        return forks.stream().mapToInt(f -> f.tests().size()).sum() / (double) Math.max(1, forks.size());
    }

    private static Pack pack(List<String> names, Map<String, List<LitmusCase>> groups, JitPlan plan) {
        Map<JitMode, List<LitmusCase>> byMode = new LinkedHashMap<>();
        for (JitMode m : plan.modes()) byMode.put(m, new ArrayList<>());
        List<LitmusCase> once = new ArrayList<>();
        for (String g : names) {
            for (LitmusCase t : groups.get(g)) {
                List<JitMode> modes = plan.modesOf(t);
                if (modes.isEmpty()) once.add(t);
                for (JitMode m : modes) byMode.get(m).add(t);
            }
        }
        byMode.values().removeIf(List::isEmpty);
        if (!once.isEmpty()) {
            JitMode host = host(byMode.keySet());
            List<LitmusCase> merged = new ArrayList<>(once);
            merged.addAll(byMode.getOrDefault(host, List.of()));
            // Suite order within the JVM, whichever tests ride in it.
            List<LitmusCase> order = new ArrayList<>();
            for (String g : names) for (LitmusCase t : groups.get(g)) if (merged.contains(t)) order.add(t);
            byMode.put(host, order);
        }
        List<Fork> forks = new ArrayList<>();
        for (JitMode m : plan.modes()) if (byMode.containsKey(m)) forks.add(new Fork(names, m, byMode.get(m), plan.split()));
        if (byMode.containsKey(HOST) && !plan.modes().contains(HOST)) forks.add(new Fork(names, HOST, byMode.get(HOST), plan.split()));
        return new Pack(names, forks);
    }

    /**
     * The JVM that a pack's tests without a JIT mode of their own ride in: C2 if the pack has
     * one, else the first that compiles, else the interpreter; a JVM of its own (C2) only when
     * the pack has no other. Their C and Go actors run the same in any of them.
     */
    static JitMode host(java.util.Set<JitMode> forks) {
        if (forks.isEmpty() || forks.contains(HOST)) return HOST;
        for (JitMode m : forks) if (!m.equals(JitMode.INTERPRETER)) return m;
        return JitMode.INTERPRETER;
    }
}
