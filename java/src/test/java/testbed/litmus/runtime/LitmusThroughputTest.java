package testbed.litmus.runtime;

import static testbed.litmus.runtime.MiniRunner.Actor.c;
import static testbed.litmus.runtime.MiniRunner.Actor.java;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import testbed.ffi.NativeLibrary;
import testbed.litmus.runtime.Descriptor.Gather;
import testbed.region.Region;

/**
 * Store-buffering throughput, Java with Java and Java with C, for comparison with jcstress: samples
 * per second and (0,0) outcomes per second per stride and mode. A measurement, not a check: it runs
 * only with {@code -Dtestbed.litmus.measure=true} (also as a plain {@code main}), and prints one
 * line per configuration. Properties: {@code testbed.litmus.strides} (comma-separated, default
 * 1024), {@code testbed.litmus.configs} (indices into the table below, default all),
 * {@code testbed.litmus.budget.ms} (per configuration, default 2000).
 */
@EnabledIfSystemProperty(named = "testbed.litmus.measure", matches = "true")
class LitmusThroughputTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void measure() {
        main(new String[] {dir.toString()});
    }

    public static void main(String[] args) {
        Path where = Path.of(args.length > 0 ? args[0] : "/dev/shm");
        Duration budget = Duration.ofMillis(Long.getLong("testbed.litmus.budget.ms", 2000));
        List<Integer> strides = Arrays.stream(System.getProperty("testbed.litmus.strides", "1024").split(","))
                .map(String::trim).map(Integer::valueOf).toList();
        String only = System.getProperty("testbed.litmus.configs", "");
        List<Gather> g = List.of(new Gather.Register(0, 0), new Gather.Register(1, 0));
        String[][] configs = {
                {"J-J", "st_ld.volatile.volatile", "st_ld.volatile.volatile"},
                {"J-J", "st_ld.release.acquire", "st_ld.release.acquire"},
                {"J-J", "st_ld.plain.plain", "st_ld.plain.plain"},
                {"J-C", "st_ld.volatile.volatile", "st_ld.seq_cst.seq_cst"},
                {"J-C", "st_ld.release.acquire", "st_ld.release.acquire"},
                {"J-C", "st_ld.opaque.opaque", "st_ld.relaxed.relaxed"},
                {"C-C", "st_ld.seq_cst.seq_cst", "st_ld.seq_cst.seq_cst"},
                {"C-C", "st_ld.release.acquire", "st_ld.release.acquire"},
        };
        try (Region region = Region.create(where, 8L << 20); NativeActors natives = new NativeActors(NativeLibrary.require())) {
            MiniRunner runner = new MiniRunner(LitmusSection.of(region), natives);
            for (int stride : strides) {
                for (int k = 0; k < configs.length; k++) {
                    String[] cfg = configs[k];
                    if (!only.isEmpty() && !Arrays.asList(only.split(",")).contains(String.valueOf(k))) continue;
                    MiniRunner.Actor a0 = cfg[0].charAt(0) == 'J' ? java(cfg[1], 0, 8, 1, 0) : c(cfg[1], 0, 8, 1, 0);
                    MiniRunner.Actor a1 = cfg[0].charAt(2) == 'J' ? java(cfg[2], 8, 0, 1, 0) : c(cfg[2], 8, 0, 1, 0);
                    Descriptor d = Descriptor.standard(2, stride, g);
                    runner.run(d, Duration.ofMillis(300), a0, a1); // warm-up: JIT, caches
                    MiniRunner.Outcome o = runner.run(d, budget, a0, a1).checkIntegrity();
                    double s = o.elapsedNs() / 1e9;
                    System.out.printf(Locale.ROOT, "[litmus-throughput] %s stride %5d %-24s | %-24s %7.2f M samples/s  "
                                    + "(0,0) %9.0f /s  (%.4f%%)  rounds %d, a0 consumed %.0f%%%n", cfg[0], stride, cfg[1], cfg[2],
                            o.samples() / s / 1e6, o.count(0, 0) / s, 100.0 * o.count(0, 0) / o.samples(), o.rounds(),
                            100.0 * o.results().get(0).consumed() / o.rounds());
                }
            }
        }
    }
}
