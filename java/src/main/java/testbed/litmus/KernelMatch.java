package testbed.litmus;

import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Location;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.Strength;
import testbed.litmus.lang.ThreadCode;
import testbed.litmus.model.Judgement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which of the engine's compiled role kernels (docs/LITMUS.md, "Kernels") runs each
 * thread of a bound file, with the locations, values and registers they need. Until
 * kernels are generated from files, a test with a thread no role kernel runs is not
 * runnable yet; {@link NotRunnable} says which thread and why.
 */
final class KernelMatch {

    /** Why a bound test cannot run on today's kernels. */
    static final class NotRunnable extends Exception {
        NotRunnable(String reason) {
            super(reason);
        }
    }

    private final Binding.BoundProgram bound;
    private final Map<String, Integer> engineLocations = new LinkedHashMap<>();

    private KernelMatch(Binding.BoundProgram bound) {
        this.bound = bound;
    }

    /** The actors that run {@code bound}, and what an outcome gathers; or why there are none yet. */
    static Matched match(Binding.BoundProgram bound, Judgement judgement) throws NotRunnable {
        return new KernelMatch(bound).match(judgement);
    }

    record Matched(List<ActorSpec> actors, List<Gather> gathers) { }

    private Matched match(Judgement judgement) throws NotRunnable {
        LitmusProgram p = bound.effective();
        if (p.threads().size() < 2) throw new NotRunnable("the engine runs 2 to 4 actors; this test has " + p.threads().size() + " thread");
        for (Location l : p.locations()) {
            if (expectedOnly(p, l.name())) continue;
            if (l.initial() != 0) {
                throw new NotRunnable("the engine starts every location at 0, and " + l.name() + " starts at " + l.initial());
            }
            engineLocations.put(l.name(), engineLocations.size());
        }
        if (engineLocations.size() > 2) {
            throw new NotRunnable("the kernels reach two locations (x and y); this test uses " + engineLocations.size()
                    + ": " + String.join(", ", engineLocations.keySet()));
        }
        List<ActorSpec> actors = new ArrayList<>();
        for (Binding.BoundThread t : bound.threads()) actors.add(actor(t, p.threads().get(t.index())));
        List<Condition.Observable> shape = p.outcomeShape();
        if (shape.isEmpty() || shape.size() > 4) {
            throw new NotRunnable("the engine's histogram counts outcomes of 1 to 4 values; this test's outcome has " + shape.size());
        }
        for (List<Long> o : judgement.allowed()) {
            for (long v : o) {
                if (v < 0 || v > 3) throw new NotRunnable("the engine's histogram tells values 0 to 3 apart; an allowed outcome holds " + v);
            }
        }
        List<Gather> gathers = new ArrayList<>();
        for (Condition.Observable o : shape) {
            gathers.add(switch (o) {
                case Condition.Observable.Register r -> Gather.reg(r.thread(), p.threads().get(r.thread()).registers().indexOf(r.name()));
                case Condition.Observable.Memory m -> {
                    Integer l = engineLocations.get(m.location());
                    if (l == null) throw new NotRunnable("the engine cannot gather " + m.location() + ", the expected value of a compare-exchange");
                    yield Gather.mem(l);
                }
            });
        }
        return new Matched(actors, gathers);
    }

    private ActorSpec actor(Binding.BoundThread t, ThreadCode code) throws NotRunnable {
        List<Binding.BoundStatement> ss = t.statements();
        long writers = code.statements().stream().filter(s -> ThreadCode.register(s) != null).count();
        if (writers != code.registers().size()) {
            throw new NotRunnable("P" + t.index() + " writes a register twice; each kernel register holds one access's result");
        }
        List<Statement> eff = ss.stream().map(Binding.BoundStatement::effective).toList();
        String shape = eff.stream().map(s -> s.getClass().getSimpleName()).reduce((a, b) -> a + " " + b).orElse("nothing");
        String where = "P" + t.index() + " (" + t.runtime().label() + ")";
        ActorSpec a = switch (shape) {
            case "Store" -> of(t, Role.ST, ss, loc(eff, 0), loc(eff, 0), value(eff, 0), 0);
            case "Store Store" -> of(t, Role.ST_ST, ss, loc(eff, 0), loc(eff, 1), value(eff, 0), value(eff, 1));
            case "Store Load" -> of(t, Role.ST_LD, ss, loc(eff, 0), loc(eff, 1), value(eff, 0), 0);
            case "Store Fence Load" -> {
                if (((Statement.Fence) eff.get(1)).order() != Strength.SEQ_CST) {
                    throw new NotRunnable(where + ": the only fenced kernel is store; seq_cst fence; load");
                }
                yield of(t, Role.ST_FENCE_LD, List.of(ss.get(0), ss.get(2)), loc(eff, 0), loc(eff, 2), value(eff, 0), 0);
            }
            case "Load Store" -> of(t, Role.LD_ST, ss, loc(eff, 0), loc(eff, 1), value(eff, 1), 0);
            case "Load Load" -> of(t, Role.LD_LD, ss, loc(eff, 0), loc(eff, 1), 0, 0);
            case "FetchAdd" -> {
                if (((Statement.FetchAdd) eff.get(0)).delta() != 1) throw new NotRunnable(where + ": the fetch_add kernel adds 1");
                yield of(t, Role.FADD, ss, loc(eff, 0), loc(eff, 0), 1, 0);
            }
            case "CompareExchange" -> {
                Statement.CompareExchange c = (Statement.CompareExchange) eff.get(0);
                String mode = ss.get(0).mode();
                if (c.failure() != t.runtime().casFailure(mode)) {
                    throw new NotRunnable(String.format(Locale.ROOT, "%s: the %s compare-exchange kernel in mode %s fails with %s, not %s",
                            where, t.runtime().label(), mode, t.runtime().casFailure(mode).c11(), c.failure().c11()));
                }
                if (bound.effective().location(c.expected()).orElseThrow().initial() != 0 || !expectedOnly(bound.effective(), c.expected())) {
                    throw new NotRunnable(where + ": the compare-exchange kernel expects 0 in a location of its own; "
                            + c.expected() + " starts elsewhere or is used by another statement");
                }
                yield of(t, Role.CAS, ss, loc(eff, 0), loc(eff, 0), c.desired(), 0);
            }
            default -> throw new NotRunnable(where + ": no kernel runs " + shape.toLowerCase(Locale.ROOT).replace(" ", "; ")
                    + " (the kernels: store, store;store, store;load, store;seq_cst fence;load, load;store, load;load, fetch_add 1, compare-exchange from 0)");
        };
        for (long v : List.of(a.v1(), a.v2())) {
            if (v < 0 || v > 3) throw new NotRunnable(where + " stores " + v + ": the engine's histogram tells values 0 to 3 apart");
        }
        try {
            a.validate();
        } catch (IllegalArgumentException e) {
            throw new NotRunnable(where + ": " + e.getMessage());
        }
        // The C shim has every mode of every role, which validate() holds C to.
        if (!a.kernelShipped(name -> true)) throw new NotRunnable(where + ": no " + t.runtime().label() + " kernel " + a.kernel());
        return a;
    }

    private static ActorSpec of(Binding.BoundThread t, Role role, List<Binding.BoundStatement> moded, int p, int q, long v1, long v2) {
        List<String> modes = moded.stream().map(Binding.BoundStatement::mode).toList();
        return ActorSpec.of(t.runtime(), role, modes, p, q, v1, v2);
    }

    private int loc(List<Statement> eff, int i) {
        String name = switch (eff.get(i)) {
            case Statement.Store s -> s.location();
            case Statement.Load s -> s.location();
            case Statement.Exchange s -> s.location();
            case Statement.FetchAdd s -> s.location();
            case Statement.CompareExchange s -> s.location();
            case Statement.Fence f -> throw new IllegalStateException("a fence has no location");
        };
        return engineLocations.get(name);
    }

    private static long value(List<Statement> eff, int i) {
        return ((Statement.Store) eff.get(i)).value();
    }

    /** Whether a location serves only as the expected value of compare-exchanges (the kernel keeps it in a register). */
    private static boolean expectedOnly(LitmusProgram p, String name) {
        boolean expected = false;
        for (ThreadCode t : p.threads()) {
            for (Statement s : t.statements()) {
                switch (s) {
                    case Statement.CompareExchange c -> {
                        if (c.expected().equals(name)) {
                            if (expected) return false; // shared by two compare-exchanges
                            expected = true;
                        }
                        if (c.location().equals(name)) return false;
                    }
                    case Statement.Store x -> { if (x.location().equals(name)) return false; }
                    case Statement.Load x -> { if (x.location().equals(name)) return false; }
                    case Statement.Exchange x -> { if (x.location().equals(name)) return false; }
                    case Statement.FetchAdd x -> { if (x.location().equals(name)) return false; }
                    case Statement.Fence f -> { }
                }
            }
        }
        for (Condition.Observable o : p.outcomeShape()) {
            if (o instanceof Condition.Observable.Memory m && m.location().equals(name)) return false;
        }
        return expected;
    }
}
