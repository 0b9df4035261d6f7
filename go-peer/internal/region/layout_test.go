package region_test

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"interop-testbed/go-peer/internal/layoutdecl"
	"interop-testbed/go-peer/internal/region"
)

// goLayout is the Go view of the layout, in the declaration's terms.
type goLayout struct {
	consts   map[string]uint64
	header   reflect.Type // a struct whose fields carry layout tags
	sections []region.Section
}

// goView returns the peer's declaration: the constants of package region, the
// offsets of region.Header's fields, and region.Sections.
func goView() goLayout {
	return goLayout{
		consts: map[string]uint64{
			"MAGIC":               region.Magic,
			"LAYOUT_VERSION":      uint64(region.LayoutVersion),
			"HEADER_SIZE":         region.HeaderSize,
			"CACHE_LINE":          region.CacheLine,
			"SLOT_STRIDE":         region.SlotStride,
			"CONTROL_WORDS":       region.ControlWords,
			"COUNTER_SLOTS":       region.CounterSlots,
			"PACKED_SLOTS":        region.PackedSlots,
			"CANCEL_FLAGS":        region.CancelFlags,
			"LITMUS_ALIGN":        region.LitmusAlign,
			"LITMUS_DEFAULT_SIZE": region.LitmusDefaultSize,
			"ARCH_X86_64":         uint64(region.ArchX86_64),
			"ARCH_AARCH64":        uint64(region.ArchAArch64),
			"STATE_INITIALISING":  uint64(region.StateInitialising),
			"STATE_READY":         uint64(region.StateReady),
			"CONTROL_START_GATE":  region.ControlStartGate,
			"CONTROL_READY_COUNT": region.ControlReadyCount,
			"CONTROL_RUN_EPOCH":   region.ControlRunEpoch,
		},
		header:   reflect.TypeOf(region.Header{}),
		sections: region.Sections,
	}
}

// compareLayout returns every difference between the declaration and a Go
// view of it, one line each; none means they agree byte for byte.
func compareLayout(decl *layoutdecl.File, g goLayout) []string {
	var diffs []string
	report := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	for _, name := range slices.Sorted(maps.Keys(decl.Consts)) {
		want := decl.Consts[name]
		got, ok := g.consts[name]
		switch {
		case !ok:
			report("const %s = %#x is declared but has no Go constant", name, want)
		case got != want:
			report("const %s: Go has %#x, the declaration %#x", name, got, want)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(g.consts)) {
		if _, ok := decl.Consts[name]; !ok {
			report("const %s exists in Go but not in the declaration", name)
		}
	}

	// The offsets and sizes below are what unsafe.Offsetof and unsafe.Sizeof
	// report for each field.
	goFields := map[string]reflect.StructField{}
	for i := 0; i < g.header.NumField(); i++ {
		f := g.header.Field(i)
		tag := f.Tag.Get("layout")
		if tag == "" {
			report("Go field %s.%s has no layout tag", g.header.Name(), f.Name)
			continue
		}
		goFields[tag] = f
	}
	declared := map[string]bool{}
	for _, e := range decl.Fields {
		declared[e.Name] = true
		f, ok := goFields[e.Name]
		if !ok {
			report("field %s (line %d) has no Go field", e.Name, e.Line)
			continue
		}
		if uint64(f.Offset) != e.Offset || uint64(f.Type.Size()) != e.Size {
			report("field %s: Go %s.%s is at offset %d size %d, the declaration (line %d) says offset %d size %d",
				e.Name, g.header.Name(), f.Name, f.Offset, f.Type.Size(), e.Line, e.Offset, e.Size)
		}
	}
	for _, tag := range slices.Sorted(maps.Keys(goFields)) {
		if f := goFields[tag]; !declared[tag] {
			report("Go field %s.%s (layout %q) is not in the declaration", g.header.Name(), f.Name, tag)
		}
	}
	if hs, ok := decl.Consts["HEADER_SIZE"]; ok && uint64(g.header.Size()) != hs {
		report("Go %s is %d bytes, HEADER_SIZE is %d", g.header.Name(), g.header.Size(), hs)
	}

	if len(g.sections) != len(decl.Sections) {
		report("Go has %d sections, the declaration %d", len(g.sections), len(decl.Sections))
	}
	for i := 0; i < len(g.sections) && i < len(decl.Sections); i++ {
		s, e := g.sections[i], decl.Sections[i]
		if s.Name != e.Name || uint64(s.Offset) != e.Offset || uint64(s.Size) != e.Size {
			report("section %d: Go has %s at %d size %d, the declaration (line %d) %s at %d size %d",
				i, s.Name, s.Offset, s.Size, e.Line, e.Name, e.Offset, e.Size)
		}
	}
	return diffs
}

// layoutPath finds native/region.layout: $INTEROP_LAYOUT if set, else by
// walking up from the package directory to the repository root.
func layoutPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("INTEROP_LAYOUT"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	p, err := layoutdecl.Find(dir, "region.layout")
	if err != nil {
		t.Fatalf("%v; set INTEROP_LAYOUT to its path", err)
	}
	return p
}

func readLayout(t *testing.T) *layoutdecl.File {
	t.Helper()
	lf, err := layoutdecl.Read(layoutPath(t))
	if err != nil {
		t.Fatal(err)
	}
	return lf
}

// TestLayoutMatchesDeclaration is the Go half of the layout contract: every
// constant, header field and section of native/region.layout, as Go sees it.
func TestLayoutMatchesDeclaration(t *testing.T) {
	for _, d := range compareLayout(readLayout(t), goView()) {
		t.Error(d)
	}
}

// brokenHeader is region.Header with layout_version widened to 8 bytes, a
// mistake that shifts every later field.
type brokenHeader struct {
	Magic          uint64   `layout:"header.magic"`
	LayoutVersion  uint64   `layout:"header.layout_version"`
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

// TestLayoutCatchesWrongDeclaration proves the comparison can fail: each
// deliberately wrong Go view is reported, naming what is wrong.
func TestLayoutCatchesWrongDeclaration(t *testing.T) {
	decl := readLayout(t)
	cases := []struct {
		name  string
		spoil func(g *goLayout)
		want  []string
	}{
		{"widened_field", func(g *goLayout) { g.header = reflect.TypeOf(brokenHeader{}) },
			[]string{"field header.layout_version", "field header.total_size", "brokenHeader is 136 bytes"}},
		{"wrong_const", func(g *goLayout) { g.consts["SLOT_STRIDE"] = 64 },
			[]string{"const SLOT_STRIDE: Go has 0x40, the declaration 0x80"}},
		{"missing_const", func(g *goLayout) { delete(g.consts, "CONTROL_RUN_EPOCH") },
			[]string{"const CONTROL_RUN_EPOCH = 0x2 is declared but has no Go constant"}},
		{"moved_section", func(g *goLayout) {
			g.sections = append([]region.Section(nil), g.sections...)
			g.sections[3].Offset += 8
		}, []string{"section 3: Go has packed at 2696"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := goView()
			c.spoil(&g)
			diffs := strings.Join(compareLayout(decl, g), "\n")
			for _, w := range c.want {
				if !strings.Contains(diffs, w) {
					t.Errorf("differences do not mention %q; got:\n%s", w, diffs)
				}
			}
		})
	}
}

// TestLayoutParseNamesBadLine shows that a malformed declaration is refused
// with the number of the line at fault.
func TestLayoutParseNamesBadLine(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"unknown_kind", "const A 1\nfield x 0 8\nstruct header 0 128\n", "region.layout:3: unknown kind \"struct\""},
		{"not_a_number", "# comment\n\nconst MAGIC 0xZZ\n", "region.layout:3: value \"0xZZ\" is not a number"},
		{"missing_size", "const A 1\nfield header.magic 0\n", "region.layout:2: field takes 4 words, found 3"},
		{"duplicate", "const A 1\nconst A 2\n", "region.layout:2: const A already declared on line 1"},
		{"empty", "# nothing\n", "declares 0 consts, 0 fields and 0 sections"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := layoutdecl.Parse("region.layout", strings.NewReader(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("parse error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}
