package litmus

import (
	"slices"
	"unsafe"
)

//go:generate go run ./gen -o kernels_gen.go

// frame is what a kernel needs for one round. Every address a kernel forms is
// base plus an offset that Prepare has checked to lie inside the section, so
// no pointer ever leaves the mapping.
type frame struct {
	base      unsafe.Pointer // the section's first byte
	n         int64          // instances per round (the descriptor's stride)
	loc       int64          // instance 0's locations, from base
	locStride int64
	res       int64 // this actor's r0 for instance 0, from base
	resStride int64
	p, q      int64 // the locations inside an instance
	v1, v2    int64
}

// kernel runs one actor's operations once on each of f.n instances. Each
// kernel is its own function with its access modes written into its body:
// nothing is chosen per instance.
type kernel struct {
	run func(f *frame)
	// regs is how many result registers it writes (0, 1 or 2).
	regs int
	// usesQ says whether it touches the location q.
	usesQ bool
}

// Kernels returns the names of the kernels this runtime has, sorted:
// ROLE.MODE1[.MODE2] with the Go modes atomic (sync/atomic, sequentially
// consistent) and plain (an ordinary access through an unsafe pointer).
func Kernels() []string {
	names := make([]string, 0, len(kernels))
	for name := range kernels {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
