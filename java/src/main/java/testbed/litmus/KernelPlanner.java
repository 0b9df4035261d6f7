package testbed.litmus;

import testbed.litmus.kernel.KernelPlan;
import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Location;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.ThreadCode;
import testbed.litmus.model.Judgement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans the kernels of a bound file (docs/LITMUS.md, "Generated kernels"): every location
 * gets 8 bytes of each instance, in the file's order; every thread becomes a {@link KernelPlan}
 * of its bound statements; the outcome gathers the condition's registers and locations. What
 * the engine itself cannot hold (an outcome of more than 4 values, or one the histogram cannot count, a
 * location that does not start at 0) is refused with the reason in {@link NotRunnable}.
 */
final class KernelPlanner {

    /** Why a bound test cannot run in the engine. */
    static final class NotRunnable extends Exception {
        NotRunnable(String reason) {
            super(reason);
        }
    }

    record Planned(List<ActorSpec> actors, List<Gather> gathers) { }

    private final Binding.BoundProgram bound;
    private final Map<String, Integer> locations = new LinkedHashMap<>();

    private KernelPlanner(Binding.BoundProgram bound) {
        this.bound = bound;
    }

    /** The actors that run {@code bound}, and what an outcome gathers; or why the engine cannot. */
    static Planned plan(Binding.BoundProgram bound, Judgement judgement) throws NotRunnable {
        return new KernelPlanner(bound).plan(judgement);
    }

    private Planned plan(Judgement judgement) throws NotRunnable {
        LitmusProgram p = bound.effective();
        if (p.threads().size() < 2 || p.threads().size() > 4) {
            throw new NotRunnable("the engine runs 2 to 4 actors; this test has " + p.threads().size() + " thread(s)");
        }
        for (Location l : p.locations()) {
            if (l.initial() != 0) {
                throw new NotRunnable("the engine starts every location at 0, and " + l.name() + " starts at " + l.initial());
            }
            locations.put(l.name(), locations.size());
        }
        List<Condition.Observable> shape = p.outcomeShape();
        if (shape.isEmpty() || shape.size() > 4) {
            throw new NotRunnable("the engine's histogram counts outcomes of 1 to 4 values; this test's outcome has " + shape.size());
        }
        String tooWide = LitmusCase.histogramFault(List.copyOf(judgement.allowed()), shape.size());
        if (tooWide != null) throw new NotRunnable(tooWide);
        List<ActorSpec> actors = new ArrayList<>();
        for (Binding.BoundThread t : bound.threads()) actors.add(actor(t, p.threads().get(t.index())));
        List<Gather> gathers = new ArrayList<>();
        for (Condition.Observable o : shape) {
            gathers.add(switch (o) {
                case Condition.Observable.Register r -> Gather.reg(r.thread(), p.threads().get(r.thread()).registers().indexOf(r.name()));
                case Condition.Observable.Memory m -> Gather.mem(locations.get(m.location()));
            });
        }
        return new Planned(actors, gathers);
    }

    private ActorSpec actor(Binding.BoundThread t, ThreadCode code) throws NotRunnable {
        String where = "P" + t.index() + " (" + t.runtime().label() + ")";
        List<String> registers = code.registers();
        List<KernelPlan.Step> steps = new ArrayList<>();
        for (Binding.BoundStatement bs : t.statements()) {
            Statement s = bs.effective();
            String m = bs.mode();
            String written = ThreadCode.register(s);
            int r = written == null ? -1 : registers.indexOf(written);
            steps.add(switch (s) {
                case Statement.Store st -> new KernelPlan.Store(at(st.location()), st.value(), m);
                case Statement.Load l -> new KernelPlan.Load(at(l.location()), m, r);
                case Statement.FetchAdd f -> new KernelPlan.FetchAdd(at(f.location()), f.delta(), m, r);
                case Statement.Exchange x -> new KernelPlan.Exchange(at(x.location()), x.value(), m, r);
                case Statement.CompareExchange c ->
                        new KernelPlan.CompareExchange(at(c.location()), at(c.expected()), c.desired(), m, c.failure().c11(), r);
                case Statement.Fence f -> new KernelPlan.Fence(m);
            });
        }
        if (t.runtime().guest()) {
            for (KernelPlan.Step s : steps) {
                if (s instanceof KernelPlan.Exchange || s instanceof KernelPlan.CompareExchange) {
                    throw new NotRunnable(where + ": the guest's kernels run loads, stores and fetch_add only");
                }
            }
        }
        ActorSpec a = ActorSpec.of(new KernelPlan(t.runtime(), steps, registers.size()));
        try {
            a.validate();
        } catch (IllegalArgumentException e) {
            throw new NotRunnable(where + ": " + e.getMessage());
        }
        return a;
    }

    private long at(String location) {
        return 8L * locations.get(location);
    }
}
