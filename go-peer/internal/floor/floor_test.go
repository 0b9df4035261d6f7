package floor

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"interop-testbed/go-peer/internal/clock"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/peerauth"
)

const hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// testBound bounds every read and write of these tests.
const testBound = 5 * time.Second

func newService(t *testing.T) *Service {
	t.Helper()
	secret, err := peerauth.Parse(hex64)
	if err != nil {
		t.Fatal(err)
	}
	s := New(secret)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// dial opens a floor and connects to it, sending line first.
func dial(t *testing.T, s *Service, line string) net.Conn {
	t.Helper()
	r, err := s.OpenFloor(context.Background(), &interopv1.OpenFloorRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.GetAddress(), "127.0.0.1:") {
		t.Fatalf("floor address %q, want loopback", r.GetAddress())
	}
	c, err := net.DialTimeout("tcp", r.GetAddress(), testBound)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(testBound))
	if _, err := io.WriteString(c, line); err != nil {
		t.Fatal(err)
	}
	return c
}

func frame(op byte, pauseUs uint32, ns int64) []byte {
	b := make([]byte, FrameBytes)
	b[0] = op
	binary.LittleEndian.PutUint32(b[4:8], pauseUs)
	binary.LittleEndian.PutUint64(b[8:], uint64(ns))
	return b
}

// exchange writes f and reads the answer: its op and instant.
func exchange(t *testing.T, c net.Conn, f []byte) (byte, int64, error) {
	t.Helper()
	if _, err := c.Write(f); err != nil {
		return 0, 0, err
	}
	var in [FrameBytes]byte
	if _, err := io.ReadFull(c, in[:]); err != nil {
		return 0, 0, err
	}
	return in[0], int64(binary.LittleEndian.Uint64(in[8:])), nil
}

func TestPingIsAnsweredWithTheInstantThePeerReadIt(t *testing.T) {
	c := dial(t, newService(t), "Bearer "+hex64+"\n")
	for i := 0; i < 3; i++ {
		before := clock.Monotonic()
		op, at, err := exchange(t, c, frame(OpPing, 0, before))
		after := clock.Monotonic()
		if err != nil {
			t.Fatal(err)
		}
		if op != OpPing || at < before || at > after {
			t.Errorf("ping %d: answer op %q at %d, want 'P' between %d and %d", i, op, at, before, after)
		}
	}
}

func TestSendIsAnsweredAfterItsPause(t *testing.T) {
	c := dial(t, newService(t), "Bearer "+hex64+"\n")
	before := clock.Monotonic()
	op, at, err := exchange(t, c, frame(OpSend, 20_000, before))
	if err != nil {
		t.Fatal(err)
	}
	if op != OpSend || at-before < (20*time.Millisecond).Nanoseconds() || at > clock.Monotonic() {
		t.Errorf("send: answer op %q %d ns after the request, want 'S' at least 20 ms after", op, at-before)
	}
}

// A connection that does not show the secret is closed unanswered, and the
// floor still waits for the harness's.
func TestAConnectionWithoutTheSecretIsClosedUnanswered(t *testing.T) {
	s := newService(t)
	other, err := peerauth.Generate()
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.OpenFloor(context.Background(), &interopv1.OpenFloorRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Bearer " + strings.TrimSpace(other.StdinLine()) + "\n",
		hex64 + "\n",
		string(frame(OpPing, 0, 1)),
	} {
		c, err := net.DialTimeout("tcp", r.GetAddress(), testBound)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(testBound))
		if _, err := io.WriteString(c, line); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write(frame(OpPing, 0, 1))
		if n, err := c.Read(make([]byte, FrameBytes)); n != 0 || err == nil {
			t.Errorf("%.12q…: read %d bytes (%v), want the connection closed unanswered", line, n, err)
		}
		c.Close()
	}
	c, err := net.DialTimeout("tcp", r.GetAddress(), testBound)
	if err != nil {
		t.Fatalf("the floor stopped listening after refusing strangers: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testBound))
	_, _ = io.WriteString(c, "Bearer "+hex64+"\n")
	if _, _, err := exchange(t, c, frame(OpPing, 0, 1)); err != nil {
		t.Errorf("the harness's connection after the strangers': %v", err)
	}
}

func TestAFrameOutsideTheProtocolClosesTheConnection(t *testing.T) {
	s := newService(t)
	bad := map[string][]byte{
		"unknown op":         frame('X', 0, 1),
		"ping with a pause":  frame(OpPing, 1, 1),
		"pause over the max": frame(OpSend, uint32(MaxPause/time.Microsecond)+1, 1),
		"padding not zero":   append([]byte{OpPing, 1}, make([]byte, FrameBytes-2)...),
	}
	for name, f := range bad {
		c := dial(t, s, "Bearer "+hex64+"\n")
		if _, _, err := exchange(t, c, f); !errors.Is(err, io.EOF) {
			t.Errorf("%s: %v, want the connection closed (EOF)", name, err)
		}
	}
}

// Close ends the floor's connections and listeners, and refuses new floors.
func TestCloseEndsEverything(t *testing.T) {
	secret, err := peerauth.Parse(hex64)
	if err != nil {
		t.Fatal(err)
	}
	s := New(secret)
	c := dial(t, s, "Bearer "+hex64+"\n")
	if _, _, err := exchange(t, c, frame(OpPing, 0, 1)); err != nil {
		t.Fatal(err)
	}
	waiting, err := s.OpenFloor(context.Background(), &interopv1.OpenFloorRequest{})
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(testBound):
		t.Fatal("Close did not return: a floor goroutine still runs")
	}
	if _, _, err := exchange(t, c, frame(OpPing, 0, 1)); err == nil {
		t.Error("a floor connection answered after Close")
	}
	if d, err := net.DialTimeout("tcp", waiting.GetAddress(), testBound); err == nil {
		d.Close()
		t.Error("a floor listener accepted after Close")
	}
	if _, err := s.OpenFloor(context.Background(), &interopv1.OpenFloorRequest{}); err == nil {
		t.Error("OpenFloor after Close succeeded")
	}
}
