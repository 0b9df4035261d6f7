package contract_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"interop-testbed/go-peer/internal/contract"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
)

// corpusDir finds proto/testdata/conformance: $INTEROP_CONFORMANCE if set,
// else by walking up from the package directory to the repository root.
func corpusDir(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("INTEROP_CONFORMANCE"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "proto", "testdata", "conformance")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("proto/testdata/conformance not found above the package directory; set INTEROP_CONFORMANCE to its path")
		}
		dir = parent
	}
}

func loadCorpus(t *testing.T) []*contract.Case {
	t.Helper()
	cases, err := contract.LoadCorpus(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestGoldensMatchDescriptions(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.CheckGolden(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Go decodes what Go encodes with default options (map order not fixed) to
// the canonical bytes again: the check the Java side's bytes go through.
func TestDefaultEncodingDecodesToCanonical(t *testing.T) {
	for _, c := range loadCorpus(t) {
		b, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckDecoded(b, c.Name+".bin"); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
}

// facts records what the corpus exercises, gathered from the parsed values.
type facts struct {
	setFields       map[protoreflect.FullName]bool
	emptyEncoding   bool
	tenByteNegative bool // a negative int32 or int64 varint
	zigzagNegative  bool
	negativeZero    bool
	nan, posInf     bool
	negInf          bool
	maxInt64        bool
	minInt64        bool
	maxUint64       bool
	longRepeated    bool // a repeated field of 1,000 elements or more
	emptyElement    bool // an empty string or bytes inside a repeated field
	zeroMapKey      bool
	unknownEnum     bool // an enum number the enum does not name
	fourByteUTF8    bool
	multiByteUTF8   bool
	maxDepth        int
	unknownFields   bool // a value of the later schema with fields the earlier lacks
	semanticCase    bool
}

func (f *facts) scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value, inList bool) {
	switch fd.Kind() {
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		if v.Int() < 0 {
			f.tenByteNegative = true
		}
		f.maxInt64 = f.maxInt64 || v.Int() == math.MaxInt64
		f.minInt64 = f.minInt64 || v.Int() == math.MinInt64
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		f.zigzagNegative = f.zigzagNegative || v.Int() < 0
		f.maxInt64 = f.maxInt64 || v.Int() == math.MaxInt64
		f.minInt64 = f.minInt64 || v.Int() == math.MinInt64
	case protoreflect.Sfixed64Kind:
		f.minInt64 = f.minInt64 || v.Int() == math.MinInt64
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		f.maxUint64 = f.maxUint64 || v.Uint() == math.MaxUint64
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		x := v.Float()
		f.nan = f.nan || math.IsNaN(x)
		f.posInf = f.posInf || math.IsInf(x, 1)
		f.negInf = f.negInf || math.IsInf(x, -1)
		f.negativeZero = f.negativeZero || (x == 0 && math.Signbit(x))
	case protoreflect.EnumKind:
		if fd.Enum().Values().ByNumber(v.Enum()) == nil {
			f.unknownEnum = true
		}
	case protoreflect.StringKind:
		s := v.String()
		f.emptyElement = f.emptyElement || (inList && s == "")
		for _, r := range s {
			f.multiByteUTF8 = f.multiByteUTF8 || utf8.RuneLen(r) > 1
			f.fourByteUTF8 = f.fourByteUTF8 || utf8.RuneLen(r) == 4
		}
	case protoreflect.BytesKind:
		f.emptyElement = f.emptyElement || (inList && len(v.Bytes()) == 0)
	}
}

func (f *facts) message(m protoreflect.Message, depth int) {
	f.maxDepth = max(f.maxDepth, depth)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		f.setFields[fd.FullName()] = true
		switch {
		case fd.IsList():
			l := v.List()
			f.longRepeated = f.longRepeated || l.Len() >= 1000
			for i := 0; i < l.Len(); i++ {
				if fd.Kind() == protoreflect.MessageKind {
					f.message(l.Get(i).Message(), depth+1)
				} else {
					f.scalar(fd, l.Get(i), true)
				}
			}
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				kv := k.Value()
				if kv.Interface() == protoreflect.ValueOf(fd.MapKey().Default().Interface()).Interface() {
					f.zeroMapKey = true
				}
				f.scalar(fd.MapKey(), kv, false)
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					f.message(mv.Message(), depth+1)
				} else {
					f.scalar(fd.MapValue(), mv, false)
				}
				return true
			})
		case fd.Kind() == protoreflect.MessageKind:
			f.message(v.Message(), depth+1)
		default:
			f.scalar(fd, v, false)
		}
		return true
	})
}

// The corpus must keep covering the edge cases docs/CONTRACT.md lists, and
// every field of the corpus messages, so that a field added to them without
// a case fails here.
func TestCorpusCoversEdgeCases(t *testing.T) {
	f := &facts{setFields: map[protoreflect.FullName]bool{}}
	for _, c := range loadCorpus(t) {
		b, err := c.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		f.emptyEncoding = f.emptyEncoding || len(b) == 0
		f.semanticCase = f.semanticCase || c.Bytes == contract.BytesSemantic
		if c.Message == "interop.v1.ConformanceSampleNext" {
			var s interopv1.ConformanceSample
			if err := proto.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			f.unknownFields = f.unknownFields || len(s.ProtoReflect().GetUnknown()) > 0
		}
		f.message(c.Value.ProtoReflect(), 0)
	}
	for _, md := range []protoreflect.MessageDescriptor{
		(&interopv1.ConformanceSample{}).ProtoReflect().Descriptor(),
		(&interopv1.ConformanceSampleNext{}).ProtoReflect().Descriptor(),
		(&interopv1.ConformanceNested{}).ProtoReflect().Descriptor(),
	} {
		for i := 0; i < md.Fields().Len(); i++ {
			if fd := md.Fields().Get(i); !f.setFields[fd.FullName()] {
				t.Errorf("no case sets %s: add it to a case under proto/testdata/conformance", fd.FullName())
			}
		}
	}
	for name, ok := range map[string]bool{
		"an empty message (zero bytes)":                 f.emptyEncoding,
		"a negative int32/int64 (ten-byte varint)":      f.tenByteNegative,
		"a negative sint32/sint64 (zigzag)":             f.zigzagNegative,
		"a negative zero":                               f.negativeZero,
		"NaN":                                           f.nan,
		"+Inf and -Inf":                                 f.posInf && f.negInf,
		"the largest and smallest int64":                f.maxInt64 && f.minInt64,
		"the largest uint64":                            f.maxUint64,
		"a repeated field of 1,000 elements or more":    f.longRepeated,
		"an empty string or bytes in a repeated field":  f.emptyElement,
		"a map entry with a zero key":                   f.zeroMapKey,
		"an enum number the enum does not name":         f.unknownEnum,
		"non-ASCII UTF-8, four-byte sequences included": f.multiByteUTF8 && f.fourByteUTF8,
		"messages nested ten deep or more":              f.maxDepth >= 10,
		"unknown fields (a value of the later schema)":  f.unknownFields,
		"a case whose bytes differ between runtimes":    f.semanticCase,
	} {
		if !ok {
			t.Errorf("the corpus lacks %s", name)
		}
	}
}

// Bytes of the later schema, decoded by the earlier one and encoded again,
// come back unchanged: unknown fields and unknown enum numbers are kept.
func TestUnknownFieldsSurviveGo(t *testing.T) {
	n := 0
	for _, c := range loadCorpus(t) {
		if c.Message != "interop.v1.ConformanceSampleNext" {
			continue
		}
		n++
		golden, err := c.ReadGolden()
		if err != nil {
			t.Fatal(err)
		}
		var s interopv1.ConformanceSample
		if err := proto.Unmarshal(golden, &s); err != nil {
			t.Fatal(err)
		}
		if len(s.ProtoReflect().GetUnknown()) == 0 {
			t.Errorf("%s: read as ConformanceSample, no unknown fields were kept", c.Name)
		}
		again, err := contract.Reencode("interop.v1.ConformanceSample", golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, golden) {
			t.Errorf("%s: through ConformanceSample, %d bytes came back as %d different bytes", c.Name, len(golden), len(again))
		}
		next := c.Value.(*interopv1.ConformanceSampleNext)
		if next.GetLevel() == interopv1.ConformanceLevelNext_CONFORMANCE_LEVEL_NEXT_CRITICAL &&
			s.GetLevel() != interopv1.ConformanceLevel(3) {
			t.Errorf("%s: the unknown enum number 3 came back as %v", c.Name, s.GetLevel())
		}
	}
	if n == 0 {
		t.Fatal("no ConformanceSampleNext case in the corpus")
	}
}

// A copy of one case (description and golden) in a temporary corpus.
func copyCase(t *testing.T, name string) (dir string, c *contract.Case) {
	t.Helper()
	dir = t.TempDir()
	for _, ext := range []string{".txtpb", ".binpb"} {
		b, err := os.ReadFile(filepath.Join(corpusDir(t), name+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := contract.LoadCase(filepath.Join(dir, name+".txtpb"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, c
}

func TestCorruptGoldenNamesFileByteAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, caseName string
		corrupt        func([]byte) []byte
		want           []string
	}{
		{"changed value", "scalars", func(b []byte) []byte { b[1]++; return b },
			[]string{"scalars.binpb: byte 1: has 0x97 where the description encodes to 0x96", "field i32", "scalars.txtpb:5)"}},
		{"truncated", "nested_deep", func(b []byte) []byte { return b[:len(b)/2] },
			[]string{"nested_deep.binpb: byte 0: does not decode", "unexpected EOF", "field nested", "nested_deep.txtpb:6)"}},
		{"bad tag", "maps", func(b []byte) []byte { b[0] = 0x07; return b },
			[]string{"maps.binpb: byte 0: does not decode", "unreadable field tag"}},
		{"invalid UTF-8", "utf8_text", func(b []byte) []byte { b[4] = 0xff; return b },
			[]string{"utf8_text.binpb: byte 2: does not decode", "not valid UTF-8", "field text", "utf8_text.txtpb:8)"}},
		{"trailing bytes", "oneof_text", func(b []byte) []byte { return append(b, 0x08, 0x01) },
			[]string{"oneof_text.binpb: byte 18: has 2 bytes more than the description encodes to (18)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := copyCase(t, tc.caseName)
			b, err := os.ReadFile(c.GoldenPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(c.GoldenPath, tc.corrupt(b), 0o644); err != nil {
				t.Fatal(err)
			}
			err = c.CheckGolden()
			if err == nil {
				t.Fatal("a corrupt golden vector passed")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, c.GoldenPath+": ") {
				t.Errorf("want one line starting with the golden's path, got %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestMissingGoldenIsNamed(t *testing.T) {
	_, c := copyCase(t, "scalars")
	if err := os.Remove(c.GoldenPath); err != nil {
		t.Fatal(err)
	}
	err := c.CheckGolden()
	if err == nil || !strings.HasPrefix(err.Error(), c.GoldenPath+": golden vector missing") {
		t.Fatalf("got %v", err)
	}
}

func TestBadDescriptionNamesLine(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"no header", "i32: 1\n", `x.txtpb:1: missing header line "# proto-message: FULL.MESSAGE.NAME"`},
		{"unknown type", "# proto-message: interop.v1.Nope\n", `x.txtpb:1: unknown message type "interop.v1.Nope"`},
		{"bad bytes header", "# proto-message: interop.v1.ConformanceSample\n# bytes: close\n", `x.txtpb:2: header "# bytes:" must be "exact" or "semantic", not "close"`},
		{"bad value", "# proto-message: interop.v1.ConformanceSample\n\ni32: 1\nu32: -1\n", "x.txtpb:4:6: invalid value for uint32 type: -1"},
		{"unknown field", "# proto-message: interop.v1.ConformanceSample\ncolour: 1\n", `x.txtpb:2:1: unknown field: colour`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.txtpb")
			if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := contract.LoadCase(p)
			if err == nil {
				t.Fatal("a bad description loaded")
			}
			if got := strings.TrimPrefix(err.Error(), filepath.Dir(p)+"/"); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestEmptyOrMissingCorpusIsAnError(t *testing.T) {
	if _, err := contract.LoadCorpus(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.txtpb cases") {
		t.Errorf("empty corpus: got %v", err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := contract.LoadCorpus(missing); err == nil || !strings.HasPrefix(err.Error(), missing+": corpus directory not readable") {
		t.Errorf("missing corpus: got %v", err)
	}
}

// Value equality forgives the sign of a zero inside a list; the re-encoding
// check does not.
func TestDecodedCheckCatchesLostNegativeZero(t *testing.T) {
	_, c := copyCase(t, "negative")
	// Not proto.Clone: protobuf-go's merge skips a singular proto3 double
	// that compares equal to 0, so a clone can lose a -0.0 that Marshal writes.
	canonical, err := c.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	v := &interopv1.ConformanceSample{}
	if err := proto.Unmarshal(canonical, v); err != nil {
		t.Fatal(err)
	}
	if len(v.PackedReal64) == 0 || !math.Signbit(v.PackedReal64[0]) {
		t.Fatal("the negative case no longer starts packed_real64 with -0.0")
	}
	v.PackedReal64[0] = 0
	if !proto.Equal(v, c.Value) {
		t.Fatal("proto.Equal now tells -0.0 from +0.0 in a list: this test's premise changed")
	}
	b, err := proto.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckDecoded(b, "negative.bin")
	if err == nil || !strings.Contains(err.Error(), "field packed_real64") {
		t.Fatalf("a lost negative zero passed: %v", err)
	}
}
