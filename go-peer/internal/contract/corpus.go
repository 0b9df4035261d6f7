// Package contract is the Go side of the wire-conformance check between the
// Java harness and the Go peer (docs/CONTRACT.md).
//
// The corpus lives in proto/testdata/conformance: for each case NAME, a
// readable description NAME.txtpb (protobuf text format, with a header naming
// the message type) and a golden vector NAME.binpb (the value's deterministic
// encoding). Both runtimes parse the description, compare their own encoding
// with the golden vector, and decode what the other runtime encoded.
package contract

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	// The corpus message types register themselves here.
	_ "interop-testbed/go-peer/internal/gen/interop/v1"
)

// Bytes says what a case asks of the runtimes' deterministic encodings.
type Bytes string

const (
	// BytesExact: every runtime's deterministic encoding equals the golden
	// vector byte for byte.
	BytesExact Bytes = "exact"
	// BytesSemantic: every runtime decodes the golden vector to the described
	// value, but deterministic encodings may differ between runtimes (the
	// header says why); the golden vector is Go's.
	BytesSemantic Bytes = "semantic"
)

// Header keys of a .txtpb description.
const (
	headerMessage = "proto-message"
	headerBytes   = "bytes"
)

// Case is one value of the corpus.
type Case struct {
	Name       string
	TextPath   string // NAME.txtpb
	GoldenPath string // NAME.binpb
	Message    protoreflect.FullName
	Bytes      Bytes
	// Value is the description, parsed.
	Value proto.Message
	// Text is the description's source, kept to name lines in errors.
	Text []byte
}

// Error is a fault in a corpus file, named by file and place: a line and
// column in a description, a byte offset in a golden vector. Its Error is one
// line, "path:line:col: message" or "path: byte N: message".
type Error struct {
	Path   string
	Line   int // 1-based; 0 when not known
	Col    int // 1-based; 0 when not known
	Offset int // byte offset in a binary file; -1 when not about one
	Msg    string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	case e.Offset >= 0:
		return fmt.Sprintf("%s: byte %d: %s", e.Path, e.Offset, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
}

func fileError(path, format string, args ...any) *Error {
	return &Error{Path: path, Offset: -1, Msg: fmt.Sprintf(format, args...)}
}

// LoadCorpus reads every NAME.txtpb in dir, in name order, and parses it into
// the message type its header names. It does not read the golden vectors;
// CheckGolden does. An empty corpus is an error: a check over nothing would
// pass.
func LoadCorpus(dir string) ([]*Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.txtpb"))
	if err != nil {
		return nil, fileError(dir, "%v", err)
	}
	if len(paths) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fileError(dir, "corpus directory not readable: %v", errors.Unwrap(err))
		}
		return nil, fileError(dir, "no *.txtpb cases in the corpus directory")
	}
	sort.Strings(paths)
	cases := make([]*Case, 0, len(paths))
	for _, p := range paths {
		c, err := LoadCase(p)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// LoadCase reads one description and parses it.
func LoadCase(textPath string) (*Case, error) {
	text, err := os.ReadFile(textPath)
	if err != nil {
		return nil, fileError(textPath, "%v", errors.Unwrap(err))
	}
	c := &Case{
		Name:       strings.TrimSuffix(filepath.Base(textPath), ".txtpb"),
		TextPath:   textPath,
		GoldenPath: strings.TrimSuffix(textPath, ".txtpb") + ".binpb",
		Text:       text,
	}
	header, err := readHeader(textPath, text)
	if err != nil {
		return nil, err
	}
	name, ok := header[headerMessage]
	if !ok {
		return nil, &Error{Path: textPath, Line: 1, Offset: -1, Msg: `missing header line "# proto-message: FULL.MESSAGE.NAME"`}
	}
	c.Message = protoreflect.FullName(name.value)
	mt, err := protoregistry.GlobalTypes.FindMessageByName(c.Message)
	if err != nil {
		return nil, &Error{Path: textPath, Line: name.line, Offset: -1, Msg: fmt.Sprintf("unknown message type %q", name.value)}
	}
	c.Bytes = BytesExact
	if b, ok := header[headerBytes]; ok {
		word := ""
		if f := strings.Fields(b.value); len(f) > 0 {
			word = strings.TrimRight(f[0], ":;,")
		}
		switch Bytes(word) {
		case BytesExact:
		case BytesSemantic:
			c.Bytes = BytesSemantic
		default:
			return nil, &Error{Path: textPath, Line: b.line, Offset: -1, Msg: fmt.Sprintf(`header "# bytes:" must be %q or %q, not %q`, BytesExact, BytesSemantic, b.value)}
		}
	}
	c.Value = mt.New().Interface()
	if err := prototext.Unmarshal(text, c.Value); err != nil {
		return nil, textError(textPath, err)
	}
	return c, nil
}

type headerValue struct {
	value string
	line  int
}

var headerLine = regexp.MustCompile(`^#\s*([a-z-]+):\s*(.*?)\s*$`)

// readHeader reads the "# key: value" lines of the leading comment block.
func readHeader(path string, text []byte) (map[string]headerValue, error) {
	header := map[string]headerValue{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), len(text)+1)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if !strings.HasPrefix(s, "#") {
			break
		}
		m := headerLine.FindStringSubmatch(s)
		if m == nil || (m[1] != headerMessage && m[1] != headerBytes) {
			continue
		}
		if _, dup := header[m[1]]; dup {
			return nil, &Error{Path: path, Line: line, Offset: -1, Msg: fmt.Sprintf("header %q given twice", m[1])}
		}
		header[m[1]] = headerValue{value: m[2], line: line}
	}
	return header, nil
}

var textPosition = regexp.MustCompile(`\(line (\d+):(\d+)\): `)

// textError turns a prototext error ("proto: (line 3:5): ...") into an Error
// that names the file, line and column.
func textError(path string, err error) *Error {
	msg := trimProto(err)
	m := textPosition.FindStringSubmatchIndex(msg)
	if m == nil {
		return fileError(path, "%s", msg)
	}
	line, _ := strconv.Atoi(msg[m[2]:m[3]])
	col, _ := strconv.Atoi(msg[m[4]:m[5]])
	rest := strings.TrimSpace(protoPrefix.ReplaceAllString(msg[:m[0]]+msg[m[1]:], ""))
	return &Error{Path: path, Line: line, Col: col, Offset: -1, Msg: rest}
}
