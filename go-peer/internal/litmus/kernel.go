package litmus

import (
	"fmt"
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
	// regs is how many result registers it writes.
	regs int
	// usesQ says whether a role kernel touches the location q.
	usesQ bool
	// generated marks a kernel generated from a litmus file: its locations
	// are offsets written into its body, not the spec's p and q, and it
	// reaches the first locBytes bytes of each instance's locations.
	generated bool
	locBytes  int64
}

// generatedKernels holds the kernels that generated files add from their
// init functions. It is written only while the package initialises and read
// only afterwards, so it needs no lock.
var generatedKernels = map[string]kernel{}

// registerGenerated adds a kernel generated from a litmus file (the Java
// side's GoKernelSource writes the file, and the peer is built with it): run
// reads and writes the first locBytes bytes of each instance's locations, at
// offsets fixed in its body, ignores the spec's p, q, v1 and v2, and writes
// regs registers 8 bytes apart from the actor's r0. Prepare accepts name from
// then on and checks the descriptor against regs and locBytes.
//
// It panics, failing the peer at start, on a name that is not an identifier
// (so no generated name can be a role kernel's, which has dots) or is already
// registered, regs below 0, or locBytes not a positive multiple of 8: a peer
// that might run the wrong kernel under a name must not start.
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
	generatedKernels[name] = kernel{run: run, regs: regs, generated: true, locBytes: locBytes}
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

// lookup returns the role or generated kernel of that name.
func lookup(name string) (kernel, bool) {
	if k, ok := kernels[name]; ok {
		return k, true
	}
	k, ok := generatedKernels[name]
	return k, ok
}

// Kernels returns the names of the kernels this runtime has, sorted:
// ROLE.MODE1[.MODE2] with the Go modes atomic (sync/atomic, sequentially
// consistent) and plain (an ordinary access through an unsafe pointer).
// Kernels generated from litmus files are listed by Generated.
func Kernels() []string {
	return sortedNames(kernels)
}

// Generated returns the names of the kernels generated from litmus files
// that this peer was built with, sorted; none in a peer built by make.
func Generated() []string {
	return sortedNames(generatedKernels)
}

func sortedNames(m map[string]kernel) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
