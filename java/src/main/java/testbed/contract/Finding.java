package testbed.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finding of buf: a lint rule broken, a breaking change, or a compile error
 * (rule {@code COMPILE}). It prints as {@code path:line:col: RULE: message}, the
 * form compilers use, so that editors and CI annotate the line.
 *
 * @param path   the file, relative to the repository root where it lies inside it
 * @param line   1-based; 0 when buf gives none (a deleted file)
 * @param column 1-based; 0 when buf gives none
 * @param rule   buf's rule ID, e.g. FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED
 * @param message buf's sentence
 */
public record Finding(String path, int line, int column, String rule, String message) {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String toString() {
        String where = line > 0 ? path + ":" + line + ":" + Math.max(column, 1) : path;
        return where + ": " + rule + ": " + message;
    }

    /** A row for the report's details table. */
    public Map<String, Object> row() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("location", line > 0 ? path + ":" + line + ":" + Math.max(column, 1) : path);
        m.put("rule", rule);
        m.put("message", message);
        return m;
    }

    /**
     * Parses one line of {@code buf --error-format json}:
     * {"path":..,"start_line":..,"start_column":..,"type":..,"message":..}.
     *
     * @throws ContractException when the line is not such an object
     */
    public static Finding fromBufJson(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (Exception e) {
            throw new ContractException("buf printed a line that is not a JSON finding: " + abbreviate(line));
        }
        if (n == null || !n.isObject() || !n.hasNonNull("type") || !n.hasNonNull("message")) {
            throw new ContractException("buf printed a line that is not a JSON finding: " + abbreviate(line));
        }
        return new Finding(n.path("path").asText(""), n.path("start_line").asInt(0), n.path("start_column").asInt(0),
                n.get("type").asText(), n.get("message").asText());
    }

    /** The same finding with its path replaced. */
    public Finding withPath(String newPath) {
        return new Finding(newPath, line, column, rule, message);
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
