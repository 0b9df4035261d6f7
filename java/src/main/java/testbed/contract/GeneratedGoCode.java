package testbed.contract;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Freshness of the committed Go code (go-peer/internal/gen): {@code make
 * check-generated} regenerates it with the pinned protoc and plugins into a
 * scratch directory and names every file that differs (go-peer/peer.mk). The
 * suite runs that one implementation rather than a second copy of it.
 */
final class GeneratedGoCode {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** The verdict: null when fresh, else the one line that names the stale files. */
    static String check(ContractConfig c) {
        // A make started from a make's recipe inherits its jobserver flags; this one is on its own.
        Map<String, String> env = new HashMap<>();
        for (String k : List.of("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")) env.put(k, null);
        Command.Result r = Command.run(c.root(), TIMEOUT, null, env,
                List.of("make", "--no-print-directory", "-s", "check-generated"));
        if (r.exitCode() == 0) return null;
        for (String l : r.stderr().split("\n")) {
            if (l.startsWith("error: ")) return l.substring("error: ".length());
        }
        return "make check-generated failed (exit " + r.exitCode() + "): " + r.firstLine();
    }

    private GeneratedGoCode() {}
}
