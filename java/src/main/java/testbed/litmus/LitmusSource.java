package testbed.litmus;

import testbed.litmus.model.Interleavings;
import testbed.litmus.model.Judgement;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * What the report says of the source: the file, the model's verdict and allowed outcomes,
     * and per statement the declared order, the runtime's access and the order it has
     * (docs/REPORT.md, "Litmus cases").
     */
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", file().toString());
        d.put("test", bound.declared().name());
        d.put("condition", judgement.condition().text());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("verdict", judgement.verdict().word());
        model.put("data_race", judgement.dataRace());
        model.put("line", judgement.modelLine());
        model.put("allowed", Judgement.sortedOutcomes(judgement.allowed()).stream().map(judgement::label).toList());
        model.put("relaxed", judgement.relaxed().stream().map(judgement::label).toList());
        model.put("candidates", judgement.candidates());
        model.put("judged_ms", judgement.nanos() / 1e6);
        d.put("model", model);
        List<Map<String, Object>> orders = new ArrayList<>();
        for (Binding.BoundThread t : bound.threads()) {
            for (Binding.BoundStatement s : t.statements()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("thread", "P" + t.index());
                row.put("runtime", t.runtime().label());
                row.put("line", s.declared().at().line());
                row.put("declared", s.declaredOrder());
                row.put("access", s.mode());
                row.put("effective", s.effectiveOrder());
                orders.add(row);
            }
        }
        d.put("orders", orders);
        return d;
    }

    /**
     * Outcomes of the serial executions: an observed outcome outside them shows that the
     * actors' accesses overlapped (docs/GUEST.md).
     */
    public Set<List<Long>> serialOutcomes() {
        return Interleavings.serial(bound.effective());
    }
}
