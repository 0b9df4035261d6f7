// Command interop-contract is the Go side of the wire-conformance check
// (docs/CONTRACT.md). The Java contract suite runs it; so does
// `make contract-goldens`.
//
// Usage:
//
//	interop-contract goldens [-write] CORPUS_DIR
//	interop-contract encode CORPUS_DIR OUT_DIR
//	interop-contract decode CORPUS_DIR IN_DIR
//	interop-contract reencode MESSAGE_NAME < in > out
//
// goldens checks every case's golden vector against its description (with
// -write, writes the vectors instead). encode writes OUT_DIR/NAME.bin, each
// case encoded by Go as a peer would send it. decode checks IN_DIR/NAME.bin,
// each case as another runtime encoded it. reencode decodes its standard
// input as MESSAGE_NAME (e.g. interop.v1.ConformanceSample) and writes the
// deterministic encoding of what it decoded, unknown fields included.
//
// goldens and decode print one line per case, "ok NAME" or "FAIL NAME: why",
// and exit 1 if a case failed. Any other fault (bad usage, an unreadable
// corpus, a description that does not parse) is one line "error: ..." on
// stderr naming the file and line, and exit status 2.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/reflect/protoreflect"

	"interop-testbed/go-peer/internal/contract"
)

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

const usage = `usage: interop-contract goldens [-write] CORPUS_DIR
       interop-contract encode CORPUS_DIR OUT_DIR
       interop-contract decode CORPUS_DIR IN_DIR
       interop-contract reencode MESSAGE_NAME < in > out`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError is bad usage: the message, then the usage text.
type usageError string

func (e usageError) Error() string { return string(e) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	code, err := dispatch(args, stdin, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "error: "+err.Error())
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(stderr, usage)
		}
		return exitUsage
	}
	return code
}

func dispatch(args []string, stdin io.Reader, stdout io.Writer) (int, error) {
	if len(args) == 0 {
		return 0, usageError("no command")
	}
	switch args[0] {
	case "goldens":
		fs := flag.NewFlagSet("goldens", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		write := fs.Bool("write", false, "write the golden vectors instead of checking them")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
			return 0, usageError("goldens takes [-write] CORPUS_DIR")
		}
		return goldens(fs.Arg(0), *write, stdout)
	case "encode":
		if len(args) != 3 {
			return 0, usageError("encode takes CORPUS_DIR OUT_DIR")
		}
		return encode(args[1], args[2], stdout)
	case "decode":
		if len(args) != 3 {
			return 0, usageError("decode takes CORPUS_DIR IN_DIR")
		}
		return decode(args[1], args[2], stdout)
	case "reencode":
		if len(args) != 2 {
			return 0, usageError("reencode takes MESSAGE_NAME")
		}
		return reencode(protoreflect.FullName(args[1]), stdin, stdout)
	default:
		return 0, usageError(fmt.Sprintf("unknown command %q", args[0]))
	}
}

func goldens(dir string, write bool, stdout io.Writer) (int, error) {
	cases, err := contract.LoadCorpus(dir)
	if err != nil {
		return 0, err
	}
	if write {
		for _, c := range cases {
			if err := c.WriteGolden(); err != nil {
				return 0, err
			}
			fmt.Fprintf(stdout, "wrote %s\n", c.GoldenPath)
		}
		return exitOK, nil
	}
	return verdicts(cases, stdout, func(c *contract.Case) error { return c.CheckGolden() }), nil
}

func encode(dir, out string, stdout io.Writer) (int, error) {
	cases, err := contract.LoadCorpus(dir)
	if err != nil {
		return 0, err
	}
	for _, c := range cases {
		b, err := c.Encode()
		if err != nil {
			return 0, err
		}
		p := filepath.Join(out, c.Name+".bin")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return 0, fmt.Errorf("%s: %w", p, errors.Unwrap(err))
		}
	}
	fmt.Fprintf(stdout, "encoded %d cases into %s\n", len(cases), out)
	return exitOK, nil
}

func decode(dir, in string, stdout io.Writer) (int, error) {
	cases, err := contract.LoadCorpus(dir)
	if err != nil {
		return 0, err
	}
	return verdicts(cases, stdout, func(c *contract.Case) error {
		p := filepath.Join(in, c.Name+".bin")
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("%s: nothing to decode: %v", p, errors.Unwrap(err))
		}
		return c.CheckDecoded(b, p)
	}), nil
}

// verdicts prints one line per case and returns exitFailed if any failed.
func verdicts(cases []*contract.Case, stdout io.Writer, check func(*contract.Case) error) int {
	code := exitOK
	for _, c := range cases {
		if err := check(c); err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", c.Name, err)
			code = exitFailed
			continue
		}
		fmt.Fprintf(stdout, "ok %s\n", c.Name)
	}
	return code
}

func reencode(name protoreflect.FullName, stdin io.Reader, stdout io.Writer) (int, error) {
	in, err := io.ReadAll(stdin)
	if err != nil {
		return 0, fmt.Errorf("reading standard input: %v", err)
	}
	out, err := contract.Reencode(name, in)
	if err != nil {
		return 0, err
	}
	if _, err := stdout.Write(out); err != nil {
		return 0, fmt.Errorf("writing standard output: %v", err)
	}
	return exitOK, nil
}
