package testbed.interop;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import testbed.Mode;
import testbed.harness.Expectation;
import testbed.harness.Session;
import testbed.harness.SharedSession;
import testbed.harness.Verdict;
import testbed.peer.PeerProcess;
import testbed.report.CaseResult;
import testbed.report.Status;
import testbed.report.SuiteResult;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class GrpcInteropSuiteTest {
    private static Session session;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @RegisterExtension
    static final SharedSession SHARED = new SharedSession();

    @BeforeAll
    static void open() {
        session = SHARED.get();
    }

    private static GrpcInteropSuite suite() {
        return new GrpcInteropSuite(session.peerProcess(), GrpcInteropSuite.defaultGoClient(PeerProcess.defaultBinary()), QUIET);
    }

    @Test
    void everyOfficialCasePassesBothWaysAndTheBrokenServerIsCaught() {
        SuiteResult r = suite().run(Mode.QUICK);
        List<String> want = new ArrayList<>();
        for (var c : GrpcInteropSuite.CASES) want.add("interop_java_to_go_" + c.name());
        for (var c : GrpcInteropSuite.CASES) want.add("interop_go_to_java_" + c.name());
        want.add("interop_broken_server_go_client_custom_metadata");
        want.add("interop_broken_server_java_client_custom_metadata");
        want.add("interop_broken_go_server_java_client_custom_metadata");
        assertEquals(want, r.cases().stream().map(CaseResult::name).toList());
        // What a filtered run consults before it opens anything names the same cases.
        assertEquals(want, GrpcInteropSuite.caseNames());
        assertEquals(14, GrpcInteropSuite.CASES.size());
        for (CaseResult c : r.cases().subList(0, 28)) assertEquals(Status.PASSED, c.status(), c.name() + ": " + c.message());
        CaseResult goBroken = r.cases().get(28);
        assertEquals(Status.EXPECTED_FAILURE, goBroken.status(), goBroken.message());
        assertTrue(goBroken.message().contains(GrpcInteropSuite.GO_CLIENT_CAUGHT), "grpc-go's reason is reported: " + goBroken.message());
        CaseResult javaBroken = r.cases().get(29);
        assertEquals(Status.EXPECTED_FAILURE, javaBroken.status(), javaBroken.message());
        assertTrue(javaBroken.message().contains("test_initial_metadata_value"), "grpc-java's reason is reported: " + javaBroken.message());
        CaseResult goServerBroken = r.cases().get(30);
        assertEquals(Status.EXPECTED_FAILURE, goServerBroken.status(), goServerBroken.message());
        assertTrue(goServerBroken.message().contains(GrpcInteropSuite.JAVA_CLIENT_CAUGHT), "the Go peer's broken TestService is caught: " + goServerBroken.message());
    }

    @Test
    void aFailingCaseIsFailedWithItsReasonAndAnUncaughtBrokenVariantIsFailed() {
        try (JavaInteropServer broken = new JavaInteropServer(false)) {
            GrpcInteropSuite.InteropCase custom = GrpcInteropSuite.CASES.get(9);
            assertEquals("custom_metadata", custom.name());
            CaseResult java = suite().javaCase("x", custom, broken.target(), Expectation.HOLDS);
            assertEquals(Status.FAILED, java.status(), java.message());
            assertTrue(java.message().startsWith("AssertionError"), java.message());
            CaseResult go = suite().goCase("y", "custom_metadata", broken.target(), Expectation.HOLDS);
            assertEquals(Status.FAILED, go.status(), go.message());
            assertTrue(go.message().startsWith("exit 1: "), go.message());
            CaseResult passedBroken = suite().goCase("z", "empty_unary", broken.target(), GrpcInteropSuite.GO_CLIENT_SEES_NO_ECHO);
            assertEquals(Status.FAILED, passedBroken.status());
            assertTrue(passedBroken.message().startsWith(Verdict.NOT_CAUGHT), passedBroken.message());
        }
    }

    /**
     * The linkage check: grpc-interop-testing 1.79.0's client and server classes run on this
     * pom's grpc-java and protobuf without their own dependencies. All 14 cases of grpc-java's
     * client against its own TestServiceImpl in this JVM must pass, so a class that no longer
     * links shows here as a named failure, apart from any Go side.
     */
    @Test
    void grpcJavasInteropClientAndServerLinkOnThisRuntime() {
        try (JavaInteropServer server = new JavaInteropServer(true)) {
            for (GrpcInteropSuite.InteropCase c : GrpcInteropSuite.CASES) {
                CaseResult r = suite().javaCase("linkage_" + c.name(), c, server.target(), Expectation.HOLDS);
                assertEquals(Status.PASSED, r.status(), c.name() + ": " + r.message());
            }
        }
    }

    @Test
    void aMissingGoClientOrAnUnreachableServerIsReportedNotHung() {
        GrpcInteropSuite noClient = new GrpcInteropSuite(session.peerProcess(), Path.of("/nonexistent/grpc-interop-client"), QUIET);
        CaseResult missing = noClient.goCase("m", "empty_unary", "127.0.0.1:1", Expectation.HOLDS);
        assertEquals(Status.ERROR, missing.status());
        assertTrue(missing.message().contains("make peer"), missing.message());
        CaseResult refused = suite().goCase("r", "empty_unary", "127.0.0.1:1", Expectation.HOLDS);
        assertEquals(Status.FAILED, refused.status(), refused.message());
    }

    /** A refused connection proves nothing about the case: the variant is failed as not caught, naming what should have caught it. */
    @Test
    void aBrokenVariantThatFailsForAnotherReasonIsNotCaught() {
        CaseResult goRefused = suite().goCase("g", "custom_metadata", "127.0.0.1:1", GrpcInteropSuite.GO_CLIENT_SEES_NO_ECHO);
        assertEquals(Status.FAILED, goRefused.status(), goRefused.message());
        assertTrue(goRefused.message().startsWith(Verdict.NOT_CAUGHT + "it failed, but not with"), goRefused.message());
        assertTrue(goRefused.message().contains(GrpcInteropSuite.GO_CLIENT_CAUGHT), goRefused.message());
        CaseResult javaRefused = suite().javaCase("j", GrpcInteropSuite.customMetadata(), "127.0.0.1:1", GrpcInteropSuite.JAVA_CLIENT_SEES_NO_ECHO);
        assertEquals(Status.FAILED, javaRefused.status(), javaRefused.message());
        assertTrue(javaRefused.message().startsWith(Verdict.NOT_CAUGHT + "it failed, but not with"), javaRefused.message());
    }
}
