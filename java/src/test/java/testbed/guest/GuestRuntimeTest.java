package testbed.guest;

import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Compiled" is counted, not assumed: compilations that land are counted per guest source. */
class GuestRuntimeTest {

    @Test
    void onlyFinishedCompilationsAreCountedPerSource() {
        try (GuestRuntime g = new GuestRuntime(Map.of())) {
            g.countCompilation("opt done   id=244   f |Tier 1|Time 268( 220+47 )ms|AST 17|Src js_host:st_ld.volatile.volatile.js:3");
            g.countCompilation("opt queued id=245   f |Tier 1|Src js_host:st_ld.volatile.volatile.js:3");
            g.countCompilation("opt failed id=246   f |Tier 1|Src js_host:st_ld.volatile.volatile.js:3");
            g.countCompilation("opt done   id=247   g |Tier 2|Src other.js:1");
            assertEquals(1, g.compilations("js_host:st_ld.volatile.volatile.js"));
            assertEquals(1, g.compilations("other.js"));
            assertEquals(0, g.compilations("never.js"));
        }
    }

    @Test
    @Timeout(120)
    void aHotGuestLoopIsCompiledWhenTheEngineCanCompileAndNotOtherwise() throws InterruptedException {
        try (GuestRuntime g = new GuestRuntime(Map.of())) {
            try (var cx = g.newContext()) {
                var fn = cx.eval(Source.newBuilder(GuestRuntime.LANGUAGE,
                        "(function (n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i) % 1000003; return s; })",
                        "hot.js").buildLiteral());
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (g.compilations("hot.js") == 0 && System.nanoTime() < deadline) {
                    fn.execute(2_000_000);
                    if (g.execution().equals("interpreted")) break;
                }
            }
            if (g.execution().equals("compiled")) {
                assertTrue(g.compilations("hot.js") > 0, "a hot loop on a compiling engine was compiled");
            } else {
                assertEquals(0, g.compilations("hot.js"), "an interpreter compiles nothing");
            }
        }
    }
}
