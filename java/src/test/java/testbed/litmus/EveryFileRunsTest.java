package testbed.litmus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.lang.LitmusParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of litmus/canonical and litmus/classic gets a generated kernel for every thread in
 * every pairing its statements allow: the only bindings left out are a fence bound to Go (which
 * has none). The histogram holds every file's outcomes, Z6.U's value 4 included.
 */
@Timeout(120)
class EveryFileRunsTest {

    /** Tests the engine cannot hold, with the reason; each would be an engine limit, not a missing kernel. */
    private static final Map<String, String> LIMITS = Map.of();

    @Test
    void everyThreadOfEveryFileRunsInEveryPairingItsStatementsAllow() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(CanonicalSuite.directory().getParent())) {
            files = s.filter(p -> p.toString().endsWith(".litmus")).sorted().toList();
        }
        int runnable = 0;
        Map<String, String> notRunnable = new TreeMap<>();
        List<String> refused = new ArrayList<>();
        for (Path f : files) {
            for (FileTest t : FileTests.of(LitmusParser.parse(f), null)) {
                if (t.runnable()) {
                    runnable++;
                } else if (t.notRunnable().startsWith("binding refused")) {
                    refused.add(t.name());
                    assertTrue(t.notRunnable().contains("no standalone fence"), t.name() + ": " + t.notRunnable());
                } else {
                    notRunnable.put(t.source().bound().declared().name(), t.notRunnable().replaceFirst("^not runnable: ", ""));
                }
            }
        }
        assertEquals(LIMITS, notRunnable, "bindings that get no kernel");
        assertTrue(files.size() > 160, "the corpus: " + files.size() + " files");
        assertTrue(runnable > 1000, "runnable bindings: " + runnable);
    }
}
