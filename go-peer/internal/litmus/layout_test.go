package litmus

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"interop-testbed/go-peer/internal/layoutdecl"
)

// layoutEntry is one thing Go defines about the litmus section, named as
// native/litmus.layout names it.
type layoutEntry struct {
	kind, name string // as declared
	goName     string // what Go calls it, for the messages
	a, b       uint64 // const: value; field, section: offset, size
}

// notGo lists what the declaration holds for the other runtimes only: the
// section's alignment and the standard layout (the Java runner), the shim's
// register bound, its role kernels' registers and its join results (C, read by
// Java). Any other declared name Go lacks is a difference.
var notGo = []string{
	"const ALIGN", "const MAX_REGISTERS",
	"const OUT_ROUNDS_RUN", "const OUT_ROUNDS_CONSUMED", "const OUT_ABORTED", "const OUT_ELAPSED_NS",
	"const LEFT_DONE", "const LEFT_ABORT", "const LEFT_STALL",
	"const STANDARD_LOC_STRIDE", "const STANDARD_ALIGN", "const REGISTER_BYTES", "const MAX_LOCATIONS",
	"const STANDARD_MAX_REGISTERS", "const STANDARD_RADIX",
}

// descriptorNames names Descriptor's fields, and Array's, as the declaration does.
var descriptorNames = map[string]string{
	"NActors": "n_actors", "Stride": "stride", "NGather": "n_gather", "MaxRounds": "max_rounds",
	"LocOffset": "loc_offset", "LocStride": "loc_stride", "HistOffset": "hist_offset", "HistLen": "hist_len", "Radix": "radix",
	"Gather": "gather", "Result": "result", "Offset": "offset",
}

const wordSize = uint64(unsafe.Sizeof(int64(0)))

// goLitmusView is the Go view of the litmus section: section.go's constants,
// and the offsets and sizes of desc's fields (a Descriptor) as unsafe.Offsetof
// and unsafe.Sizeof see them, from DescriptorOffset. A field it cannot name
// comes back as a problem.
func goLitmusView(desc reflect.Type) ([]layoutEntry, []string) {
	v := []layoutEntry{
		{"const", "MIN_ACTORS", "MinActors", MinActors, 0},
		{"const", "MAX_ACTORS", "MaxActors", MaxActors, 0},
		{"const", "MAX_GATHER", "MaxGather", MaxGather, 0},
		{"const", "HIST_MAX", "MaxHistLen", MaxHistLen, 0},
		{"const", "RADIX_MIN", "MinRadix", MinRadix, 0},
		{"const", "LEAD_MIN_NS", "LeadMinNs", LeadMinNs, 0},
		{"const", "LEAD_MAX_NS", "LeadMaxNs", LeadMaxNs, 0},

		{"field", "control.epoch", "EpochOffset", EpochOffset, wordSize},
		{"field", "control.arrived", "ArrivedOffset", ArrivedOffset, wordSize},
		{"field", "control.ready", "ReadyOffset", ReadyOffset, wordSize},
		{"field", "control.stop", "StopOffset", StopOffset, wordSize},
		{"field", "control.done", "DoneOffset", DoneOffset, wordSize},
		{"field", "control.abort", "AbortOffset", AbortOffset, wordSize},
		{"field", "control.rounds", "RoundsOffset", RoundsOffset, wordSize},
		{"field", "control.generation", "GenerationOffset", GenerationOffset, wordSize},
		{"field", "pacing.start_ns", "StartNsOffset", StartNsOffset, wordSize},
		{"field", "pacing.lead_ns", "LeadNsOffset", LeadNsOffset, wordSize},
		{"field", "pacing.late", "LateOffset", LateOffset, wordSize},

		{"section", "control", "EpochOffset .. DescriptorOffset", EpochOffset, DescriptorOffset - EpochOffset},
		{"section", "descriptor", "DescriptorOffset, " + desc.Name() + "'s size", DescriptorOffset, uint64(desc.Size())},
		{"section", "histogram", "HistogramOffset, MaxHistLen int64s", HistogramOffset, MaxHistLen * wordSize},
		{"section", "data", "DataOffset, to the section's end", DataOffset, 0},
	}
	var problems []string
	for i := 0; i < desc.NumField(); i++ {
		f := desc.Field(i)
		name, ok := descriptorNames[f.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("Go field %s.%s has no name in the declaration (add it to descriptorNames)", desc.Name(), f.Name))
			continue
		}
		at := uint64(DescriptorOffset + f.Offset)
		goName := desc.Name() + "." + f.Name
		if f.Type.Kind() != reflect.Array || f.Type.Elem().Kind() != reflect.Struct {
			v = append(v, layoutEntry{"field", "descriptor." + name, goName, at, uint64(f.Type.Size())})
			continue
		}
		elem := f.Type.Elem()
		for j := 0; j < f.Type.Len(); j++ {
			for k := 0; k < elem.NumField(); k++ {
				g := elem.Field(k)
				v = append(v, layoutEntry{"field", fmt.Sprintf("descriptor.%s[%d].%s", name, j, descriptorNames[g.Name]),
					fmt.Sprintf("%s[%d].%s", goName, j, g.Name), at + uint64(j)*uint64(elem.Size()) + uint64(g.Offset), uint64(g.Type.Size())})
			}
		}
	}
	return v, problems
}

// compareLitmusLayout returns every difference between the declaration and a
// Go view of it, one line each, naming the item and both values.
func compareLitmusLayout(decl *layoutdecl.File, view []layoutEntry, others []string) []string {
	var diffs []string
	report := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	byKey := map[string]layoutEntry{}
	for _, e := range view {
		byKey[e.kind+" "+e.name] = e
	}
	declared := map[string]bool{}
	check := func(kind, name string, line int, a, b uint64) {
		key := kind + " " + name
		declared[key] = true
		e, ok := byKey[key]
		switch {
		case !ok && slices.Contains(others, key):
		case !ok:
			report("%s %s (line %d) is declared, but Go has no such %s (add it to section.go and layout_test.go, or to notGo)", kind, name, line, kind)
		case kind == "const" && e.a != a:
			report("const %s (line %d): the declaration says %d (%#x), Go %s is %d (%#x)", name, line, a, a, e.goName, e.a, e.a)
		case kind != "const" && (e.a != a || e.b != b):
			report("%s %s (line %d): the declaration says offset %#x size %d, Go %s is at offset %#x size %d", kind, name, line, a, b, e.goName, e.a, e.b)
		}
	}
	consts := make([]string, 0, len(decl.Consts))
	for name := range decl.Consts {
		consts = append(consts, name)
	}
	slices.SortFunc(consts, func(x, y string) int { return decl.ConstLines[x] - decl.ConstLines[y] })
	for _, name := range consts {
		check("const", name, decl.ConstLines[name], decl.Consts[name], 0)
	}
	for _, e := range decl.Fields {
		check("field", e.Name, e.Line, e.Offset, e.Size)
	}
	for _, e := range decl.Sections {
		check("section", e.Name, e.Line, e.Offset, e.Size)
	}
	for _, e := range view {
		if !declared[e.kind+" "+e.name] {
			report("%s %s is defined in Go (%s) but not declared", e.kind, e.name, e.goName)
		}
	}
	return diffs
}

// litmusLayoutPath finds native/litmus.layout: $INTEROP_LITMUS_LAYOUT if set,
// else beside $INTEROP_LAYOUT (the region's) if that is set, else by walking
// up from the package directory.
func litmusLayoutPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("INTEROP_LITMUS_LAYOUT"); p != "" {
		return p
	}
	if p := os.Getenv("INTEROP_LAYOUT"); p != "" {
		return filepath.Join(filepath.Dir(p), "litmus.layout")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	p, err := layoutdecl.Find(dir, "litmus.layout")
	if err != nil {
		t.Fatalf("%v; set INTEROP_LITMUS_LAYOUT to its path", err)
	}
	return p
}

// TestLayoutMatchesLitmusDeclaration is the Go half of the litmus-section
// contract: every constant, word and part Go defines, against
// native/litmus.layout.
func TestLayoutMatchesLitmusDeclaration(t *testing.T) {
	decl, err := layoutdecl.Read(litmusLayoutPath(t))
	if err != nil {
		t.Fatal(err)
	}
	view, problems := goLitmusView(reflect.TypeOf(Descriptor{}))
	for _, d := range append(problems, compareLitmusLayout(decl, view, notGo)...) {
		t.Error(d)
	}
}

// TestLayoutViewNamesEverySectionConst: every exported constant of
// section.go is in the Go view, so one added there without a line in
// litmus.layout cannot pass.
func TestLayoutViewNamesEverySectionConst(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "section.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	view, _ := goLitmusView(reflect.TypeOf(Descriptor{}))
	named := func(ident string) bool {
		re := regexp.MustCompile(`\b` + ident + `\b`)
		return slices.ContainsFunc(view, func(e layoutEntry) bool { return re.MatchString(e.goName) })
	}
	consts := 0
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, s := range g.Specs {
				for _, id := range s.(*ast.ValueSpec).Names {
					if !id.IsExported() {
						continue
					}
					consts++
					if !named(id.Name) {
						t.Errorf("section.go defines %s, which the Go view of native/litmus.layout does not name", id.Name)
					}
				}
			}
		}
	}
	if consts < 20 {
		t.Errorf("read %d exported constants from section.go; want the section's 20 or more", consts)
	}
}

// wideHistLen is Descriptor with hist_len widened to 16 bytes, a mistake
// that moves every gather and result word.
type wideHistLen struct {
	NActors, Stride, NGather, MaxRounds, LocOffset, LocStride, HistOffset int64
	HistLen                                                               [2]int64
	Gather                                                                [MaxGather]Array
	Result                                                                [MaxActors]Array
	Radix                                                                 int64
}

// TestLayoutCatchesPlantedDifference proves the comparison can fail: a
// declaration with one value changed, one line left out or one name added,
// and a Go view with one field widened, are each reported by name with both
// values.
func TestLayoutCatchesPlantedDifference(t *testing.T) {
	path := litmusLayoutPath(t)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(t *testing.T, pattern, with string) string {
		re := regexp.MustCompile(`(?m)^` + pattern + `.*$`)
		if !re.Match(text) {
			t.Fatalf("%s has no line matching %q", path, pattern)
		}
		return re.ReplaceAllString(string(text), with)
	}
	cases := []struct {
		name string
		decl func(t *testing.T) string
		desc reflect.Type
		want []string
	}{
		{"changed_const", func(t *testing.T) string { return edit(t, `const HIST_MAX\s`, "const HIST_MAX 264") }, nil,
			[]string{"const HIST_MAX (line ", "): the declaration says 264 (0x108), Go MaxHistLen is 256 (0x100)"}},
		{"moved_word", func(t *testing.T) string { return edit(t, `field pacing.lead_ns\s`, "field pacing.lead_ns 0x588 8") }, nil,
			[]string{"field pacing.lead_ns (line ", "): the declaration says offset 0x588 size 8, Go LeadNsOffset is at offset 0x580 size 8"}},
		{"dropped_line", func(t *testing.T) string { return edit(t, `field pacing.late\s`, "") }, nil,
			[]string{"field pacing.late is defined in Go (LateOffset) but not declared"}},
		{"added_name", func(t *testing.T) string { return string(text) + "const EARLY_NS 100\n" }, nil,
			[]string{"const EARLY_NS (line ", ") is declared, but Go has no such const"}},
		{"widened_field", func(*testing.T) string { return string(text) }, reflect.TypeOf(wideHistLen{}),
			[]string{"field descriptor.hist_len (line ", "Go wideHistLen.HistLen is at offset 0x438 size 16",
				"field descriptor.result[3].stride (line ", "Go wideHistLen.Result[3].Stride is at offset 0x4c0 size 8",
				"section descriptor (line ", "Go DescriptorOffset, wideHistLen's size is at offset 0x400 size 208"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			decl, err := layoutdecl.Parse(c.name, strings.NewReader(c.decl(t)))
			if err != nil {
				t.Fatal(err)
			}
			desc := c.desc
			if desc == nil {
				desc = reflect.TypeOf(Descriptor{})
			}
			view, problems := goLitmusView(desc)
			diffs := strings.Join(append(problems, compareLitmusLayout(decl, view, notGo)...), "\n")
			if diffs == "" {
				t.Fatal("no difference reported")
			}
			for _, w := range c.want {
				if !strings.Contains(diffs, w) {
					t.Errorf("differences do not mention %q; got:\n%s", w, diffs)
				}
			}
		})
	}
}
