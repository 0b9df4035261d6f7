package testbed.litmus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static testbed.litmus.Gather.mem;
import static testbed.litmus.Gather.reg;

/**
 * The canonical litmus shapes: their actors, what an outcome gathers, the relaxed
 * (not sequentially consistent) outcomes, and the rule that says when the model
 * forbids them. Rules and sources are tabulated in docs/MEMORY_MODEL.md; locations
 * are x (0) and y (1), all initially 0.
 */
public enum Shape {
    /** Store buffering: each actor stores to one location, then loads the other. */
    SB("SB", "store buffering", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST_LD, r, List.of(true, true), X, Y, 1, 0),
                    actor(rt.get(1), Role.ST_LD, r, List.of(true, true), Y, X, 1, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(0, 0), reg(1, 0)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(0L, 0L), "Both loads missed the other actor's store: each load overtook its own actor's earlier store.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            // Only seq_cst (or a seq_cst fence between atomic accesses) orders a store before a later load.
            return scStoreThenLoad(a.get(0)) && scStoreThenLoad(a.get(1));
        }
    },
    /** Message passing: the writer stores data x then flag y; the reader loads y then x. */
    MP("MP", "message passing", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(false, true), X, Y, 1, 1),
                    actor(rt.get(1), Role.LD_LD, r, List.of(true, false), Y, X, 0, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(1, 0), reg(1, 1)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 0L), "The reader saw the flag y but not the data x written before it: the message arrived empty.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            // A release store of y read by an acquire load makes the store of x visible.
            return st(a, 0, 1).releases() && st(a, 1, 0).acquires();
        }
    },
    /** Load buffering: each actor loads one location, then stores to the other. */
    LB("LB", "load buffering", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.LD_ST, r, List.of(true, true), X, Y, 1, 0),
                    actor(rt.get(1), Role.LD_ST, r, List.of(true, true), Y, X, 1, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(0, 0), reg(1, 0)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 1L), "Each load saw the store that the other actor made after its own load: loads were delayed past later stores.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            // One release store read by an acquire load suffices: the load before that
            // store then happens before the store it would have to read. C11 (not RC11)
            // allows the outcome with relaxed accesses; see MEMORY_MODEL.md.
            return (st(a, 0, 1).releases() && st(a, 1, 0).acquires())
                    || (st(a, 1, 1).releases() && st(a, 0, 0).acquires());
        }
    },
    /** Coherence of read-read: one actor stores x, the other loads x twice. */
    CORR("CoRR", "coherence of two reads", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.LD_LD, r, List.of(true, true), X, X, 0, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(1, 0), reg(1, 1)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 0L), "The second read of x saw the old value after the first saw the new one: x went back in time.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            // Coherence holds for every atomic access, relaxed included; not for plain ones.
            return st(a, 0, 0).atomic() && st(a, 1, 0).atomic() && st(a, 1, 1).atomic();
        }
    },
    /** Two writes, two writes: each actor stores both locations, in opposite orders. */
    TWO_PLUS_TWO_W("2+2W", "two pairs of writes", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(true, true), X, Y, 1, 2),
                    actor(rt.get(1), Role.ST_ST, r, List.of(true, true), Y, X, 1, 2));
        }
        @Override List<Gather> gathers() { return List.of(mem(X), mem(Y)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 1L), "Both locations kept the first store of their actor: each actor's second store was ordered before the other's first.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            return allSc(a);
        }
    },
    /** S: the writer stores x=2 then flag y; the other actor reads y, then stores x=1. */
    S("S", "write then read-write", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(false, true), X, Y, 2, 1),
                    actor(rt.get(1), Role.LD_ST, r, List.of(true, false), Y, X, 1, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(1, 0), mem(X)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 2L), "The second actor saw the flag, yet its later store x=1 lost to the first actor's earlier x=2.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            return st(a, 0, 1).releases() && st(a, 1, 0).acquires() && st(a, 0, 0).atomic() && st(a, 1, 1).atomic();
        }
    },
    /** R: the writer stores x then y=1; the other actor stores y=2, then loads x. */
    R("R", "write then write-read", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST_ST, r, List.of(true, true), X, Y, 1, 1),
                    actor(rt.get(1), Role.ST_LD, r, List.of(true, true), Y, X, 2, 0));
        }
        @Override List<Gather> gathers() { return List.of(mem(Y), reg(1, 0)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(2L, 0L), "The second actor's y=2 won over y=1, yet its later load missed the x=1 stored before y=1.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            return allSc(a);
        }
    },
    /** Independent reads of independent writes: two writers, two readers in opposite orders. */
    IRIW("IRIW", "independent reads of independent writes", 4) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.ST, r, List.of(true), Y, Y, 1, 0),
                    actor(rt.get(2), Role.LD_LD, r, List.of(true, true), X, Y, 0, 0),
                    actor(rt.get(3), Role.LD_LD, r, List.of(true, true), Y, X, 0, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(2, 0), reg(2, 1), reg(3, 0), reg(3, 1)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 0L, 1L, 0L), "The two readers saw the two independent writes in opposite orders.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            return allSc(a);
        }
    },
    /** Write-to-read causality: a0 stores x; a1 reads x, then stores y; a2 reads y, then x. */
    WRC("WRC", "write-to-read causality", 3) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.ST, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.LD_ST, r, List.of(true, true), X, Y, 1, 0),
                    actor(rt.get(2), Role.LD_LD, r, List.of(true, true), Y, X, 0, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(1, 0), reg(2, 0), reg(2, 1)); }
        @Override Map<List<Long>, String> relaxed() {
            return Map.of(List.of(1L, 1L, 0L), "a1 saw x=1 and then stored y; a2 saw that y but still x=0: causality broken.");
        }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) {
            boolean xAtomic = st(a, 0, 0).atomic() && st(a, 1, 0).atomic() && st(a, 2, 1).atomic();
            return allSc(a) || (xAtomic && st(a, 1, 1).releases() && st(a, 2, 0).acquires());
        }
    },
    /** Atomicity of fetch_add: two actors add 1 to x once each. */
    RMW_FADD("RMW-fadd", "fetch_add atomicity", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.FADD, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.FADD, r, List.of(true), X, X, 1, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(0, 0), reg(1, 0), mem(X)); }
        @Override Map<List<Long>, String> relaxed() { return Map.of(); }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) { return true; }
    },
    /** Atomicity of compare-and-set: two actors try to move x from 0. */
    RMW_CAS("RMW-cas", "compare-and-set atomicity", 2) {
        @Override List<ActorSpec> actors(List<Runtime> rt, Rung r) {
            return List.of(
                    actor(rt.get(0), Role.CAS, r, List.of(true), X, X, 1, 0),
                    actor(rt.get(1), Role.CAS, r, List.of(true), X, X, 2, 0));
        }
        @Override List<Gather> gathers() { return List.of(reg(0, 0), reg(1, 0)); }
        @Override Map<List<Long>, String> relaxed() { return Map.of(); }
        @Override boolean forbidsRelaxed(List<ActorSpec> a) { return true; }
    };

    static final int X = 0;
    static final int Y = 1;

    private final String title;
    private final String longName;
    private final int arity;

    Shape(String title, String longName, int arity) {
        this.title = title;
        this.longName = longName;
        this.arity = arity;
    }

    public String title() {
        return title;
    }

    public String longName() {
        return longName;
    }

    public int arity() {
        return arity;
    }

    /** snake_case prefix for test names. */
    public String token() {
        return switch (this) {
            case TWO_PLUS_TWO_W -> "w2w2";
            case RMW_FADD -> "rmw_fadd";
            case RMW_CAS -> "rmw_cas";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }

    abstract List<ActorSpec> actors(List<Runtime> runtimes, Rung rung);

    abstract List<Gather> gathers();

    /** Outcomes that no SC execution reaches but the model may allow, with descriptions. */
    abstract Map<List<Long>, String> relaxed();

    /** Whether the declared modes of these actors forbid the relaxed outcomes. */
    abstract boolean forbidsRelaxed(List<ActorSpec> actors);

    /** The actors for these runtimes on this rung (one runtime per actor). */
    public List<ActorSpec> build(List<Runtime> runtimes, Rung rung) {
        if (runtimes.size() != arity) {
            throw new IllegalArgumentException(title + " needs " + arity + " actors, got " + runtimes.size());
        }
        return actors(runtimes, rung);
    }

    static ActorSpec actor(Runtime rt, Role role, Rung rung, List<Boolean> sync, int p, int q, long v1, long v2) {
        List<String> modes = new ArrayList<>();
        List<Op.Kind> kinds = role.modedOps();
        for (int i = 0; i < kinds.size(); i++) modes.add(rung.mode(rt, kinds.get(i), sync.get(i)));
        return ActorSpec.of(rt, role, modes, p, q, v1, v2);
    }

    /** Declared strength of actor a's i-th moded operation. */
    static Strength st(List<ActorSpec> a, int actor, int op) {
        ActorSpec s = a.get(actor);
        return s.runtime().strength(s.modes().get(op));
    }

    static boolean allSc(List<ActorSpec> a) {
        for (ActorSpec s : a) {
            for (String m : s.modes()) if (!s.runtime().strength(m).sc()) return false;
        }
        return true;
    }

    private static boolean scStoreThenLoad(ActorSpec s) {
        Strength st = s.runtime().strength(s.modes().get(0));
        Strength ld = s.runtime().strength(s.modes().get(1));
        if (s.role() == Role.ST_FENCE_LD) return st.atomic() && ld.atomic();
        return st.sc() && ld.sc();
    }
}
