package testbed.contract;

import java.nio.file.Path;

/**
 * Where the contract checks find the schema, its data and their tools. The
 * defaults are the paths proto/contract.mk builds to, under the repository root;
 * each can be overridden by a system property (named beside it) or an option of
 * {@link ContractCheck}.
 *
 * @param root          the repository root (testbed.root; default the working directory)
 * @param schemaDir     the schema to check: a buf module directory (testbed.contract.schema; default proto)
 * @param against       an explicit buf input to check it against, or null for the
 *                      default baseline (testbed.contract.against)
 * @param baselineBranch the branch that is the default baseline (testbed.contract.branch; default main)
 * @param baselineImage the committed image used when that branch is not in the clone
 * @param corpusDir     the wire-conformance corpus
 * @param fixturesDir   the breaking-change fixtures and their verdicts
 * @param buf           the pinned buf binary (testbed.contract.buf)
 * @param contractTool  the Go side, go-peer/cmd/interop-contract (testbed.contract.tool)
 * @param nativeTest    the C test runner, for its layout tests (testbed.native.test)
 * @param goLayoutTest  the Go region package's compiled tests (testbed.contract.go-layout-test)
 * @param layoutFile    native/region.layout (testbed.layout)
 */
public record ContractConfig(
        Path root,
        Path schemaDir,
        String against,
        String baselineBranch,
        Path baselineImage,
        Path corpusDir,
        Path fixturesDir,
        Path buf,
        Path contractTool,
        Path nativeTest,
        Path goLayoutTest,
        Path layoutFile) {

    /** The default baseline branch. */
    public static final String DEFAULT_BRANCH = "main";

    /** The defaults under {@code root}, each overridden by its system property when set. */
    public static ContractConfig fromSystemProperties() {
        Path root = Path.of(System.getProperty("testbed.root", "")).toAbsolutePath().normalize();
        return new ContractConfig(
                root,
                path(root, "testbed.contract.schema", "proto"),
                emptyToNull(System.getProperty("testbed.contract.against")),
                System.getProperty("testbed.contract.branch", DEFAULT_BRANCH),
                root.resolve("proto/baseline.binpb"),
                root.resolve("proto/testdata/conformance"),
                root.resolve("proto/testdata/breaking"),
                path(root, "testbed.contract.buf", "build/tools/bin/buf"),
                path(root, "testbed.contract.tool", "build/bin/interop-contract"),
                path(root, "testbed.native.test", "build/native/interop_test"),
                path(root, "testbed.contract.go-layout-test", "build/contract/region-layout.test"),
                path(root, "testbed.layout", "native/region.layout"));
    }

    public ContractConfig withSchema(Path dir) {
        return new ContractConfig(root, root.resolve(dir).normalize(), against, baselineBranch, baselineImage, corpusDir,
                fixturesDir, buf, contractTool, nativeTest, goLayoutTest, layoutFile);
    }

    public ContractConfig withAgainst(String input) {
        return new ContractConfig(root, schemaDir, emptyToNull(input), baselineBranch, baselineImage, corpusDir,
                fixturesDir, buf, contractTool, nativeTest, goLayoutTest, layoutFile);
    }

    public ContractConfig withBaseline(String branch, Path image) {
        return new ContractConfig(root, schemaDir, against, branch, root.resolve(image).normalize(), corpusDir,
                fixturesDir, buf, contractTool, nativeTest, goLayoutTest, layoutFile);
    }

    public ContractConfig withCorpus(Path dir) {
        return new ContractConfig(root, schemaDir, against, baselineBranch, baselineImage, root.resolve(dir).normalize(),
                fixturesDir, buf, contractTool, nativeTest, goLayoutTest, layoutFile);
    }

    /** The real schema: proto/ under the root. */
    public Path protoDir() {
        return root.resolve("proto");
    }

    /** {@code p} relative to the root when it lies inside it, for messages. */
    public String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    private static Path path(Path root, String property, String fallback) {
        String v = System.getProperty(property);
        return root.resolve(v == null || v.isBlank() ? fallback : v).normalize();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
