package testbed.litmus.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JIT modes' flags, their names in the report, and how a JVM's readings are held to a mode. */
class JitModeTest {

    @Test
    void eachModeHasTheFlagsJcstressUses() {
        assertEquals(List.of("-Xint"), JitMode.INTERPRETER.flags());
        assertEquals(List.of("-XX:TieredStopAtLevel=1"), JitMode.C1.flags());
        assertEquals(List.of("-XX:-TieredCompilation"), JitMode.C2.flags());
        assertEquals(List.of("-XX:-TieredCompilation", "-XX:+UnlockDiagnosticVMOptions", "-XX:+StressLCM", "-XX:+StressGCM",
                "-XX:+StressIGVN", "-XX:StressSeed=77"), JitMode.c2Stress(77).flags());
        assertEquals(List.of(), JitMode.JVM_DEFAULT.flags());
    }

    @Test
    void aLabelReadsBackAsItsMode() {
        for (JitMode m : List.of(JitMode.INTERPRETER, JitMode.C1, JitMode.C2, JitMode.c2Stress(4_294_967_295L), JitMode.JVM_DEFAULT)) {
            assertEquals(m, JitMode.parse(m.label()), m.label());
        }
        assertEquals("c2_stress_12345", JitMode.c2Stress(12345).label());
        assertThrows(IllegalArgumentException.class, () -> JitMode.parse("c3"));
        assertThrows(IllegalArgumentException.class, () -> JitMode.parse("c2_stress_x"));
        assertThrows(IllegalArgumentException.class, () -> JitMode.c2Stress(0), "StressSeed 0 is C2's 'pick one'");
        assertThrows(IllegalArgumentException.class, () -> JitMode.c2Stress(1L << 32), "StressSeed is a uint");
        assertThrows(IllegalArgumentException.class, () -> new JitMode("c1", 5), "a seed only goes with stress");
    }

    /** Readings as a JVM started with each mode's flags gives them (checked on Temurin 25, x86_64). */
    private static Function<String, String> options(Map<String, String> set) {
        Map<String, String> defaults = Map.of("UseCompiler", "true", "TieredCompilation", "true", "TieredStopAtLevel", "4");
        return flag -> set.getOrDefault(flag, defaults.getOrDefault(flag, "absent"));
    }

    private static final String TIERED = "HotSpot 64-Bit Tiered Compilers";

    @Test
    void theRightReadingsHoldForEachMode() {
        assertTrue(JitMode.INTERPRETER.check(options(Map.of("UseCompiler", "false", "TieredCompilation", "false")),
                "interpreted mode, sharing", "none").holds());
        assertTrue(JitMode.C1.check(options(Map.of("TieredStopAtLevel", "1")), "mixed mode, emulated-client, sharing", TIERED).holds());
        assertTrue(JitMode.C2.check(options(Map.of("TieredCompilation", "false")), "mixed mode, sharing", TIERED).holds());
        assertTrue(JitMode.c2Stress(9).check(options(Map.of("TieredCompilation", "false", "StressLCM", "true", "StressGCM", "true",
                "StressIGVN", "true", "StressSeed", "9")), "mixed mode, sharing", TIERED).holds());
        JitMode.Check c = JitMode.JVM_DEFAULT.check(options(Map.of()), "mixed mode, sharing", TIERED);
        assertTrue(c.holds(), c.mismatches().toString());
        assertEquals("UseCompiler=true; TieredCompilation=true; TieredStopAtLevel=4; java.vm.info=mixed mode, sharing; compiler=" + TIERED,
                c.describe());
    }

    @Test
    void aJvmNotInTheModeIsCaughtAndTheWrongFlagNamed() {
        JitMode.Check tiered = JitMode.C1.check(options(Map.of()), "mixed mode, sharing", TIERED);
        assertFalse(tiered.holds());
        assertEquals(List.of("TieredStopAtLevel is 4, not 1"), tiered.mismatches());
        // Stress options that were never unlocked do not exist in a product JVM.
        JitMode.Check locked = JitMode.c2Stress(9).check(options(Map.of("TieredCompilation", "false")), "mixed mode, sharing", TIERED);
        assertEquals(List.of("StressLCM is absent, not true", "StressGCM is absent, not true", "StressIGVN is absent, not true",
                "StressSeed is absent, not 9"), locked.mismatches());
        JitMode.Check otherSeed = JitMode.c2Stress(9).check(options(Map.of("TieredCompilation", "false", "StressLCM", "true",
                "StressGCM", "true", "StressIGVN", "true", "StressSeed", "10")), "mixed mode, sharing", TIERED);
        assertEquals(List.of("StressSeed is 10, not 9"), otherSeed.mismatches());
        // The flag read back is not enough for the interpreter: the VM must say so too.
        JitMode.Check compiling = JitMode.INTERPRETER.check(options(Map.of("UseCompiler", "false")), "mixed mode, sharing", TIERED);
        assertEquals(List.of("java.vm.info is 'mixed mode, sharing', not interpreted mode"), compiling.mismatches());
        JitMode.Check noCompiler = JitMode.C2.check(options(Map.of("TieredCompilation", "false")), "interpreted mode", "none");
        assertEquals(List.of("no HotSpot JIT compiler in this JVM (none)"), noCompiler.mismatches());
    }

    @Test
    void thisTestJvmIsInTheJvmsDefaultModeAndInNoOther() {
        assertTrue(JitMode.JVM_DEFAULT.checkThisJvm().holds(), JitMode.JVM_DEFAULT.checkThisJvm().mismatches().toString());
        for (JitMode m : List.of(JitMode.INTERPRETER, JitMode.C1, JitMode.C2, JitMode.c2Stress(3))) {
            assertFalse(m.checkThisJvm().holds(), m.label());
        }
    }
}
