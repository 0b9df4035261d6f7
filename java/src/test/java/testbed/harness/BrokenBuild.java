package testbed.harness;

import testbed.peer.PeerProcess;

import java.io.PrintStream;

/**
 * A session whose Go peer carries the regression "goroutines that ignore their context"
 * ({@code interop-peer -fault ignore-context}): every goroutine of a Cancel or Scope call
 * keeps running after its context ended. The suites' tests run cases against it to show
 * their verdicts on a broken build, and that such a build costs one trial per case.
 */
public final class BrokenBuild {
    private BrokenBuild() {}

    /** Opens the session; closing it stops the peer, and with it every goroutine the fault kept running. */
    public static synchronized Session goroutinesIgnoreTheirContext(PrintStream progress) {
        System.setProperty(PeerProcess.FAULT_PROPERTY, "ignore-context");
        try {
            return Session.openDefault(progress);
        } finally {
            System.clearProperty(PeerProcess.FAULT_PROPERTY);
        }
    }
}
