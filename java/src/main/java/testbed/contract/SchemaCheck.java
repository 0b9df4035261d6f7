package testbed.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * buf lint and buf breaking over one schema directory, with findings named by
 * their path in the repository.
 *
 * <p>The real schema (proto/) is checked in place. Any other directory (a
 * fixture, an edited copy) is first copied into a scratch directory, because buf
 * refuses a directory that lies inside another module's tree (proto/ is one);
 * the copy is checked under the project's rules (proto/buf.yaml) unless it
 * carries a buf.yaml of its own, and its findings are named by the original path.
 */
final class SchemaCheck {
    /** The findings of one breaking check, and which baseline it used. */
    record Breaking(List<Finding> findings, Baseline baseline) {}

    private SchemaCheck() {}

    static List<Finding> lint(Buf buf, ContractConfig c) {
        try (Scratch scratch = new Scratch("lint")) {
            Input in = Input.of(c, c.schemaDir(), scratch, "schema");
            return in.rename(buf.lint(in.cwd, in.input));
        }
    }

    static Breaking breaking(Buf buf, ContractConfig c) {
        Baseline baseline = Baseline.resolve(c);
        try (Scratch scratch = new Scratch("breaking")) {
            Input in = Input.of(c, c.schemaDir(), scratch, "schema");
            String against = baseline.input();
            if (baseline.directory() != null) {
                Path copy = scratch.resolve("against");
                Scratch.copySchema(baseline.directory(), copy, c.protoDir().resolve("buf.yaml"));
                against = copy.toString();
            }
            return new Breaking(in.rename(buf.breaking(in.cwd, in.input, against)), baseline);
        }
    }

    /** Where buf runs and what it is given, and how to name its paths back. */
    private record Input(Path cwd, String input, String bufPrefix, String displayPrefix, ContractConfig config) {
        static Input of(ContractConfig c, Path dir, Scratch scratch, String name) {
            if (!Files.isDirectory(dir)) throw new ContractException(c.display(dir) + ": schema directory not found");
            if (dir.equals(c.protoDir())) {
                String rel = c.display(dir);
                return new Input(c.root(), rel, rel, rel, c);
            }
            Scratch.copySchema(dir, scratch.resolve(name), c.protoDir().resolve("buf.yaml"));
            return new Input(scratch.dir(), name, name, c.display(dir), c);
        }

        /** buf names files relative to its working directory; name them by the original directory. */
        List<Finding> rename(List<Finding> found) {
            List<Finding> out = new ArrayList<>(found.size());
            for (Finding f : found) {
                String p = f.path();
                if (p.isEmpty()) {
                    // A finding about the whole input (a deleted package) has no file: name the directory.
                    out.add(new Finding(displayPrefix, 0, 0, f.rule(), f.message()));
                } else if (p.equals(bufPrefix) || p.startsWith(bufPrefix + "/")) {
                    out.add(f.withPath(displayPrefix + p.substring(bufPrefix.length())));
                } else if (Path.of(p).isAbsolute()) {
                    out.add(f.withPath(config.display(Path.of(p))));
                } else {
                    out.add(f);
                }
            }
            return out;
        }
    }
}
