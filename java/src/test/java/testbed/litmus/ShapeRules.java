package testbed.litmus;

import testbed.litmus.lang.Strength;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static testbed.litmus.Gather.mem;
import static testbed.litmus.Gather.reg;

/**
 * The hand-written rules that judged the canonical shapes before the model did, kept as
 * the model's independent oracle: for each shape, its actors on each rung of the old
 * mode ladder, what an outcome gathers, the relaxed outcomes, and the rule that says when
 * the declared modes forbid them. Only tests use it (ModelAgreesWithShapeRulesTest).
 */
final class ShapeRules {
    static final int X = 0;
    static final int Y = 1;

    private ShapeRules() {}

    /** The actors the old ladder built for these runtimes on this rung. */
    static List<RoleActor> actors(Shape shape, List<ActorRuntime> rt, Rung r) {
        return switch (shape) {
            case SB -> List.of(
                    actor(rt.get(0), Role.ST_LD, r, List.of(true, true), X, Y, 1, 0),
                    actor(rt.get(1), Role.ST_LD, r, List.of(true, true), Y, X, 1, 0));
            case MP -> List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(false, true), X, Y, 1, 1),
                    actor(rt.get(1), Role.LD_LD, r, List.of(true, false), Y, X, 0, 0));
            case LB -> List.of(
                    actor(rt.get(0), Role.LD_ST, r, List.of(true, true), X, Y, 1, 0),
                    actor(rt.get(1), Role.LD_ST, r, List.of(true, true), Y, X, 1, 0));
            case CORR -> List.of(
                    actor(rt.get(0), Role.ST, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.LD_LD, r, List.of(true, true), X, X, 0, 0));
            case TWO_PLUS_TWO_W -> List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(true, true), X, Y, 1, 2),
                    actor(rt.get(1), Role.ST_ST, r, List.of(true, true), Y, X, 1, 2));
            case S -> List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(false, true), X, Y, 2, 1),
                    actor(rt.get(1), Role.LD_ST, r, List.of(true, false), Y, X, 1, 0));
            case R -> List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(true, true), X, Y, 1, 1),
                    actor(rt.get(1), Role.ST_LD, r, List.of(true, true), Y, X, 2, 0));
            case IRIW -> List.of(
                    actor(rt.get(0), Role.ST, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.ST, r, List.of(true), Y, Y, 1, 0),
                    actor(rt.get(2), Role.LD_LD, r, List.of(true, true), X, Y, 0, 0),
                    actor(rt.get(3), Role.LD_LD, r, List.of(true, true), Y, X, 0, 0));
            case WRC -> List.of(
                    actor(rt.get(0), Role.ST, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.LD_ST, r, List.of(true, true), X, Y, 1, 0),
                    actor(rt.get(2), Role.LD_LD, r, List.of(true, true), Y, X, 0, 0));
            case RMW_FADD -> List.of(
                    actor(rt.get(0), Role.FADD, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.FADD, r, List.of(true), X, X, 1, 0));
            case RMW_CAS -> List.of(
                    actor(rt.get(0), Role.CAS, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.CAS, r, List.of(true), X, X, 2, 0));
        };
    }

    static List<Gather> gathers(Shape shape) {
        return switch (shape) {
            case SB -> List.of(reg(0, 0), reg(1, 0));
            case MP -> List.of(reg(1, 0), reg(1, 1));
            case LB -> List.of(reg(0, 0), reg(1, 0));
            case CORR -> List.of(reg(1, 0), reg(1, 1));
            case TWO_PLUS_TWO_W -> List.of(mem(X), mem(Y));
            case S -> List.of(reg(1, 0), mem(X));
            case R -> List.of(mem(Y), reg(1, 0));
            case IRIW -> List.of(reg(2, 0), reg(2, 1), reg(3, 0), reg(3, 1));
            case WRC -> List.of(reg(1, 0), reg(2, 0), reg(2, 1));
            case RMW_FADD -> List.of(reg(0, 0), reg(1, 0), mem(X));
            case RMW_CAS -> List.of(reg(0, 0), reg(1, 0));
        };
    }

    /** Outcomes that no SC execution reaches but the rule may allow. */
    static Map<List<Long>, String> relaxed(Shape shape) {
        return switch (shape) {
            case SB -> Map.of(List.of(0L, 0L), "Both loads missed the other actor's store: each load overtook its own actor's earlier store.");
            case MP -> Map.of(List.of(1L, 0L), "The reader saw the flag y but not the data x written before it: the message arrived empty.");
            case LB -> Map.of(List.of(1L, 1L), "Each load saw the store that the other actor made after its own load: loads were delayed past later stores.");
            case CORR -> Map.of(List.of(1L, 0L), "The second read of x saw the old value after the first saw the new one: x went back in time.");
            case TWO_PLUS_TWO_W -> Map.of(List.of(1L, 1L), "Both locations kept the first store of their actor: each actor's second store was ordered before the other's first.");
            case S -> Map.of(List.of(1L, 2L), "The second actor saw the flag, yet its later store x=1 lost to the first actor's earlier x=2.");
            case R -> Map.of(List.of(2L, 0L), "The second actor's y=2 won over y=1, yet its later load missed the x=1 stored before y=1.");
            case IRIW -> Map.of(List.of(1L, 0L, 1L, 0L), "The two readers saw the two independent writes in opposite orders.");
            case WRC -> Map.of(List.of(1L, 1L, 0L), "a1 saw x=1 and then stored y; a2 saw that y but still x=0: causality broken.");
            case RMW_FADD -> Map.of();
            case RMW_CAS -> Map.of();
        };
    }

    /** Whether the declared modes of these actors forbid the relaxed outcomes. */
    static boolean forbidsRelaxed(Shape shape, List<RoleActor> a) {
        return switch (shape) {
            // Only seq_cst (or a seq_cst fence between atomic accesses) orders a store before a later load.
            case SB -> scStoreThenLoad(a.get(0)) && scStoreThenLoad(a.get(1));
            // A release store of y read by an acquire load makes the store of x visible.
            case MP -> st(a, 0, 1).releases() && st(a, 1, 0).acquires();
            // One release store read by an acquire load suffices: the load before that
            // store then happens before the store it would have to read. C11 (not RC11)
            // allows the outcome with relaxed accesses; see MEMORY_MODEL.md.
            case LB -> (st(a, 0, 1).releases() && st(a, 1, 0).acquires()) || (st(a, 1, 1).releases() && st(a, 0, 0).acquires());
            // Coherence holds for every atomic access, relaxed included; not for plain ones.
            case CORR -> st(a, 0, 0).atomic() && st(a, 1, 0).atomic() && st(a, 1, 1).atomic();
            case TWO_PLUS_TWO_W -> allSc(a);
            case S -> st(a, 0, 1).releases() && st(a, 1, 0).acquires() && st(a, 0, 0).atomic() && st(a, 1, 1).atomic();
            case R -> allSc(a);
            case IRIW -> allSc(a);
            case WRC -> {
                boolean xAtomic = st(a, 0, 0).atomic() && st(a, 1, 0).atomic() && st(a, 2, 1).atomic();
                yield allSc(a) || (xAtomic && st(a, 1, 1).releases() && st(a, 2, 0).acquires());
            }
            case RMW_FADD -> true;
            case RMW_CAS -> true;
        };
    }

    static RoleActor actor(ActorRuntime rt, Role role, Rung rung, List<Boolean> sync, int p, int q, long v1, long v2) {
        List<String> modes = new ArrayList<>();
        List<Op.Kind> kinds = role.modedOps();
        for (int i = 0; i < kinds.size(); i++) modes.add(mode(rung, rt, kinds.get(i), sync.get(i)));
        return RoleActor.of(rt, role, modes, p, q, v1, v2);
    }

    /** Declared strength of actor a's i-th moded operation. */
    static Strength st(List<RoleActor> a, int actor, int op) {
        RoleActor s = a.get(actor);
        return s.runtime().strength(s.modes().get(op));
    }

    static boolean allSc(List<RoleActor> a) {
        for (RoleActor s : a) {
            for (String m : s.modes()) if (!s.runtime().strength(m).sc()) return false;
        }
        return true;
    }

    private static boolean scStoreThenLoad(RoleActor s) {
        Strength st = s.runtime().strength(s.modes().get(0));
        Strength ld = s.runtime().strength(s.modes().get(1));
        if (s.role() == Role.ST_FENCE_LD) return st.atomic() && ld.atomic();
        return st.sc() && ld.sc();
    }

    static String mode(Rung rung, ActorRuntime rt, Op.Kind kind, boolean sync) {
        if (rung == Rung.FENCED) throw new IllegalArgumentException("the old ladder had no fenced rung");
        Rung r = (rung == Rung.ACQ_REL && !sync) ? Rung.RELAXED : rung;
        return switch (rt) {
            case JAVA -> switch (kind) {
                case LOAD -> switch (r) { case PLAIN -> "plain"; case RELAXED -> "opaque"; case ACQ_REL -> "acquire"; default -> "volatile"; };
                case STORE -> switch (r) { case PLAIN -> "plain"; case RELAXED -> "opaque"; case ACQ_REL -> "release"; default -> "volatile"; };
                // Java has no relaxed read-modify-write VarHandle mode: acquire is its weakest.
                case FADD, CAS -> switch (r) { case PLAIN, RELAXED -> "acquire"; case ACQ_REL -> "release"; default -> "volatile"; };
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            case C -> switch (kind) {
                case LOAD -> switch (r) { case PLAIN, RELAXED -> "relaxed"; case ACQ_REL -> "acquire"; default -> "seq_cst"; };
                case STORE -> switch (r) { case PLAIN, RELAXED -> "relaxed"; case ACQ_REL -> "release"; default -> "seq_cst"; };
                case FADD, CAS -> switch (r) { case PLAIN, RELAXED -> "relaxed"; case ACQ_REL -> "acq_rel"; default -> "seq_cst"; };
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            case GO -> switch (kind) {
                case LOAD, STORE -> (r == Rung.PLAIN || r == Rung.RELAXED) ? "plain" : "atomic";
                case FADD, CAS -> "atomic";
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            // Style (a) has one atomic-looking mode and the model gives it nothing; the
            // rungs above plain say what a guest author would write: Atomics.*.
            case JS_VIEW -> switch (kind) {
                case LOAD, STORE, FADD, CAS -> r == Rung.PLAIN ? "plain" : "atomics";
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
            case JS_HOST -> switch (kind) {
                case LOAD, STORE -> mode(rung, ActorRuntime.JAVA, kind, sync);
                case FADD, CAS -> "volatile";
                case FENCE -> throw new IllegalArgumentException("fences take no mode");
            };
        };
    }
}
