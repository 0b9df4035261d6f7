// Package litmus runs the Go peer's litmus actors: compiled kernels that race
// with actors of other runtimes (or other goroutines) over the litmus section
// of the shared region, in lock-step rounds, as docs/LITMUS.md specifies.
//
// The section's words and offsets are declared once, in native/litmus.layout;
// the constants below are Go's view of that file, and layout_test.go fails
// when they differ.
package litmus

import (
	"unsafe"
)

// Byte offsets of the control words in the litmus section.
const (
	EpochOffset      = 0x000
	ArrivedOffset    = 0x080
	ReadyOffset      = 0x100
	StopOffset       = 0x180
	DoneOffset       = 0x200
	AbortOffset      = 0x280
	RoundsOffset     = 0x300
	GenerationOffset = 0x380
)

// Pacing (docs/LITMUS.md, "Starting a round together"): written by the
// consumer of the previous round, read by every actor. Not needed for
// correctness: an actor that ignores them only overlaps the others less.
const (
	StartNsOffset = 0x500 // CLOCK_MONOTONIC instant the released round begins; 0: at once
	LeadNsOffset  = 0x580 // the lead the last consumer gave: start minus its clock
	LateOffset    = 0x600 // actors that reached the current round after its start
	LeadMinNs     = 200
	LeadMaxNs     = 20000
)

// Byte offsets of the section's parts.
const (
	DescriptorOffset = 0x400
	HistogramOffset  = 0x1000
	DataOffset       = 0x2000
)

// Limits of a descriptor.
const (
	MinActors  = 2
	MaxActors  = 4
	MaxGather  = 4
	MaxHistLen = 256 // Radix^NGather may not exceed it
	MinRadix   = 2   // each outcome value is one digit, in Radix, of its sample's histogram index
)

// Array is where one int64 per instance lives: instance i's value is at
// Offset + i*Stride from the section's first byte.
type Array struct {
	Offset int64
	Stride int64
}

// Descriptor is the test description at DescriptorOffset, field for field
// (every field an int64, little-endian). The runner writes it before any
// actor starts; actors only read it.
type Descriptor struct {
	NActors    int64 // 0x400: 2..4
	Stride     int64 // 0x408: instances per round
	NGather    int64 // 0x410: 1..4 values per outcome
	MaxRounds  int64 // 0x418: 0: until stopped
	LocOffset  int64 // 0x420: first instance's locations
	LocStride  int64 // 0x428: bytes from one instance's locations to the next
	HistOffset int64 // 0x430: the histogram
	HistLen    int64 // 0x438: Radix^NGather
	// Gather[j] is outcome value j: a register in an actor's result array or
	// a location read after the round.
	Gather [MaxGather]Array // 0x440
	// Result[a] is actor a's r0; its r1 is 8 bytes further.
	Result [MaxActors]Array // 0x480
	// Radix is the histogram's: each outcome value is one digit of its
	// sample's index, and a value outside 0..Radix-1 counts as Radix-1.
	Radix int64 // 0x4C0
}

// Section is the litmus section of a mapped region: the words that actors of
// every runtime share. Its zero value is an empty section, which Prepare
// refuses.
type Section struct {
	base unsafe.Pointer
	size int64
}

// SectionOf returns the section whose bytes are mem, typically
// region.Region.Litmus(). mem must stay mapped, and its first byte 8-byte
// aligned, for as long as an actor runs over the section.
func SectionOf(mem []byte) Section {
	if len(mem) == 0 {
		return Section{}
	}
	return Section{base: unsafe.Pointer(unsafe.SliceData(mem)), size: int64(len(mem))}
}

// Size returns the section's length in bytes.
func (s Section) Size() int64 { return s.size }

// word returns the int64 at byte offset off; off must be 8-byte aligned and
// inside the section (callers check against a validated descriptor).
func (s Section) word(off int64) *int64 {
	return (*int64)(unsafe.Add(s.base, off))
}

// descriptor returns the descriptor as it is in the section now.
func (s Section) descriptor() Descriptor {
	return *(*Descriptor)(unsafe.Add(s.base, DescriptorOffset))
}

// bytes returns the n bytes at off as a slice of the section.
func (s Section) bytes(off, n int64) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(s.base, off)), n)
}
