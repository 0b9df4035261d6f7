package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir finds proto/testdata/conformance above the package directory.
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
			t.Fatalf("proto/testdata/conformance not found; set INTEROP_CONFORMANCE to its path")
		}
		dir = parent
	}
}

func runCmd(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestGoldensPass(t *testing.T) {
	code, out, stderr := runCmd(t, nil, "goldens", corpusDir(t))
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "ok ") {
			t.Errorf("line %q is not ok", line)
		}
	}
}

func TestEncodeThenDecode(t *testing.T) {
	dir := t.TempDir()
	if code, out, stderr := runCmd(t, nil, "encode", corpusDir(t), dir); code != exitOK {
		t.Fatalf("encode: exit %d: %s%s", code, out, stderr)
	}
	if code, out, stderr := runCmd(t, nil, "decode", corpusDir(t), dir); code != exitOK {
		t.Fatalf("decode: exit %d: %s%s", code, out, stderr)
	}
	// One case missing and one garbled: two FAIL lines, exit 1.
	if err := os.Remove(filepath.Join(dir, "scalars.bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "maps.bin"), []byte{0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, nil, "decode", corpusDir(t), dir)
	if code != exitFailed {
		t.Fatalf("decode with bad input: exit %d, want %d", code, exitFailed)
	}
	for _, want := range []string{"FAIL scalars: " + filepath.Join(dir, "scalars.bin") + ": nothing to decode",
		"FAIL maps: " + filepath.Join(dir, "maps.bin") + ": byte 0: does not decode"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The unknown-fields golden, read as the earlier schema and written back,
// comes out byte for byte as it went in.
func TestReencodeKeepsUnknownFields(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(corpusDir(t), "unknown_fields.binpb"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, in, "reencode", "interop.v1.ConformanceSample")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !bytes.Equal([]byte(out), in) {
		t.Fatalf("%d bytes in, %d different bytes out", len(in), len(out))
	}
}

func TestFaultsAreOneLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin []byte
		args  []string
		want  string
	}{
		{"garbage input", []byte{0x0a, 0x05, 0x01}, []string{"reencode", "interop.v1.ConformanceSample"},
			"error: input does not decode as interop.v1.ConformanceSample: byte 0: field 1: unexpected EOF"},
		{"unknown type", nil, []string{"reencode", "interop.v1.Nope"}, `error: unknown message type "interop.v1.Nope"`},
		{"no corpus", nil, []string{"goldens", "/nonexistent/corpus"}, "error: /nonexistent/corpus: corpus directory not readable"},
		{"unknown command", nil, []string{"frobnicate"}, `error: unknown command "frobnicate"`},
		{"no command", nil, nil, "error: no command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, tc.stdin, tc.args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d stdout %q, want exit %d and nothing on stdout", code, out, exitUsage)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.HasPrefix(first, tc.want) {
				t.Errorf("first stderr line %q, want prefix %q", first, tc.want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("a stack trace on stderr:\n%s", stderr)
			}
		})
	}
}
