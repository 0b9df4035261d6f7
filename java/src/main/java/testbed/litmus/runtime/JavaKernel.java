package testbed.litmus.runtime;

import java.lang.foreign.MemorySegment;

/**
 * One compiled Java litmus kernel (docs/LITMUS.md, "Generated kernels"): runs a thread's
 * statements, in the access modes fixed when it was generated, on each of {@code n} instances.
 *
 * <p>Instance {@code i}'s locations start at byte {@code loc + i * locStride} of {@code section};
 * the kernel accesses its locations at fixed offsets past that, and writes register k to
 * {@code r + i * rStride + 8 * k}. Every offset is relative to the section and must be 8-byte
 * aligned; a misaligned or out-of-bounds offset, or a section that is not native memory or is
 * closed, throws before any access.
 *
 * <p>Implementations are the hidden classes of {@link testbed.litmus.kernel.JavaKernelClass} and
 * the guest's kernels; a caller makes one call per round, so the call itself may be megamorphic
 * while the loop inside is not.
 *
 * <p>A generated kernel checks the section once per call and then reaches it at absolute
 * addresses ({@link testbed.litmus.kernel.KernelMemory}): the caller keeps the section mapped
 * until the call returns, as the runner does by joining its actors before it closes the region.
 */
@FunctionalInterface
public interface JavaKernel {

    void run(MemorySegment section, long loc, long locStride, long r, long rStride, int n);
}
