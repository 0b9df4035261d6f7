package testbed.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stands in for jcstress in {@link JcstressProcessTest}: like jcstress it starts a fork whose
 * command line carries the options given after {@code -jvmArgs} (a shell that sleeps, which
 * starts faster than a JVM), prints the fork's pid, and then, unlike jcstress, hangs (as would
 * a jcstress whose fork never finishes).
 */
public final class FakeJcstressMain {

    private FakeJcstressMain() {}

    public static void main(String[] args) throws Exception {
        int at = Arrays.asList(args).indexOf("-jvmArgs");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "sleep 120"));
        if (at >= 0) cmd.addAll(Arrays.asList(args[at + 1].trim().split("\\s+")));
        Process fork = new ProcessBuilder(cmd).inheritIO().start();
        System.out.println("fork pid " + fork.pid());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
