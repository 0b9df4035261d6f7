package testbed.litmus.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import testbed.ffi.NativeLibrary;
import testbed.region.RegionLayout;

/**
 * The C litmus actors of the shim (native/include/interop_litmus.h) through FFM: each actor is a
 * pthread running the actor loop of docs/LITMUS.md with a C kernel generated from a litmus file
 * and compiled into a library of its own ({@link #startCompiled}, from a
 * {@code testbed.litmus.kernel.CKernelLibrary}).
 *
 * <p>Functions are looked up once, at construction (a shim without them fails there), and called
 * through downcall handles held in static finals that take the function's address first, as
 * {@code testbed.ffi.PanamaShim} does. No call is critical: join blocks for up to its timeout.
 *
 * <p>The section given to {@link #startCompiled} must stay mapped until the actor has been joined: a C
 * actor reads and writes it through a raw address, and closing the region under it crashes the
 * process. Handles are the C side's: never reused, valid until joined.
 *
 * <p>{@link #close()} leaves no actor started here running: it joins every unjoined one, setting
 * the abort word of its section for those that do not leave by themselves. The library stays
 * loaded: another binding or a leftover thread may still run its code.
 *
 * <p>Thread-safety: every method may be called from any thread, as the C functions may.
 */
// Restricted FFM methods (linking, library lookup) are this class's purpose; the JVM
// runs with --enable-native-access=ALL-UNNAMED.
@SuppressWarnings("restricted")
public final class NativeActors implements AutoCloseable {

    private static final Linker LINKER = Linker.nativeLinker();

    private static final MethodHandle START_COMPILED = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_LONG,
            ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle JOIN = LINKER.downcallHandle(
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    private static final MethodHandle ALIVE = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle ARCH = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_INT));

    private final Path library;
    private final MemorySegment startCompiled;
    private final MemorySegment join;
    private final MemorySegment alive;
    /** Started and not yet joined: what join needs to word an abort reason. */
    private final Map<Long, Started> started = new ConcurrentHashMap<>();

    private record Started(LitmusSection section, int actor, String kernel, long stallMs) {}

    /** How long {@link #close()} waits for an unjoined actor after setting abort. */
    private static final long CLOSE_JOIN_S = 5;
    private static final Duration CLOSE_JOIN = Duration.ofSeconds(CLOSE_JOIN_S);

    /**
     * Loads the shim from {@code library}, resolves the litmus functions and checks that the shim
     * was built for this JVM's architecture.
     *
     * @throws IllegalStateException if the file is missing, is not a library, lacks a function, or is
     *     built for another architecture
     */
    public NativeActors(Path library) {
        Objects.requireNonNull(library, "library");
        this.library = testbed.ffi.NativeLibrary.require(library);
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the native shim " + library + ": " + e.getMessage(), e);
        }
        MemorySegment arch = find(lookup, "interop_arch");
        this.startCompiled = find(lookup, "interop_litmus_start_compiled");
        this.join = find(lookup, "interop_litmus_join");
        this.alive = find(lookup, "interop_litmus_alive");
        int lib;
        try {
            lib = (int) ARCH.invokeExact(arch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        int jvm = RegionLayout.archCode();
        if (lib != jvm || jvm == 0) {
            throw new IllegalStateException("native shim " + library + " is built for arch " + lib + " ("
                    + RegionLayout.archName(lib) + ") but this JVM is " + jvm + " (" + RegionLayout.archName(jvm) + ")");
        }
    }

    /** The configured shim ({@link NativeLibrary#require()}). */
    public static NativeActors load() {
        return new NativeActors(NativeLibrary.require());
    }

    public Path library() {
        return library;
    }

    /**
     * Starts a C actor: a pthread that adds 1 to {@code ready}, waits for round 1 and runs the actor
     * loop with a generated kernel. {@code kernel} is the address of an
     * {@code interop_litmus_kernel_fn} (from {@code CKernelLibrary.kernel(plan)}), run on every
     * instance with this actor's result array. The library holding the kernel must stay loaded
     * until the actor is joined (CKernelLibrary never unloads one). Arguments otherwise as for
     * {@link JavaActor#start}; {@code stall} zero means no stall bound of its own.
     *
     * @param registers     registers the kernel writes per instance (its plan's), 0..64
     * @param locationBytes bytes of an instance the kernel reaches (its plan's {@code locationBytes()}),
     *                      at least 8 and at most the descriptor's location stride
     * @return the actor's handle (&gt; 0) for {@link #join}
     * @throws NativeActorException naming the errno: EINVAL (a null kernel, registers or location
     *     bytes out of range, a bad argument or descriptor, a descriptor the kernel's reach does not
     *     fit), ESTALE (the section holds another generation), EAGAIN or ENOMEM (no thread could be
     *     made, or 64 actors are unjoined)
     * @throws IllegalArgumentException for a negative stall
     */
    public long startCompiled(LitmusSection section, int actor, MemorySegment kernel, int registers, long locationBytes,
                              long generation, Duration stall) {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(stall, "stall");
        if (stall.isNegative()) {
            throw new IllegalArgumentException("C actor " + actor + ": negative stall timeout " + stall);
        }
        long stallMs = ceilMillis(stall);
        String name = "generated kernel at 0x" + Long.toHexString(kernel.address());
        long r;
        try {
            r = (long) START_COMPILED.invokeExact(startCompiled, section.segment(), actor, kernel, registers,
                    locationBytes, generation, stallMs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r > 0) {
            started.put(r, new Started(section, actor, name, stallMs));
            return r;
        }
        throw refused(r, section, actor, String.format("%s, %d registers, %d location bytes, stall %d ms",
                name, registers, locationBytes, stallMs), generation);
    }

    /** The exception for a start that returned {@code r} < 0, worded for that errno. */
    private static NativeActorException refused(long r, LitmusSection section, int actor, String arguments,
                                                long generation) {
        int errno = (int) -r;
        String what = switch (errno) {
            case NativeActorException.EINVAL -> "refused the arguments or the section's descriptor (" + arguments
                    + "; " + describe(section) + ")";
            case NativeActorException.ESTALE -> "the section holds generation " + section.generation() + ", not "
                    + generation + ": it was started for another test";
            case NativeActorException.EAGAIN, NativeActorException.ENOMEM ->
                    "no thread could be made (64 actors unjoined, or pthread_create refused)";
            default -> "unexpected result " + r + " from the shim";
        };
        return new NativeActorException(errno, "C actor " + actor + ": " + what);
    }

    /**
     * Waits up to {@code timeout} for the actor to leave, then joins its thread and frees the handle.
     *
     * @return its result, or null if it is still running at the timeout (the handle stays valid:
     *     join again, after setting {@code abort} if it must end)
     * @throws NativeActorException ENOENT for an unknown or already joined handle
     */
    public ActorResult join(long handle, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long ms = timeout.isNegative() ? 0 : ceilMillis(timeout);
        long[] out = new long[4];
        long r;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out4 = arena.allocate(JAVA_LONG, 4);
            r = (long) JOIN.invokeExact(join, handle, ms, out4);
            if (r == 0) {
                MemorySegment.copy(out4, JAVA_LONG, 0, out, 0, 4);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r == -NativeActorException.ETIMEDOUT) {
            return null;
        }
        if (r != 0) {
            int errno = (int) -r;
            throw new NativeActorException(errno, "C actor handle " + handle + ": "
                    + (errno == NativeActorException.ENOENT ? "no such actor (unknown, or already joined)"
                            : "unexpected result " + r + " from interop_litmus_join"));
        }
        Started s = started.remove(handle);
        int how = (int) out[2];
        String who = s == null ? "C actor" : "C actor " + s.actor() + " (" + s.kernel() + ")";
        String reason = switch (how) {
            case ActorResult.COMPLETED -> "";
            case ActorResult.ABORT_WORD -> who + " saw the abort word";
            case ActorResult.OWN_STALL -> who + ": no round released within its stall timeout"
                    + (s == null ? "" : " of " + s.stallMs() + " ms");
            default -> throw new IllegalStateException(who + ": interop_litmus_join reported how = " + how);
        };
        return new ActorResult(out[0], out[1], how, reason, out[3]);
    }

    /** C litmus actor threads alive in this process now (started through any binding). */
    public int alive() {
        try {
            return (int) ALIVE.invokeExact(alive);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Joins every actor started through this object and not yet joined: one that has not left yet
     * gets its section's abort word set (it is a leftover: its test is over) and
     * {@value #CLOSE_JOIN_S} s to leave. Idempotent.
     *
     * @throws IllegalStateException naming the actors still running after that
     */
    @Override
    public void close() {
        StringBuilder stuck = new StringBuilder();
        for (Map.Entry<Long, Started> e : List.copyOf(started.entrySet())) {
            long handle = e.getKey();
            Started s = e.getValue();
            try {
                if (join(handle, Duration.ZERO) == null) {
                    s.section().requestAbort();
                    // An actor still running when its region is unmapped would crash the JVM:
                    // give it the documented 5 s to see the abort word and leave.
                    if (join(handle, CLOSE_JOIN) == null) {
                        stuck.append(stuck.isEmpty() ? "" : ", ").append("actor ").append(s.actor()).append(" (")
                                .append(s.kernel()).append(", handle ").append(handle).append(')');
                    }
                }
            } catch (NativeActorException gone) {
                // Joined by another caller meanwhile: nothing left to wait for.
                started.remove(handle);
            }
        }
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("C litmus actors still running after abort: " + stuck);
        }
    }

    @Override
    public String toString() {
        return "NativeActors[" + library + "]";
    }

    private static String describe(LitmusSection section) {
        try {
            return section.descriptor().toString();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static long ceilMillis(Duration d) {
        long ns = d.toNanos();
        return ns / 1_000_000 + (ns % 1_000_000 == 0 ? 0 : 1);
    }

    private MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new IllegalStateException(
                "native shim " + library + " has no function " + symbol + ": rebuild it with `make native`"));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("downcall failed: " + t, t);
    }
}
