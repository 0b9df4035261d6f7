package testbed.litmus.model;

import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.ThreadCode;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The program run on one memory, one statement at a time, every load seeing the latest
 * store: the sequentially consistent outcomes (every interleaving that keeps each thread's
 * order) and the serial ones (each thread's whole program before the next starts). Written
 * as an interpreter, independent of {@link Rc11Model}, so that each checks the other: the
 * model must allow every interleaving's outcome, and with every access seq_cst it must
 * allow nothing else.
 */
public final class Interleavings {
    private final LitmusProgram program;
    private final EventGraph.RegisterSlots slots;
    private final List<Condition.Observable> shape;
    private final Set<List<Long>> outcomes = new LinkedHashSet<>();
    private final Set<State> visited = new HashSet<>();

    private Interleavings(LitmusProgram program) {
        this.program = program;
        this.slots = new EventGraph.RegisterSlots(program);
        this.shape = program.outcomeShape();
    }

    /** Outcomes of every interleaving of the threads' statements. */
    public static Set<List<Long>> sequentiallyConsistent(LitmusProgram p) {
        Interleavings i = new Interleavings(p);
        i.explore(i.initial());
        return i.outcomes;
    }

    /**
     * Outcomes of the serial executions only, in every order of the threads. An observed
     * outcome outside this set shows that the threads' accesses overlapped.
     */
    public static Set<List<Long>> serial(LitmusProgram p) {
        Interleavings i = new Interleavings(p);
        int n = p.threads().size();
        permute(i, new int[n], new boolean[n], 0);
        return i.outcomes;
    }

    private static void permute(Interleavings i, int[] order, boolean[] used, int k) {
        if (k == order.length) {
            State s = i.initial();
            for (int t : order) {
                while (s.pc[t] < i.program.threads().get(t).statements().size()) s = i.step(s, t);
            }
            i.outcomes.add(i.outcome(s));
            return;
        }
        for (int t = 0; t < order.length; t++) {
            if (used[t]) continue;
            used[t] = true;
            order[k] = t;
            permute(i, order, used, k + 1);
            used[t] = false;
        }
    }

    private State initial() {
        long[] memory = new long[program.locations().size()];
        for (int l = 0; l < memory.length; l++) memory[l] = program.locations().get(l).initial();
        return new State(new int[program.threads().size()], memory, new long[slots.count()]);
    }

    private void explore(State s) {
        if (!visited.add(s)) return;
        boolean any = false;
        for (ThreadCode t : program.threads()) {
            if (s.pc[t.index()] == t.statements().size()) continue;
            any = true;
            explore(step(s, t.index()));
        }
        if (!any) outcomes.add(outcome(s));
    }

    private State step(State s, int t) {
        ThreadCode code = program.threads().get(t);
        Statement st = code.statements().get(s.pc[t]);
        int[] pc = s.pc.clone();
        pc[t]++;
        long[] m = s.memory.clone();
        long[] r = s.registers.clone();
        switch (st) {
            case Statement.Store x -> m[program.locationIndex(x.location())] = x.value();
            case Statement.Load x -> r[slots.slot(t, x.register())] = m[program.locationIndex(x.location())];
            case Statement.Exchange x -> {
                int l = program.locationIndex(x.location());
                if (x.register() != null) r[slots.slot(t, x.register())] = m[l];
                m[l] = x.value();
            }
            case Statement.FetchAdd x -> {
                int l = program.locationIndex(x.location());
                if (x.register() != null) r[slots.slot(t, x.register())] = m[l];
                m[l] += x.delta();
            }
            case Statement.CompareExchange x -> {
                int l = program.locationIndex(x.location());
                int e = program.locationIndex(x.expected());
                boolean ok = m[l] == m[e];
                if (ok) m[l] = x.desired();
                else m[e] = m[l];
                if (x.register() != null) r[slots.slot(t, x.register())] = ok ? 1 : 0;
            }
            case Statement.Fence f -> { }
        }
        return new State(pc, m, r);
    }

    private List<Long> outcome(State s) {
        Long[] v = new Long[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (shape.get(i)) {
                case Condition.Observable.Register reg -> s.registers[slots.slot(reg)];
                case Condition.Observable.Memory mem -> s.memory[program.locationIndex(mem.location())];
            };
        }
        return List.of(v);
    }

    private record State(int[] pc, long[] memory, long[] registers) {
        @Override public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(pc, s.pc) && Arrays.equals(memory, s.memory)
                    && Arrays.equals(registers, s.registers);
        }

        @Override public int hashCode() {
            return (Arrays.hashCode(pc) * 31 + Arrays.hashCode(memory)) * 31 + Arrays.hashCode(registers);
        }
    }
}
