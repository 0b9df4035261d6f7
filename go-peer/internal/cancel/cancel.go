// Package cancel implements interop.v1.CancelService: handlers that fan work
// out to goroutines, end it when the call's context ends, and record what the
// context said, so that the harness can check the status, the cause and the
// latency of every cancel (docs/CANCELLATION.md, docs/PROTOCOL.md).
package cancel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/clock"
	"interop-testbed/go-peer/internal/fault"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
)

// Limits on a WorkSpec and on Observe.
const (
	MaxCallIDLength     = 128
	MaxGoroutines       = 256
	MaxIgnoreContext    = 10 * time.Second
	MaxObserveWait      = 10 * time.Second
	MaxRecords          = 16384 // tough mode's burst of 10,000 calls, each observed
	DefaultTickInterval = time.Millisecond
	MaxCompleteAfter    = 60 * time.Second
	MaxServerDeadline   = 60 * time.Second
	MaxPeerNative       = 8
	// PeerNativeJoinBound is how long the peer's native workers get to stop on the flag.
	PeerNativeJoinBound = 5 * time.Second
	// StopBound is how long a handler waits, once its context ended, for its goroutines
	// to stop before it records its end anyway: goroutines_stopped then counts those that
	// had stopped, and the rest are a leak the harness names.
	StopBound = 2 * time.Second
)

// Flags gives the address of region cancel flag i, for sync/atomic; nil
// means the service has no region and refuses WorkSpec.region_cancel_flag.
type Flags func(i int) *int64

// Service serves CancelService. Its zero value is not usable; call New.
type Service struct {
	interopv1.UnimplementedCancelServiceServer

	flags     Flags
	flagCount int
	// stopBound is StopBound; tests shorten it.
	stopBound time.Duration
	// IgnoreContext is the planted regression of the peer's -fault
	// ignore-context (package fault); 0, the contract, unless set before serving.
	IgnoreContext fault.IgnoreContext

	mu      sync.Mutex
	pending map[string]chan struct{} // call ids whose work runs; closed when recorded
	records map[string]*interopv1.ObserveResponse
	order   []string // record call ids, oldest first, for eviction
}

// New returns a Service whose handlers may set the flagCount region cancel
// flags that flags addresses (flags nil, flagCount 0: no region).
func New(flags Flags, flagCount int) *Service {
	return &Service{
		flags:     flags,
		flagCount: flagCount,
		stopBound: StopBound,
		pending:   map[string]chan struct{}{},
		records:   map[string]*interopv1.ObserveResponse{},
	}
}

// CauseError is the error a handler's context is cancelled with when the
// cancel carries a protocol cause: context.Cause returns it, and errors.As
// finds it.
type CauseError struct {
	Cause *interopv1.CancelCause
}

func (e *CauseError) Error() string {
	return fmt.Sprintf("cancelled by %s: %s", e.Cause.GetDomain(), e.Cause.GetReason())
}

// Echo replies at once with the peer's CLOCK_MONOTONIC.
func (s *Service) Echo(_ context.Context, req *interopv1.EchoRequest) (*interopv1.EchoResponse, error) {
	return &interopv1.EchoResponse{SentNs: req.GetSentNs(), PeerNs: clock.Fast()}, nil
}

// Work runs spec's work until the call's context ends, and ends the call
// with the context's error as a status (Canceled or DeadlineExceeded).
func (s *Service) Work(ctx context.Context, req *interopv1.WorkRequest) (*interopv1.WorkResponse, error) {
	w, err := s.begin(ctx, "Work", req.GetSpec())
	if err != nil {
		return nil, err
	}
	w.wait()
	if err := w.finish(); err != nil {
		return nil, err
	}
	return &interopv1.WorkResponse{}, nil
}

// WorkStream runs spec's work and sends a tick every tick interval until the
// call's context ends or, after server_cancel_after ticks, the handler
// cancels the call itself with server_cause. Either way every goroutine has
// ended before it returns; the status is as finish describes.
func (s *Service) WorkStream(req *interopv1.WorkStreamRequest, stream interopv1.CancelService_WorkStreamServer) error {
	spec := req.GetSpec()
	w, err := s.begin(stream.Context(), "WorkStream", spec)
	if err != nil {
		return err
	}
	if spec.GetServerCancelAfter() > 0 {
		w.prepareServerStatus()
	}
	if spec.GetHeadersOnly() {
		if err := stream.SendHeader(metadata.MD{}); err != nil {
			w.cancel(err)
		}
		w.wait()
		return w.finish()
	}
	interval := time.Duration(spec.GetTickIntervalMs()) * time.Millisecond
	if interval == 0 {
		interval = DefaultTickInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for seq := uint64(1); ; seq++ {
		if err := stream.Send(&interopv1.WorkStreamResponse{Seq: seq, MonotonicNs: clock.Fast()}); err != nil {
			w.cancel(err)
			break
		}
		if n := spec.GetServerCancelAfter(); n > 0 && seq >= uint64(n) {
			w.serverCancel(spec.GetServerCause())
			break
		}
		select {
		case <-w.ctx.Done():
		case <-w.completed:
		case <-ticker.C:
			continue
		}
		break
	}
	return w.finish()
}

// Converse starts spec's work on the first message, which must be a start,
// replies with one tick, and then reads the stream: a CancelNotice cancels
// the work with a CauseError holding its cause (the protocol's cancel), the
// client's half-close is ignored, and the call's own end (a plain cancel,
// a deadline) ends the work as for Work. With a CancelNotice the call ends
// with Canceled and the cause as google.rpc.ErrorInfo details.
func (s *Service) Converse(stream interopv1.CancelService_ConverseServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	if first.GetStart() == nil {
		return status.Error(codes.InvalidArgument, "Converse: the first message must be a start")
	}
	w, err := s.begin(stream.Context(), "Converse", first.GetStart())
	if err != nil {
		return err
	}
	if err := stream.Send(&interopv1.ConverseResponse{Seq: 1, MonotonicNs: clock.Fast()}); err != nil {
		w.cancel(err)
		return w.finish()
	}
	// The reader ends when the stream does: after the client's half-close, or
	// when the handler returns and gRPC cancels the stream.
	go func() {
		for {
			msg, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					w.cancel(err)
				}
				return
			}
			if n := msg.GetCancel(); n != nil {
				w.noticeCancel(n.GetCause())
			}
		}
	}()
	w.wait()
	return w.finish()
}

// Collect is the client-streaming shape: the first message must be a start;
// later chunks are counted and a CancelNotice cancels the work with its cause,
// as for Converse. The client's half-close cancels nothing. Work that
// completes replies with the number of chunks read; otherwise the call ends as
// finish says.
func (s *Service) Collect(stream interopv1.CancelService_CollectServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	if first.GetStart() == nil {
		return status.Error(codes.InvalidArgument, "Collect: the first message must be a start")
	}
	w, err := s.begin(stream.Context(), "Collect", first.GetStart())
	if err != nil {
		return err
	}
	var chunks atomic.Uint64
	go func() {
		for {
			msg, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					w.cancel(err)
				}
				return
			}
			switch k := msg.GetKind().(type) {
			case *interopv1.CollectRequest_Chunk:
				chunks.Add(1)
			case *interopv1.CollectRequest_Cancel:
				w.noticeCancel(k.Cancel.GetCause())
			}
		}
	}()
	w.wait()
	if err := w.finish(); err != nil {
		return err
	}
	return stream.SendAndClose(&interopv1.CollectResponse{Chunks: chunks.Load()})
}

// Observe returns the record of call_id's work, waiting up to wait_ms for
// work that is still running. found is false when there is no record.
func (s *Service) Observe(ctx context.Context, req *interopv1.ObserveRequest) (*interopv1.ObserveResponse, error) {
	wait := time.Duration(req.GetWaitMs()) * time.Millisecond
	if wait > MaxObserveWait {
		return nil, status.Errorf(codes.InvalidArgument, "wait_ms %d: at most %d", req.GetWaitMs(), MaxObserveWait.Milliseconds())
	}
	s.mu.Lock()
	done, running := s.pending[req.GetCallId()]
	s.mu.Unlock()
	if running && wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[req.GetCallId()]; ok {
		return r, nil
	}
	return &interopv1.ObserveResponse{Found: false, CallId: req.GetCallId()}, nil
}
