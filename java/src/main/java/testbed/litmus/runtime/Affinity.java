package testbed.litmus.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one CPU of the process's allowed set, through libc's
 * {@code sched_getaffinity}/{@code sched_setaffinity} (Linux; pid 0 is the calling
 * thread). Unpinned, the scheduler may put two actors that wake each other on one core,
 * where their rounds never overlap and no reordering can be seen. Actor i goes to the
 * (i mod n)-th allowed CPU, as the C and Go actors do.
 */
final class Affinity {
    /** glibc's cpu_set_t: 1024 bits. */
    private static final long CPU_SET_BYTES = 128;
    private static final MethodHandle GET;
    private static final MethodHandle SET;

    static {
        MethodHandle get = null, set = null;
        try {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor fd = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
            get = linker.defaultLookup().find("sched_getaffinity").map(a -> linker.downcallHandle(a, fd)).orElse(null);
            set = linker.defaultLookup().find("sched_setaffinity").map(a -> linker.downcallHandle(a, fd)).orElse(null);
        } catch (RuntimeException e) {
            // Not Linux, or no such symbols: actors run unpinned.
        }
        GET = get;
        SET = set;
    }

    private Affinity() {}

    /** Pins the calling thread; returns the CPU, or -1 when it stays unpinned. */
    static int pinToNthAllowedCpu(int nth) {
        if (GET == null || SET == null || nth < 0) return -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment allowed = arena.allocate(CPU_SET_BYTES, 8);
            if ((int) GET.invokeExact(0, CPU_SET_BYTES, allowed) != 0) return -1;
            int count = 0;
            for (long i = 0; i < CPU_SET_BYTES / 8; i++) count += Long.bitCount(allowed.getAtIndex(ValueLayout.JAVA_LONG, i));
            if (count == 0) return -1;
            int want = nth % count;
            for (int cpu = 0, seen = 0; cpu < CPU_SET_BYTES * 8; cpu++) {
                long word = allowed.getAtIndex(ValueLayout.JAVA_LONG, cpu / 64);
                if ((word & (1L << (cpu % 64))) == 0) continue;
                if (seen++ != want) continue;
                MemorySegment one = arena.allocate(CPU_SET_BYTES, 8);
                one.setAtIndex(ValueLayout.JAVA_LONG, cpu / 64, 1L << (cpu % 64));
                return (int) SET.invokeExact(0, CPU_SET_BYTES, one) == 0 ? cpu : -1;
            }
            return -1;
        } catch (Throwable t) {
            return -1;
        }
    }
}
