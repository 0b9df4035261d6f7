package testbed.contract;

import testbed.region.LayoutDeclaration;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shared-region layout contract: the C shim, the Go peer and the Java core
 * each compare their own view of the region with native/region.layout, the one
 * declaration (docs/REGION.md). C runs its runner's layout tests, Go its region
 * package's compiled layout tests, Java {@link LayoutDeclaration#differencesFromJava()}.
 */
final class LayoutContract {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private LayoutContract() {}

    /** One line per runtime that disagrees; empty when all three match the declaration. */
    static List<String> differences(ContractConfig c) {
        List<String> out = new ArrayList<>();
        String layout = c.layoutFile().toString();

        Command.Result cr = Command.run(c.root(), TIMEOUT,
                List.of(c.nativeTest().toString(), "--only", "layout", "--layout", layout));
        if (cr.exitCode() != 0) out.add("C: " + failureLine(cr));

        Command.Result gr = Command.run(c.root(), TIMEOUT, null, Map.of("INTEROP_LAYOUT", layout),
                List.of(c.goLayoutTest().toString(), "-test.run", "^TestLayout", "-test.count=1"));
        if (gr.exitCode() != 0) out.add("Go: " + failureLine(gr));

        try {
            List<String> java = LayoutDeclaration.read(c.layoutFile()).differencesFromJava();
            for (String d : java) out.add("Java: " + d);
        } catch (IOException | RuntimeException e) {
            out.add("Java: " + c.display(c.layoutFile()) + ": " + e.getMessage());
        }
        return out;
    }

    /** The first line that says what failed, from a test runner's output. */
    private static String failureLine(Command.Result r) {
        for (String text : List.of(r.out(), r.stderr())) {
            for (String l : text.split("\n")) {
                String s = l.strip();
                if (s.contains("FAIL") || s.contains("differ") || s.contains("error") || s.contains("mismatch")) return s;
            }
        }
        return "exit " + r.exitCode() + ": " + r.firstLine();
    }
}
