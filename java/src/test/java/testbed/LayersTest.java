package testbed;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packages' layers, held by reading the sources: a package uses only the packages below
 * it (by import or by a qualified name), so the shared pieces never reach up into a suite and
 * the engine never calls back into the command line.
 */
class LayersTest {
    private static final Path MAIN = Path.of("java/src/main/java/testbed");
    /** Each package and the packages of this project it may use (besides the generated testbed.proto and the root's Mode and Version). */
    private static final Map<String, Set<String>> MAY_USE = Map.ofEntries(
            Map.entry("region", Set.of()),
            Map.entry("proc", Set.of()),
            Map.entry("report", Set.of("proc")), // the browser check starts a bounded child process
            Map.entry("guest", Set.of()),
            Map.entry("ffi", Set.of("region")),
            Map.entry("peer", Set.of("proc")),
            Map.entry("harness", Set.of("region", "proc", "report", "ffi", "peer")),
            // The suites: each on the shared pieces and the harness; the audit reads the litmus kernels it audits.
            Map.entry("counters", Set.of("region", "proc", "report", "ffi", "peer", "guest", "harness")),
            Map.entry("cancel", Set.of("region", "proc", "report", "ffi", "peer", "harness")),
            Map.entry("interop", Set.of("region", "proc", "report", "peer", "harness")),
            Map.entry("scopes", Set.of("region", "proc", "report", "ffi", "peer", "harness")),
            Map.entry("contract", Set.of("region", "proc", "report", "harness")),
            Map.entry("litmus", Set.of("region", "proc", "report", "ffi", "peer", "guest", "harness")),
            Map.entry("audit", Set.of("region", "proc", "report", "harness", "litmus")),
            // The benchmarks measure what the suites run.
            Map.entry("bench", Set.of("region", "proc", "report", "ffi", "peer", "guest", "harness", "litmus", "cancel")),
            Map.entry("cli", Set.of("region", "proc", "report", "ffi", "peer", "guest", "harness", "counters", "cancel", "interop",
                    "scopes", "contract", "litmus", "audit", "bench")));
    private static final Pattern USE = Pattern.compile("\\btestbed\\.([a-z]+)\\.");

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
        List<String> violations = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = MAIN.relativize(f);
                if (rel.getNameCount() < 2) continue; // the root package: Mode, Version
                String pkg = rel.getName(0).toString();
                packages.add(pkg);
                Set<String> allowed = MAY_USE.get(pkg);
                if (allowed == null) continue;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = USE.matcher(lines.get(i));
                    while (m.find()) {
                        String used = m.group(1);
                        // A system property ("testbed.native.lib") is no package.
                        if (!MAY_USE.containsKey(used) || used.equals(pkg) || allowed.contains(used)) continue;
                        violations.add(MAIN.relativize(f) + ":" + (i + 1) + " (" + pkg + ") uses testbed." + used);
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(MAY_USE.keySet()), packages, "every package has its place in the layers");
        assertTrue(violations.isEmpty(), "packages reaching above their layer:\n" + String.join("\n", violations));
    }
}
