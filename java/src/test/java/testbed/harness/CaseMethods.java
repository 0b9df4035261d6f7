package testbed.harness;

/** How a suite names the method of a case: the case's snake_case name in camelCase. */
public final class CaseMethods {
    private CaseMethods() {}

    /** {@code cause_in_band_java_to_go} → {@code causeInBandJavaToGo}. */
    public static String methodName(String caseName) {
        StringBuilder b = new StringBuilder();
        for (String part : caseName.split("_")) b.append(b.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        return b.toString();
    }
}
