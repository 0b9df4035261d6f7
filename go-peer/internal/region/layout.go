// Package region maps the shared region that the Java core creates and
// validates its header against the layout the peer was built for.
//
// The layout is declared once, in native/region.layout; this file is the Go
// view of it. TestLayout fails if the two differ by a single byte.
//
//	0x0000 +-----------------------------------------------+
//	       | header (128 B): Header below                  |
//	0x0080 +-----------------------------------------------+
//	       | control: 4 words, one per 128 B               |
//	       |   [0] start gate  [1] ready count             |
//	       |   [2] run epoch   [3] reserved                |
//	0x0280 +-----------------------------------------------+
//	       | counters: 16 x int64, one per 128 B           |
//	0x0A80 +-----------------------------------------------+
//	       | packed: 16 x int64, no padding (2 lines)      |
//	0x0B00 +-----------------------------------------------+
//	       | cancel flags: 64 x int64, one per 128 B       |
//	0x2B00 +-----------------------------------------------+
//	       | (unused up to the next 4 KiB page)            |
//	0x3000 +-----------------------------------------------+
//	       | litmus: Header.LitmusSize bytes               |
//	       +-----------------------------------------------+
package region

// Constants of layout version 1, named as in native/region.layout.
const (
	Magic             uint64 = 0x314E474552425449 // "ITBREGN1" read as a little-endian uint64
	LayoutVersion     uint32 = 1
	HeaderSize               = 128
	CacheLine                = 64
	SlotStride               = 128
	ControlWords             = 4
	CounterSlots             = 16
	PackedSlots              = 16
	CancelFlags              = 64
	LitmusAlign              = 4096
	LitmusDefaultSize        = 8 << 20
	ArchX86_64        uint32 = 1
	ArchAArch64       uint32 = 2
	StateInitialising uint32 = 0
	StateReady        uint32 = 1
	ControlStartGate         = 0
	ControlReadyCount        = 1
	ControlRunEpoch          = 2
)

// Section offsets and sizes in bytes. Each follows from the one before it, so a
// changed count moves everything after it, as it does in the declaration.
// The litmus section's size is not fixed: Header.LitmusSize gives it.
const (
	ControlOffset  = HeaderSize
	ControlSize    = ControlWords * SlotStride
	CountersOffset = ControlOffset + ControlSize
	CountersSize   = CounterSlots * SlotStride
	PackedOffset   = CountersOffset + CountersSize
	PackedSize     = (PackedSlots*8 + CacheLine - 1) / CacheLine * CacheLine
	CancelOffset   = PackedOffset + PackedSize
	CancelSize     = CancelFlags * SlotStride
	LitmusOffset   = (CancelOffset + CancelSize + LitmusAlign - 1) / LitmusAlign * LitmusAlign
)

// Header is the first HeaderSize bytes of the region, field for field. Every
// integer is little-endian, which is also the byte order of every machine the
// peer builds for, so the mapping can be read through a *Header directly.
// The layout tag names the field in native/region.layout.
type Header struct {
	Magic          uint64   `layout:"header.magic"`
	LayoutVersion  uint32   `layout:"header.layout_version"`
	HeaderSize     uint32   `layout:"header.header_size"`
	TotalSize      uint64   `layout:"header.total_size"`
	CounterSlots   uint32   `layout:"header.counter_slots"`
	CacheLine      uint32   `layout:"header.cache_line"`
	SlotStride     uint32   `layout:"header.slot_stride"`
	Arch           uint32   `layout:"header.arch"`
	PackedSlots    uint32   `layout:"header.packed_slots"`
	CancelFlags    uint32   `layout:"header.cancel_flags"`
	ControlOffset  uint64   `layout:"header.control_offset"`
	CountersOffset uint64   `layout:"header.counters_offset"`
	PackedOffset   uint64   `layout:"header.packed_offset"`
	CancelOffset   uint64   `layout:"header.cancel_offset"`
	LitmusOffset   uint64   `layout:"header.litmus_offset"`
	LitmusSize     uint64   `layout:"header.litmus_size"`
	CreatorPID     uint64   `layout:"header.creator_pid"`
	State          uint32   `layout:"header.state"`
	Reserved0      uint32   `layout:"header.reserved0"`
	Reserved       [16]byte `layout:"header.reserved"`
}

// Section is a named byte range of the region.
type Section struct {
	Name   string
	Offset int64
	// Size is 0 for the litmus section, whose size the header gives.
	Size int64
}

// Sections lists the region's sections in address order, named as in
// native/region.layout.
var Sections = []Section{
	{"header", 0, HeaderSize},
	{"control", ControlOffset, ControlSize},
	{"counters", CountersOffset, CountersSize},
	{"packed", PackedOffset, PackedSize},
	{"cancel", CancelOffset, CancelSize},
	{"litmus", LitmusOffset, 0},
}

// ArchName returns the declaration's name for an arch code, or "unknown".
func ArchName(code uint32) string {
	switch code {
	case ArchX86_64:
		return "x86_64"
	case ArchAArch64:
		return "aarch64"
	}
	return "unknown"
}

// ArchOf returns the arch code for a GOARCH, and false for a GOARCH the layout
// has no code for.
func ArchOf(goarch string) (uint32, bool) {
	switch goarch {
	case "amd64":
		return ArchX86_64, true
	case "arm64":
		return ArchAArch64, true
	}
	return 0, false
}
