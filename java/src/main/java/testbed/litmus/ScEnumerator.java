package testbed.litmus;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Enumerates every sequentially consistent execution of a test: every interleaving
 * of its actors' operations that keeps each actor's program order, run against one
 * memory where every load sees the latest store. The outcomes it reaches are the
 * test's ACCEPTABLE set; the model's table is cross-checked against it (a relaxed
 * outcome the table names must not be reachable here).
 *
 * <p>At most 4 actors of at most 3 operations: 12!/(3!^4) = 369,600 interleavings,
 * enumerated depth-first without allocation per step.
 */
public final class ScEnumerator {
    private final List<List<Op>> actors;
    private final List<Gather> gathers;
    private final Set<List<Long>> outcomes = new LinkedHashSet<>();
    private final long[] memory = new long[2];
    private final long[][] registers;
    private final int[] pc;

    private ScEnumerator(List<ActorSpec> specs, List<Gather> gathers) {
        this.actors = new ArrayList<>();
        for (ActorSpec a : specs) actors.add(a.ops(0));
        this.gathers = gathers;
        this.registers = new long[specs.size()][2];
        this.pc = new int[specs.size()];
    }

    /** The outcomes (in gather order) of all sequentially consistent executions. */
    public static Set<List<Long>> outcomes(List<ActorSpec> actors, List<Gather> gathers) {
        ScEnumerator e = new ScEnumerator(actors, gathers);
        e.step();
        return e.outcomes;
    }

    /**
     * The outcomes of the serial executions only: each actor's whole program runs before
     * the next actor starts, in every order of the actors. An observed outcome outside
     * this set shows that the actors' accesses interleaved: that they overlapped.
     */
    public static Set<List<Long>> serialOutcomes(List<ActorSpec> actors, List<Gather> gathers) {
        ScEnumerator e = new ScEnumerator(actors, gathers);
        e.permute(new int[actors.size()], new boolean[actors.size()], 0);
        return e.outcomes;
    }

    private void permute(int[] order, boolean[] used, int k) {
        if (k == order.length) {
            java.util.Arrays.fill(memory, 0);
            for (long[] r : registers) java.util.Arrays.fill(r, 0);
            for (int a : order) for (Op op : actors.get(a)) apply(a, op);
            List<Long> out = new ArrayList<>(gathers.size());
            for (Gather g : gathers) out.add(g.isRegister() ? registers[g.actor()][g.register()] : memory[g.location()]);
            outcomes.add(List.copyOf(out));
            return;
        }
        for (int a = 0; a < order.length; a++) {
            if (used[a]) continue;
            used[a] = true;
            order[k] = a;
            permute(order, used, k + 1);
            used[a] = false;
        }
    }

    private void step() {
        boolean any = false;
        for (int a = 0; a < actors.size(); a++) {
            List<Op> ops = actors.get(a);
            if (pc[a] == ops.size()) continue;
            any = true;
            Op op = ops.get(pc[a]);
            long savedMem = op.location() >= 0 ? memory[op.location()] : 0;
            long savedReg = op.register() >= 0 ? registers[a][op.register()] : 0;
            apply(a, op);
            pc[a]++;
            step();
            pc[a]--;
            if (op.location() >= 0) memory[op.location()] = savedMem;
            if (op.register() >= 0) registers[a][op.register()] = savedReg;
        }
        if (!any) {
            List<Long> out = new ArrayList<>(gathers.size());
            for (Gather g : gathers) out.add(g.isRegister() ? registers[g.actor()][g.register()] : memory[g.location()]);
            outcomes.add(List.copyOf(out));
        }
    }

    private void apply(int a, Op op) {
        switch (op.kind()) {
            case STORE -> memory[op.location()] = op.value();
            case LOAD -> registers[a][op.register()] = memory[op.location()];
            case FENCE -> { }
            case FADD -> {
                registers[a][op.register()] = memory[op.location()];
                memory[op.location()] += op.value();
            }
            case CAS -> {
                boolean ok = memory[op.location()] == 0;
                if (ok) memory[op.location()] = op.value();
                registers[a][op.register()] = ok ? 1 : 0;
            }
        }
    }
}
