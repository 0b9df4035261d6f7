package testbed.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the schema is checked against for breaking changes, as a buf input.
 *
 * <p>By default it is the schema on the baseline branch of this clone
 * ({@code <git dir>#branch=main,subdir=proto}); a clone without that branch (a
 * tarball, a CI checkout of one commit) falls back to the image committed at
 * proto/baseline.binpb, and says so. An explicit input (a directory, an image,
 * any buf input) replaces both.
 *
 * @param input       the buf input
 * @param description one line for people: which baseline was used, and why
 * @param directory   the input when it is a directory on disk, else null
 */
record Baseline(String input, String description, Path directory) {
    private static final Duration GIT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]+");

    static Baseline resolve(ContractConfig c) {
        if (c.against() != null) return given(c, c.against());
        String branch = c.baselineBranch();
        if (!BRANCH.matcher(branch).matches() || branch.startsWith("-")) {
            throw new ContractException("baseline branch '" + branch + "' is not a plain branch name");
        }
        String subdir = c.display(c.protoDir());
        String gitDir = gitDirWithBranch(c.root(), branch, subdir);
        if (gitDir != null) {
            return new Baseline(gitDir + "#branch=" + branch + ",subdir=" + subdir,
                    "baseline: branch " + branch + " of this clone (.git#branch=" + branch + ",subdir=" + subdir + ")", null);
        }
        Path image = c.baselineImage();
        if (Files.isRegularFile(image)) {
            return new Baseline(image.toString(), "baseline: committed image " + c.display(image) + " (branch " + branch
                    + " is not in this clone)", null);
        }
        throw new ContractException(c.display(image) + ": baseline missing: branch " + branch
                + " is not in this clone and there is no committed image (make contract-baseline writes it)");
    }

    private static Baseline given(ContractConfig c, String against) {
        if (against.contains("#")) return new Baseline(against, "baseline: " + against + " (given)", null);
        Path p = c.root().resolve(against).normalize();
        if (!Files.exists(p)) throw new ContractException(c.display(p) + ": baseline not found");
        return new Baseline(p.toString(), "baseline: " + c.display(p) + " (given)", Files.isDirectory(p) ? p : null);
    }

    /**
     * The absolute git directory of the clone at {@code root} when it has a local
     * branch {@code branch} whose tree holds {@code subdir}; null otherwise (no git,
     * not a clone, no such branch). The common directory, so that a worktree works.
     */
    private static String gitDirWithBranch(Path root, String branch, String subdir) {
        try {
            Command.Result verify = Command.run(root, GIT_TIMEOUT,
                    List.of("git", "rev-parse", "--verify", "--quiet", "refs/heads/" + branch + "^{commit}"));
            if (verify.exitCode() != 0) return null;
            Command.Result tree = Command.run(root, GIT_TIMEOUT, List.of("git", "cat-file", "-e", branch + ":" + subdir));
            if (tree.exitCode() != 0) return null;
            Command.Result dir = Command.run(root, GIT_TIMEOUT,
                    List.of("git", "rev-parse", "--path-format=absolute", "--git-common-dir"));
            String d = dir.out().strip();
            return dir.exitCode() == 0 && !d.isEmpty() ? d : null;
        } catch (ContractException e) {
            return null; // git is not installed: the image it is
        }
    }
}
