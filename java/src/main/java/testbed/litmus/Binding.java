package testbed.litmus;

import testbed.litmus.lang.LitmusFileException;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.Strength;
import testbed.litmus.lang.ThreadCode;
import testbed.litmus.model.PlainSemantics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Binds each thread of a litmus file to the runtime that runs it: every statement's
 * declared C11 order becomes the weakest access of that runtime that promises at least
 * as much (the table in docs/MEMORY_MODEL.md, "Binding a file to runtimes"), and the
 * bound program carries the order that access really has. The model judges that
 * <em>effective</em> program, the one that runs: a Go thread's relaxed load is a
 * {@code sync/atomic} load, seq_cst; a JavaScript view's {@code Atomics.load} over a
 * host buffer is plain. A statement a runtime cannot run at all (a fence in Go) is
 * refused, naming the statement.
 */
public final class Binding {

    /** One statement as its runtime runs it: the access mode chosen and the order it has. */
    public record BoundStatement(Statement declared, String mode, Statement effective) {
        /** The declared order(s), e.g. {@code release}, or {@code seq_cst/relaxed} for a compare-exchange. */
        public String declaredOrder() {
            return orders(declared);
        }

        public String effectiveOrder() {
            return orders(effective);
        }
    }

    /** A thread bound to its runtime. */
    public record BoundThread(int index, ActorRuntime runtime, List<BoundStatement> statements) {
        public BoundThread {
            statements = List.copyOf(statements);
        }
    }

    /**
     * A file's program bound to runtimes.
     *
     * @param declared  the program as the file states it
     * @param effective the same program with the orders the bound accesses have
     * @param threads   per thread, its runtime and its bound statements
     */
    public record BoundProgram(LitmusProgram declared, LitmusProgram effective, List<BoundThread> threads) {
        public BoundProgram {
            threads = List.copyOf(threads);
        }

        public List<ActorRuntime> runtimes() {
            return threads.stream().map(BoundThread::runtime).toList();
        }

        /** How each thread's plain accesses are judged: C's own meaning in C, happens-before elsewhere. */
        public List<PlainSemantics> semantics() {
            return threads.stream().map(t -> t.runtime() == ActorRuntime.C ? PlainSemantics.C11 : PlainSemantics.HAPPENS_BEFORE).toList();
        }

        /** Whether some thread runs an order other than the declared one. */
        public boolean changesOrders() {
            return threads.stream().flatMap(t -> t.statements().stream())
                    .anyMatch(s -> !s.declaredOrder().equals(s.effectiveOrder()));
        }
    }

    private Binding() {}

    /** The program as C11 code: every thread in C, every order as declared. */
    public static BoundProgram asC11(LitmusProgram p) {
        return bind(p, java.util.Collections.nCopies(p.threads().size(), ActorRuntime.C));
    }

    /**
     * Binds thread i to {@code runtimes.get(i)}.
     *
     * @throws LitmusFileException naming the statement a runtime cannot run, or a count mismatch
     */
    public static BoundProgram bind(LitmusProgram p, List<ActorRuntime> runtimes) {
        if (runtimes.size() != p.threads().size()) {
            throw new LitmusFileException(p.source(), p.threads().get(0).at(), String.format(Locale.ROOT,
                    "%s has %d threads but %d runtimes were given (%s): name one runtime per thread",
                    p.name(), p.threads().size(), runtimes.size(), runtimes.stream().map(ActorRuntime::label).toList()));
        }
        List<BoundThread> bound = new ArrayList<>();
        List<ThreadCode> effective = new ArrayList<>();
        for (ThreadCode t : p.threads()) {
            ActorRuntime rt = runtimes.get(t.index());
            List<BoundStatement> statements = new ArrayList<>();
            for (Statement s : t.statements()) statements.add(bind(p, t, rt, s));
            bound.add(new BoundThread(t.index(), rt, statements));
            effective.add(new ThreadCode(t.index(), t.parameters(), statements.stream().map(BoundStatement::effective).toList(), t.at()));
        }
        LitmusProgram eff = new LitmusProgram(p.source(), p.name(), p.description(), p.locations(), effective, p.observed(), p.condition());
        return new BoundProgram(p, eff, bound);
    }

    private static BoundStatement bind(LitmusProgram p, ThreadCode t, ActorRuntime rt, Statement s) {
        return switch (s) {
            case Statement.Store st -> {
                String m = accessMode(rt, Access.STORE, st.order());
                yield new BoundStatement(s, m, new Statement.Store(st.location(), st.value(), rt.strength(m), st.at()));
            }
            case Statement.Load ld -> {
                String m = accessMode(rt, Access.LOAD, ld.order());
                yield new BoundStatement(s, m, new Statement.Load(ld.register(), ld.location(), rt.strength(m), ld.at()));
            }
            case Statement.Exchange x -> {
                String m = accessMode(rt, Access.RMW, x.order());
                yield new BoundStatement(s, m, new Statement.Exchange(x.register(), x.location(), x.value(), rt.strength(m), x.at()));
            }
            case Statement.FetchAdd f -> {
                String m = accessMode(rt, Access.RMW, f.order());
                yield new BoundStatement(s, m, new Statement.FetchAdd(f.register(), f.location(), f.delta(), rt.strength(m), f.at()));
            }
            case Statement.CompareExchange c -> {
                String m = compareExchangeMode(rt, c.success(), c.failure());
                // C runs any pair C11 allows; the other runtimes' failure order follows from the mode.
                Strength failure = rt == ActorRuntime.C ? c.failure() : rt.casFailure(m);
                yield new BoundStatement(s, m, new Statement.CompareExchange(c.register(), c.location(), c.expected(), c.desired(),
                        rt.strength(m), failure, c.at()));
            }
            case Statement.Fence f -> {
                if (!rt.hasFence()) {
                    throw new LitmusFileException(p.source(), f.at(), String.format(Locale.ROOT,
                            "P%d is bound to %s, which has no standalone fence: atomic_thread_fence(memory_order_%s) cannot run there",
                            t.index(), rt.label(), f.order().c11()));
                }
                String m = fenceMode(rt, f.order());
                yield new BoundStatement(s, m, new Statement.Fence(fenceStrength(rt, m), f.at()));
            }
        };
    }

    private enum Access { LOAD, STORE, RMW }

    /** The runtime's weakest access mode that promises at least {@code order}. */
    static String accessMode(ActorRuntime rt, Access access, Strength order) {
        return switch (rt) {
            case JAVA -> switch (access) {
                case LOAD -> switch (order) {
                    case PLAIN -> "plain";
                    case RELAXED -> "opaque";
                    case ACQUIRE -> "acquire";
                    default -> "volatile";
                };
                case STORE -> switch (order) {
                    case PLAIN -> "plain";
                    case RELAXED -> "opaque";
                    case RELEASE -> "release";
                    default -> "volatile";
                };
                // VarHandle has no relaxed read-modify-write: getAndAddAcquire is the weakest.
                case RMW -> switch (order) {
                    case PLAIN, RELAXED, ACQUIRE -> "acquire";
                    case RELEASE -> "release";
                    default -> "volatile";
                };
            };
            case C -> order == Strength.PLAIN ? "plain" : order.c11();
            case GO -> order == Strength.PLAIN ? "plain" : "atomic";
            case JS_VIEW -> order == Strength.PLAIN ? "plain" : "atomics";
            case JS_HOST -> access == Access.RMW ? "volatile" : accessMode(ActorRuntime.JAVA, access, order);
        };
    }

    /** The weakest compare-exchange mode whose success and failure orders both promise enough. */
    static String compareExchangeMode(ActorRuntime rt, Strength success, Strength failure) {
        return switch (rt) {
            case JAVA -> {
                for (String m : List.of("acquire", "release", "volatile")) {
                    if (rt.strength(m).atLeast(success) && rt.casFailure(m).atLeast(failure)) yield m;
                }
                throw new IllegalStateException("volatile promises every order");
            }
            default -> accessMode(rt, Access.RMW, success);
        };
    }

    /** Fences: C's own; Java's VarHandle.acquireFence, releaseFence and fullFence. */
    private static String fenceMode(ActorRuntime rt, Strength order) {
        if (rt == ActorRuntime.C) return order.c11();
        return switch (order) {
            case ACQUIRE -> "acquire";
            case RELEASE -> "release";
            default -> "full";
        };
    }

    private static Strength fenceStrength(ActorRuntime rt, String mode) {
        return switch (mode) {
            case "full" -> Strength.SEQ_CST;
            default -> Strength.valueOf(mode.toUpperCase(Locale.ROOT));
        };
    }

    private static String orders(Statement s) {
        return switch (s) {
            case Statement.Store x -> x.order().c11();
            case Statement.Load x -> x.order().c11();
            case Statement.Exchange x -> x.order().c11();
            case Statement.FetchAdd x -> x.order().c11();
            case Statement.CompareExchange x -> x.success().c11() + "/" + x.failure().c11();
            case Statement.Fence x -> x.order().c11();
        };
    }
}
