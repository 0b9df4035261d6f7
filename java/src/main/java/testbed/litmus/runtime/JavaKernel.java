package testbed.litmus.runtime;

import java.lang.foreign.MemorySegment;

/**
 * One compiled Java litmus kernel (docs/LITMUS.md, "Kernels"): runs its role's one or two memory
 * operations, in the access modes fixed by its name, on each of {@code n} instances.
 *
 * <p>Instance {@code i}'s locations start at byte {@code loc + i * locStride} of {@code section};
 * the kernel accesses {@code p} and {@code q} bytes past that, and writes its registers to
 * {@code r + i * rStride} (r0) and 8 bytes further (r1). Every offset is relative to the section and
 * must be 8-byte aligned; a misaligned or out-of-bounds offset throws before the access.
 *
 * <p>Implementations are the generated methods of {@link JavaKernels}; a caller makes one call per
 * round, so the call itself may be megamorphic while the loop inside is not.
 *
 * <p>Run kernels on the region's litmus section only (or slices of it). The JIT specialises a
 * kernel's compiled loop on the class of the segment it first ran on: a kernel first run on an
 * arena or heap segment then ran about 50 times slower on the mapped section, in the same JVM.
 */
@FunctionalInterface
public interface JavaKernel {

    void run(MemorySegment section, long loc, long locStride, long p, long q, long v1, long v2,
             long r, long rStride, int n);
}
