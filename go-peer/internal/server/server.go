// Package server implements interop.v1.PeerService over a mapped region.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/clock"
	"interop-testbed/go-peer/internal/counters"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/litmus"
	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/scope"
)

// PeerVersion is the version the peer reports in Hello.
const PeerVersion = "0.1.0"

// Limits on an AddCounters request.
const (
	MaxGoroutines      = 256
	MaxIncrements      = 1_000_000_000
	DefaultGateTimeout = 10 * time.Second
)

// Service serves PeerService over one region. Its zero value is not usable;
// call New.
type Service struct {
	interopv1.UnimplementedPeerServiceServer

	region *region.Region
	litmus litmus.Section
	logger *log.Logger

	// stop ends every AddCounters and RunLitmusActor call when Close begins.
	ctx  context.Context
	stop context.CancelCauseFunc

	mu      sync.Mutex
	closing bool
	running sync.WaitGroup // calls that may still touch the region
}

// errShuttingDown is the cause given to running calls' contexts by Close.
var errShuttingDown = errors.New("peer is shutting down")

// New returns a Service over r that logs to logger (nil: no log). r must stay
// mapped until Close has returned nil.
func New(r *region.Region, logger *log.Logger) *Service {
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	ctx, stop := context.WithCancelCause(context.Background())
	return &Service{region: r, litmus: litmus.SectionOf(r.Litmus()), logger: logger, ctx: ctx, stop: stop}
}

// NewServer returns a gRPC server with the scope interceptors installed and
// svc registered. opts come before the scope interceptors, so that an
// interceptor among them (the peer's authentication) runs outside them.
func NewServer(svc *Service, opts ...grpc.ServerOption) *grpc.Server {
	all := append(append([]grpc.ServerOption{}, opts...),
		grpc.ChainUnaryInterceptor(scope.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(scope.StreamServerInterceptor()),
	)
	s := grpc.NewServer(all...)
	interopv1.RegisterPeerServiceServer(s, svc)
	return s
}

// Close makes every running and later AddCounters call end with Unavailable,
// every running RunLitmusActor call's actor leave (aborted: "peer is shutting
// down") and every later one be refused with Unavailable, and waits until no
// call can touch the region any more. It returns ctx's error
// if ctx ends first; the region must then stay mapped. Close may be called
// more than once.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.stop(errShuttingDown)
	idle := make(chan struct{})
	go func() {
		s.running.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("AddCounters or RunLitmusActor calls still running: %w", ctx.Err())
	}
}

// Hello identifies the peer and the region it mapped.
func (s *Service) Hello(_ context.Context, req *interopv1.HelloRequest) (*interopv1.HelloResponse, error) {
	s.logger.Printf("hello from harness %q (%s, pid %d)", req.GetHarnessVersion(), req.GetHarnessArch(), req.GetHarnessPid())
	h := s.region.Header()
	return &interopv1.HelloResponse{
		PeerVersion:         PeerVersion,
		GoVersion:           runtime.Version(),
		GrpcVersion:         grpc.Version,
		Arch:                runtime.GOARCH,
		Pid:                 int64(os.Getpid()),
		RegionPath:          s.region.Path(),
		RegionLayoutVersion: h.LayoutVersion,
		RegionSize:          uint64(s.region.Size()),
	}, nil
}

// Inspect counts live goroutines, overall and per scope id. The goroutine
// serving the Inspect call itself is not counted under its own scope id.
func (s *Service) Inspect(ctx context.Context, req *interopv1.InspectRequest) (*interopv1.InspectResponse, error) {
	counts, err := scope.Count(req.GetScopeIds()...)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	now, err := clock.Read()
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if own, ok := scope.Of(ctx); ok {
		if c, ok := counts[own]; ok {
			counts[own] = c - 1
			if c == 1 && len(req.GetScopeIds()) == 0 {
				delete(counts, own)
			}
		}
	}
	resp := &interopv1.InspectResponse{
		GoroutinesTotal:   int32(runtime.NumGoroutine()),
		GoroutinesByScope: make(map[string]int32, len(counts)),
		MonotonicNs:       now,
	}
	for id, c := range counts {
		resp.GoroutinesByScope[id] = int32(c)
	}
	return resp, nil
}

// AddCounters validates the request, runs the goroutines and reports what
// they did. Errors: InvalidArgument for a bad request, DeadlineExceeded when
// the start gate stays shut past its timeout or the call's deadline passes,
// Canceled when the caller cancels, Unavailable when the peer shuts down.
func (s *Service) AddCounters(ctx context.Context, req *interopv1.AddCountersRequest) (*interopv1.AddCountersResponse, error) {
	spec, err := s.spec(req)
	if err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.running.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.ctx, cancel)()

	total := uint64(req.GetGoroutines()) * req.GetIncrementsPerGoroutine()
	res, err := counters.Run(ctx, spec)
	if err == nil {
		return &interopv1.AddCountersResponse{IncrementsDone: res.Done, ElapsedNs: int64(res.Elapsed)}, nil
	}
	var gateErr *counters.GateTimeoutError
	switch {
	case errors.As(err, &gateErr):
		return nil, status.Error(codes.DeadlineExceeded, gateErr.Error())
	case s.ctx.Err() != nil:
		return nil, status.Errorf(codes.Unavailable, "peer is shutting down: AddCounters stopped after %d of %d increments", res.Done, total)
	case errors.Is(err, context.Canceled):
		return nil, status.Errorf(codes.Canceled, "AddCounters canceled after %d of %d increments", res.Done, total)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, status.Errorf(codes.DeadlineExceeded, "AddCounters deadline passed after %d of %d increments", res.Done, total)
	}
	return nil, status.Error(codes.Internal, err.Error())
}

// enter counts a call that will touch the region into s.running, or refuses
// it with Unavailable once Close has begun. A nil return must be paired with
// s.running.Done.
func (s *Service) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return status.Error(codes.Unavailable, "peer is shutting down")
	}
	s.running.Add(1)
	return nil
}

// RunLitmusActor validates the actor against the test in the region's litmus
// section, runs it on a goroutine of its own locked to an OS thread, and
// replies when the actor leaves, with how many rounds it ran and consumed
// and, if it left aborted (the abort word, its stall timeout, the call
// ending: "call cancelled", or the peer shutting down), why. The kernel is
// one this peer was built with (litmus.Generated), which carries its own
// locations and values: the request's p_offset, q_offset, value1 and value2
// are not read. Errors, before anything runs: InvalidArgument for a bad
// request or descriptor or a kernel the peer was not built with (the message
// names those it was), FailedPrecondition when the section holds another
// generation, Unavailable when the peer shuts down.
func (s *Service) RunLitmusActor(ctx context.Context, req *interopv1.RunLitmusActorRequest) (*interopv1.RunLitmusActorResponse, error) {
	actor, err := litmus.Prepare(s.litmus, litmus.Spec{
		Actor:        int(req.GetActor()),
		Kernel:       req.GetKernel(),
		Generation:   req.GetGeneration(),
		StallTimeout: time.Duration(req.GetStallTimeoutMs()) * time.Millisecond,
	})
	if err != nil {
		var refused *litmus.RefusedError
		switch {
		case errors.As(err, &refused) && refused.StaleGeneration:
			return nil, status.Error(codes.FailedPrecondition, err.Error())
		case refused != nil:
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		return nil, status.Error(codes.Internal, err.Error())
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.running.Done()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer context.AfterFunc(s.ctx, func() { cancel(context.Cause(s.ctx)) })()

	// The actor's goroutine inherits this one's profiler labels, so it is
	// counted under the call's scope id until it ends.
	left := make(chan litmus.Result, 1)
	go func() { left <- actor.Run(ctx) }()
	res := <-left
	if res.Aborted {
		s.logger.Printf("litmus actor %d (%s, generation %d) aborted after %d rounds: %s", req.GetActor(), req.GetKernel(), req.GetGeneration(), res.Rounds, res.AbortReason)
	}
	return &interopv1.RunLitmusActorResponse{
		Rounds:         res.Rounds,
		RoundsConsumed: res.RoundsConsumed,
		Aborted:        res.Aborted,
		AbortReason:    res.AbortReason,
		ElapsedNs:      int64(res.Elapsed),
	}, nil
}

// spec turns a request into a counters.Spec, or an InvalidArgument error
// naming the first bad field.
func (s *Service) spec(req *interopv1.AddCountersRequest) (counters.Spec, error) {
	var spec counters.Spec
	slot := req.GetSlot()
	switch req.GetBlock() {
	case interopv1.Block_BLOCK_COUNTERS:
		if slot >= region.CounterSlots {
			return spec, status.Errorf(codes.InvalidArgument, "slot %d out of range: BLOCK_COUNTERS has %d slots (0..%d)", slot, region.CounterSlots, region.CounterSlots-1)
		}
		spec.Word = s.region.Counter(int(slot))
	case interopv1.Block_BLOCK_PACKED:
		if slot >= region.PackedSlots {
			return spec, status.Errorf(codes.InvalidArgument, "slot %d out of range: BLOCK_PACKED has %d slots (0..%d)", slot, region.PackedSlots, region.PackedSlots-1)
		}
		spec.Word = s.region.Packed(int(slot))
	default:
		return spec, status.Errorf(codes.InvalidArgument, "block %v: want BLOCK_COUNTERS or BLOCK_PACKED", req.GetBlock())
	}
	if g := req.GetGoroutines(); g < 1 || g > MaxGoroutines {
		return spec, status.Errorf(codes.InvalidArgument, "goroutines %d out of range: want 1 to %d", g, MaxGoroutines)
	}
	spec.Goroutines = int(req.GetGoroutines())
	if n := req.GetIncrementsPerGoroutine(); n > MaxIncrements {
		return spec, status.Errorf(codes.InvalidArgument, "increments_per_goroutine %d out of range: want at most %d", n, MaxIncrements)
	}
	spec.Increments = req.GetIncrementsPerGoroutine()
	if req.GetUseStartGate() {
		timeout := time.Duration(req.GetGateTimeoutMs()) * time.Millisecond
		if timeout == 0 {
			timeout = DefaultGateTimeout
		}
		spec.Gate = &counters.Gate{
			Open:    s.region.ControlWord(region.ControlStartGate),
			Ready:   s.region.ControlWord(region.ControlReadyCount),
			Timeout: timeout,
		}
	}
	return spec, nil
}
