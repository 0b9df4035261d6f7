package testbed.harness;

import org.junit.jupiter.api.Test;
import testbed.region.RegionLayout;

import java.io.OutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The region's cells as the session hands them out; none of this opens the region or the peer. */
class SessionClaimsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void twoSuitesNeverShareACellAndAnOwnerGetsItsOwnBack() {
        try (Session s = Session.deferred(QUIET)) {
            Session.Claim cancel = s.cancelFlags("cancellation", 1);
            Session.Claim scopes = s.cancelFlags("scopes", 16);
            assertEquals(0, cancel.at(0));
            assertEquals(1, scopes.at(0));
            assertEquals(16, scopes.at(15));
            assertEquals(scopes, s.cancelFlags("scopes", 16), "a second suite object of the same suite gets the same flags");
            assertThrows(IndexOutOfBoundsException.class, () -> cancel.at(1));
            assertEquals(0, s.counterSlots("scopes", 1).at(0), "each kind of cell is handed out on its own");
            assertFalse(s.isOpen(), "claims do not open the region");
        }
    }

    @Test
    void aClaimBeyondTheRegionNamesWhoHoldsWhat() {
        try (Session s = Session.deferred(QUIET)) {
            s.counterSlots("counters", RegionLayout.COUNTER_SLOTS - 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.counterSlots("scopes", 2));
            assertTrue(e.getMessage().contains("only 1 of the region's " + RegionLayout.COUNTER_SLOTS + " are free")
                    && e.getMessage().contains("counters"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> s.counterSlots("counters", 2), "an owner asks for one size");
        }
    }

    @Test
    void aClosedSessionHandsOutNothingItOpened() {
        Session s = Session.openDefault(QUIET);
        var region = s.region().path();
        s.close();
        assertFalse(java.nio.file.Files.exists(region), "closing removes the region file");
        IllegalStateException e = assertThrows(IllegalStateException.class, s::panama);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        s.close(); // a second close does nothing
    }

    @Test
    void aClosedSessionRefusesToOpen() {
        Session s = Session.deferred(QUIET);
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, s::region);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
