package litmus

import (
	"fmt"
	"slices"
	"unsafe"
)

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
}

// kernel runs one actor's operations once on each of f.n instances. Each
// kernel is generated from a thread of a litmus file, its own function with
// its locations, values and access modes written into its body: nothing is
// chosen per instance.
type kernel struct {
	run func(f *frame)
	// regs is how many result registers it writes.
	regs int
	// locBytes is how many bytes of each instance's locations it reaches.
	locBytes int64
}

// generatedKernels holds the kernels that generated files add from their
// init functions. It is written only while the package initialises and read
// only afterwards, so it needs no lock.
var generatedKernels = map[string]kernel{}

// registerGenerated adds a kernel generated from a litmus file (the Java
// side's GoKernelSource writes the file, and the peer is built with it): run
// reads and writes the first locBytes bytes of each instance's locations, at
// offsets fixed in its body, and writes regs registers 8 bytes apart from the
// actor's r0. Prepare accepts name from then on and checks the descriptor
// against regs and locBytes.
//
// It panics, failing the peer at start, on a name that is not an identifier
// (a generated kernel is named as its function is) or is already registered,
// regs below 0, or locBytes not a positive multiple of 8: a peer that might
// run the wrong kernel under a name must not start.
func registerGenerated(name string, run func(*frame), regs int, locBytes int64) {
	switch {
	case !isIdentifier(name):
		panic(fmt.Sprintf("generated kernel %q: the name must be an identifier", name))
	case run == nil:
		panic(fmt.Sprintf("generated kernel %q: no function", name))
	case regs < 0:
		panic(fmt.Sprintf("generated kernel %q: %d registers", name, regs))
	case locBytes <= 0 || locBytes%8 != 0:
		panic(fmt.Sprintf("generated kernel %q: %d bytes of locations, want a positive multiple of 8", name, locBytes))
	}
	if _, taken := generatedKernels[name]; taken {
		panic(fmt.Sprintf("generated kernel %q registered twice", name))
	}
	generatedKernels[name] = kernel{run: run, regs: regs, locBytes: locBytes}
}

// isIdentifier reports whether s is an ASCII Go identifier.
func isIdentifier(s string) bool {
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// lookup returns the kernel registered under name, if any. (GoKernelSourceTest,
// on the Java side, calls it from the Go test it adds to this package.)
func lookup(name string) (kernel, bool) {
	k, ok := generatedKernels[name]
	return k, ok
}

// Generated returns the names of the kernels generated from litmus files
// that this peer was built with, sorted: the only kernels it has, and none
// in a peer built by make.
func Generated() []string {
	names := make([]string, 0, len(generatedKernels))
	for name := range generatedKernels {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
