// Package floor serves interop.v1.FloorService: the cheapest way the harness
// and the peer can tell each other anything, which `make bench-cancel` measures
// beside its cancel latencies and the gRPC round trip (docs/CANCELLATION.md,
// "The floor"). Fixed 16-byte frames on a plain loopback TCP connection, each
// end blocked in a read until the other writes: no HTTP/2, no protobuf, no
// executor between the socket and the code that answers.
//
// The frame (proto/interop/v1/floor.proto draws it):
//
//	offset 0  op       OpPing or OpSend
//	offset 1  3 bytes  zero
//	offset 4  uint32   pause in microseconds (OpSend only; at most MaxPause)
//	offset 8  int64    CLOCK_MONOTONIC (ns) of the frame's sender
//
// All integers little-endian. A connection's first line must be the run's
// secret as peerauth.Secret.ReadBearerLine reads it; one that sends anything
// else, or a frame that is not the protocol's, is closed without an answer.
package floor

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/clock"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/peerauth"
)

// Frame layout and bounds.
const (
	FrameBytes = 16
	// OpPing is answered at once with the instant the peer read the frame.
	OpPing byte = 'P'
	// OpSend is answered after the frame's pause with the instant the peer
	// wrote the answer: a message the peer starts, to a reader already waiting.
	OpSend byte = 'S'
	// MaxPause bounds an OpSend's pause.
	MaxPause = 100 * time.Millisecond
	// AcceptBound is how long an OpenFloor listener waits for a connection
	// that shows the secret; it is then closed.
	AcceptBound = 5 * time.Second
	// AuthBound is how long a connection gets to send its secret line.
	AuthBound = 2 * time.Second
)

// Service serves FloorService. Its zero value is not usable; call New.
type Service struct {
	interopv1.UnimplementedFloorServiceServer

	secret peerauth.Secret

	mu     sync.Mutex
	closed bool
	open   map[io.Closer]struct{} // listeners and connections, closed by Close
	wg     sync.WaitGroup
}

// New returns a Service whose connections must show secret.
func New(secret peerauth.Secret) *Service {
	return &Service{secret: secret, open: map[io.Closer]struct{}{}}
}

// OpenFloor listens on 127.0.0.1, a free port, for one connection and
// returns the address. The listener closes once a connection has shown the
// secret, or after AcceptBound; that connection is served until either end
// closes it, or Close.
func (s *Service) OpenFloor(context.Context, *interopv1.OpenFloorRequest) (*interopv1.OpenFloorResponse, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "floor: listen on loopback: %v", err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		lis.Close()
		return nil, status.Error(codes.Unavailable, "floor: the peer is stopping")
	}
	s.open[lis] = struct{}{}
	s.wg.Add(1) // under mu, before Close can see closed: Close's Wait counts it
	s.mu.Unlock()
	_ = lis.(*net.TCPListener).SetDeadline(time.Now().Add(AcceptBound))
	go func() {
		defer s.wg.Done()
		c := s.acceptOne(lis)
		s.untrack(lis)
		lis.Close()
		if c != nil {
			s.serve(c)
		}
	}()
	return &interopv1.OpenFloorResponse{Address: lis.Addr().String()}, nil
}

// acceptOne returns the first connection that shows the secret, or nil when
// the listener's deadline passed or it was closed.
func (s *Service) acceptOne(lis net.Listener) net.Conn {
	for {
		c, err := lis.Accept()
		if err != nil {
			return nil
		}
		if !s.track(c) {
			c.Close()
			return nil
		}
		_ = c.SetReadDeadline(time.Now().Add(AuthBound))
		if err := s.secret.ReadBearerLine(c); err != nil {
			s.untrack(c)
			c.Close()
			continue
		}
		_ = c.SetReadDeadline(time.Time{})
		return c
	}
}

// serve answers c's frames until c ends or sends what is not a frame.
func (s *Service) serve(c net.Conn) {
	defer func() {
		s.untrack(c)
		c.Close()
	}()
	var in, out [FrameBytes]byte
	for {
		if _, err := io.ReadFull(c, in[:]); err != nil {
			return
		}
		read := clock.Monotonic()
		op, pause := in[0], time.Duration(binary.LittleEndian.Uint32(in[4:8]))*time.Microsecond
		var at int64
		switch {
		case in[1] != 0 || in[2] != 0 || in[3] != 0:
			return
		case op == OpPing && pause == 0:
			at = read
		case op == OpSend && pause <= MaxPause:
			time.Sleep(pause)
			at = clock.Monotonic()
		default:
			return
		}
		out = [FrameBytes]byte{op}
		binary.LittleEndian.PutUint64(out[8:], uint64(at))
		if _, err := c.Write(out[:]); err != nil {
			return
		}
	}
}

func (s *Service) track(c io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.open[c] = struct{}{}
	return true
}

func (s *Service) untrack(c io.Closer) {
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
}

// Close closes every listener and connection and waits for their goroutines
// to end; OpenFloor refuses calls after it.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	var errs []error
	for c := range s.open {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return errors.Join(errs...)
}
