package testbed.cancel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import testbed.cancel.CancelGoal.Direction;
import testbed.harness.Session;
import testbed.harness.SharedSession;
import testbed.peer.PeerException;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's machinery against a real peer: the floor, and the interleaved trials. No figure is judged here. */
@Timeout(120)
class CancelBenchTest {
    private static Session session;
    private static FloorProbe floor;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @RegisterExtension
    static final SharedSession SHARED = new SharedSession();

    @BeforeAll
    static void open() {
        session = SHARED.get();
        floor = FloorProbe.open(session.peer().channel(), session.peerProcess().secret());
    }

    @AfterAll
    static void close() {
        floor.close();
    }

    /** Both ends read CLOCK_MONOTONIC, so the peer's read of a ping lies inside the ping's round trip. */
    @Test
    void theFloorsOneWayTripsLieInsideWhatTheyMeasure() {
        for (int i = 0; i < 20; i++) {
            FloorProbe.Ping p = floor.ping();
            assertTrue(p.oneWayNs() > 0 && p.oneWayNs() < p.roundTripNs(), p.toString());
            assertTrue(floor.fromPeer(200) > 0);
        }
    }

    @Test
    void aFloorAddressBeyondLoopbackIsRefused() {
        assertEquals(41_000, FloorProbe.loopback("127.0.0.1:41000").getPort());
        assertThrows(PeerException.class, () -> FloorProbe.loopback("192.0.2.1:41000"));
        assertThrows(PeerException.class, () -> FloorProbe.loopback("127.0.0.1"));
    }

    /** Every measured step adds one sample to every measure of its direction, and to each of its steps. */
    @Test
    void theInterleavedStepsFillEveryMeasureOfEveryDirection() {
        List<Direction> ds = CancelBench.measure(session, floor, 3, 1, true, QUIET);
        assertEquals(List.of("java_to_go", "go_to_java", "go_to_java_blocking_iterator"), ds.stream().map(Direction::name).toList());
        for (Direction d : ds) {
            assertNull(d.problem(), d.name());
            d.measures().forEach((m, s) -> assertEquals(3, s.count(), d.name() + " " + m));
            d.steps().forEach((m, s) -> assertEquals(3, s.count(), d.name() + " " + m));
        }
        assertEquals(Set.of(StreamCancelCases.JAVA_CANCEL_TO_FIRST_GOROUTINE, StreamCancelCases.FIRST_TO_LAST_GOROUTINE),
                ds.get(0).steps().keySet());
        assertEquals(List.of(StreamCancelCases.GO_CANCEL_TO_LAST_GOROUTINE, StreamCancelCases.LAST_GOROUTINE_TO_HANDLER_END,
                StreamCancelCases.HANDLER_END_TO_JAVA_TRAILERS, StreamCancelCases.TRAILERS_TO_LISTENER_CLOSED), List.copyOf(ds.get(1).steps().keySet()));
        assertTrue(ds.get(2).steps().containsKey(StreamCancelCases.LISTENER_CLOSED_TO_CONSUMER_END));
    }
}
