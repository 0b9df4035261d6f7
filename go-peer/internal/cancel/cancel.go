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

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/clock"
	"interop-testbed/go-peer/internal/fault"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/nativework"
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

// work is one call's fanned-out goroutines and what they observed. Its
// instants are CLOCK_MONOTONIC read through the vDSO (clock.Fast): a system
// call per instant would add to the latencies they measure.
type work struct {
	svc   *Service
	rpc   string
	spec  *interopv1.WorkSpec
	ctx   context.Context
	stop  context.CancelCauseFunc
	group sync.WaitGroup
	// completed is closed when every goroutine has ended (completed or cancelled).
	completed chan struct{}
	// releaseDeadline releases the server deadline's timer (server_deadline_ms).
	releaseDeadline context.CancelFunc
	deadlineNs      int64
	// native is the peer's own native worker group (peer_native_workers), or nil.
	native *nativework.Group

	started       int
	stopped       atomic.Int32
	firstObserved atomic.Int64
	lastStopped   atomic.Int64
	flagSetNs     atomic.Int64

	mu              sync.Mutex
	protocolCause   *interopv1.CancelCause
	fromNotice      bool
	serverCancelled int64

	// serverStatus is the status a cancel with the spec's server_cause ends
	// the call with, built before that cancel (prepareServerStatus); nil: none.
	serverStatus error
}

// begin validates spec, claims its call id and starts its goroutines under a
// context derived from ctx that the handler can cancel with a cause.
func (s *Service) begin(ctx context.Context, rpc string, spec *interopv1.WorkSpec) (*work, error) {
	if err := s.validate(spec); err != nil {
		return nil, err
	}
	id := spec.GetCallId()
	s.mu.Lock()
	if _, dup := s.pending[id]; dup {
		s.mu.Unlock()
		return nil, status.Errorf(codes.AlreadyExists, "call id %q is already running", id)
	}
	if _, dup := s.records[id]; dup {
		s.mu.Unlock()
		return nil, status.Errorf(codes.AlreadyExists, "call id %q was already used", id)
	}
	s.pending[id] = make(chan struct{})
	s.mu.Unlock()

	n := int(spec.GetGoroutines())
	if n == 0 {
		n = 1
	}
	release, deadlineNs := context.CancelFunc(func() {}), int64(0)
	if d := time.Duration(spec.GetServerDeadlineMs()) * time.Millisecond; d > 0 {
		deadlineNs = clock.Fast() + d.Nanoseconds()
		ctx, release = context.WithTimeout(ctx, d)
	}
	wctx, stop := context.WithCancelCause(ctx)
	w := &work{svc: s, rpc: rpc, spec: spec, ctx: wctx, stop: stop, started: n,
		completed: make(chan struct{}), releaseDeadline: release, deadlineNs: deadlineNs}
	var flag *int64
	if f := spec.GetRegionCancelFlag(); f > 0 {
		flag = s.flags(int(f - 1))
	}
	if k := spec.GetPeerNativeWorkers(); k > 0 {
		g, err := nativework.Start(int(k), flag)
		if err != nil {
			stop(context.Canceled)
			release()
			s.mu.Lock()
			close(s.pending[id])
			delete(s.pending, id)
			s.mu.Unlock()
			return nil, status.Errorf(codes.FailedPrecondition, "peer_native_workers: %v", err)
		}
		w.native = g
	}
	for i := 0; i < n; i++ {
		w.group.Add(1)
		go w.goroutine(i == 0, flag)
	}
	go func() {
		w.group.Wait()
		close(w.completed)
	}()
	return w, nil
}

// wait returns when the work's context has ended or every goroutine has
// completed by itself (complete_after_ms).
func (w *work) wait() {
	select {
	case <-w.ctx.Done():
	case <-w.completed:
	}
}

func (s *Service) validate(spec *interopv1.WorkSpec) error {
	switch id := spec.GetCallId(); {
	case spec == nil:
		return status.Error(codes.InvalidArgument, "no WorkSpec")
	case id == "" || len(id) > MaxCallIDLength:
		return status.Errorf(codes.InvalidArgument, "call_id: %d bytes, want 1 to %d", len(id), MaxCallIDLength)
	case spec.GetGoroutines() > MaxGoroutines:
		return status.Errorf(codes.InvalidArgument, "goroutines %d: at most %d", spec.GetGoroutines(), MaxGoroutines)
	case spec.GetPeerNativeWorkers() > MaxPeerNative:
		return status.Errorf(codes.InvalidArgument, "peer_native_workers %d: at most %d", spec.GetPeerNativeWorkers(), MaxPeerNative)
	case spec.GetPeerNativeWorkers() > 0 && spec.GetRegionCancelFlag() == 0:
		return status.Error(codes.InvalidArgument, "peer_native_workers needs region_cancel_flag: the flag is how they are cancelled")
	case time.Duration(spec.GetCompleteAfterMs())*time.Millisecond > MaxCompleteAfter:
		return status.Errorf(codes.InvalidArgument, "complete_after_ms %d: at most %d", spec.GetCompleteAfterMs(), MaxCompleteAfter.Milliseconds())
	case time.Duration(spec.GetServerDeadlineMs())*time.Millisecond > MaxServerDeadline:
		return status.Errorf(codes.InvalidArgument, "server_deadline_ms %d: at most %d", spec.GetServerDeadlineMs(), MaxServerDeadline.Milliseconds())
	case time.Duration(spec.GetIgnoreContextMs())*time.Millisecond > MaxIgnoreContext:
		return status.Errorf(codes.InvalidArgument, "ignore_context_ms %d: at most %d", spec.GetIgnoreContextMs(), MaxIgnoreContext.Milliseconds())
	case spec.GetRegionCancelFlag() > 0 && (s.flags == nil || int(spec.GetRegionCancelFlag()) > s.flagCount):
		return status.Errorf(codes.InvalidArgument, "region_cancel_flag %d: this peer has %d cancel flags", spec.GetRegionCancelFlag(), s.flagCount)
	}
	return nil
}

// goroutine is one piece of the call's work: it waits for the context to end
// (or, in the broken variant, sleeps without looking at it) and records when
// it observed the end and when it stopped. The first goroutine also sets the
// region cancel flag, if the spec names one.
func (w *work) goroutine(first bool, flag *int64) {
	defer w.group.Done()
	ctx, release := w.svc.IgnoreContext.Heed(w.ctx)
	defer release()
	observed := true
	if w.spec.GetIgnoreContext() {
		time.Sleep(time.Duration(w.spec.GetIgnoreContextMs()) * time.Millisecond)
	} else if d := time.Duration(w.spec.GetCompleteAfterMs()) * time.Millisecond; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
		case <-t.C:
			observed = false // completed before any cancel
		}
		t.Stop()
	} else {
		<-ctx.Done()
	}
	now := clock.Fast()
	if observed {
		w.firstObserved.CompareAndSwap(0, now)
	}
	if first && flag != nil && observed {
		atomic.StoreInt64(flag, 1)
		w.flagSetNs.Store(clock.Fast())
	}
	w.stopped.Add(1)
	end := clock.Fast()
	for {
		last := w.lastStopped.Load()
		if end <= last || w.lastStopped.CompareAndSwap(last, end) {
			break
		}
	}
}

// cancel ends the work with err as its cause (a stream error: no protocol cause).
func (w *work) cancel(err error) { w.stop(err) }

// noticeCancel ends the work with the cause of a client's CancelNotice.
func (w *work) noticeCancel(c *interopv1.CancelCause) {
	w.mu.Lock()
	if w.protocolCause == nil {
		w.protocolCause, w.fromNotice = c, true
	}
	w.mu.Unlock()
	w.stop(&CauseError{Cause: c})
}

// prepareServerStatus builds the status a cancel with the spec's server_cause
// ends the call with, before the cancel happens: attaching the cause as
// google.rpc.ErrorInfo details (a clone and a marshal) took 28 us at p50 on a
// 2-vCPU machine, all of it between the cancel and the status leaving the
// handler (docs/CANCELLATION.md, "Where the time goes").
func (w *work) prepareServerStatus() {
	if c := w.spec.GetServerCause(); c != nil {
		w.serverStatus = callStatus(context.Canceled, c, w.spec.GetPlainStatus())
	}
}

// serverCancel ends the work because the handler itself decided to, with c.
func (w *work) serverCancel(c *interopv1.CancelCause) {
	w.mu.Lock()
	if w.protocolCause == nil {
		w.protocolCause = c
		w.serverCancelled = clock.Fast()
	}
	w.mu.Unlock()
	w.stop(&CauseError{Cause: c})
}

// finish waits for every goroutine (at most the service's stop bound: a
// goroutine that ignores its context must not hide in a record that waited for
// it), records what the work saw for Observe, and returns the call's status: nil when the work completed before any
// cancel; Canceled with the protocol cause as google.rpc.ErrorInfo details
// when the cancel carried one (unless the spec asks for plain_status: then
// plain gRPC's Canceled, cause dropped); else the status of the context's
// error (DeadlineExceeded for a server_deadline_ms that passed).
func (w *work) finish() error {
	bound := time.NewTimer(w.svc.stopBound)
	select {
	case <-w.completed:
	case <-bound.C:
	}
	bound.Stop()
	stopped := w.stopped.Load()
	var nativeJoined int64
	var nativeProblem string
	if w.native != nil {
		if _, err := w.native.Join(PeerNativeJoinBound.Milliseconds()); err != nil {
			nativeProblem = err.Error()
		}
		nativeJoined = clock.Fast()
	}
	ctxErr, causeText := w.ctx.Err(), ""
	if ctxErr != nil {
		causeText = context.Cause(w.ctx).Error()
	}
	w.stop(context.Canceled) // no-op when already cancelled; releases the context
	w.releaseDeadline()
	w.mu.Lock()
	cause, serverNs := w.protocolCause, w.serverCancelled
	w.mu.Unlock()
	if serverNs == 0 && w.deadlineNs > 0 && errors.Is(ctxErr, context.DeadlineExceeded) {
		serverNs = w.deadlineNs
	}
	rec := &interopv1.ObserveResponse{
		Found:              true,
		CallId:             w.spec.GetCallId(),
		Rpc:                w.rpc,
		ContextError:       errName(ctxErr),
		CauseText:          causeText,
		Cause:              cause,
		GoroutinesStarted:  uint32(w.started),
		GoroutinesStopped:  uint32(stopped),
		ServerCancelledNs:  serverNs,
		FirstObservedNs:    w.firstObserved.Load(),
		LastStoppedNs:      w.lastStopped.Load(),
		RegionFlagSetNs:    w.flagSetNs.Load(),
		PeerNativeJoinedNs: nativeJoined,
		PeerNativeProblem:  nativeProblem,
	}
	if w.native != nil {
		rec.PeerNativeStarted = w.spec.GetPeerNativeWorkers()
		rec.PeerNativeAliveAfter = uint32(nativework.Alive())
	}
	err := w.serverStatus
	if ctxErr == nil || cause == nil || cause != w.spec.GetServerCause() || err == nil {
		err = callStatus(ctxErr, cause, w.spec.GetPlainStatus())
	}
	rec.HandlerEndNs = clock.Fast()
	w.svc.record(rec)
	return err
}

// callStatus is the status a call ends with, as finish describes.
func callStatus(ctxErr error, cause *interopv1.CancelCause, plain bool) error {
	if ctxErr == nil {
		return nil
	}
	if cause == nil || plain {
		return status.FromContextError(ctxErr).Err()
	}
	st, err := status.New(codes.Canceled, (&CauseError{Cause: cause}).Error()).WithDetails(&errdetails.ErrorInfo{
		Reason: cause.GetReason(), Domain: cause.GetDomain(), Metadata: cause.GetMetadata(),
	})
	if err != nil {
		return status.Errorf(codes.Internal, "attaching the cause: %v", err)
	}
	return st.Err()
}

// record files rec under its call id, evicting the oldest records beyond MaxRecords.
func (s *Service) record(rec *interopv1.ObserveResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[rec.CallId] = rec
	s.order = append(s.order, rec.CallId)
	for len(s.order) > MaxRecords {
		delete(s.records, s.order[0])
		s.order = s.order[1:]
	}
	if done, ok := s.pending[rec.CallId]; ok {
		close(done)
		delete(s.pending, rec.CallId)
	}
}

func errName(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return err.Error()
}
