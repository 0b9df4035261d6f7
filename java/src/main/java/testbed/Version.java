package testbed;

/** The harness's version, reported to the peer and in the report. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
