package testbed.litmus;

import testbed.litmus.model.Judgement;
import testbed.litmus.model.Rc11Model;

/**
 * A litmus file bound to runtimes and judged by the model: the test the engine runs, or,
 * when no compiled kernel runs one of its threads yet, the reason (reported as
 * {@code not runnable yet}, never dropped).
 *
 * @param name        the case name
 * @param source      the bound program and the model's judgement of it
 * @param test        the runnable test, or null
 * @param notRunnable why it cannot run ({@code not runnable yet: ...} or {@code binding refused: ...}), or null
 */
public record FileTest(String name, LitmusSource source, LitmusTest test, String notRunnable) {

    /** Binds nothing further: judges {@code bound} and matches its threads to the engine's kernels. */
    public static FileTest of(String name, Shape shape, Rung rung, Binding.BoundProgram bound) {
        Judgement j = Rc11Model.judge(bound.effective(), bound.semantics());
        LitmusSource source = new LitmusSource(bound, j);
        try {
            KernelMatch.Matched m = KernelMatch.match(bound, j);
            return new FileTest(name, source, LitmusTest.judged(name, shape, rung, m.actors(), m.gathers(), source, false), null);
        } catch (KernelMatch.NotRunnable e) {
            return new FileTest(name, source, null, "not runnable yet: " + e.getMessage());
        }
    }

    public boolean runnable() {
        return test != null;
    }

    public Judgement judgement() {
        return source.judgement();
    }
}
