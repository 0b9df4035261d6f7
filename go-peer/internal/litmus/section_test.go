package litmus

import (
	"testing"
	"unsafe"
)

// TestDescriptorLayout: the Descriptor's fields sit where docs/LITMUS.md puts
// them, relative to the section (the struct starts at DescriptorOffset).
func TestDescriptorLayout(t *testing.T) {
	var d Descriptor
	for _, f := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"n_actors", unsafe.Offsetof(d.NActors), 0x400},
		{"stride", unsafe.Offsetof(d.Stride), 0x408},
		{"n_gather", unsafe.Offsetof(d.NGather), 0x410},
		{"max_rounds", unsafe.Offsetof(d.MaxRounds), 0x418},
		{"loc_offset", unsafe.Offsetof(d.LocOffset), 0x420},
		{"loc_stride", unsafe.Offsetof(d.LocStride), 0x428},
		{"hist_offset", unsafe.Offsetof(d.HistOffset), 0x430},
		{"hist_len", unsafe.Offsetof(d.HistLen), 0x438},
		{"gather[0]", unsafe.Offsetof(d.Gather), 0x440},
		{"gather[3].stride", unsafe.Offsetof(d.Gather) + 3*unsafe.Sizeof(Array{}) + unsafe.Offsetof(d.Gather[3].Stride), 0x478},
		{"result[0]", unsafe.Offsetof(d.Result), 0x480},
		{"result[3].stride", unsafe.Offsetof(d.Result) + 3*unsafe.Sizeof(Array{}) + unsafe.Offsetof(d.Result[3].Stride), 0x4B8},
		{"radix", unsafe.Offsetof(d.Radix), 0x4C0},
		{"end", unsafe.Sizeof(d), 0x4C8},
	} {
		if got := DescriptorOffset + f.got; got != f.want {
			t.Errorf("%s at %#x, want %#x", f.name, got, f.want)
		}
	}
	if HistogramOffset+MaxHistLen*8 > DataOffset || DescriptorOffset+unsafe.Sizeof(d) > HistogramOffset {
		t.Errorf("descriptor, histogram and data overlap")
	}
}
