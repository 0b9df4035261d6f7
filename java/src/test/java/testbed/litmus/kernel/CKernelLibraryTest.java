package testbed.litmus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.KernelPlan.Fence;
import testbed.litmus.kernel.KernelPlan.Load;
import testbed.litmus.kernel.KernelPlan.Store;

/**
 * Compiling and caching: a cold compile publishes an entry, a second compile of the same plans
 * runs no compiler (shown with one that fails whenever it is asked to compile), and a missing or
 * failing compiler is a KernelCompileException that names it and quotes its first error line.
 */
// SymbolLookup.libraryLookup is restricted; the tests run with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
class CKernelLibraryTest {

    @RegisterExtension
    final OwnKernelCache cache = new OwnKernelCache();
    @TempDir
    Path scripts;
    String previousCompiler;

    @BeforeEach
    void ownCompiler() {
        previousCompiler = System.clearProperty(CKernelLibrary.COMPILER_PROPERTY);
    }

    @AfterEach
    void restoreCompiler() {
        restore(CKernelLibrary.COMPILER_PROPERTY, previousCompiler);
    }

    static void restore(String property, String value) {
        if (value == null) System.clearProperty(property);
        else System.setProperty(property, value);
    }

    static final KernelPlan SB0 = new KernelPlan(ActorRuntime.C, List.of(new Store(0, 1, "relaxed"), new Load(8, "relaxed", 0)), 1);
    static final KernelPlan SB1 = new KernelPlan(ActorRuntime.C, List.of(new Store(8, 1, "relaxed"), new Load(0, "relaxed", 0)), 1);

    /** A compiler that answers --version as the system's cc does and fails on anything else. */
    Path compilerThatMustNotCompile() throws IOException {
        return script("must-not-compile", """
                #!/bin/sh
                if [ "$1" = --version ]; then exec cc --version; fi
                echo "must-not-compile: error: asked to compile $*" >&2
                exit 1
                """);
    }

    Path script(String name, String text) throws IOException {
        Path p = scripts.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void aSecondCompileOfTheSamePlansIsACacheHitAndRunsNoCompiler() throws Exception {
        CKernelLibrary cold = CKernelLibrary.compile(List.of(SB0, SB1));
        assertFalse(cold.cacheHit());
        assertTrue(cold.compileNanos() > 0);
        assertEquals(cache.dir().resolve("c"), cold.file().getParent());
        assertTrue(cold.file().getFileName().toString().matches("[0-9a-f]{64}\\.so"), cold.file().toString());
        assertNotNull(cold.source(), "the source is kept beside the library");
        assertEquals(CKernelSource.of(List.of(SB0, SB1)), Files.readString(cold.source()));
        try (Stream<Path> left = Files.list(cold.file().getParent())) {
            assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".tmp")).toList(), "no temporary file left");
        }

        CKernelLibrary warm = CKernelLibrary.compile(List.of(SB0, SB1));
        assertTrue(warm.cacheHit());
        assertEquals(cold.file(), warm.file());
        assertEquals(cold.kernel(SB0).address(), warm.kernel(SB0).address(), "one library, loaded once");

        System.setProperty(CKernelLibrary.COMPILER_PROPERTY, compilerThatMustNotCompile().toString());
        CKernelLibrary hit = CKernelLibrary.compile(List.of(SB0, SB1));
        assertTrue(hit.cacheHit());
        assertEquals(cold.file(), hit.file(), "the same compiler version names the same entry");
        assertEquals(cold.kernel(SB1).address(), hit.kernel(SB1).address());
        System.out.printf("[kernel] 2 C kernels: cold compile %.1f ms, cached %.1f ms, cached with another compiler path %.1f ms%n",
                cold.compileNanos() / 1e6, warm.compileNanos() / 1e6, hit.compileNanos() / 1e6);

        // The proof that the script would have failed had anything been compiled.
        KernelPlan fresh = new KernelPlan(ActorRuntime.C, List.of(new Fence("acq_rel")), 0);
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> CKernelLibrary.compile(List.of(fresh)));
        assertTrue(e.getMessage().contains("must-not-compile: error: asked to compile"), e.getMessage());
    }

    @Test
    void aMissingCompilerIsNamed() {
        String missing = scripts.resolve("no-such-cc").toString();
        System.setProperty(CKernelLibrary.COMPILER_PROPERTY, missing);
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> CKernelLibrary.compile(List.of(SB0)));
        assertTrue(e.getMessage().startsWith("C compiler '" + missing + "' cannot be run"), e.getMessage());
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
    }

    @Test
    void aCompileErrorCarriesTheCompilersFirstErrorLine() throws Exception {
        Path cc = script("failing-cc", """
                #!/bin/sh
                if [ "$1" = --version ]; then echo "failing-cc 1.0"; exit 0; fi
                echo "kernels.c: In function 'k0':"
                echo "kernels.c:12:5: error: planted failure"
                echo "kernels.c:13:5: error: second failure"
                exit 1
                """);
        System.setProperty(CKernelLibrary.COMPILER_PROPERTY, cc.toString());
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> CKernelLibrary.compile(List.of(SB0)));
        assertEquals("C compiler '" + cc + "' refused the generated kernels (exit 1): kernels.c:12:5: error: planted failure",
                e.getMessage());
        try (Stream<Path> left = Files.list(cache.dir().resolve("c"))) {
            assertEquals(List.of(), left.toList(), "nothing published, nothing left behind");
        }
    }

    @Test
    void aCompilerThatCannotSayItsVersionIsRefused() throws Exception {
        Path cc = script("mute-cc", """
                #!/bin/sh
                echo "mute-cc: fatal error: no input files" >&2
                exit 4
                """);
        System.setProperty(CKernelLibrary.COMPILER_PROPERTY, cc.toString());
        KernelCompileException e = assertThrows(KernelCompileException.class, () -> CKernelLibrary.compile(List.of(SB0)));
        assertEquals("C compiler '" + cc + "' did not say its version (exit 4): mute-cc: fatal error: no input files",
                e.getMessage());
    }

    @Test
    void onlyTheKernelsAreExportedAndOnlyThePlansCompiledAreHandedOut() throws Exception {
        CKernelLibrary lib = CKernelLibrary.compile(List.of(SB0));
        SymbolLookup lookup = SymbolLookup.libraryLookup(lib.file(), Arena.global());
        assertTrue(lookup.find(SB0.id()).isPresent());
        assertTrue(lookup.find("atomic_at").isEmpty(), "helpers are static");
        assertTrue(lookup.find("plain_at").isEmpty(), "helpers are static");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lib.kernel(SB1));
        assertTrue(e.getMessage().contains("was not compiled for"), e.getMessage());
    }

    @Test
    void firstErrorPrefersALineThatSaysError() {
        assertEquals("b.c:1: error: x", CKernelLibrary.firstError("In file b.c:\n  b.c:1: error: x\nb.c:2: error: y\n"));
        assertEquals("ld: cannot find -lfoo", CKernelLibrary.firstError("\nld: cannot find -lfoo\n"));
        assertEquals("(no output)", CKernelLibrary.firstError(""));
    }
}
