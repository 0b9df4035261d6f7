package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Deterministic is how golden vectors are written and compared: map entries
// in key order. It is deterministic for one runtime's version, not canonical
// across runtimes; cases marked "bytes: semantic" show where they differ.
var Deterministic = proto.MarshalOptions{Deterministic: true}

// Canonical returns the case's value encoded by Go, deterministically: what
// its golden vector must hold.
func (c *Case) Canonical() ([]byte, error) {
	b, err := Deterministic.Marshal(c.Value)
	if err != nil {
		return nil, fileError(c.TextPath, "cannot encode the described value: %v", err)
	}
	return b, nil
}

// ReadGolden reads the case's golden vector.
func (c *Case) ReadGolden() ([]byte, error) {
	b, err := os.ReadFile(c.GoldenPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fileError(c.GoldenPath, "golden vector missing (make contract-goldens writes it from %s)", filepath.Base(c.TextPath))
	}
	if err != nil {
		return nil, fileError(c.GoldenPath, "%v", errors.Unwrap(err))
	}
	return b, nil
}

// CheckGolden checks the golden vector against the description: it must
// decode, to the described value, and for a "bytes: exact" case it must equal
// Go's deterministic encoding byte for byte. The error names the golden file,
// the byte offset, and the line of the description the fault belongs to.
func (c *Case) CheckGolden() error {
	golden, err := c.ReadGolden()
	if err != nil {
		return err
	}
	if c.Bytes == BytesExact {
		return c.check(golden, c.GoldenPath, compareBytes)
	}
	return c.check(golden, c.GoldenPath, compareValues)
}

// CheckDecoded checks bytes that another runtime encoded from the same
// description (read from path, named in errors). They must decode to the
// described value. For a "bytes: exact" case the decoded value, encoded again
// deterministically, must also equal Go's encoding byte for byte: that keeps
// what value equality forgives (the sign of a zero, a NaN's payload, unknown
// fields) and forgives only the sender's map order.
func (c *Case) CheckDecoded(data []byte, path string) error {
	if c.Bytes == BytesExact {
		return c.check(data, path, compareReencoded)
	}
	return c.check(data, path, compareValues)
}

type comparison int

const (
	compareBytes     comparison = iota // data itself equals the canonical encoding
	compareReencoded                   // data decoded and encoded again equals it
	compareValues                      // data decodes to an equal value (proto.Equal)
)

func (c *Case) check(data []byte, path string, how comparison) error {
	md := c.Value.ProtoReflect().Descriptor()
	got := c.Value.ProtoReflect().Type().New().Interface()
	if err := (proto.UnmarshalOptions{}).Unmarshal(data, got); err != nil {
		offset, where := locateCorruption(data, md)
		e := &Error{Path: path, Offset: offset, Msg: fmt.Sprintf("does not decode as %s: %s", c.Message, trimProto(err))}
		if where != nil {
			e.Msg = fmt.Sprintf("does not decode as %s: %s%s", c.Message, where.problem, c.describedAt(where.fields))
		}
		return e
	}
	want, err := c.Canonical()
	if err != nil {
		return err
	}
	switch how {
	case compareBytes:
		if !bytes.Equal(data, want) {
			at, what := c.difference(data, want, md)
			return &Error{Path: path, Offset: at, Msg: what}
		}
	case compareReencoded:
		again, err := Deterministic.Marshal(got)
		if err != nil {
			return fileError(path, "decoded value does not encode again: %v", err)
		}
		if !bytes.Equal(again, want) {
			at, what := c.difference(again, want, md)
			return fileError(path, "decoded and encoded again deterministically, byte %d %s", at, what)
		}
	case compareValues:
		if !proto.Equal(got, c.Value) {
			// The canonical re-encodings name the first field that differs.
			again, _ := Deterministic.Marshal(got)
			at, what := c.difference(again, want, md)
			return fileError(path, "decodes to another value: encoded again deterministically, byte %d %s", at, what)
		}
	}
	return nil
}

// difference finds the first byte where got and want differ and says how,
// naming the field that byte belongs to and its line in the description.
func (c *Case) difference(got, want []byte, md protoreflect.MessageDescriptor) (int, string) {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	var what string
	switch {
	case i < len(got) && i < len(want):
		what = fmt.Sprintf("has 0x%02x where the description encodes to 0x%02x", got[i], want[i])
	case i < len(got):
		what = fmt.Sprintf("has %d bytes more than the description encodes to (%d)", len(got)-i, len(want))
	default:
		what = fmt.Sprintf("ends %d bytes before the description's encoding does (%d bytes)", len(want)-i, len(want))
	}
	fields := fieldsAt(want, i, md)
	if i >= len(want) {
		fields = fieldsAt(got, i, md)
	}
	return i, what + c.describedAt(fields)
}

// describedAt says which field a fault belongs to and where the description
// sets it: " (field nested.child.label, described at NAME.txtpb:12)".
func (c *Case) describedAt(fields []protoreflect.FieldDescriptor) string {
	if len(fields) == 0 {
		return ""
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f.Name())
	}
	s := " (field " + strings.Join(names, ".")
	if line := textLine(c.Text, names); line > 0 {
		s += fmt.Sprintf(", described at %s:%d", c.TextPath, line)
	}
	return s + ")"
}

// textLine finds the line of the description that sets the field path: the
// first line naming its first element, then the first line after it naming
// the next, and so on. 0 when not found.
func textLine(text []byte, names []string) int {
	lines := strings.Split(string(text), "\n")
	at := 0
	found := 0
	for _, name := range names {
		re := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(name) + `\s*[:{<\[]`)
		hit := false
		for i := at; i < len(lines); i++ {
			if re.MatchString(lines[i]) {
				at, found, hit = i, i+1, true
				break
			}
		}
		if !hit {
			break
		}
	}
	return found
}

// corruption is the first fault found in bytes that do not decode.
type corruption struct {
	problem string
	fields  []protoreflect.FieldDescriptor
}

// locateCorruption walks the wire format, descending into fields the
// descriptor knows as messages, and returns the offset of the first field
// that cannot be read: a bad tag, a truncated value, invalid UTF-8 in a
// string. (-1, nil) when the walk finds nothing wrong.
func locateCorruption(b []byte, md protoreflect.MessageDescriptor) (int, *corruption) {
	return walkCorruption(b, md, 0, nil)
}

func walkCorruption(b []byte, md protoreflect.MessageDescriptor, base int, path []protoreflect.FieldDescriptor) (int, *corruption) {
	for i := 0; i < len(b); {
		num, typ, n := protowire.ConsumeTag(b[i:])
		if n < 0 {
			return base + i, &corruption{problem: "unreadable field tag: " + trimProto(protowire.ParseError(n)), fields: path}
		}
		fd := md.Fields().ByNumber(num)
		here := path
		if fd != nil {
			here = append(append([]protoreflect.FieldDescriptor(nil), path...), fd)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[i+n:])
		if m < 0 {
			return base + i, &corruption{problem: fmt.Sprintf("field %d: %s", num, trimProto(protowire.ParseError(m))), fields: here}
		}
		if typ == protowire.BytesType && fd != nil {
			payload, pn := protowire.ConsumeBytes(b[i+n:])
			start := base + i + n + (pn - len(payload))
			switch {
			case fd.Kind() == protoreflect.MessageKind:
				if off, c := walkCorruption(payload, fd.Message(), start, here); c != nil {
					return off, c
				}
			case fd.Kind() == protoreflect.StringKind && !utf8.Valid(payload):
				return start, &corruption{problem: fmt.Sprintf("field %d: string is not valid UTF-8", num), fields: here}
			}
		}
		i += n + m
	}
	return -1, nil
}

// fieldsAt returns the path of fields whose encoding covers byte offset of b,
// outermost first; nil when offset is outside every field.
func fieldsAt(b []byte, offset int, md protoreflect.MessageDescriptor) []protoreflect.FieldDescriptor {
	var path []protoreflect.FieldDescriptor
	base := 0
	for {
		found := false
		for i := 0; i < len(b); {
			num, typ, n := protowire.ConsumeTag(b[i:])
			if n < 0 {
				return path
			}
			m := protowire.ConsumeFieldValue(num, typ, b[i+n:])
			if m < 0 {
				return path
			}
			if offset >= base+i && offset < base+i+n+m {
				fd := md.Fields().ByNumber(num)
				if fd == nil {
					return path
				}
				path = append(path, fd)
				if typ == protowire.BytesType && fd.Kind() == protoreflect.MessageKind {
					payload, pn := protowire.ConsumeBytes(b[i+n:])
					start := base + i + n + (pn - len(payload))
					if offset >= start {
						b, base, md, found = payload, start, fd.Message(), true
					}
				}
				break
			}
			i += n + m
		}
		if !found {
			return path
		}
	}
}

// WriteGolden writes the case's golden vector: Go's deterministic encoding.
func (c *Case) WriteGolden() error {
	b, err := c.Canonical()
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.GoldenPath, b, 0o644); err != nil {
		return fileError(c.GoldenPath, "%v", errors.Unwrap(err))
	}
	return nil
}

// protoPrefix is the "proto: " the protobuf runtime puts on its errors; the
// runtime picks a space or a no-break space at random, so that nobody matches
// its messages exactly.
var protoPrefix = regexp.MustCompile("proto:[ \u00a0]")

// trimProto drops those prefixes, which say nothing in a line that already
// names the file.
func trimProto(err error) string {
	return protoPrefix.ReplaceAllString(err.Error(), "")
}
