package region

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Region is a validated mapping of a region file, shared (MAP_SHARED) and
// writable, so that stores through it are seen by every other process that
// maps the same file.
type Region struct {
	path   string
	mem    []byte
	header *Header
}

// ValidationError reports a region file the peer must not use. Its message
// names the path and the first thing found wrong; nothing after that was read.
type ValidationError struct {
	Path   string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("region %s: %s", e.Path, e.Reason)
}

// Open maps the region file at path and validates its header for this
// machine's architecture (runtime.GOARCH). See OpenFor.
func Open(path string) (*Region, error) {
	arch, ok := ArchOf(runtime.GOARCH)
	if !ok {
		return nil, &ValidationError{path, fmt.Sprintf("layout version %d has no arch code for GOARCH %s", LayoutVersion, runtime.GOARCH)}
	}
	return OpenFor(path, arch)
}

// OpenFor maps the region file at path read-write and shared, then checks its
// header in field order: file size, magic, layout version, header size, total
// size against the file's size, every count, stride and section offset against
// this layout, the litmus section against the total size, arch against want,
// and last that the creator marked the region ready. It stops at the first
// mismatch, unmaps, and returns a *ValidationError naming it; it never reads
// past a field that failed. A file that cannot be opened or mapped is also
// reported as a *ValidationError.
func OpenFor(path string, arch uint32) (*Region, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, &ValidationError{path, "no such file"}
		case errors.Is(err, fs.ErrPermission):
			return nil, &ValidationError{path, "permission denied (the peer needs read and write access)"}
		case errors.Is(err, unix.EISDIR):
			return nil, &ValidationError{path, "is a directory, not a region file"}
		}
		return nil, &ValidationError{path, fmt.Sprintf("cannot open: %v", errors.Unwrap(err))}
	}
	// The mapping keeps the file's pages; the descriptor is not needed after.
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &ValidationError{path, fmt.Sprintf("cannot stat: %v", err)}
	}
	if !info.Mode().IsRegular() {
		return nil, &ValidationError{path, fmt.Sprintf("not a regular file (%s)", info.Mode().Type())}
	}
	size := info.Size()
	if size < HeaderSize {
		return nil, &ValidationError{path, fmt.Sprintf("file is %d bytes, shorter than the %d-byte header", size, HeaderSize)}
	}
	if int64(int(size)) != size {
		return nil, &ValidationError{path, fmt.Sprintf("file is %d bytes, too large to map", size)}
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, &ValidationError{path, fmt.Sprintf("cannot map %d bytes: %v", size, err)}
	}
	r := &Region{path: path, mem: mem, header: (*Header)(unsafe.Pointer(&mem[0]))}
	if reason := r.check(uint64(size), arch); reason != "" {
		_ = unix.Munmap(mem)
		return nil, &ValidationError{path, reason}
	}
	return r, nil
}

// check returns why the mapped header does not describe a usable region of
// fileSize bytes for arch, or "" if it does.
func (r *Region) check(fileSize uint64, arch uint32) string {
	h := r.header
	if h.Magic != Magic {
		return fmt.Sprintf("bad magic 0x%016X (want 0x%016X)", h.Magic, Magic)
	}
	if h.LayoutVersion != LayoutVersion {
		return fmt.Sprintf("layout_version %d (want %d: this peer was built for layout version %d)", h.LayoutVersion, LayoutVersion, LayoutVersion)
	}
	if h.HeaderSize != HeaderSize {
		return fmt.Sprintf("header_size %d (want %d)", h.HeaderSize, HeaderSize)
	}
	if h.TotalSize != fileSize {
		return fmt.Sprintf("total_size %d but the file is %d bytes", h.TotalSize, fileSize)
	}
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"counter_slots", uint64(h.CounterSlots), CounterSlots},
		{"cache_line", uint64(h.CacheLine), CacheLine},
		{"slot_stride", uint64(h.SlotStride), SlotStride},
		{"packed_slots", uint64(h.PackedSlots), PackedSlots},
		{"cancel_flags", uint64(h.CancelFlags), CancelFlags},
		{"control_offset", h.ControlOffset, ControlOffset},
		{"counters_offset", h.CountersOffset, CountersOffset},
		{"packed_offset", h.PackedOffset, PackedOffset},
		{"cancel_offset", h.CancelOffset, CancelOffset},
		{"litmus_offset", h.LitmusOffset, LitmusOffset},
	} {
		if c.got != c.want {
			return fmt.Sprintf("%s %d (want %d)", c.name, c.got, c.want)
		}
	}
	if h.TotalSize < LitmusOffset || h.LitmusSize > h.TotalSize-LitmusOffset {
		return fmt.Sprintf("litmus_size %d does not fit: litmus_offset %d + litmus_size exceeds total_size %d", h.LitmusSize, LitmusOffset, h.TotalSize)
	}
	if h.Arch != arch {
		return fmt.Sprintf("arch %d (%s) (want %d: this peer runs on %s)", h.Arch, ArchName(h.Arch), arch, ArchName(arch))
	}
	if state := atomic.LoadUint32(&h.State); state != StateReady {
		name := "unknown"
		if state == StateInitialising {
			name = "initialising"
		}
		return fmt.Sprintf("state %d (%s) (want %d: ready)", state, name, StateReady)
	}
	return ""
}

// Path returns the path the region was opened from.
func (r *Region) Path() string { return r.path }

// Header returns a copy of the header as it was validated; only State may
// have changed in the mapping since.
func (r *Region) Header() Header { return *r.header }

// Size returns the mapped size in bytes, equal to the header's total_size.
func (r *Region) Size() int64 { return int64(len(r.mem)) }

// Word returns the address of the 8-byte-aligned int64 at byte offset off, for
// use with sync/atomic. It panics if the word lies outside the mapping or is
// misaligned. The address is valid until Close.
func (r *Region) Word(off int64) *int64 {
	if off < 0 || off%8 != 0 || off+8 > int64(len(r.mem)) {
		panic(fmt.Sprintf("region: word at offset %d is outside the %d-byte mapping or misaligned", off, len(r.mem)))
	}
	return (*int64)(unsafe.Pointer(&r.mem[off]))
}

// ControlWord returns the address of control word i (ControlStartGate, …).
func (r *Region) ControlWord(i int) *int64 {
	if i < 0 || i >= ControlWords {
		panic(fmt.Sprintf("region: control word %d out of range [0, %d)", i, ControlWords))
	}
	return r.Word(ControlOffset + int64(i)*SlotStride)
}

// Counter returns the address of padded counter slot i, one per SlotStride.
func (r *Region) Counter(i int) *int64 {
	if i < 0 || i >= CounterSlots {
		panic(fmt.Sprintf("region: counter slot %d out of range [0, %d)", i, CounterSlots))
	}
	return r.Word(CountersOffset + int64(i)*SlotStride)
}

// CancelFlag returns cancel flag i (0 <= i < CancelFlags), on its own slot.
func (r *Region) CancelFlag(i int) *int64 {
	if i < 0 || i >= CancelFlags {
		panic(fmt.Sprintf("region: cancel flag %d out of range [0, %d)", i, CancelFlags))
	}
	return r.Word(CancelOffset + int64(i)*SlotStride)
}

// Packed returns the address of packed counter slot i, eight to a cache line.
func (r *Region) Packed(i int) *int64 {
	if i < 0 || i >= PackedSlots {
		panic(fmt.Sprintf("region: packed slot %d out of range [0, %d)", i, PackedSlots))
	}
	return r.Word(PackedOffset + int64(i)*8)
}

// Litmus returns the litmus section, Header.LitmusSize bytes from
// LitmusOffset, as a slice of the mapping itself: stores into it are shared
// like any other. Its first byte is LitmusAlign-aligned. The slice is valid
// until Close.
func (r *Region) Litmus() []byte {
	end := LitmusOffset + int(r.header.LitmusSize)
	return r.mem[LitmusOffset:end:end]
}

// Close unmaps the region. The caller must make sure nothing uses an address
// from Word, ControlWord, Counter, Packed or Litmus after Close begins: such a
// use faults. Close is not safe to call twice.
func (r *Region) Close() error {
	mem := r.mem
	r.mem, r.header = nil, nil
	if err := unix.Munmap(mem); err != nil {
		return fmt.Errorf("region %s: unmap: %w", r.path, err)
	}
	return nil
}
