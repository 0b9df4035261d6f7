package testbed.litmus.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testbed.litmus.ActorSpec;
import testbed.litmus.CanonicalSuite;
import testbed.litmus.LitmusTest;
import testbed.litmus.Op;
import testbed.litmus.Role;
import testbed.litmus.Runtime;
import testbed.litmus.runtime.JavaKernels;
import testbed.litmus.runtime.NativeActors;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel the test bed ships runs in at least one case of {@code make run}, quick mode
 * included (which runs every canonical test): a kernel broken in the shim, the Java runtime
 * or the Go peer meets a case that runs it, not only its own language's unit tests.
 */
@Timeout(60)
class LitmusKernelCoverageTest {

    private static Set<String> used(Runtime rt) {
        Set<String> used = new TreeSet<>();
        for (LitmusTest t : CanonicalSuite.all()) {
            for (ActorSpec a : t.actors()) if (a.runtime() == rt) used.add(a.kernel());
        }
        return used;
    }

    private static void assertAllUsed(Runtime rt, List<String> shipped) {
        Set<String> unused = new TreeSet<>(shipped);
        unused.removeAll(used(rt));
        assertTrue(unused.isEmpty(), () -> rt.label() + " kernels no case of make run runs: " + unused);
    }

    @Test
    void everyCKernelOfTheShimRunsInSomeCase() {
        try (NativeActors c = new NativeActors(testbed.ffi.NativeLibrary.require())) {
            assertAllUsed(Runtime.C, c.kernels());
        }
    }

    @Test
    void everyJavaKernelRunsInSomeCase() {
        assertAllUsed(Runtime.JAVA, JavaKernels.names());
    }

    /** The Go peer's kernels are its contract (docs/LITMUS.md; TestKernelsAreTheContract holds the peer to it). */
    @Test
    void everyGoKernelRunsInSomeCase() {
        List<String> shipped = new ArrayList<>();
        for (Role role : Role.values()) {
            if (role == Role.ST_FENCE_LD) continue; // Go has no standalone fence
            List<List<String>> modes = new ArrayList<>(List.of(List.of()));
            for (Op.Kind k : role.modedOps()) {
                List<String> choices = switch (k) {
                    case LOAD -> Runtime.GO.loadModes();
                    case STORE -> Runtime.GO.storeModes();
                    default -> Runtime.GO.rmwModes();
                };
                List<List<String>> next = new ArrayList<>();
                for (List<String> prefix : modes) {
                    for (String m : choices) {
                        List<String> l = new ArrayList<>(prefix);
                        l.add(m);
                        next.add(l);
                    }
                }
                modes = next;
            }
            for (List<String> ms : modes) shipped.add(role.token() + "." + String.join(".", ms));
        }
        assertTrue(shipped.size() == 20, "the Go contract has 20 kernels: " + shipped);
        assertAllUsed(Runtime.GO, shipped);
    }
}
