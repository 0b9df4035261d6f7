// Package regiontest creates region files for tests, laid out as the Java core
// lays them out: a header per the declaration, zeroed sections, state ready.
package regiontest

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"interop-testbed/go-peer/internal/region"
)

// LitmusSize is the litmus section size of test regions: one page, so that a
// test region is 16 KiB rather than the production default.
const LitmusSize = region.LitmusAlign

// ValidHeader returns the header of a ready region for this machine with a
// litmus section of litmusSize bytes.
func ValidHeader(litmusSize uint64) region.Header {
	arch, _ := region.ArchOf(runtime.GOARCH)
	return region.Header{
		Magic:          region.Magic,
		LayoutVersion:  region.LayoutVersion,
		HeaderSize:     region.HeaderSize,
		TotalSize:      region.LitmusOffset + litmusSize,
		CounterSlots:   region.CounterSlots,
		CacheLine:      region.CacheLine,
		SlotStride:     region.SlotStride,
		Arch:           arch,
		PackedSlots:    region.PackedSlots,
		CancelFlags:    region.CancelFlags,
		ControlOffset:  region.ControlOffset,
		CountersOffset: region.CountersOffset,
		PackedOffset:   region.PackedOffset,
		CancelOffset:   region.CancelOffset,
		LitmusOffset:   region.LitmusOffset,
		LitmusSize:     litmusSize,
		CreatorPID:     uint64(os.Getpid()),
		State:          region.StateReady,
	}
}

// Write creates (or replaces) the file at path with mode 0600: h encoded
// little-endian, then zeros up to size bytes. A size below the header's
// length truncates the header itself.
func Write(path string, h region.Header, size int64) error {
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, &h); err != nil {
		return err
	}
	b := buf.Bytes()
	if size < int64(len(b)) {
		b = b[:size]
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	return os.Truncate(path, size)
}

// Create writes a region file named region in t.TempDir(). edit, when not nil,
// changes the valid header before it is written; the file is as long as the
// edited header's TotalSize says. It returns the file's path.
func Create(t testing.TB, edit func(*region.Header)) string {
	t.Helper()
	h := ValidHeader(LitmusSize)
	if edit != nil {
		edit(&h)
	}
	path := filepath.Join(t.TempDir(), "region")
	if err := Write(path, h, int64(h.TotalSize)); err != nil {
		t.Fatalf("regiontest: %v", err)
	}
	return path
}

// CreateWithLitmus writes, as Create does, a valid region file whose litmus
// section is litmusSize bytes (a positive multiple of region.LitmusAlign).
func CreateWithLitmus(t testing.TB, litmusSize uint64) string {
	t.Helper()
	return Create(t, func(h *region.Header) { *h = ValidHeader(litmusSize) })
}
