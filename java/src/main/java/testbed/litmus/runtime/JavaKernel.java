package testbed.litmus.runtime;

import java.lang.foreign.MemorySegment;

/**
 * One compiled Java litmus kernel (docs/LITMUS.md, "Generated kernels"): runs a thread's
 * statements, in the access modes fixed when it was generated, on each of {@code n} instances.
 *
 * <p>Instance {@code i}'s locations start at byte {@code loc + i * locStride} of {@code section};
 * the kernel accesses its locations at fixed offsets past that, and writes register k to
 * {@code r + i * rStride + 8 * k}. Every offset is relative to the section and must be 8-byte
 * aligned; a misaligned or out-of-bounds offset throws before the access.
 *
 * <p>Implementations are the hidden classes of {@link testbed.litmus.kernel.JavaKernelClass} and
 * the guest's kernels; a caller makes one call per round, so the call itself may be megamorphic
 * while the loop inside is not.
 *
 * <p>Run kernels on the region's litmus section only (or slices of it). The JIT specialises a
 * kernel's compiled loop on the class of the segment it first ran on: a kernel first run on an
 * arena or heap segment then ran about 50 times slower on the mapped section, in the same JVM.
 */
@FunctionalInterface
public interface JavaKernel {

    void run(MemorySegment section, long loc, long locStride, long r, long rStride, int n);
}
