// Package scopesvc implements interop.v1.ScopeService: the Go side of a Java
// structured scope (docs/SCOPES.md). A scope id is opened with BeginScope;
// every call of the scope carries it as metadata, so the scope interceptors
// (package scope) label every goroutine its handler starts with it. A handler
// runs an errgroup (optionally an errgroup inside each of its goroutines) and
// guarantees that every goroutine of that errgroup has ended, and the region
// cancel flag it was given is set, before it returns. EndScope hands back what
// each handler saw and waits, bounded, for the scope's goroutine count to
// reach zero.
package scopesvc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/clock"
	"interop-testbed/go-peer/internal/fault"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/nativework"
	"interop-testbed/go-peer/internal/scope"
)

// Limits on a HoldSpec and on EndScope.
const (
	MaxCallIDLength  = 128
	MaxGoroutines    = 64
	MaxNested        = 16
	MaxLeak          = 10 * time.Second
	MaxEndScopeWait  = 10 * time.Second
	MaxOpenScopes    = 4096
	DomainGo         = "testbed.go"
	ReasonGoroutine  = "GOROUTINE_FAILED"
	countPollPeriod  = time.Millisecond
	maxRecordsPerEnd = 1024
	// ReaderJoinBound: after a successful Hold has sent its result, the handler
	// waits this long for the client's half-close to end its reader goroutine.
	ReaderJoinBound = time.Second
	// NativeJoinBound: a goroutine's native worker must end this long after its flag is set.
	NativeJoinBound = time.Second
)

// Flags gives the address of region cancel flag i, for sync/atomic; nil means
// the service has no region and refuses HoldSpec.region_cancel_flag.
type Flags func(i int) *int64

// Service serves ScopeService. Its zero value is not usable; call New.
type Service struct {
	interopv1.UnimplementedScopeServiceServer

	flags     Flags
	flagCount int
	// IgnoreContext is the planted regression of the peer's -fault
	// ignore-context (package fault); 0, the contract, unless set before serving.
	IgnoreContext fault.IgnoreContext

	mu     sync.Mutex
	scopes map[string]*scopeState
	// abandoned: native worker groups a broken goroutine left running (native_leak), for PeerNative's reap.
	abandoned []*nativework.Group
}

type scopeState struct {
	callIDs map[string]bool
	records []*interopv1.CallRecord
	running int
}

// New returns a Service whose handlers may set the flagCount region cancel
// flags that flags addresses (nil, 0: no region).
func New(flags Flags, flagCount int) *Service {
	return &Service{flags: flags, flagCount: flagCount, scopes: map[string]*scopeState{}}
}

// GoroutineError is the error a failing goroutine of an errgroup returns; the
// call then ends with Aborted and google.rpc.ErrorInfo GOROUTINE_FAILED.
type GoroutineError struct {
	CallID    string
	Goroutine int
}

func (e *GoroutineError) Error() string {
	return fmt.Sprintf("goroutine %d of call %s failed", e.Goroutine, e.CallID)
}

// BeginScope opens a scope id. opened is false when it was already open.
func (s *Service) BeginScope(_ context.Context, req *interopv1.BeginScopeRequest) (*interopv1.BeginScopeResponse, error) {
	id := req.GetScopeId()
	if err := validScopeID(id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.scopes[id]; ok {
		return &interopv1.BeginScopeResponse{Opened: false}, nil
	}
	if len(s.scopes) >= MaxOpenScopes {
		return nil, status.Errorf(codes.ResourceExhausted, "%d scopes are open: end some with EndScope", len(s.scopes))
	}
	s.scopes[id] = &scopeState{callIDs: map[string]bool{}}
	return &interopv1.BeginScopeResponse{Opened: true}, nil
}

func validScopeID(id string) error {
	if id == "" || len(id) > scope.MaxIDLength {
		return status.Errorf(codes.InvalidArgument, "scope_id: %d bytes, want 1 to %d", len(id), scope.MaxIDLength)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return status.Errorf(codes.InvalidArgument, "scope_id %q: control characters are not allowed", id)
		}
	}
	return nil
}

// EndScope waits up to wait_ms for the scope's goroutines to end, then
// forgets the scope and returns the records of its calls.
func (s *Service) EndScope(ctx context.Context, req *interopv1.EndScopeRequest) (*interopv1.EndScopeResponse, error) {
	wait := time.Duration(req.GetWaitMs()) * time.Millisecond
	if wait > MaxEndScopeWait {
		return nil, status.Errorf(codes.InvalidArgument, "wait_ms %d: at most %d", req.GetWaitMs(), MaxEndScopeWait.Milliseconds())
	}
	id := req.GetScopeId()
	s.mu.Lock()
	_, known := s.scopes[id]
	s.mu.Unlock()
	if !known {
		return &interopv1.EndScopeResponse{Known: false}, nil
	}
	live, err := count(id)
	if err != nil {
		return nil, err
	}
	resp := &interopv1.EndScopeResponse{Known: true, LiveAtCall: int32(live)}
	if live == 0 {
		resp.LiveZeroNs = clock.Monotonic()
	}
	deadline := time.Now().Add(wait)
	for live > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		case <-time.After(countPollPeriod):
		}
		if live, err = count(id); err != nil {
			return nil, err
		}
		if live == 0 {
			resp.LiveZeroNs = clock.Monotonic()
		}
	}
	resp.Live = int32(live)
	s.mu.Lock()
	st := s.scopes[id]
	delete(s.scopes, id)
	s.mu.Unlock()
	if st != nil {
		resp.Calls = st.records
		resp.CallsRunning = uint32(st.running)
	}
	resp.MonotonicNs = clock.Monotonic()
	return resp, nil
}

func count(id string) (int, error) {
	c, err := scope.Count(id)
	if err != nil {
		return 0, status.Error(codes.Internal, err.Error())
	}
	return c[id], nil
}

// Hold runs the errgroup of the first message's spec and replies with
// started; a later CancelNotice cancels it with its cause, the client's
// half-close alone cancels nothing. The call ends as HoldSpec's comments say.
// After a successful result the handler waits (at most ReaderJoinBound) for
// the client's half-close, so that its reader goroutine has ended when it
// returns; on other ends the status ends the call and the reader ends right
// after the handler. The call's record is filed, with ended_ns, when both the
// handler has returned and its reader has ended.
func (s *Service) Hold(stream interopv1.ScopeService_HoldServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	if first.GetStart() == nil {
		return status.Error(codes.InvalidArgument, "Hold: the first message must be a start")
	}
	c, err := s.begin(stream.Context(), "Hold", first.GetStart())
	if err != nil {
		return err
	}
	defer c.partDone() // the handler's return
	c.start()
	if err := stream.Send(&interopv1.HoldResponse{Kind: &interopv1.HoldResponse_Started{Started: c.started()}}); err != nil {
		c.stop(err)
		return c.finish()
	}
	readerDone := make(chan struct{})
	c.parts.Add(1)
	go func() {
		defer c.partDone()
		defer close(readerDone)
		for {
			msg, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					c.stop(err)
				}
				return
			}
			if n := msg.GetCancel(); n != nil && !c.spec.GetIgnoreNotice() {
				c.notice(n.GetCause())
			}
		}
	}()
	if err := c.finish(); err != nil {
		return err
	}
	if err := stream.Send(&interopv1.HoldResponse{Kind: &interopv1.HoldResponse_Result{Result: c.result()}}); err != nil {
		return err
	}
	t := time.NewTimer(ReaderJoinBound)
	defer t.Stop()
	select {
	case <-readerDone:
	case <-t.C: // a client that never half-closes: the reader ends when the call does, and the record says when
	}
	return nil
}

// HoldUnary runs spec's errgroup in a unary call and replies when it ends.
func (s *Service) HoldUnary(ctx context.Context, req *interopv1.HoldUnaryRequest) (*interopv1.HoldUnaryResponse, error) {
	c, err := s.begin(ctx, "HoldUnary", req.GetSpec())
	if err != nil {
		return nil, err
	}
	defer c.partDone() // the handler's return
	c.start()
	if err := c.finish(); err != nil {
		return nil, err
	}
	return &interopv1.HoldUnaryResponse{Result: c.result()}, nil
}
