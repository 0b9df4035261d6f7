package region_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/region/regiontest"
)

func TestOpenAcceptsValidRegion(t *testing.T) {
	path := regiontest.Create(t, nil)
	r, err := region.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if got, want := r.Size(), int64(region.LitmusOffset+regiontest.LitmusSize); got != want {
		t.Errorf("Size = %d, want %d", got, want)
	}
	if h := r.Header(); h.LayoutVersion != region.LayoutVersion || h.LitmusSize != regiontest.LitmusSize {
		t.Errorf("Header = %+v", h)
	}
	if r.Path() != path {
		t.Errorf("Path = %q, want %q", r.Path(), path)
	}
}

// TestOpenMapsShared shows that stores through the mapping reach the file, so
// another process mapping it sees them.
func TestOpenMapsShared(t *testing.T) {
	path := regiontest.Create(t, nil)
	r, err := region.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	atomic.AddInt64(r.Counter(3), 0x0102030405060708)
	atomic.AddInt64(r.Packed(15), 7)
	atomic.StoreInt64(r.ControlWord(region.ControlStartGate), 1)
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := func(off int) uint64 {
		var v uint64
		for i := 7; i >= 0; i-- {
			v = v<<8 | uint64(b[off+i])
		}
		return v
	}
	for _, c := range []struct {
		what string
		off  int
		want uint64
	}{
		{"counter 3", region.CountersOffset + 3*region.SlotStride, 0x0102030405060708},
		{"packed 15", region.PackedOffset + 15*8, 7},
		{"start gate", region.ControlOffset, 1},
	} {
		if got := le(c.off); got != c.want {
			t.Errorf("%s at offset %d = %#x in the file, want %#x", c.what, c.off, got, c.want)
		}
	}
}

// TestAccessorsAddressTheDeclaredWords pins every slot accessor to the word
// the layout's constants put it at: the counters suite finds increments that
// land elsewhere, but this names the accessor.
func TestAccessorsAddressTheDeclaredWords(t *testing.T) {
	r, err := region.Open(regiontest.Create(t, nil))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	for _, a := range []struct {
		name   string
		n      int
		get    func(int) *int64
		offset func(int) int64
	}{
		{"ControlWord", region.ControlWords, r.ControlWord, func(i int) int64 { return region.ControlOffset + int64(i)*region.SlotStride }},
		{"Counter", region.CounterSlots, r.Counter, func(i int) int64 { return region.CountersOffset + int64(i)*region.SlotStride }},
		{"Packed", region.PackedSlots, r.Packed, func(i int) int64 { return region.PackedOffset + int64(i)*8 }},
		{"CancelFlag", region.CancelFlags, r.CancelFlag, func(i int) int64 { return region.CancelOffset + int64(i)*region.SlotStride }},
	} {
		for i := range a.n {
			if got, want := a.get(i), r.Word(a.offset(i)); got != want {
				t.Errorf("%s(%d) is %d bytes from offset %d, where the layout puts it",
					a.name, i, int64(uintptr(unsafe.Pointer(got)))-int64(uintptr(unsafe.Pointer(want))), a.offset(i))
			}
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	arch := regiontest.ValidHeader(regiontest.LitmusSize).Arch
	foreign := region.ArchAArch64
	foreignName := "aarch64"
	if arch == region.ArchAArch64 {
		foreign, foreignName = region.ArchX86_64, "x86_64"
	}
	cases := []struct {
		name string
		// file returns the path of a region file that Open must refuse.
		file func(t *testing.T) string
		want string
	}{
		{"missing_file", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "absent")
		}, "no such file"},
		{"too_short", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "short")
			if err := regiontest.Write(path, regiontest.ValidHeader(regiontest.LitmusSize), 64); err != nil {
				t.Fatal(err)
			}
			return path
		}, "file is 64 bytes, shorter than the 128-byte header"},
		{"empty_file", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "empty")
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, "file is 0 bytes, shorter than the 128-byte header"},
		{"directory", func(t *testing.T) string { return t.TempDir() }, "is a directory, not a region file"},
		{"wrong_magic", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.Magic = 0x1122334455667788 })
		}, "bad magic 0x1122334455667788 (want 0x314E474552425449)"},
		{"wrong_version", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.LayoutVersion = 2 })
		}, "layout_version 2 (want 1"},
		{"wrong_header_size", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.HeaderSize = 64 })
		}, "header_size 64 (want 128)"},
		{"total_size_not_file_size", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "region")
			h := regiontest.ValidHeader(regiontest.LitmusSize)
			if err := regiontest.Write(path, h, int64(h.TotalSize)+4096); err != nil {
				t.Fatal(err)
			}
			return path
		}, "total_size 16384 but the file is 20480 bytes"},
		{"wrong_slot_stride", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.SlotStride = 64 })
		}, "slot_stride 64 (want 128)"},
		{"wrong_counters_offset", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.CountersOffset = 512 })
		}, "counters_offset 512 (want 640)"},
		{"litmus_beyond_end", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.LitmusSize = 2 * h.LitmusSize })
		}, "litmus_size 8192 does not fit"},
		{"foreign_arch", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.Arch = foreign })
		}, "arch " + strconv.FormatUint(uint64(foreign), 10) + " (" + foreignName + ")"},
		{"not_ready", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.State = region.StateInitialising })
		}, "state 0 (initialising) (want 1: ready)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.file(t)
			r, err := region.Open(path)
			if err == nil {
				r.Close()
				t.Fatalf("Open(%s) succeeded, want an error containing %q", c.name, c.want)
			}
			var verr *region.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Open error %T %v, want *region.ValidationError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "region "+path+": ") {
				t.Errorf("error %q does not start with the region path", msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want it to contain %q", msg, c.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q spans lines, want one line", msg)
			}
		})
	}
}

// TestOpenStopsAtFirstMismatch shows that a header with several faults is
// reported by its first field only: nothing after a failed field is judged.
func TestOpenStopsAtFirstMismatch(t *testing.T) {
	path := regiontest.Create(t, func(h *region.Header) {
		h.Magic = 0
		h.LayoutVersion = 9
		h.State = region.StateInitialising
	})
	_, err := region.Open(path)
	if err == nil || !strings.Contains(err.Error(), "bad magic") || strings.Contains(err.Error(), "layout_version") {
		t.Fatalf("Open error = %v, want only the bad magic", err)
	}
}

func TestWordRefusesOutOfRange(t *testing.T) {
	r, err := region.Open(regiontest.Create(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, off := range []int64{-8, 4, r.Size() - 4, r.Size()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Word(%d) did not panic", off)
				}
			}()
			r.Word(off)
		}()
	}
}

// TestLitmusIsTheSection: Litmus covers exactly the header's litmus section,
// even when the file is longer, and is the shared mapping itself.
func TestLitmusIsTheSection(t *testing.T) {
	path := regiontest.Create(t, func(h *region.Header) {
		h.LitmusSize = 2 * region.LitmusAlign
		h.TotalSize = region.LitmusOffset + 3*region.LitmusAlign
	})
	r, err := region.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sec := r.Litmus()
	if len(sec) != 2*region.LitmusAlign || cap(sec) != len(sec) {
		t.Fatalf("Litmus has len %d cap %d, want both %d", len(sec), cap(sec), 2*region.LitmusAlign)
	}
	sec[0], sec[len(sec)-1] = 0x5a, 0xa5
	if got := atomic.LoadInt64(r.Word(region.LitmusOffset)); got != 0x5a {
		t.Errorf("the first litmus byte reads %#x through Word, want 0x5a", got)
	}
	if got := uint64(atomic.LoadInt64(r.Word(region.LitmusOffset + 2*region.LitmusAlign - 8))); got != 0xa5<<56 {
		t.Errorf("the last litmus word reads %#x through Word, want %#x", got, uint64(0xa5)<<56)
	}
}
