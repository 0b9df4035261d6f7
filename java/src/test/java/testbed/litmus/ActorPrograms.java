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
    static LitmusProgram of(String name, List<RoleActor> actors, List<Gather> gathers) {
        List<Location> locations = new ArrayList<>(List.of(new Location("x", true, 0, NOWHERE), new Location("y", true, 0, NOWHERE)));
        List<ThreadCode> threads = new ArrayList<>();
        for (int a = 0; a < actors.size(); a++) {
            RoleActor spec = actors.get(a);
            List<Statement> body = new ArrayList<>();
            List<String> params = new ArrayList<>(List.of("x", "y"));
            String p = Op.LOCATION_NAMES[spec.p()], q = Op.LOCATION_NAMES[spec.q()];
            List<Strength> st = spec.modes().stream().map(spec.runtime()::strength).toList();
            switch (spec.role()) {
                case ST -> body.add(new Statement.Store(p, spec.v1(), st.get(0), NOWHERE));
                case ST_ST -> {
                    body.add(new Statement.Store(p, spec.v1(), st.get(0), NOWHERE));
                    body.add(new Statement.Store(q, spec.v2(), st.get(1), NOWHERE));
                }
                case ST_LD -> {
                    body.add(new Statement.Store(p, spec.v1(), st.get(0), NOWHERE));
                    body.add(new Statement.Load("r0", q, st.get(1), NOWHERE));
                }
                case ST_FENCE_LD -> {
                    body.add(new Statement.Store(p, spec.v1(), st.get(0), NOWHERE));
                    body.add(new Statement.Fence(Strength.SEQ_CST, NOWHERE));
                    body.add(new Statement.Load("r0", q, st.get(1), NOWHERE));
                }
                case LD_ST -> {
                    body.add(new Statement.Load("r0", p, st.get(0), NOWHERE));
                    body.add(new Statement.Store(q, spec.v1(), st.get(1), NOWHERE));
                }
                case LD_LD -> {
                    body.add(new Statement.Load("r0", p, st.get(0), NOWHERE));
                    body.add(new Statement.Load("r1", q, st.get(1), NOWHERE));
                }
                case FADD -> body.add(new Statement.FetchAdd("r0", p, 1, st.get(0), NOWHERE));
                case CAS -> {
                    String e = "e" + a;
                    locations.add(new Location(e, false, 0, NOWHERE));
                    params.add(e);
                    body.add(new Statement.CompareExchange("r0", p, e, spec.v1(), st.get(0),
                            spec.runtime().casFailure(spec.modes().get(0)), NOWHERE));
                }
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
    static List<PlainSemantics> semantics(List<RoleActor> actors) {
        return actors.stream().map(a -> a.runtime() == ActorRuntime.C ? PlainSemantics.C11 : PlainSemantics.HAPPENS_BEFORE).toList();
    }
}
