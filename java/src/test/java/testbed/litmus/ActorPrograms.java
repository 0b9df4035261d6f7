package testbed.litmus;

import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Location;
import testbed.litmus.lang.Position;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.Strength;
import testbed.litmus.lang.ThreadCode;
import testbed.litmus.model.PlainSemantics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The program a list of role-kernel actors runs, in the model's terms: the bridge that
 * lets the model judge exactly what the hand-written shape rules judged.
 */
final class ActorPrograms {
    private static final Position NOWHERE = new Position(1, 1);

    private ActorPrograms() {}

    /** The actors' declared modes as a program whose outcome is {@code gathers}, in order. */
    static LitmusProgram of(String name, List<ActorSpec> actors, List<Gather> gathers) {
        List<Location> locations = new ArrayList<>(List.of(new Location("x", true, 0, NOWHERE), new Location("y", true, 0, NOWHERE)));
        List<ThreadCode> threads = new ArrayList<>();
        for (int a = 0; a < actors.size(); a++) {
            ActorSpec spec = actors.get(a);
            List<Statement> body = new ArrayList<>();
            List<String> params = new ArrayList<>(List.of("x", "y"));
            for (Op op : spec.ops(0)) {
                String loc = op.location() < 0 ? null : Op.LOCATION_NAMES[op.location()];
                String reg = op.register() < 0 ? null : "r" + op.register();
                body.add(switch (op.kind()) {
                    case STORE -> new Statement.Store(loc, op.value(), op.strength(), NOWHERE);
                    case LOAD -> new Statement.Load(reg, loc, op.strength(), NOWHERE);
                    case FENCE -> new Statement.Fence(Strength.SEQ_CST, NOWHERE);
                    case FADD -> new Statement.FetchAdd(reg, loc, op.value(), op.strength(), NOWHERE);
                    case CAS -> {
                        String e = "e" + a;
                        locations.add(new Location(e, false, 0, NOWHERE));
                        params.add(e);
                        yield new Statement.CompareExchange(reg, loc, e, op.value(), op.strength(),
                                spec.runtime().casFailure(spec.modes().get(0)), NOWHERE);
                    }
                });
            }
            threads.add(new ThreadCode(a, params, body, NOWHERE));
        }
        List<Condition.Observable> observed = new ArrayList<>();
        for (Gather g : gathers) {
            observed.add(g.isRegister() ? new Condition.Observable.Register(g.actor(), "r" + g.register())
                    : new Condition.Observable.Memory(Op.LOCATION_NAMES[g.location()]));
        }
        Condition always = new Condition(Condition.Quantifier.EXISTS, new Condition.Proposition.Truth(true), NOWHERE);
        return new LitmusProgram(Path.of(name), name, "", locations, threads, observed, always);
    }

    /** How each actor's plain accesses are judged: C11 for C, happens-before for the others. */
    static List<PlainSemantics> semantics(List<ActorSpec> actors) {
        return actors.stream().map(a -> a.runtime() == Runtime.C ? PlainSemantics.C11 : PlainSemantics.HAPPENS_BEFORE).toList();
    }
}
