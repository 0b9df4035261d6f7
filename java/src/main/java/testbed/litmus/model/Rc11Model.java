package testbed.litmus.model;

import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusProgram;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The axiomatic model that judges every litmus test: RC11 (Lahav, Vafeiadis, Kang, Hur,
 * Dreyer, "Repairing Sequential Consistency in C/C++11", PLDI 2017; herd7's
 * {@code rc11.cat}) with one departure, written down in docs/MEMORY_MODEL.md: the
 * no-thin-air axiom (sb ∪ rf acyclic) is left out, so load buffering with relaxed
 * accesses is allowed, as in C11 and on ARMv8 and POWER. Every store of a litmus file
 * writes a constant, so no value can come out of thin air without that axiom.
 *
 * <p>It enumerates the candidate executions of a program — a path through each
 * compare-exchange, a write for every read to read from (rf), a total order of the
 * writes to each location (mo) — and keeps those that satisfy
 * <ul>
 *   <li>coherence: hb ; eco? is irreflexive, where hb = (sb ∪ sw)+ and
 *       eco = (rf ∪ mo ∪ fr)+;</li>
 *   <li>atomicity: an update reads from the write immediately before it in mo;</li>
 *   <li>SC: psc = psc_base ∪ psc_F is acyclic (the paper's section 3);</li>
 * </ul>
 * with plain accesses of Java and Go judged by happens-before alone
 * ({@link PlainSemantics#HAPPENS_BEFORE}). It reports every outcome some consistent
 * execution gives and whether one of them has a data race.
 */
public final class Rc11Model {
    /** More candidate executions than this are refused rather than left to run for minutes. */
    public static final long MAX_CANDIDATES = 20_000_000L;
    /** Each compare-exchange doubles the event graphs (success, failure). */
    static final int MAX_COMPARE_EXCHANGES = 12;

    private Rc11Model() {}

    /** Judges the program as C11 code: every thread's non-atomic accesses have C11's meaning. */
    public static Judgement judge(LitmusProgram p) {
        return judge(p, Collections.nCopies(p.threads().size(), PlainSemantics.C11));
    }

    /**
     * Judges the program with each thread's plain accesses given the meaning of the runtime
     * that runs it.
     *
     * @throws LitmusFileException when the enumeration would be too large (the count is in the message)
     */
    public static Judgement judge(LitmusProgram p, List<PlainSemantics> semantics) {
        if (semantics.size() != p.threads().size()) {
            throw new IllegalArgumentException(p.name() + ": " + p.threads().size() + " threads, " + semantics.size() + " semantics");
        }
        long t0 = System.nanoTime();
        EventGraph.RegisterSlots slots = new EventGraph.RegisterSlots(p);
        List<Condition.Observable> shape = p.outcomeShape();
        int[] counts = EventGraph.casCounts(p);
        int compareExchanges = java.util.Arrays.stream(counts).sum();
        if (compareExchanges > MAX_COMPARE_EXCHANGES) {
            throw refuse(p, String.format(Locale.ROOT,
                    "the model would enumerate 2^%d paths through the compare-exchanges (at most 2^%d): fewer compare-exchanges",
                    compareExchanges, MAX_COMPARE_EXCHANGES));
        }
        List<EventGraph> graphs = new ArrayList<>();
        int[] paths = new int[counts.length];
        do {
            graphs.add(EventGraph.of(p, semantics, paths.clone(), slots));
        } while (nextPath(paths, counts));

        long estimate = 0;
        for (EventGraph g : graphs) {
            if (g.n > Relations.MAX_EVENTS) {
                throw refuse(p, String.format(Locale.ROOT, "the model would need %d events (at most %d): fewer statements or locations",
                        g.n, Relations.MAX_EVENTS));
            }
            estimate = saturatingAdd(estimate, ExecutionSearch.estimate(g));
        }
        if (estimate > MAX_CANDIDATES) {
            throw refuse(p, String.format(Locale.ROOT,
                    "the model would enumerate up to %,d candidate executions (at most %,d): fewer writes to one location or fewer threads",
                    estimate, MAX_CANDIDATES));
        }
        Set<List<Long>> allowed = new HashSet<>();
        boolean race = false;
        long candidates = 0;
        for (EventGraph g : graphs) {
            ExecutionSearch s = new ExecutionSearch(g, p, slots, shape, allowed, race);
            s.run();
            race |= s.raceFound;
            candidates += s.candidates;
        }
        Set<List<Long>> sequential = Interleavings.sequentiallyConsistent(p);
        return new Judgement(p.name(), shape, p.condition(), allowed, sequential, race, candidates, System.nanoTime() - t0);
    }

    private static LitmusFileException refuse(LitmusProgram p, String reason) {
        return new LitmusFileException(p.source(), p.threads().isEmpty() ? new testbed.litmus.lang.Position(1, 1) : p.threads().get(0).at(), reason);
    }

    private static boolean nextPath(int[] paths, int[] counts) {
        for (int t = 0; t < paths.length; t++) {
            if (++paths[t] < (1 << counts[t])) return true;
            paths[t] = 0;
        }
        return false;
    }

    static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    static long saturatingMultiply(long a, long b) {
        if (a == 0 || b == 0) return 0;
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
