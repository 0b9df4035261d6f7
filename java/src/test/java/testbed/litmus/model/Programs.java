package testbed.litmus.model;

import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.Strength;
import testbed.litmus.lang.ThreadCode;

import java.util.List;

/** Program rewrites for the model's tests. */
final class Programs {
    private Programs() {}

    /** The same program with every access and fence seq_cst: RC11 then allows exactly the interleavings. */
    static LitmusProgram allSeqCst(LitmusProgram p) {
        Strength sc = Strength.SEQ_CST;
        List<ThreadCode> threads = p.threads().stream().map(t -> new ThreadCode(t.index(), t.parameters(),
                t.statements().stream().map(s -> (Statement) switch (s) {
                    case Statement.Store x -> new Statement.Store(x.location(), x.value(), sc, x.at());
                    case Statement.Load x -> new Statement.Load(x.register(), x.location(), sc, x.at());
                    case Statement.Exchange x -> new Statement.Exchange(x.register(), x.location(), x.value(), sc, x.at());
                    case Statement.FetchAdd x -> new Statement.FetchAdd(x.register(), x.location(), x.delta(), sc, x.at());
                    case Statement.CompareExchange x -> new Statement.CompareExchange(x.register(), x.location(), x.expected(),
                            x.desired(), sc, sc, x.at());
                    case Statement.Fence x -> new Statement.Fence(sc, x.at());
                }).toList(), t.at())).toList();
        return new LitmusProgram(p.source(), p.name(), p.description(), p.locations(), threads, p.observed(), p.condition());
    }
}
