package testbed.litmus.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import testbed.proc.ChildProcess;

/**
 * Generated C kernels compiled into a shared library and loaded: {@link #compile} writes
 * {@link CKernelSource} for a set of plans, compiles it with {@code CC -O2 -std=c11 -shared -fPIC}
 * (CC is the property {@value #COMPILER_PROPERTY}, default {@code cc}) into
 * {@code KernelCache.dir("c")/<sha256 of the source and the compiler's --version line>.so}, and
 * hands out each plan's function address for {@code NativeActors.startCompiled}.
 *
 * <p>An entry that exists is current (its name is the hash of everything that made it), so a
 * second run with the same plans and compiler compiles nothing. An entry is built into a temporary
 * file in the cache directory and published with an atomic move ({@link KernelCache#publish}), so
 * a reader sees a whole library or none, also when two runs build the same entry at once. The
 * source is kept beside it ({@code <hash>.c}) for whoever wants to read or disassemble it.
 *
 * <p><b>A loaded library is never unloaded.</b> It is loaded into {@link Arena#global()}: a C actor
 * runs its kernel on a thread of its own until it is joined, and an actor that is not joined (one
 * that stalled, or outlived its runner's abort bound) may still be inside the kernel; unloading the
 * library under it would crash the JVM. {@code NativeActors} keeps the shim loaded for the same
 * reason. The cost is one small mapping per distinct library per JVM (a few pages), and a library
 * loaded twice is the same mapping ({@code dlopen} counts references), so a fork that runs many
 * tests should compile their C kernels together, into one library. This class is therefore not
 * {@link AutoCloseable}.
 *
 * <p>Thread-safety: immutable once made; {@link #compile} may be called from any thread.
 */
// Loading a library and looking up its symbols are restricted FFM methods; the JVM runs with
// --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
public final class CKernelLibrary {

    /** System property naming the C compiler (a program on PATH or a path). */
    public static final String COMPILER_PROPERTY = "testbed.cc";
    /** What a C kernel is compiled with, after the compiler; {@code -o} and the source follow. */
    public static final List<String> FLAGS = List.of("-O2", "-std=c11", "-shared", "-fPIC");
    /** A compile (or a {@code --version}) that takes longer than this is stopped and refused. */
    static final long COMPILE_BOUND_S = 120;

    /** Compiler name to its --version line, asked once per JVM. */
    private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();

    private final Path file;
    private final String compiler;
    private final Map<String, MemorySegment> kernels;
    private final boolean cacheHit;
    private final long compileNanos;

    private CKernelLibrary(Path file, String compiler, Map<String, MemorySegment> kernels, boolean cacheHit,
                           long compileNanos) {
        this.file = file;
        this.compiler = compiler;
        this.kernels = kernels;
        this.cacheHit = cacheHit;
        this.compileNanos = compileNanos;
    }

    /**
     * The library of {@code plans}: from the cache if it holds it, else compiled now; loaded.
     *
     * @throws KernelCompileException if the compiler cannot be run, refuses the source or times
     *     out; the message names the compiler and carries its first error line
     * @throws IllegalArgumentException for plans {@link CKernelSource#of} refuses
     */
    public static CKernelLibrary compile(List<KernelPlan> plans) throws KernelCompileException {
        long began = System.nanoTime();
        Entry built = entry(plans);
        Path entry = built.file();
        String compiler = built.compiler();
        boolean hit = built.hit();
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(entry, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new KernelCompileException("C kernels: cannot load " + entry + " built by '" + compiler + "': "
                    + e.getMessage(), e);
        }
        Map<String, MemorySegment> kernels = new LinkedHashMap<>();
        for (KernelPlan p : plans) {
            kernels.computeIfAbsent(p.id(), id -> lookup.find(id).orElseThrow(() -> new IllegalStateException(
                    "C kernel library " + entry + " has no function " + id + " for " + p)));
        }
        return new CKernelLibrary(entry, compiler, Map.copyOf(kernels), hit, System.nanoTime() - began);
    }

    /**
     * The address of {@code plan}'s function, an {@code interop_litmus_kernel_fn}.
     *
     * @throws IllegalArgumentException if the plan is not one this library was compiled for
     */
    public MemorySegment kernel(KernelPlan plan) {
        MemorySegment k = kernels.get(plan.id());
        if (k == null) throw new IllegalArgumentException("C kernel library " + file + " was not compiled for " + plan);
        return k;
    }

    /** The cache entry loaded. */
    public Path file() {
        return file;
    }

    /** The source it was compiled from, kept beside it; null if another process removed it. */
    public Path source() {
        Path c = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.so$", ".c"));
        return Files.isRegularFile(c) ? c : null;
    }

    /** The compiler named when it was made. */
    public String compiler() {
        return compiler;
    }

    /** Whether the cache held it, so nothing was compiled. */
    public boolean cacheHit() {
        return cacheHit;
    }

    /** Nanoseconds {@link #compile} took: generating, asking the compiler's version, compiling (unless a cache hit), loading. */
    public long compileNanos() {
        return compileNanos;
    }

    @Override
    public String toString() {
        return String.format("CKernelLibrary[%s, %d kernels, %s in %.1f ms]", file.getFileName(), kernels.size(),
                cacheHit ? "cached" : "compiled", compileNanos / 1e6);
    }

    // ---- the compiler ----------------------------------------------------------------------------

    /** A cache entry: the library's file, the compiler that named it, whether it was there already. */
    record Entry(Path file, String compiler, boolean hit) {}

    /**
     * The cache entry of {@code plans} for the configured compiler, compiled now unless it exists;
     * not loaded (a cross compiler's entry cannot be).
     */
    static Entry entry(List<KernelPlan> plans) throws KernelCompileException {
        String compiler = System.getProperty(COMPILER_PROPERTY, "cc");
        return entry(plans, compiler, List.of());
    }

    /**
     * The library of {@code plans} compiled by {@code compiler} with {@link #FLAGS} and then
     * {@code extraFlags}, from the cache or compiled now; never loaded, so any compiler will do (a
     * cross compiler, for the instruction audit). With no extra flags it is the very entry that
     * {@link #compile} loads for the same plans and compiler. Its source is kept beside it.
     *
     * @throws KernelCompileException as {@link #compile}
     */
    public static Path object(List<KernelPlan> plans, String compiler, List<String> extraFlags) throws KernelCompileException {
        return entry(plans, compiler, extraFlags).file();
    }

    private static Entry entry(List<KernelPlan> plans, String compiler, List<String> extraFlags) throws KernelCompileException {
        String source = CKernelSource.of(plans);
        String version = version(compiler);
        Path dir = KernelCache.dir("c");
        // No extra flags: the key the engine's entries have always had.
        String hash = KernelPlan.sha256(source + "\n" + version + (extraFlags.isEmpty() ? "" : "\n" + String.join(" ", extraFlags)));
        Path entry = dir.resolve(hash + ".so");
        boolean hit = Files.isRegularFile(entry);
        if (!hit) build(compiler, extraFlags, source, dir, hash, entry);
        return new Entry(entry, compiler, hit);
    }

    private static void build(String compiler, List<String> extraFlags, String source, Path dir, String hash, Path entry)
            throws KernelCompileException {
        Path src = null;
        Path out = null;
        try {
            src = Files.createTempFile(dir, hash + ".", ".c.tmp");
            out = Files.createTempFile(dir, hash + ".", ".so.tmp");
            Files.writeString(src, source, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>();
            command.add(compiler);
            command.addAll(FLAGS);
            command.addAll(extraFlags);
            // -x c: the source's temporary name does not end in .c.
            command.addAll(List.of("-o", out.toString(), "-x", "c", src.toString()));
            Result r = run(command);
            if (r.exit() != 0) {
                throw new KernelCompileException("C compiler '" + compiler + "' refused the generated kernels (exit "
                        + r.exit() + "): " + firstError(r.output()));
            }
            // The source first: a published library always has its source beside it.
            KernelCache.publish(src, dir.resolve(hash + ".c"));
            src = null;
            KernelCache.publish(out, entry);
            out = null;
        } catch (IOException e) {
            throw new UncheckedIOException("C kernels: cannot write the kernel cache " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(src);
            deleteQuietly(out);
        }
    }

    /** The first line of {@code compiler --version}, the toolchain's identity in every cache key. */
    private static String version(String compiler) throws KernelCompileException {
        String known = VERSIONS.get(compiler);
        if (known != null) return known;
        Result r = run(List.of(compiler, "--version"));
        String first = r.output().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        if (r.exit() != 0 || first.isEmpty()) {
            throw new KernelCompileException("C compiler '" + compiler + "' did not say its version (exit " + r.exit()
                    + "): " + firstError(r.output()));
        }
        VERSIONS.put(compiler, first);
        return first;
    }

    private record Result(int exit, String output) {}

    /**
     * Runs a command to its end within {@link #COMPILE_BOUND_S}, its stderr merged into its stdout;
     * an overrunning compiler is killed with its children.
     */
    private static Result run(List<String> command) throws KernelCompileException {
        String compiler = command.getFirst();
        ChildProcess.Result r;
        try {
            r = ChildProcess.of(command).mergeStderr().bound(Duration.ofSeconds(COMPILE_BOUND_S)).run();
        } catch (IOException e) {
            String why = e instanceof ChildProcess.StartFailed f ? f.reason() : e.getMessage();
            throw new KernelCompileException("C compiler '" + compiler + "' cannot be run (set -D" + COMPILER_PROPERTY
                    + "=PATH): " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelCompileException("C compiler '" + compiler + "': interrupted", e);
        }
        if (r.timedOut()) {
            throw new KernelCompileException("C compiler '" + compiler + "' took more than " + COMPILE_BOUND_S + " s");
        }
        return new Result(r.exitCode(), r.out());
    }

    /** The compiler's first line that says "error", else its first non-blank line. */
    static String firstError(String output) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.stream().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("error")).findFirst()
                .orElse(lines.isEmpty() ? "(no output)" : lines.getFirst());
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover temporary file is harmless: no entry is named like it.
        }
    }
}
