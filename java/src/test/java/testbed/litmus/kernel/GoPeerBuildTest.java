package testbed.litmus.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Building the peer with generated kernels: a cache hit builds nothing, the source tree is never
 * written, and a missing toolchain or a refused build is a KernelCompileException naming go with
 * its first error line. Each test has a cache of its own.
 */
class GoPeerBuildTest {

    static final List<KernelPlan> MP = List.of(GoKernelSourceTest.MP_WRITER, GoKernelSourceTest.MP_READER);

    static Path peerSource() {
        return Path.of(System.getProperty(GoPeerBuild.SOURCE_PROPERTY, "go-peer")).toAbsolutePath();
    }

    static String go() {
        return System.getProperty(GoPeerBuild.GO_PROPERTY, "go");
    }

    private static Path script(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** The cache's entries: a refused or finished build leaves no ".building-" directory or log behind. */
    private static List<String> entries(Path cache) throws Exception {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @Timeout(600)
    void aSecondBuildOfTheSameKernelsIsACacheHit(@TempDir Path dir) throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path calls = dir.resolve("go-calls");
        // Counts go's invocations, then runs the real one.
        Path counting = script(dir, "go", "echo \"$1\" >> '" + calls + "'\nexec '" + go() + "' \"$@\"");
        GoPeerBuild build = new GoPeerBuild(counting.toString(), peerSource(), cache, UnaryOperator.identity());

        long t0 = System.nanoTime();
        Path first = build.build(MP);
        long built = System.nanoTime() - t0;
        t0 = System.nanoTime();
        Path second = build.build(MP);
        long hit = System.nanoTime() - t0;
        System.out.printf("go peer with %d generated kernels: built in %d ms, cache hit in %d ms%n", MP.size(), built / 1_000_000, hit / 1_000_000);

        assertEquals(first, second);
        assertTrue(Files.isExecutable(first), first.toString());
        assertEquals(List.of("version", "build", "version"), Files.readAllLines(calls), "the cache hit ran only go version");
        Path entry = first.getParent();
        assertEquals(List.of(entry.getFileName().toString()), entries(cache));
        assertEquals(List.of(GoPeerBuild.BINARY, "kernels.go"), entries(entry));
        assertEquals(GoKernelSource.of(MP), Files.readString(entry.resolve("kernels.go")), "the entry keeps the source it was built from");
        assertFalse(Files.exists(peerSource().resolve(GoPeerBuild.OVERLAY_FILE)), "the source tree was not written");
    }

    @Test
    @Timeout(120)
    void aMissingGoIsNamed(@TempDir Path dir) throws Exception {
        GoPeerBuild build = new GoPeerBuild(dir.resolve("no-such-go").toString(), peerSource(), dir, UnaryOperator.identity());
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> build.build(MP));
        assertTrue(e.getMessage().startsWith("go: cannot run '" + dir.resolve("no-such-go") + "' (property testbed.go): Cannot run program"),
                e.getMessage());
        assertEquals(List.of(), entries(dir));
    }

    @Test
    @Timeout(120)
    void aGoThatFailsIsQuotedByItsFirstErrorLine(@TempDir Path dir) throws Exception {
        Path broken = script(Files.createDirectories(dir.resolve("bin")), "go",
                "echo '# a heading go prints before errors'\necho 'go: cannot find GOROOT directory: /nowhere' >&2\necho 'a second line' >&2\nexit 2");
        Path cache = Files.createDirectories(dir.resolve("cache"));
        GoPeerBuild build = new GoPeerBuild(broken.toString(), peerSource(), cache, UnaryOperator.identity());
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> build.build(MP));
        assertEquals("go version failed (go exit 2): go: cannot find GOROOT directory: /nowhere", e.getMessage());
        assertEquals(List.of(), entries(cache));
    }

    @Test
    @Timeout(600)
    void aSourceGoRefusesIsAKernelCompileException(@TempDir Path dir) throws Exception {
        // The hook breaks the first kernel's loop as a generator bug would.
        GoPeerBuild build = new GoPeerBuild(go(), peerSource(), dir, s -> s.replaceFirst("b := f\\.base", "b := f.noSuchField"));
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> build.build(MP));
        assertTrue(e.getMessage().startsWith("go build of the peer with 2 generated kernel(s) failed (go exit 1): "), e.getMessage());
        assertTrue(e.getMessage().matches(".*/kernels\\.go:\\d+:\\d+: f\\.noSuchField undefined .*"), e.getMessage());
        assertEquals(List.of(), entries(dir), "nothing is published for a refused build");
        assertFalse(Files.exists(peerSource().resolve(GoPeerBuild.OVERLAY_FILE)), "the source tree was not written");
    }

    @Test
    void noPeerSourcesIsNamed(@TempDir Path dir) {
        GoPeerBuild build = new GoPeerBuild(go(), dir.resolve("go-peer"), dir, UnaryOperator.identity());
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> build.build(MP));
        assertTrue(e.getMessage().startsWith("go: no peer sources at " + dir.resolve("go-peer")), e.getMessage());
    }

    @Test
    void firstErrorSkipsPackageHeadings() {
        assertEquals("x.go:1:2: undefined: y", GoPeerBuild.firstError("# interop-testbed/go-peer/internal/litmus\n\n  x.go:1:2: undefined: y\nmore\n"));
        assertEquals("(no output)", GoPeerBuild.firstError("# only a heading\n"));
    }

    /** A change to any source file of the peer is a different entry; a test file is not. */
    @Test
    void theKeyFollowsThePeersSources(@TempDir Path dir) throws Exception {
        Path peer = Files.createDirectories(dir.resolve("go-peer"));
        Files.createDirectories(peer.resolve("internal/x/testdata"));
        Files.createDirectories(dir.resolve("native/src"));
        Files.writeString(peer.resolve("go.mod"), "module m\n");
        Files.writeString(peer.resolve("internal/x/x.go"), "package x\n");
        Files.writeString(dir.resolve("native/src/workers.c"), "int w;\n");
        GoPeerBuild build = new GoPeerBuild(go(), peer, dir, UnaryOperator.identity());
        String d0 = build.peerDigest();
        Files.writeString(peer.resolve("internal/x/x_test.go"), "package x\n");
        Files.writeString(peer.resolve("internal/x/testdata/t.go"), "package t\n");
        Files.writeString(peer.resolve("README.md"), "words\n");
        assertEquals(d0, build.peerDigest(), "tests, testdata and other files are not the peer's sources");
        for (Path changed : List.of(peer.resolve("internal/x/x.go"), peer.resolve("go.mod"), dir.resolve("native/src/workers.c"))) {
            String before = build.peerDigest();
            Files.writeString(changed, "// changed\n", java.nio.file.StandardOpenOption.APPEND);
            assertFalse(before.equals(build.peerDigest()), changed + " is part of the key");
        }
    }
}
