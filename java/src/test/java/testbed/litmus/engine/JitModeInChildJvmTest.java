package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each mode's flags, given to a real child JVM of the JDK that runs the suite, put it in that
 * mode as the JVM itself reports it; and a JVM started in one mode fails the check of another.
 */
@Timeout(120)
class JitModeInChildJvmTest {

    /** Starts a JVM with {@code started}'s flags and checks it against {@code checked}: exit code and the line it printed. */
    private static String[] child(JitMode started, JitMode checked) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(started.flags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JitModeCheckMain.class.getName(), checked.label()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void eachModesFlagsPutAChildJvmInThatMode() throws Exception {
        for (JitMode m : List.of(JitMode.INTERPRETER, JitMode.C1, JitMode.C2, JitMode.c2Stress(424242), JitMode.JVM_DEFAULT)) {
            String[] r = child(m, m);
            assertEquals("0", r[0], m.label() + ": " + r[1]);
            assertTrue(r[1].startsWith("holds: "), r[1]);
        }
        String[] interpreted = child(JitMode.INTERPRETER, JitMode.INTERPRETER);
        assertTrue(interpreted[1].contains("java.vm.info=interpreted mode"), interpreted[1]);
        assertTrue(interpreted[1].contains("compiler=none"), interpreted[1]);
        String[] stress = child(JitMode.c2Stress(424242), JitMode.c2Stress(424242));
        assertTrue(stress[1].contains("StressSeed=424242"), stress[1]);
    }

    @Test
    void aChildJvmInAnotherModeFailsTheCheck() throws Exception {
        String[] c1AsC2 = child(JitMode.C1, JitMode.C2);
        assertEquals("1", c1AsC2[0], c1AsC2[1]);
        assertTrue(c1AsC2[1].contains("TieredCompilation is true, not false"), c1AsC2[1]);
        String[] otherSeed = child(JitMode.c2Stress(5), JitMode.c2Stress(6));
        assertEquals("1", otherSeed[0], otherSeed[1]);
        assertTrue(otherSeed[1].contains("StressSeed is 5, not 6"), otherSeed[1]);
    }
}
