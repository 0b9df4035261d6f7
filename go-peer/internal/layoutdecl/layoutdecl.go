// Package layoutdecl reads the layout declarations that the C shim, the Java
// core and the Go peer are each tested against: native/region.layout (the
// shared region) and native/litmus.layout (its litmus section).
//
// A declaration is lines of text. '#' starts a comment, and every other
// non-blank line is one of
//
//	const   NAME VALUE
//	field   NAME OFFSET SIZE
//	section NAME OFFSET SIZE
//
// with numbers in decimal or 0x hex. Parse refuses anything else, naming the
// line. The package only reads; each runtime's test compares its own view.
package layoutdecl

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File is a parsed declaration.
type File struct {
	// Consts maps each const NAME to its VALUE.
	Consts map[string]uint64
	// ConstLines maps each const NAME to the line that declares it.
	ConstLines map[string]int
	// Fields and Sections are in the order of the file.
	Fields   []Entry
	Sections []Entry
}

// Entry is a field or section line.
type Entry struct {
	Name         string
	Offset, Size uint64
	Line         int
}

// Parse reads a declaration. name is what errors call it: an error names the
// line it is about as name:line. A declaration must hold at least one line of
// each kind, and no name twice within a kind.
func Parse(name string, r io.Reader) (*File, error) {
	f := &File{Consts: map[string]uint64{}, ConstLines: map[string]int{}}
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		words := strings.Fields(text)
		if len(words) == 0 {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s (line: %q)", name, n, fmt.Sprintf(format, args...), strings.TrimSpace(sc.Text()))
		}
		number := func(i int, what string) (uint64, error) {
			v, err := strconv.ParseUint(words[i], 0, 64)
			if err != nil {
				return 0, fail("%s %q is not a number", what, words[i])
			}
			return v, nil
		}
		kind := words[0]
		want := map[string]int{"const": 3, "field": 4, "section": 4}[kind]
		if want == 0 {
			return nil, fail("unknown kind %q (want const, field or section)", kind)
		}
		if len(words) != want {
			return nil, fail("%s takes %d words, found %d", kind, want, len(words))
		}
		key := kind + " " + words[1]
		if prev, dup := seen[key]; dup {
			return nil, fail("%s %s already declared on line %d", kind, words[1], prev)
		}
		seen[key] = n
		if kind == "const" {
			v, err := number(2, "value")
			if err != nil {
				return nil, err
			}
			f.Consts[words[1]] = v
			f.ConstLines[words[1]] = n
			continue
		}
		off, err := number(2, "offset")
		if err != nil {
			return nil, err
		}
		size, err := number(3, "size")
		if err != nil {
			return nil, err
		}
		e := Entry{words[1], off, size, n}
		if kind == "field" {
			f.Fields = append(f.Fields, e)
		} else {
			f.Sections = append(f.Sections, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(f.Consts) == 0 || len(f.Fields) == 0 || len(f.Sections) == 0 {
		return nil, fmt.Errorf("%s: declares %d consts, %d fields and %d sections; want some of each", name, len(f.Consts), len(f.Fields), len(f.Sections))
	}
	return f, nil
}

// Read parses the declaration at path.
func Read(path string) (*File, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("layout declaration: %v", err)
	}
	defer r.Close()
	return Parse(path, r)
}

// Find returns the path of native/base (base "region.layout" or
// "litmus.layout") in the nearest directory at or above dir that has one.
func Find(dir, base string) (string, error) {
	for {
		p := filepath.Join(dir, "native", base)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("native/%s not found at or above %s", base, dir)
		}
		dir = parent
	}
}
