package litmus

import (
	"sync/atomic"
	"unsafe"
)

// Kernels for the tests of packages that run actors through Prepare (the
// server's RunLitmusActor tests). Such a test cannot register a kernel of
// its own: a kernel's function takes this package's frame, which only a file
// of this package can name. These are written by hand in the form the Java
// side's GoKernelSource generates, and registered as a generated file
// registers its kernels, but only when a test calls RegisterTestKernels: a
// peer never does, so the linker leaves them out of it, and Generated lists
// only the kernels the peer was built with.

// The kernels RegisterTestKernels registers: message passing's two threads
// over x at +0 and y at +8 of an instance.
const (
	// TestMPWriter is st [0] := 1 atomic; st [8] := 1 atomic (no registers).
	TestMPWriter = "kTestMPWriter"
	// TestMPReader is r0 := ld [8] atomic; r1 := ld [0] atomic (two registers).
	TestMPReader = "kTestMPReader"
)

// RegisterTestKernels registers TestMPWriter and TestMPReader. Like a
// generated file's registration it must run while the packages initialise
// (from a test's init function), once per process; a second call panics.
func RegisterTestKernels() {
	registerGenerated(TestMPWriter, kTestMPWriter, 0, 16)
	registerGenerated(TestMPReader, kTestMPReader, 2, 16)
}

// kTestMPWriter is st [0] := 1 atomic; st [8] := 1 atomic.
func kTestMPWriter(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	for i := f.n; i > 0; i-- {
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo)), 1)
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo+8)), 1)
		lo += ls
	}
}

// kTestMPReader is r0 := ld [8] atomic; r1 := ld [0] atomic.
func kTestMPReader(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0, r1 int64
		r0 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo+8)))
		r1 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo)))
		*(*int64)(unsafe.Add(b, ro)) = r0
		*(*int64)(unsafe.Add(b, ro+8)) = r1
		lo += ls
		ro += rs
	}
}
