// Package peerauth keeps the peer to the harness that started it.
//
// The peer listens on loopback, where any local process that finds the port
// could otherwise start its native workers and write into the shared region.
// The harness therefore generates a per-run secret, hands it to the peer as
// the first line of the peer's standard input (a pipe only the harness holds,
// never an argument or an environment variable that ps or /proc would show
// to others), and sends it on every call as the metadata
//
//	authorization: Bearer <secret>
//
// The secret is SecretBytes random bytes written as lowercase hex. The server
// interceptors refuse a call without exactly that value with Unauthenticated,
// comparing in constant time and never echoing what the call sent.
package peerauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const (
	// MetadataKey is the gRPC metadata key that carries the secret.
	MetadataKey = "authorization"
	// Scheme precedes the secret in the metadata value, separated by one space.
	Scheme = "Bearer"
	// SecretBytes is the length of a secret before hex encoding.
	SecretBytes = 32
	// maxLine bounds what ReadLine reads while looking for the end of the
	// line: the hex digits, an optional '\r', the '\n', and some slack so
	// that a line slightly too long is named as such rather than as missing.
	maxLine = 2*SecretBytes + 64
)

// Secret is a per-run secret. The zero value is not usable; a Secret comes
// from Generate, Parse or ReadLine. Its String and Format methods do not show
// the secret, so it cannot reach a log line by accident.
type Secret struct {
	hex    string // 2*SecretBytes lowercase hex digits
	header []byte // MetadataKey's expected value: Scheme, a space, hex
}

// ErrNoLine is returned by ReadLine when its reader ends before a full line.
var ErrNoLine = errors.New("stdin ended before the per-run secret line")

// ErrMalformed is returned by Parse and ReadLine for anything but
// 2*SecretBytes lowercase hex digits. It does not quote the text it refused.
var ErrMalformed = fmt.Errorf("the per-run secret line is not %d lowercase hex digits", 2*SecretBytes)

// Generate returns a new secret read from crypto/rand.
func Generate() (Secret, error) {
	b := make([]byte, SecretBytes)
	if _, err := rand.Read(b); err != nil {
		return Secret{}, fmt.Errorf("peerauth: generating a secret: %w", err)
	}
	return Parse(hex.EncodeToString(b))
}

// Parse returns the secret whose hex form is s: exactly 2*SecretBytes
// lowercase hex digits, else ErrMalformed.
func Parse(s string) (Secret, error) {
	if len(s) != 2*SecretBytes {
		return Secret{}, ErrMalformed
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return Secret{}, ErrMalformed
		}
	}
	return Secret{hex: s, header: []byte(Scheme + " " + s)}, nil
}

// ReadLine reads the secret's line from r: the hex digits and a newline (a
// '\r' before it is allowed). It reads one byte at a time and stops at the
// newline, so everything after the line is left in r for the caller. It
// reads at most a bounded number of bytes, and returns ErrNoLine when r ends
// first, ErrMalformed when the line is not a secret, or r's error.
func ReadLine(r io.Reader) (Secret, error) {
	line := make([]byte, 0, maxLine)
	var b [1]byte
	for len(line) < maxLine {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				if k := len(line); k > 0 && line[k-1] == '\r' {
					line = line[:k-1]
				}
				return Parse(string(line))
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			return Secret{}, ErrNoLine
		}
		if err != nil {
			return Secret{}, fmt.Errorf("reading the per-run secret line: %w", err)
		}
	}
	return Secret{}, ErrMalformed
}

// ErrWrongBearer is returned by ReadBearerLine for a line that is not the
// MetadataKey value of the secret. It does not quote the line.
var ErrWrongBearer = errors.New("the connection's first line is not the per-run secret (\"" + Scheme + " <secret>\")")

// ReadBearerLine reads the first line of a connection to an endpoint of the
// peer that is not gRPC (package floor): the value the gRPC metadata key
// carries, Scheme, a space and the secret, then a newline. It returns nil
// when the line is exactly s's, comparing in constant time; otherwise
// ErrWrongBearer, ErrNoLine when r ends first, or r's error. It reads one byte
// at a time, at most a bounded number, and leaves what follows the line in r.
func (s Secret) ReadBearerLine(r io.Reader) error {
	limit := len(s.header) + 2
	line := make([]byte, 0, limit)
	var b [1]byte
	for len(line) < limit {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				if subtle.ConstantTimeCompare(line, s.header) != 1 {
					return ErrWrongBearer
				}
				return nil
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			return ErrNoLine
		}
		if err != nil {
			return fmt.Errorf("reading the per-run secret line: %w", err)
		}
	}
	return ErrWrongBearer
}

// StdinLine is the line the harness writes to the peer's stdin for s.
func (s Secret) StdinLine() string { return s.hex + "\n" }

// String hides the secret.
func (s Secret) String() string { return "peerauth.Secret(redacted)" }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// Check returns nil when ctx's incoming metadata holds exactly one
// MetadataKey value and it is s's; otherwise an Unauthenticated status that
// says what was wrong without quoting what the call sent.
func (s Secret) Check(ctx context.Context) error {
	vals := metadata.ValueFromIncomingContext(ctx, MetadataKey)
	switch {
	case len(vals) == 0:
		return status.Error(codes.Unauthenticated, "no per-run secret: the peer serves only the harness that started it (metadata "+MetadataKey+": "+Scheme+" <secret>)")
	case len(vals) > 1:
		return status.Errorf(codes.Unauthenticated, "%d %s values, want one", len(vals), MetadataKey)
	case subtle.ConstantTimeCompare([]byte(vals[0]), s.header) != 1:
		return status.Error(codes.Unauthenticated, "wrong per-run secret: the peer serves only the harness that started it")
	}
	return nil
}

// UnaryServerInterceptor refuses every unary call that Check refuses,
// before its handler runs.
func (s Secret) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := s.Check(ctx); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor refuses every streaming call that Check refuses,
// before its handler runs.
func (s Secret) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := s.Check(ss.Context()); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

// ServerOptions installs both interceptors. Given before any other
// interceptor option, they run outermost: a refused call reaches nothing.
func (s Secret) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(s.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(s.StreamServerInterceptor()),
	}
}

// PerRPCCredentials returns credentials that send s on every call of a Go
// client, over plaintext loopback too (the peer has no TLS).
func (s Secret) PerRPCCredentials() credentials.PerRPCCredentials { return bearer{s} }

type bearer struct{ s Secret }

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{MetadataKey: string(b.s.header)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }
