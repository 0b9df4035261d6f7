package testbed.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The contract suite's deliberately broken variant: a breaking edit applied to a
 * copy of the real schema, which the check must catch by rule and line.
 *
 * <p>The edit turns the first {@code int64} field (peer.proto's first, else any
 * file's) into {@code sint64}: the generated Java and Go types stay {@code long}
 * and {@code int64}, everything still compiles, and yet every negative value —
 * and every value at all, after zigzag — is written differently. Only the rule
 * {@value #RULE} stands between that edit and a silent corruption.
 */
final class BreakingEdit {
    static final String RULE = "FIELD_WIRE_COMPATIBLE_TYPE";
    /** How the finding that catches the edit is reported: it was made on a copy, never on the real schema. */
    static final String IN_EDITED_COPY = " (in an edited copy)";
    private static final Pattern INT64_FIELD = Pattern.compile("^(\\s+)int64(\\s+\\w+\\s*=\\s*\\d+)");

    /** Where the edit was made: {@code file} relative to the schema root, 1-based {@code line}. */
    record Edit(String file, int line, String before, String after) {}

    /** The edit, and what buf breaking said about the edited copy against the original. */
    record Outcome(Edit edit, List<Finding> findings) {
        /** The finding that names the rule at the edited line, or null when the check missed it. */
        Finding caught() {
            return findings.stream()
                    .filter(f -> f.rule().equals(RULE) && f.line() == edit.line() && f.path().endsWith(edit.file()))
                    .findFirst().orElse(null);
        }
    }

    private BreakingEdit() {}

    /** Applies the edit to the schema copy under {@code root}, in place. */
    static Edit apply(Path root) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".proto")).sorted().toList());
        } catch (IOException e) {
            throw new ContractException(root + ": " + e.getMessage());
        }
        files.sort(Comparator.comparing((Path p) -> !p.getFileName().toString().equals("peer.proto")));
        for (Path f : files) {
            try {
                List<String> lines = new ArrayList<>(Files.readAllLines(f));
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = INT64_FIELD.matcher(lines.get(i));
                    if (!m.find()) continue;
                    String before = lines.get(i);
                    String after = m.replaceFirst("$1sint64$2");
                    lines.set(i, after);
                    Files.write(f, lines);
                    return new Edit(root.relativize(f).toString(), i + 1, before.strip(), after.strip());
                }
            } catch (IOException e) {
                throw new ContractException(f + ": " + e.getMessage());
            }
        }
        throw new ContractException(root + ": no int64 field in the schema to apply the breaking edit to");
    }

    /** Copies the real schema twice, edits one copy, and checks it against the other. */
    static Outcome run(Buf buf, ContractConfig c) {
        try (Scratch scratch = new Scratch("breaking-edit")) {
            Path original = scratch.resolve("original");
            Path edited = scratch.resolve("edited");
            Path config = c.protoDir().resolve("buf.yaml");
            Scratch.copySchema(c.protoDir(), original, config);
            Scratch.copySchema(c.protoDir(), edited, config);
            Edit edit = apply(edited);
            String shown = c.display(c.protoDir());
            List<Finding> found = new ArrayList<>();
            for (Finding f : buf.breaking(scratch.dir(), "edited", "original")) {
                if (f.path().isEmpty()) found.add(new Finding(shown, 0, 0, f.rule(), f.message()));
                else found.add(f.path().startsWith("edited/") ? f.withPath(shown + f.path().substring("edited".length())) : f);
            }
            return new Outcome(edit, found);
        }
    }
}
