package testbed.litmus.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import testbed.FileTrees;
import testbed.proc.ChildProcess;

/**
 * Builds the Go peer with kernels generated from litmus files compiled in ({@link GoKernelSource}),
 * without writing into the source tree: {@code go build -overlay} adds the generated file to
 * go-peer/internal/litmus as {@value #OVERLAY_FILE} for this build only, so a build never leaves a
 * file behind for the next {@code make peer} or {@code go test} to pick up.
 *
 * <p>What it builds is kept in {@code KernelCache.dir("go")/KEY/interop-peer}, KEY the SHA-256 of the
 * generated source, the output of {@code go version}, the build's recipe, and the peer's sources
 * (every .go file but tests, go.mod, go.sum and the C files under go-peer, and the shim's C sources
 * under native/ that cgo compiles into the peer). An entry is published whole, by one rename, so a
 * second build of the same kernels, in this JVM or another, runs {@code go version} and nothing else.
 *
 * <p>The {@code go} command is the property {@value #GO_PROPERTY} (default {@code go} on the PATH);
 * the peer's sources are the directory the property {@value #SOURCE_PROPERTY} names (default
 * {@code go-peer} under the working directory). The build is the Makefile's: cgo on (the peer
 * links the shim's native workers), {@code GOTOOLCHAIN=local}, {@code -trimpath}.
 */
public final class GoPeerBuild {
    /**
     * Peers kept in the cache, the most recently used: a peer is some 18 MB, and each change to
     * the peer's sources or to the set of kernels makes a new one.
     */
    static final int KEEP_PEERS = 4;

    /** System property naming the {@code go} command. */
    public static final String GO_PROPERTY = "testbed.go";
    /** System property naming the go-peer directory (the module root). */
    public static final String SOURCE_PROPERTY = "testbed.go.peer.src";
    /** Where the generated file appears in the peer's module, for the overlay's build only. */
    public static final String OVERLAY_FILE = "internal/litmus/litmusfiles_gen_kernels.go";
    /** The peer's binary in a cache entry. */
    static final String BINARY = "interop-peer";
    /**
     * A build that takes this long is stuck: on the 2-core build machine a build took 77 s with an
     * empty Go build cache, and 4.4 to 4.9 s with a warm one (only the litmus package and what
     * imports it compile again, then the link).
     */
    static final Duration BUILD_BOUND = Duration.ofMinutes(10);
    /** How the binary is built, part of the cache key: changing the recipe builds afresh. */
    private static final List<String> RECIPE = List.of("build", "-trimpath", "-buildvcs=false");
    /** The build's environment, sorted so that its text in the key is the same in every JVM. */
    private static final Map<String, String> ENV = Collections.unmodifiableMap(new TreeMap<>(Map.of("CGO_ENABLED", "1", "GOTOOLCHAIN", "local")));

    private final String go;
    private final Path peerSource;
    private final Path cache;
    private final UnaryOperator<String> edit;

    /**
     * @param edit a test's hook: applied to the generated source before it is built (the identity
     *     in real use), so a test can hand the toolchain a source it refuses
     */
    GoPeerBuild(String go, Path peerSource, Path cache, UnaryOperator<String> edit) {
        this.go = go;
        this.peerSource = peerSource.toAbsolutePath().normalize();
        this.cache = cache;
        this.edit = edit;
    }

    /** The build the properties describe, caching under {@code KernelCache.dir("go")}. */
    public static GoPeerBuild fromProperties() {
        return new GoPeerBuild(System.getProperty(GO_PROPERTY, "go"), Path.of(System.getProperty(SOURCE_PROPERTY, "go-peer")),
                KernelCache.dir("go"), UnaryOperator.identity());
    }

    /**
     * The peer binary with the kernels of {@code plans} (each registered under its
     * {@link KernelPlan#id()}), from the cache or built now.
     *
     * @throws KernelCompileException when the peer's sources are not there, {@code go} cannot be
     *     run, or it refuses the build (the message names go and carries its first error line)
     * @throws IllegalArgumentException for a plan Go cannot run (see {@link GoKernelSource#of})
     * @throws UncheckedIOException when the cache cannot be written
     */
    public Path build(List<KernelPlan> plans) throws KernelCompileException {
        String source = edit.apply(GoKernelSource.of(plans));
        if (!Files.isRegularFile(peerSource.resolve("cmd/interop-peer/main.go"))) {
            throw new KernelCompileException("go: no peer sources at " + peerSource + " (cmd/interop-peer/main.go is missing): set -D"
                    + SOURCE_PROPERTY + " to the go-peer directory");
        }
        String version = run(List.of(go, "version"), Duration.ofMinutes(1), "go version").strip();
        String key = KernelPlan.sha256(source + "\n" + version + "\n" + String.join(" ", RECIPE) + "\n" + ENV + "\n" + peerDigest());
        Path entry = cache.resolve(key);
        Path binary = entry.resolve(BINARY);
        if (Files.isExecutable(binary)) {
            KernelCache.keepRecent(entry, KEEP_PEERS);
            return binary;
        }
        Path work = null;
        try {
            work = Files.createTempDirectory(cache, ".building-");
            Path kernels = work.resolve("kernels.go");
            Files.writeString(kernels, source);
            Path overlay = work.resolve("overlay.json");
            Files.writeString(overlay, "{\"Replace\":{" + json(peerSource.resolve(OVERLAY_FILE).toString()) + ":"
                    + json(kernels.toString()) + "}}\n");
            List<String> command = new ArrayList<>(List.of(go));
            command.addAll(RECIPE);
            command.addAll(List.of("-overlay", overlay.toString(), "-o", work.resolve(BINARY).toString(), "./cmd/interop-peer"));
            run(command, BUILD_BOUND, "go build of the peer with " + plans.size() + " generated kernel(s)");
            Files.delete(overlay);
            try {
                KernelCache.publish(work, entry);
                work = null;
            } catch (IOException e) {
                // Another build published the same entry first; it is the same peer.
                if (!Files.isExecutable(binary)) throw e;
            }
            KernelCache.keepRecent(entry, KEEP_PEERS);
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Go kernel cache " + cache + ": " + e.getMessage(), e);
        } finally {
            if (work != null) FileTrees.deleteQuietly(work);
        }
    }

    /**
     * Runs {@code command} in the peer's directory and returns its output; a failure to start, a
     * non-zero exit or overrunning {@code bound} is a KernelCompileException starting with
     * {@code what}.
     */
    private String run(List<String> command, Duration bound, String what) throws KernelCompileException {
        Map<String, String> env = new TreeMap<>(ENV);
        // The peer runs on this machine, as a child of this JVM: never cross-compiled.
        env.put("GOOS", null);
        env.put("GOARCH", null);
        ChildProcess.Result r;
        try {
            // go build's compilers and linker are its children: a stuck build ends whole.
            r = ChildProcess.of(command).directory(peerSource).env(env).mergeStderr().bound(bound).run();
        } catch (ChildProcess.StartFailed e) {
            throw new KernelCompileException("go: cannot run '" + go + "' (property " + GO_PROPERTY + "): " + firstLine(e.reason()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelCompileException(what + ": interrupted", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep go's output: " + e.getMessage(), e);
        }
        if (r.timedOut()) {
            throw new KernelCompileException(what + " did not finish within " + bound.toSeconds() + " s; killed it");
        }
        String out = r.out();
        if (r.exitCode() != 0) {
            throw new KernelCompileException(what + " failed (go exit " + r.exitCode() + "): " + firstError(out));
        }
        return out;
    }

    /** The first line of go's output that states an error: not a "# package" heading, not blank. */
    static String firstError(String output) {
        return output.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                .orElse("(no output)");
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /**
     * A digest of the peer's sources, each file by its path under the peer's parent directory and
     * its bytes, in path order: what go build reads besides the generated file and the module cache
     * (which go.sum pins).
     */
    String peerDigest() {
        Path root = peerSource.getParent();
        List<Path> files = new ArrayList<>(sources(peerSource, true));
        Path nativeDir = root.resolve("native");
        for (String d : List.of("src", "include")) files.addAll(sources(nativeDir.resolve(d), false));
        files.sort(Comparator.comparing(f -> root.relativize(f).toString()));
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(root.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the peer's sources under " + root + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The source files under dir that a build reads; go skips testdata and "." and "_" directories. */
    private static List<Path> sources(Path dir, boolean goModule) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(f -> {
                Path rel = dir.relativize(f);
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                    String part = rel.getName(i).toString();
                    if (part.equals("testdata") || part.startsWith(".") || part.startsWith("_")) return false;
                }
                String name = f.getFileName().toString();
                if (name.endsWith(".c") || name.endsWith(".h")) return true;
                return goModule && ((name.endsWith(".go") && !name.endsWith("_test.go")) || name.equals("go.mod") || name.equals("go.sum"));
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the peer's sources under " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
