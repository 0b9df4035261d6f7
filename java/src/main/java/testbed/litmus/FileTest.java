package testbed.litmus;

import testbed.litmus.model.Judgement;
import testbed.litmus.model.Rc11Model;

/**
 * A litmus file bound to runtimes and judged by the model: the test the engine runs, or,
 * when the engine cannot hold it (more outcome values than its histogram counts, say), the
 * reason (reported as {@code not runnable}, never dropped).
 *
 * @param name        the case name
 * @param source      the bound program and the model's judgement of it
 * @param test        the runnable test, or null
 * @param notRunnable why it cannot run ({@code not runnable: ...} or {@code binding refused: ...}), or null
 */
public record FileTest(String name, LitmusSource source, LitmusCase test, String notRunnable) {

    /** Binds nothing further: judges {@code bound} and plans a kernel for each of its threads. */
    public static FileTest of(String name, Shape shape, Rung rung, Binding.BoundProgram bound) {
        Judgement j = Rc11Model.judge(bound.effective(), bound.semantics());
        LitmusSource source = new LitmusSource(bound, j);
        try {
            KernelPlanner.Planned m = KernelPlanner.plan(bound, j);
            return new FileTest(name, source, LitmusCase.judged(name, shape, rung, m.actors(), m.gathers(), source, false), null);
        } catch (KernelPlanner.NotRunnable e) {
            return new FileTest(name, source, null, "not runnable: " + e.getMessage());
        }
    }

    public boolean runnable() {
        return test != null;
    }

    public Judgement judgement() {
        return source.judgement();
    }
}
