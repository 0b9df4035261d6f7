package testbed.litmus;

import testbed.litmus.model.Interleavings;
import testbed.litmus.model.Judgement;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Where a test's expectations come from: its litmus file, bound to the runtimes that run
 * its threads, and the model's judgement of the program that runs.
 */
public record LitmusSource(Binding.BoundProgram bound, Judgement judgement) {

    public Path file() {
        return bound.declared().source();
    }

    /**
     * Outcomes of the serial executions: an observed outcome outside them shows that the
     * actors' accesses overlapped (docs/GUEST.md).
     */
    public Set<List<Long>> serialOutcomes() {
        return Interleavings.serial(bound.effective());
    }
}
