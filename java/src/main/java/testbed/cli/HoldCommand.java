package testbed.cli;

import picocli.CommandLine.Command;
import testbed.harness.Session;

import java.util.concurrent.Callable;

/**
 * {@code hold}, a test aid: opens a session, prints its peer's pid and its region, and waits
 * two minutes, so that a test can kill this JVM and look for leftovers
 * (KilledJvmLeavesNothingTest).
 */
@Command(name = "hold", mixinStandardHelpOptions = true,
        description = "Test aid: open a session, print its peer pid and region, wait two minutes.")
final class HoldCommand implements Callable<Integer> {
    private final Main.Io io;

    HoldCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        try (Session session = Session.openDefault(System.err)) {
            io.out().println("HOLDING peer_pid=" + session.hello().getPid() + " region=" + session.region().path());
            io.out().flush();
            Thread.sleep(120_000);
            return 0;
        } catch (InterruptedException e) {
            return 1;
        }
    }
}
