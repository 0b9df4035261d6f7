package cancel

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/clock"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/nativework"
)

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
