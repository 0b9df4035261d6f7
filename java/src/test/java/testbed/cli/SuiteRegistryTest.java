package testbed.cli;

import org.junit.jupiter.api.Test;
import testbed.harness.Suite;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuiteRegistryTest {
    @Test
    void everySuiteOnceInRunOrder() {
        List<String> names = SuiteRegistry.names();
        assertEquals(List.of("counters", "cancellation", "interop", "scopes", "contract", "litmus", "audit"), names);
        assertEquals(names.size(), new HashSet<>(names).size());
        for (Suite s : SuiteRegistry.ALL) assertFalse(s.title().isBlank(), s.name() + " has a title");
        assertTrue(SuiteRegistry.named("scopes").isPresent());
        assertTrue(SuiteRegistry.named("nope").isEmpty());
    }

    @Test
    void theSuitesThatNeedNoPeerComeLastSoTheRunStopsItEarly() {
        // Main closes the session before the first suite after which none uses it.
        List<Suite> all = SuiteRegistry.ALL;
        int lastUser = -1;
        for (int i = 0; i < all.size(); i++) if (all.get(i).usesSession()) lastUser = i;
        assertEquals(3, lastUser, "counters, cancellation, interop and scopes use the session; contract, litmus and audit do not");
    }
}
