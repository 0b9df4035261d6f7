package testbed.cli;

import org.junit.jupiter.api.Test;
import testbed.Mode;
import testbed.harness.Session;
import testbed.harness.Suite;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;

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
    void aSuiteWithNoCaseSelectedReportsNoneAndOpensNoSession() {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (Suite s : SuiteRegistry.ALL) {
            if (!s.usesSession()) continue;
            Session session = Session.deferred(quiet);
            session.close(); // a suite that asked it for anything would now throw
            SuiteResult r = s.run(session, new Suite.Settings(Mode.QUICK, name -> false), quiet);
            assertEquals(s.name(), r.name());
            assertTrue(r.cases().isEmpty(), s.name());
            List<String> names = ((Suite.Declared) s).caseNames().apply(Mode.QUICK);
            assertFalse(names.isEmpty(), s.name() + " lists its cases");
            assertEquals(names.size(), new HashSet<>(names).size(), s.name() + " names each case once");
        }
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
