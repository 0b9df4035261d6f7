package peerauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func TestParseAcceptsOnly64LowercaseHexDigits(t *testing.T) {
	if _, err := Parse(hex64); err != nil {
		t.Errorf("Parse(64 hex digits) = %v", err)
	}
	for _, bad := range []string{"", hex64[:63], hex64 + "0", strings.ToUpper(hex64), hex64[:63] + "g", " " + hex64[1:]} {
		if _, err := Parse(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestGenerateGivesDistinctSecrets(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if a.StdinLine() == b.StdinLine() || len(a.StdinLine()) != 2*SecretBytes+1 {
		t.Errorf("two secrets %q and %q", a.StdinLine(), b.StdinLine())
	}
}

// ReadLine consumes the line and nothing after it, even from a reader that
// hands out one byte at a time or everything at once.
func TestReadLineLeavesTheRestOfStdin(t *testing.T) {
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole":     func(r io.Reader) io.Reader { return r },
		"bytewise":  iotest.OneByteReader,
		"half_read": iotest.HalfReader,
	} {
		for _, eol := range []string{"\n", "\r\n"} {
			r := strings.NewReader(hex64 + eol + "rest")
			s, err := ReadLine(wrap(r))
			if err != nil || s.StdinLine() != hex64+"\n" {
				t.Errorf("%s %q: ReadLine = %v, %v", name, eol, s, err)
			}
			if rest, _ := io.ReadAll(r); string(rest) != "rest" {
				t.Errorf("%s %q: left %q, want %q", name, eol, rest, "rest")
			}
		}
	}
}

func TestReadLineRefusesWhatIsNotASecretLine(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrNoLine},
		{hex64, ErrNoLine}, // no newline before EOF
		{"\n", ErrMalformed},
		{"hunter2\n", ErrMalformed},
		{hex64 + hex64 + "\n", ErrMalformed},
		{strings.Repeat("a", 1<<20), ErrMalformed}, // no newline within the bound
	}
	for _, c := range cases {
		r := strings.NewReader(c.in)
		_, err := ReadLine(r)
		if !errors.Is(err, c.want) {
			t.Errorf("ReadLine(%.20q…) = %v, want %v", c.in, err, c.want)
		}
		if read := int64(len(c.in)) - int64(r.Len()); read > maxLine {
			t.Errorf("ReadLine(%.20q…) read %d bytes, bound %d", c.in, read, maxLine)
		}
	}
	boom := errors.New("boom")
	if _, err := ReadLine(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("ReadLine(failing reader) = %v, want it to wrap the reader's error", err)
	}
}

func TestSecretDoesNotPrint(t *testing.T) {
	s, err := Parse(hex64)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, s); strings.Contains(got, hex64[:8]) {
			t.Errorf("%s prints the secret: %q", verb, got)
		}
	}
}

func TestCheck(t *testing.T) {
	s, err := Parse(hex64)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	otherHex := strings.TrimSpace(other.StdinLine())
	cases := []struct {
		name string
		md   metadata.MD
		ok   bool
	}{
		{"the secret", metadata.Pairs(MetadataKey, "Bearer "+hex64), true},
		{"no metadata", nil, false},
		{"other headers only", metadata.Pairs("x-interop-scope-id", hex64), false},
		{"another secret", metadata.Pairs(MetadataKey, "Bearer "+otherHex), false},
		{"no scheme", metadata.Pairs(MetadataKey, hex64), false},
		{"other scheme", metadata.Pairs(MetadataKey, "Basic "+hex64), false},
		{"upper case", metadata.Pairs(MetadataKey, "Bearer "+strings.ToUpper(hex64)), false},
		{"prefix", metadata.Pairs(MetadataKey, "Bearer "+hex64[:32]), false},
		{"twice", metadata.Pairs(MetadataKey, "Bearer "+hex64, MetadataKey, "Bearer "+hex64), false},
		{"a wrong one beside it", metadata.Pairs(MetadataKey, "Bearer "+otherHex, MetadataKey, "Bearer "+hex64), false},
	}
	for _, c := range cases {
		ctx := context.Background()
		if c.md != nil {
			ctx = metadata.NewIncomingContext(ctx, c.md)
		}
		err := s.Check(ctx)
		if c.ok {
			if err != nil {
				t.Errorf("%s: %v, want nil", c.name, err)
			}
			continue
		}
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: %v, want Unauthenticated", c.name, err)
			continue
		}
		if msg := status.Convert(err).Message(); strings.Contains(msg, hex64[:8]) || strings.Contains(msg, otherHex[:8]) {
			t.Errorf("%s: the refusal quotes a secret: %q", c.name, msg)
		}
	}
}

func TestPerRPCCredentialsSendTheSecretOverPlaintext(t *testing.T) {
	s, err := Parse(hex64)
	if err != nil {
		t.Fatal(err)
	}
	c := s.PerRPCCredentials()
	if c.RequireTransportSecurity() {
		t.Error("the credentials require TLS; the peer serves plaintext loopback")
	}
	md, err := c.GetRequestMetadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(metadata.NewIncomingContext(context.Background(), metadata.New(md))); err != nil {
		t.Errorf("Check refuses what PerRPCCredentials sends: %v", err)
	}
}

func TestReadBearerLineAcceptsOnlyTheSecretsLine(t *testing.T) {
	s, err := Parse(hex64)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	otherHex := strings.TrimSpace(other.StdinLine())
	cases := []struct {
		in   string
		want error
	}{
		{"Bearer " + hex64 + "\nrest", nil},
		{"Bearer " + otherHex + "\n", ErrWrongBearer},
		{hex64 + "\n", ErrWrongBearer},
		{"Bearer " + hex64 + "\r\n", ErrWrongBearer},
		{"Bearer " + hex64[:63] + "\n", ErrWrongBearer},
		{"Bearer " + hex64 + "0\n", ErrWrongBearer},
		{"Bearer " + hex64, ErrNoLine},
		{"", ErrNoLine},
		{strings.Repeat("B", 1<<20), ErrWrongBearer}, // no newline within the bound
	}
	for _, c := range cases {
		r := strings.NewReader(c.in)
		err := s.ReadBearerLine(iotest.OneByteReader(r))
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("ReadBearerLine(%.20q…) = %v, want %v", c.in, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), hex64[:8]) || strings.Contains(err.Error(), otherHex[:8])) {
			t.Errorf("ReadBearerLine(%.20q…): the refusal quotes a secret: %v", c.in, err)
		}
		if read := len(c.in) - r.Len(); read > len("Bearer ")+2*SecretBytes+2 {
			t.Errorf("ReadBearerLine(%.20q…) read %d bytes past the line's bound", c.in, read)
		}
		if c.want == nil {
			if rest, _ := io.ReadAll(r); string(rest) != "rest" {
				t.Errorf("ReadBearerLine left %q, want %q", rest, "rest")
			}
		}
	}
}
