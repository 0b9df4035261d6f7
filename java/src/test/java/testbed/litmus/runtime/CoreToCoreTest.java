package testbed.litmus.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoreToCoreTest {
    @Test
    @Timeout(30)
    void aRoundTripBetweenTwoCoresTakesSomeTimeAndNotAll() {
        OptionalDouble ns = CoreToCore.roundTripNanos(3, 20_000);
        if (Runtime.getRuntime().availableProcessors() < 2) {
            assertTrue(ns.isEmpty(), "one CPU: no figure");
            return;
        }
        assertTrue(ns.isPresent(), "two CPUs: a figure");
        // A line's round trip between cores is at least a few nanoseconds and, even on a busy
        // virtual machine, far below the 2 s a batch may take (100 us per trip would be 2 s).
        assertTrue(ns.getAsDouble() > 1 && ns.getAsDouble() < 100_000, "round trip " + ns.getAsDouble() + " ns");
    }

    @Test
    void refusesAnEmptyProbe() {
        assertThrows(IllegalArgumentException.class, () -> CoreToCore.roundTripNanos(0, 10));
        assertThrows(IllegalArgumentException.class, () -> CoreToCore.roundTripNanos(1, 0));
    }
}
