package testbed.region;

import java.nio.file.Path;

/**
 * A child JVM for {@link RegionTest}: creates a region under args[0], prints its path, then waits
 * (bounded, 60 s) to be ended by a signal.
 */
public final class RegionHolder {
    public static void main(String[] args) throws InterruptedException {
        Region region = Region.create(Path.of(args[0]), RegionLayout.LITMUS_ALIGN);
        System.out.println(region.path());
        System.out.flush();
        Thread.sleep(60_000);
    }
}
