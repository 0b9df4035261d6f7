package litmus

import (
	"sync/atomic"
	"unsafe"
)

// Kernels written by hand in the form the Java side's GoKernelSource
// generates (a loop over the instances, every location and value a constant,
// registers in locals stored after every step), registered as a generated
// file registers its own. The actor tests run them by name; x is at +0 and y
// at +8 of an instance.
func init() {
	RegisterTestKernels()
	registerGenerated("kTestSBAtomicX", kTestSBAtomicX, 1, 16)
	registerGenerated("kTestSBAtomicY", kTestSBAtomicY, 1, 16)
	registerGenerated("kTestSBPlainX", kTestSBPlainX, 1, 16)
	registerGenerated("kTestSBPlainY", kTestSBPlainY, 1, 16)
	registerGenerated("kTestStoreX", kTestStoreX, 0, 8)
	registerGenerated("kTestStoreY", kTestStoreY, 0, 16)
	registerGenerated("kTestReadXY", kTestReadXY, 2, 16)
	registerGenerated("kTestFaddX", kTestFaddX, 1, 8)
	registerGenerated("kTestCasX1", kTestCasX1, 1, 16)
	registerGenerated("kTestCasX2", kTestCasX2, 1, 24)
	registerGenerated("kTestEveryStep", kTestEveryStep, 4, 32)
	registerGenerated("kTestStoreX7", kTestStoreX7, 0, 8)
	registerGenerated("kTestStoreYMinus1", kTestStoreYMinus1, 0, 16)
}

// kTestStoreX7 is st [0] := 7 atomic.
func kTestStoreX7(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	for i := f.n; i > 0; i-- {
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo)), 7)
		lo += ls
	}
}

// kTestStoreYMinus1 is st [8] := -1 atomic.
func kTestStoreYMinus1(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	for i := f.n; i > 0; i-- {
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo+8)), -1)
		lo += ls
	}
}

// kTestSBAtomicX is st [0] := 1 atomic; r0 := ld [8] atomic.
func kTestSBAtomicX(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo)), 1)
		r0 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo+8)))
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// kTestSBAtomicY is st [8] := 1 atomic; r0 := ld [0] atomic.
func kTestSBAtomicY(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo+8)), 1)
		r0 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo)))
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// Plain accesses below are data races by the Go memory model, on purpose:
// they are what store buffering observes (see GoKernelSource's header).

// kTestSBPlainX is st [0] := 1 plain; r0 := ld [8] plain.
func kTestSBPlainX(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		*(*int64)(unsafe.Add(b, lo)) = 1
		r0 = *(*int64)(unsafe.Add(b, lo+8))
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// kTestSBPlainY is st [8] := 1 plain; r0 := ld [0] plain.
func kTestSBPlainY(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		*(*int64)(unsafe.Add(b, lo+8)) = 1
		r0 = *(*int64)(unsafe.Add(b, lo))
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// kTestStoreX is st [0] := 1 atomic.
func kTestStoreX(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	for i := f.n; i > 0; i-- {
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo)), 1)
		lo += ls
	}
}

// kTestStoreY is st [8] := 1 atomic.
func kTestStoreY(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	for i := f.n; i > 0; i-- {
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo+8)), 1)
		lo += ls
	}
}

// kTestReadXY is r0 := ld [0] atomic; r1 := ld [8] atomic.
func kTestReadXY(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0, r1 int64
		r0 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo)))
		r1 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo+8)))
		*(*int64)(unsafe.Add(b, ro)) = r0
		*(*int64)(unsafe.Add(b, ro+8)) = r1
		lo += ls
		ro += rs
	}
}

// kTestFaddX is r0 := fadd [0] 1 atomic.
func kTestFaddX(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		r0 = atomic.AddInt64((*int64)(unsafe.Add(b, lo)), 1) - 1
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// kTestCasX1 is r0 := cas [0] [8] 1 atomic/seq_cst: x from the value at its
// own expected location [8], which starts at 0, to 1. As GoKernelSource
// writes it, a strong compare-exchange that returns what it found: an atomic
// load that finds another value is the failure (and the value is written
// back), CompareAndSwap the success, and a value that changed in between is
// read again.
func kTestCasX1(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		for want := *(*int64)(unsafe.Add(b, lo+8)); ; {
			if found := atomic.LoadInt64((*int64)(unsafe.Add(b, lo))); found != want {
				*(*int64)(unsafe.Add(b, lo+8)) = found
				r0 = 0
				break
			}
			if atomic.CompareAndSwapInt64((*int64)(unsafe.Add(b, lo)), want, 1) {
				r0 = 1
				break
			}
		}
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// kTestCasX2 is r0 := cas [0] [16] 2 atomic/seq_cst: the same to 2, with its
// own expected location [16].
func kTestCasX2(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0 int64
		for want := *(*int64)(unsafe.Add(b, lo+16)); ; {
			if found := atomic.LoadInt64((*int64)(unsafe.Add(b, lo))); found != want {
				*(*int64)(unsafe.Add(b, lo+16)) = found
				r0 = 0
				break
			}
			if atomic.CompareAndSwapInt64((*int64)(unsafe.Add(b, lo)), want, 2) {
				r0 = 1
				break
			}
		}
		*(*int64)(unsafe.Add(b, ro)) = r0
		lo += ls
		ro += rs
	}
}

// kTestEveryStep is r0 := fadd [0] 2 atomic; r1 := xchg [8] 3 atomic;
// r2 := cas [16] [24] 5 atomic/seq_cst; st [24] := 7 plain; r0 := ld [16] plain.
// r3 is written by no step and so ends 0; r0 ends as the last step that wrote it.
func kTestEveryStep(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0, r1, r2, r3 int64
		r0 = atomic.AddInt64((*int64)(unsafe.Add(b, lo)), 2) - 2
		r1 = atomic.SwapInt64((*int64)(unsafe.Add(b, lo+8)), 3)
		for want := *(*int64)(unsafe.Add(b, lo+24)); ; {
			if found := atomic.LoadInt64((*int64)(unsafe.Add(b, lo+16))); found != want {
				*(*int64)(unsafe.Add(b, lo+24)) = found
				r2 = 0
				break
			}
			if atomic.CompareAndSwapInt64((*int64)(unsafe.Add(b, lo+16)), want, 5) {
				r2 = 1
				break
			}
		}
		*(*int64)(unsafe.Add(b, lo+24)) = 7
		r0 = *(*int64)(unsafe.Add(b, lo+16))
		*(*int64)(unsafe.Add(b, ro)) = r0
		*(*int64)(unsafe.Add(b, ro+8)) = r1
		*(*int64)(unsafe.Add(b, ro+16)) = r2
		*(*int64)(unsafe.Add(b, ro+24)) = r3
		lo += ls
		ro += rs
	}
}
