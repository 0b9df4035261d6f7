package scopesvc

import (
	"context"
	"errors"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/cancel"
	"interop-testbed/go-peer/internal/clock"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/nativework"
	"interop-testbed/go-peer/internal/scope"
)

// call is one handler's errgroup and what it observed.
type call struct {
	svc     *Service
	scopeID string
	rpc     string
	spec    *interopv1.HoldSpec
	ctx     context.Context // the call's context with the handler's own cancel
	stop    context.CancelCauseFunc
	flag    *int64

	deadlineMs int64
	startedNs  int64
	nStarted   atomic.Int32
	stopped    atomic.Int32
	group      *errgroup.Group
	groupCtx   context.Context

	// The native worker under a goroutine (goroutine_native_flag).
	nativeFlag      *int64
	nativeStarted   atomic.Int32
	nativeEndedNs   atomic.Int64
	nativeStoppedOK atomic.Bool

	mu          sync.Mutex
	noticeCause *interopv1.CancelCause

	// parts: the handler and, for Hold, its reader goroutine; the last to end
	// stamps rec.EndedNs and files rec, which finish built.
	parts atomic.Int32
	rec   *interopv1.CallRecord
}

// partDone ends one part of the call; the last one files its record.
func (c *call) partDone() {
	if c.parts.Add(-1) != 0 {
		return
	}
	rec := c.rec
	if rec == nil { // finish never ran: nothing to file
		return
	}
	rec.EndedNs = clock.Monotonic()
	c.svc.record(c.scopeID, rec)
}

func (s *Service) begin(ctx context.Context, rpc string, spec *interopv1.HoldSpec) (*call, error) {
	id, ok, err := scope.FromIncoming(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, status.Errorf(codes.FailedPrecondition, "%s: the call carries no %s: open a scope with BeginScope and send its id", rpc, scope.MetadataKey)
	}
	if err := s.validate(spec); err != nil {
		return nil, err
	}
	s.mu.Lock()
	st, open := s.scopes[id]
	switch {
	case !open:
		s.mu.Unlock()
		return nil, status.Errorf(codes.FailedPrecondition, "scope id %q is not open on this peer (BeginScope was not called, or EndScope already was)", id)
	case st.callIDs[spec.GetCallId()]:
		s.mu.Unlock()
		return nil, status.Errorf(codes.AlreadyExists, "call id %q was already used in scope %q", spec.GetCallId(), id)
	}
	st.callIDs[spec.GetCallId()] = true
	st.running++
	s.mu.Unlock()

	cctx, stop := context.WithCancelCause(ctx)
	c := &call{svc: s, scopeID: id, rpc: rpc, spec: spec, ctx: cctx, stop: stop, deadlineMs: -1, startedNs: clock.Monotonic()}
	c.parts.Store(1)
	if d, ok := ctx.Deadline(); ok {
		c.deadlineMs = time.Until(d).Milliseconds()
	}
	if f := spec.GetRegionCancelFlag(); f > 0 {
		c.flag = s.flags(int(f - 1))
	}
	if f := spec.GetGoroutineNativeFlag(); f > 0 {
		c.nativeFlag = s.flags(int(f - 1))
	}
	return c, nil
}

func (s *Service) validate(spec *interopv1.HoldSpec) error {
	switch id := spec.GetCallId(); {
	case spec == nil:
		return status.Error(codes.InvalidArgument, "no HoldSpec")
	case id == "" || len(id) > MaxCallIDLength:
		return status.Errorf(codes.InvalidArgument, "call_id: %d bytes, want 1 to %d", len(id), MaxCallIDLength)
	case spec.GetGoroutines() > MaxGoroutines:
		return status.Errorf(codes.InvalidArgument, "goroutines %d: at most %d", spec.GetGoroutines(), MaxGoroutines)
	case spec.GetNestedGoroutines() > MaxNested:
		return status.Errorf(codes.InvalidArgument, "nested_goroutines %d: at most %d", spec.GetNestedGoroutines(), MaxNested)
	case spec.GetFailGoroutine() > max(spec.GetGoroutines(), 1):
		return status.Errorf(codes.InvalidArgument, "fail_goroutine %d: the errgroup has %d goroutines", spec.GetFailGoroutine(), max(spec.GetGoroutines(), 1))
	case time.Duration(spec.GetLeakMs())*time.Millisecond > MaxLeak:
		return status.Errorf(codes.InvalidArgument, "leak_ms %d: at most %d", spec.GetLeakMs(), MaxLeak.Milliseconds())
	case time.Duration(spec.GetLeakUnlabelledMs())*time.Millisecond > MaxLeak:
		return status.Errorf(codes.InvalidArgument, "leak_unlabelled_ms %d: at most %d", spec.GetLeakUnlabelledMs(), MaxLeak.Milliseconds())
	case time.Duration(spec.GetUnwindMs())*time.Millisecond > MaxLeak:
		return status.Errorf(codes.InvalidArgument, "unwind_ms %d: at most %d", spec.GetUnwindMs(), MaxLeak.Milliseconds())
	case spec.GetRegionCancelFlag() > 0 && (s.flags == nil || int(spec.GetRegionCancelFlag()) > s.flagCount):
		return status.Errorf(codes.InvalidArgument, "region_cancel_flag %d: this peer has %d cancel flags", spec.GetRegionCancelFlag(), s.flagCount)
	case spec.GetGoroutineNativeFlag() > 0 && (s.flags == nil || int(spec.GetGoroutineNativeFlag()) > s.flagCount):
		return status.Errorf(codes.InvalidArgument, "goroutine_native_flag %d: this peer has %d cancel flags", spec.GetGoroutineNativeFlag(), s.flagCount)
	case spec.GetGoroutineNativeFlag() > 0 && spec.GetGoroutineNativeFlag() == spec.GetRegionCancelFlag():
		return status.Errorf(codes.InvalidArgument, "goroutine_native_flag %d is also region_cancel_flag: each needs a flag of its own", spec.GetGoroutineNativeFlag())
	case spec.GetGoroutineNativeFlag() > 0 && spec.GetSucceedAfterMs() > 0:
		return status.Error(codes.InvalidArgument, "goroutine_native_flag: its goroutine waits for the errgroup's context, so the call must end by cancellation (succeed_after_ms 0)")
	case spec.GetNativeLeak() && spec.GetGoroutineNativeFlag() == 0:
		return status.Error(codes.InvalidArgument, "native_leak needs goroutine_native_flag")
	case spec.GetGoroutineNativeFlag() > 0 && !nativework.Available:
		return status.Errorf(codes.FailedPrecondition, "goroutine_native_flag: %s", noNative)
	}
	return nil
}

// start runs the errgroup; every goroutine is counted as started before start returns.
func (c *call) start() {
	n := int(max(c.spec.GetGoroutines(), 1))
	nested := int(c.spec.GetNestedGoroutines())
	if nested == 0 {
		c.nStarted.Store(int32(n))
	} else {
		// Per goroutine of the errgroup: itself, its own work and its nested ones.
		c.nStarted.Store(int32(n * (2 + nested)))
	}
	if c.nativeFlag != nil {
		c.nStarted.Add(1)
	}
	c.group, c.groupCtx = errgroup.WithContext(c.ctx)
	if c.nativeFlag != nil {
		c.group.Go(func() error {
			defer c.stopped.Add(1)
			return c.nativeUnder(c.groupCtx)
		})
	}
	for i := 1; i <= n; i++ {
		c.group.Go(func() error {
			defer c.stopped.Add(1)
			if nested == 0 {
				return c.work(c.groupCtx, i)
			}
			inner, ictx := errgroup.WithContext(c.groupCtx)
			inner.Go(func() error {
				defer c.stopped.Add(1)
				if err := c.work(ictx, i); err != nil {
					return err
				}
				return errInnerDone
			})
			for range nested {
				inner.Go(func() error {
					defer c.stopped.Add(1)
					heeded, release := c.svc.IgnoreContext.Heed(ictx)
					defer release()
					<-heeded.Done()
					return nil
				})
			}
			if err := inner.Wait(); !errors.Is(err, errInnerDone) {
				return err
			}
			return nil
		})
	}
	if d := time.Duration(c.spec.GetLeakMs()) * time.Millisecond; d > 0 {
		// The broken variant: started from the handler, so it carries the
		// scope's label, but it is not in the errgroup and ignores the context.
		go time.Sleep(d)
	}
	if d := time.Duration(c.spec.GetLeakUnlabelledMs()) * time.Millisecond; d > 0 {
		// The broken variant the scope's count cannot see: the goroutine drops
		// the labels it inherited, so only the process's total counts it.
		go func() {
			pprof.SetGoroutineLabels(context.Background())
			time.Sleep(d)
		}()
	}
}

// noNative is why a peer built without cgo (the cross-compiled arm64 peer) refuses native workers.
const noNative = "this peer was built without cgo (CGO_ENABLED=0): it cannot start native workers"

// nativeUnder is the goroutine that owns a native worker: it starts one in
// this process (cgo), waits for the errgroup's context to end, then sets the
// worker's flag and joins it before it returns, so the worker ends before the
// errgroup does. In the broken variant (native_leak) it returns without
// stopping the worker, which keeps running until PeerNative reaps it.
func (c *call) nativeUnder(ctx context.Context) error {
	atomic.StoreInt64(c.nativeFlag, 0)
	g, err := nativework.Start(1, c.nativeFlag)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "goroutine_native_flag: %v", err)
	}
	c.nativeStarted.Store(1)
	heeded, release := c.svc.IgnoreContext.Heed(ctx)
	defer release()
	<-heeded.Done()
	if c.spec.GetNativeLeak() {
		c.svc.mu.Lock()
		c.svc.abandoned = append(c.svc.abandoned, g)
		c.svc.mu.Unlock()
		return context.Cause(ctx)
	}
	atomic.StoreInt64(c.nativeFlag, 1)
	byFlag, _ := g.Join(NativeJoinBound.Milliseconds())
	c.nativeStoppedOK.Store(byFlag)
	c.nativeEndedNs.Store(clock.Monotonic())
	return context.Cause(ctx)
}

// PeerNative reports the native workers alive in this process; with reap it
// first stops and joins the groups broken goroutines left running.
func (s *Service) PeerNative(_ context.Context, req *interopv1.PeerNativeRequest) (*interopv1.PeerNativeResponse, error) {
	resp := &interopv1.PeerNativeResponse{Available: nativework.Available}
	if !nativework.Available {
		resp.Reason = noNative
		return resp, nil
	}
	if req.GetReap() {
		s.mu.Lock()
		groups := s.abandoned
		s.abandoned = nil
		s.mu.Unlock()
		for _, g := range groups {
			g.Join(0) // not stopped by a flag: Join stops the group and joins it
			resp.Reaped++
		}
	}
	resp.Alive = int32(nativework.Alive())
	return resp, nil
}

// errInnerDone ends an inner errgroup once its goroutine's own work succeeded.
var errInnerDone = errors.New("inner errgroup done")

// work is goroutine i's own part: fail, succeed, or wait for the context;
// in the broken variant it then takes unwind_ms to return.
func (c *call) work(ctx context.Context, i int) error {
	ctx, release := c.svc.IgnoreContext.Heed(ctx)
	defer release()
	err := c.ownWork(ctx, i)
	if d := time.Duration(c.spec.GetUnwindMs()) * time.Millisecond; d > 0 && ctx.Err() != nil {
		time.Sleep(d)
	}
	return err
}

func (c *call) ownWork(ctx context.Context, i int) error {
	if int(c.spec.GetFailGoroutine()) == i {
		t := time.NewTimer(time.Duration(c.spec.GetFailAfterMs()) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return &GoroutineError{CallID: c.spec.GetCallId(), Goroutine: i}
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	if ms := c.spec.GetSucceedAfterMs(); ms > 0 {
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	<-ctx.Done()
	return context.Cause(ctx)
}

func (c *call) started() *interopv1.HoldStarted {
	return &interopv1.HoldStarted{CallId: c.spec.GetCallId(), Goroutines: uint32(c.nStarted.Load()),
		DeadlineRemainingMs: c.deadlineMs, MonotonicNs: clock.Monotonic()}
}

func (c *call) result() *interopv1.HoldResult {
	return &interopv1.HoldResult{CallId: c.spec.GetCallId(), MonotonicNs: clock.Monotonic()}
}

// notice cancels the errgroup with the cause of a client's CancelNotice.
func (c *call) notice(cause *interopv1.CancelCause) {
	c.mu.Lock()
	if c.noticeCause == nil {
		c.noticeCause = cause
	}
	c.mu.Unlock()
	c.stop(&cancel.CauseError{Cause: cause}) // the cause a CancelNotice cancels the errgroup with
}

// finish waits for the errgroup (every goroutine, nested ones included), sets
// the region flag, builds the record of what the call saw (filed by partDone
// when the handler and its reader have ended), and returns its status: nil on
// success, Aborted with ErrorInfo when a goroutine failed, Canceled with the
// notice's cause as ErrorInfo, else the status of the context's error.
func (c *call) finish() error {
	if c.group == nil {
		c.start()
	}
	err := c.group.Wait()
	if c.flag != nil {
		atomic.StoreInt64(c.flag, 1)
	}
	c.mu.Lock()
	notice := c.noticeCause
	c.mu.Unlock()
	rec := &interopv1.CallRecord{
		CallId:               c.spec.GetCallId(),
		Rpc:                  c.rpc,
		GoroutinesStarted:    uint32(c.nStarted.Load()),
		GoroutinesStopped:    uint32(c.stopped.Load()),
		DeadlineRemainingMs:  c.deadlineMs,
		StartedNs:            c.startedNs,
		NativeWorkersStarted: uint32(c.nativeStarted.Load()),
		NativeEndedNs:        c.nativeEndedNs.Load(),
		NativeStoppedByFlag:  c.nativeStoppedOK.Load(),
	}
	var gerr *GoroutineError
	var out error
	switch {
	case err == nil:
		rec.End = "ok"
	case errors.As(err, &gerr):
		rec.End, rec.CauseText = "goroutine_failed", gerr.Error()
		out = withInfo(codes.Aborted, gerr.Error(), &errdetails.ErrorInfo{Reason: ReasonGoroutine, Domain: DomainGo,
			Metadata: map[string]string{"call_id": gerr.CallID, "goroutine": strconv.Itoa(gerr.Goroutine), "scope_id": c.scopeID}})
	case notice != nil:
		rec.End, rec.CauseText = "cancelled_by_notice", (&cancel.CauseError{Cause: notice}).Error()
		out = withInfo(codes.Canceled, rec.CauseText, &errdetails.ErrorInfo{Reason: notice.GetReason(), Domain: notice.GetDomain(), Metadata: notice.GetMetadata()})
	case errors.Is(c.ctx.Err(), context.DeadlineExceeded):
		rec.End, rec.CauseText = "deadline_exceeded", context.Cause(c.ctx).Error()
		out = status.FromContextError(c.ctx.Err()).Err()
	default:
		cause := context.Cause(c.groupCtx)
		rec.End, rec.CauseText = "canceled", cause.Error()
		out = canceledStatus(cause)
	}
	c.stop(context.Canceled) // releases the context; a no-op when already cancelled
	c.rec = rec
	return out
}

// canceledStatus is the status of a call whose context was cancelled by
// cause: the cause's own status when it is one (the Recv error that ended the
// stream), else Canceled naming the cause.
func canceledStatus(cause error) error {
	if st, ok := status.FromError(cause); ok && st.Code() != codes.OK && st.Code() != codes.Unknown {
		return st.Err()
	}
	if errors.Is(cause, context.Canceled) && cause.Error() == context.Canceled.Error() {
		return status.FromContextError(context.Canceled).Err()
	}
	return status.Errorf(codes.Canceled, "canceled: %v", cause)
}

func withInfo(code codes.Code, msg string, info *errdetails.ErrorInfo) error {
	st, err := status.New(code, msg).WithDetails(info)
	if err != nil {
		return status.Errorf(codes.Internal, "attaching ErrorInfo: %v", err)
	}
	return st.Err()
}

// record files rec under its scope, if the scope is still open.
func (s *Service) record(scopeID string, rec *interopv1.CallRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.scopes[scopeID]
	if !ok {
		return
	}
	st.running--
	if len(st.records) < maxRecordsPerEnd {
		st.records = append(st.records, rec)
	}
}
