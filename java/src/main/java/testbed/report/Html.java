package testbed.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What every page of the report shares: escaping, number formats, status words, anchors, reading the model's loose maps. */
final class Html {
    private Html() {}

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Counts with thousands separators; decimals to three significant digits, or none from 100 up. */
    static String format(Object v) {
        if (v == null) return "";
        if (v instanceof Double || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            return Math.abs(x) >= 100 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.3g", x);
        }
        if (v instanceof Long || v instanceof Integer) return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        return String.valueOf(v);
    }

    /**
     * A share of samples as a percentage that keeps a rare outcome readable: two significant
     * digits below 1% ("0.0031%"), whole or one decimal above; "0" only for exactly none.
     */
    static String percent(double share) {
        double p = share * 100;
        if (p == 0) return "0";
        if (p >= 10) return String.format(Locale.ROOT, "%.0f%%", p);
        if (p >= 1) return String.format(Locale.ROOT, "%.1f%%", p);
        return String.format(Locale.ROOT, "%.2g%%", p);
    }

    /** "expected failure" for EXPECTED_FAILURE: how a person reads a status. */
    static String word(Status s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** The id of a case's details on report.html; every view links a case by it. */
    static String anchor(String suite, String caseName) {
        return suite + "." + caseName;
    }

    /** A link to a case's details, its text already HTML. */
    static String link(String suite, String caseName, String html) {
        return "<a href=\"#" + esc(anchor(suite, caseName)) + "\">" + html + "</a>";
    }

    /** A number from a case's metrics or details, or NaN when absent or not a number. */
    static double number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A text from a case's details, or "" when absent. */
    static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? "" : String.valueOf(v);
    }

    /** The rows of a detail that is a list of objects; empty when it is anything else. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(Map<String, Object> details, String key) {
        if (!(details.get(key) instanceof List<?> list)) return List.of();
        for (Object o : list) if (!(o instanceof Map)) return List.of();
        return (List<Map<String, Object>>) list;
    }
}
