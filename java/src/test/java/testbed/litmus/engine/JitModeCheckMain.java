package testbed.litmus.engine;

/** A child JVM for {@link JitModeInChildJvmTest}: checks itself against the mode named by its argument. */
public final class JitModeCheckMain {
    private JitModeCheckMain() {}

    public static void main(String[] args) {
        JitMode.Check c = JitMode.parse(args[0]).checkThisJvm();
        System.out.println((c.holds() ? "holds: " : "fails: " + String.join("; ", c.mismatches()) + " | ") + c.describe());
        System.exit(c.holds() ? 0 : 1);
    }
}
