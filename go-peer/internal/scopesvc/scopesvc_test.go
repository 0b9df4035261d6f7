package scopesvc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"interop-testbed/go-peer/internal/clock"
	"interop-testbed/go-peer/internal/fault"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/scope"
)

var flagWords [4]int64

func serve(t *testing.T) interopv1.ScopeServiceClient {
	t.Helper()
	return serveFlags(t, func(i int) *int64 { return &flagWords[i] }, len(flagWords))
}

func serveFlags(t *testing.T, flags Flags, n int) interopv1.ScopeServiceClient {
	t.Helper()
	return serveService(t, New(flags, n))
}

func serveService(t *testing.T, svc *Service) interopv1.ScopeServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(scope.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(scope.StreamServerInterceptor()))
	interopv1.RegisterScopeServiceServer(srv, svc)
	go srv.Serve(lis)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); srv.Stop() })
	return interopv1.NewScopeServiceClient(conn)
}

func begin(t *testing.T, c interopv1.ScopeServiceClient, id string) context.Context {
	t.Helper()
	r, err := c.BeginScope(context.Background(), &interopv1.BeginScopeRequest{ScopeId: id})
	if err != nil || !r.GetOpened() {
		t.Fatalf("BeginScope(%s) = %v, %v", id, r, err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), scope.MetadataKey, id)
}

func end(t *testing.T, c interopv1.ScopeServiceClient, id string) *interopv1.EndScopeResponse {
	t.Helper()
	r, err := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: id, WaitMs: 3000})
	if err != nil || !r.GetKnown() {
		t.Fatalf("EndScope(%s) = %v, %v", id, r, err)
	}
	return r
}

func hold(t *testing.T, ctx context.Context, c interopv1.ScopeServiceClient, spec *interopv1.HoldSpec) (interopv1.ScopeService_HoldClient, *interopv1.HoldStarted) {
	t.Helper()
	st, err := c.Hold(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Send(&interopv1.HoldRequest{Kind: &interopv1.HoldRequest_Start{Start: spec}}); err != nil {
		t.Fatal(err)
	}
	m, err := st.Recv()
	if err != nil || m.GetStarted() == nil {
		t.Fatalf("first Hold reply = %v, %v, want started", m, err)
	}
	return st, m.GetStarted()
}

func TestAllSucceedEndsEveryGoroutineAndSetsTheFlag(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "ok-scope")
	atomic.StoreInt64(&flagWords[1], 0)
	st, started := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "a", Goroutines: 3, NestedGoroutines: 2, SucceedAfterMs: 20, RegionCancelFlag: 2})
	if started.GetGoroutines() != 3*(2+2) || started.GetDeadlineRemainingMs() != -1 {
		t.Errorf("started = %v, want 12 goroutines and no deadline", started)
	}
	m, err := st.Recv()
	if err != nil || m.GetResult() == nil {
		t.Fatalf("second Hold reply = %v, %v, want a result", m, err)
	}
	r := end(t, c, "ok-scope")
	if r.GetLive() != 0 || len(r.GetCalls()) != 1 {
		t.Fatalf("EndScope = %v, want 0 live and one record", r)
	}
	rec := r.GetCalls()[0]
	if rec.GetEnd() != "ok" || rec.GetGoroutinesStopped() != rec.GetGoroutinesStarted() {
		t.Errorf("record = %v, want ok with every goroutine stopped", rec)
	}
	if atomic.LoadInt64(&flagWords[1]) != 1 {
		t.Error("region flag 1 was not set when the errgroup ended")
	}
}

func TestFailingGoroutineCancelsSiblingsAndTravelsAsErrorInfo(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "fail-scope")
	_, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "f", Goroutines: 4, FailGoroutine: 2, FailAfterMs: 10}})
	st := status.Convert(err)
	if st.Code() != codes.Aborted {
		t.Fatalf("HoldUnary = %v, want Aborted", err)
	}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info == nil || info.GetReason() != ReasonGoroutine || info.GetMetadata()["goroutine"] != "2" {
		t.Errorf("details = %v, want ErrorInfo %s for goroutine 2", st.Details(), ReasonGoroutine)
	}
	r := end(t, c, "fail-scope")
	if rec := r.GetCalls()[0]; rec.GetEnd() != "goroutine_failed" || rec.GetGoroutinesStopped() != 4 || r.GetLive() != 0 {
		t.Errorf("EndScope = %v, want goroutine_failed, 4 stopped, 0 live", r)
	}
}

func TestCancelNoticeUnwindsNestedErrgroups(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "notice-scope")
	st, _ := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "n", Goroutines: 2, NestedGoroutines: 3})
	cause := &interopv1.CancelCause{Reason: "SCOPE_CANCELLED", Domain: "testbed.java"}
	if err := st.Send(&interopv1.HoldRequest{Kind: &interopv1.HoldRequest_Cancel{Cancel: &interopv1.CancelNotice{Cause: cause}}}); err != nil {
		t.Fatal(err)
	}
	st.CloseSend()
	_, err := st.Recv()
	if status.Code(err) != codes.Canceled {
		t.Fatalf("Hold ended with %v, want Canceled", err)
	}
	r := end(t, c, "notice-scope")
	rec := r.GetCalls()[0]
	if rec.GetEnd() != "cancelled_by_notice" || rec.GetGoroutinesStopped() != 2*(2+3) || r.GetLive() != 0 {
		t.Errorf("EndScope = %v, want cancelled_by_notice, 10 stopped, 0 live", r)
	}
}

// TestLeakedGoroutineIsCounted is the broken variant: a goroutine outside the
// errgroup that ignores the context is still counted under the scope after
// the call ended.
func TestLeakedGoroutineIsCounted(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "leak-scope")
	if _, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "l", SucceedAfterMs: 1, LeakMs: 400}}); err != nil {
		t.Fatal(err)
	}
	r, err := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: "leak-scope", WaitMs: 50})
	if err != nil || r.GetLive() != 1 || r.GetLiveZeroNs() != 0 {
		t.Fatalf("EndScope = %v, %v, want the leaked goroutine still live", r, err)
	}
	waitEmpty(t, "leak-scope")
}

func TestUnknownScopeAndBadSpecsAreRefused(t *testing.T) {
	c := serve(t)
	unknown := metadata.AppendToOutgoingContext(context.Background(), scope.MetadataKey, "never-opened")
	_, err := c.HoldUnary(unknown, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "x"}})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), `scope id "never-opened" is not open`) {
		t.Errorf("unknown scope: %v", err)
	}
	_, err = c.HoldUnary(context.Background(), &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "x"}})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "carries no x-interop-scope-id") {
		t.Errorf("no scope: %v", err)
	}
	ctx := begin(t, c, "bad")
	for _, bad := range []struct {
		spec *interopv1.HoldSpec
		want string
	}{
		{&interopv1.HoldSpec{}, "call_id: 0 bytes"},
		{&interopv1.HoldSpec{CallId: "g", Goroutines: 65}, "goroutines 65: at most 64"},
		{&interopv1.HoldSpec{CallId: "f", Goroutines: 2, FailGoroutine: 3}, "fail_goroutine 3"},
		{&interopv1.HoldSpec{CallId: "r", RegionCancelFlag: 5}, "this peer has 4 cancel flags"},
	} {
		_, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: bad.spec})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("HoldUnary(%v) = %v, want InvalidArgument %q", bad.spec, err, bad.want)
		}
	}
	if _, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "dup", SucceedAfterMs: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "dup", SucceedAfterMs: 1}}); status.Code(err) != codes.AlreadyExists {
		t.Errorf("reused call id: %v, want AlreadyExists", err)
	}
	if r, _ := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: "never-opened"}); r.GetKnown() {
		t.Error("EndScope of an unknown scope says known")
	}
}

func TestDeadlineReachesTheHandler(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "deadline")
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, started := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "d", SucceedAfterMs: 1})
	if ms := started.GetDeadlineRemainingMs(); ms <= 0 || ms > 2000 {
		t.Errorf("deadline_remaining_ms = %d, want in (0, 2000]", ms)
	}
	st.Recv()
	end(t, c, "deadline")
}

func waitEmpty(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n, _ := scope.Count(id)
		if n[id] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scope %s: %d goroutines still running", id, n[id])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBeginAndEndScopeRefuseBadInput(t *testing.T) {
	c := serve(t)
	for _, bad := range []struct {
		id, want string
	}{
		{"", "scope_id: 0 bytes"},
		{strings.Repeat("x", 257), "scope_id: 257 bytes"},
		{"a\nb", "control characters are not allowed"},
	} {
		_, err := c.BeginScope(context.Background(), &interopv1.BeginScopeRequest{ScopeId: bad.id})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("BeginScope(%q) = %v, want InvalidArgument %q", bad.id, err, bad.want)
		}
	}
	begin(t, c, "twice")
	if r, err := c.BeginScope(context.Background(), &interopv1.BeginScopeRequest{ScopeId: "twice"}); err != nil || r.GetOpened() {
		t.Errorf("second BeginScope = %v, %v, want opened false", r, err)
	}
	_, err := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: "twice", WaitMs: 10001})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "wait_ms 10001: at most 10000") {
		t.Errorf("EndScope with a long wait = %v, want InvalidArgument", err)
	}
	end(t, c, "twice")
	// Ended: its id is closed, so a call carrying it is refused.
	ctx := metadata.AppendToOutgoingContext(context.Background(), scope.MetadataKey, "twice")
	if _, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "late"}}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("a call after EndScope = %v, want FailedPrecondition", err)
	}
}

// TestEndScopeReportsCallsStillRunning: a scope ended while a handler runs
// says so, and the handler's record, made later, is dropped with the scope.
func TestEndScopeReportsCallsStillRunning(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "running")
	ctx, cancel := context.WithCancel(ctx)
	st, _ := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "r", Goroutines: 2})
	r, err := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: "running", WaitMs: 20})
	if err != nil || r.GetCallsRunning() != 1 || r.GetLive() == 0 || r.GetLiveAtCall() == 0 || len(r.GetCalls()) != 0 {
		t.Errorf("EndScope during a call = %v, %v, want 1 running, live goroutines, no records", r, err)
	}
	cancel()
	if _, err := st.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("Hold after the client's cancel: %v, want Canceled", err)
	}
	waitEmpty(t, "running")
}

// TestThePlantedFaultKeepsTheHandlerFromReturning: with the peer's -fault
// ignore-context, a notice ends no goroutine of the errgroup, so the handler,
// which returns only after errgroup.Wait, is still running at EndScope.
func TestThePlantedFaultKeepsTheHandlerFromReturning(t *testing.T) {
	svc := New(func(i int) *int64 { return &flagWords[i] }, len(flagWords))
	svc.IgnoreContext = 300 * fault.IgnoreContext(time.Millisecond)
	c := serveService(t, svc)
	ctx := begin(t, c, "faulty")
	st, _ := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "f", Goroutines: 2, NestedGoroutines: 1})
	cause := &interopv1.CancelCause{Reason: "SCOPE_CANCELLED", Domain: "testbed.java"}
	if err := st.Send(&interopv1.HoldRequest{Kind: &interopv1.HoldRequest_Cancel{Cancel: &interopv1.CancelNotice{Cause: cause}}}); err != nil {
		t.Fatal(err)
	}
	r, err := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: "faulty", WaitMs: 50})
	if err != nil || r.GetCallsRunning() != 1 || len(r.GetCalls()) != 0 || r.GetLive() < 6 {
		t.Fatalf("EndScope = %v, %v: want the handler still running, no record, its 6 goroutines and itself live", r, err)
	}
	waitEmpty(t, "faulty")
}

// TestIgnoredNoticeAndSlowUnwind is the broken variant behind a subtask that
// must fall back to resetting its stream: the notice changes nothing, and
// after the reset the goroutines take unwind_ms to return.
func TestIgnoredNoticeAndSlowUnwind(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "ignore")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, _ := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "i", Goroutines: 2, IgnoreNotice: true, UnwindMs: 150})
	cause := &interopv1.CancelCause{Reason: "SCOPE_CANCELLED", Domain: "testbed.java"}
	if err := st.Send(&interopv1.HoldRequest{Kind: &interopv1.HoldRequest_Cancel{Cancel: &interopv1.CancelNotice{Cause: cause}}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n, _ := scope.Count("ignore"); n["ignore"] < 3 {
		t.Fatalf("the handler ended on an ignored notice: %d goroutines left", n["ignore"])
	}
	reset := time.Now()
	cancel()
	r := end(t, c, "ignore")
	rec := r.GetCalls()[0]
	if rec.GetEnd() != "canceled" || r.GetLiveAtCall() == 0 {
		t.Errorf("EndScope = %v, want canceled with goroutines still live at the call", r)
	}
	if d := time.Since(reset); d < 150*time.Millisecond {
		t.Errorf("the scope's goroutines ended %v after the reset, want at least the 150 ms unwind", d)
	}
	bad := begin(t, c, "unwind-bad")
	if _, err := c.HoldUnary(bad, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "u", UnwindMs: 10001}}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("unwind_ms 10001: %v, want InvalidArgument", err)
	}
}

// TestEndedNsIsWhenTheHandlerAndItsReaderEnded: after a successful result the
// handler waits for the client's half-close, so the record's ended_ns is not
// before it, and no goroutine of the handler is left when the call ends.
func TestEndedNsIsWhenTheHandlerAndItsReaderEnded(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "ended-scope")
	st, _ := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "e", Goroutines: 2, SucceedAfterMs: 5})
	if m, err := st.Recv(); err != nil || m.GetResult() == nil {
		t.Fatalf("second Hold reply = %v, %v, want a result", m, err)
	}
	time.Sleep(50 * time.Millisecond)
	halfClosed := clock.Monotonic()
	st.CloseSend()
	if _, err := st.Recv(); err == nil || status.Code(err) != codes.Unknown && err.Error() != "EOF" {
		t.Fatalf("Hold ended with %v, want EOF", err)
	}
	r := end(t, c, "ended-scope")
	if len(r.GetCalls()) != 1 || r.GetCallsRunning() != 0 {
		t.Fatalf("EndScope = %v, want one record and nothing running", r)
	}
	if rec := r.GetCalls()[0]; rec.GetEndedNs() < halfClosed {
		t.Errorf("ended_ns %d is %d us before the client half-closed: the reader goroutine outlived the record", rec.GetEndedNs(), (halfClosed-rec.GetEndedNs())/1000)
	}
}

// TestUnlabelledLeakIsOnlyInTheProcessTotal: the broken variant the scope's
// count cannot see shows in runtime.NumGoroutine only.
func TestUnlabelledLeakIsOnlyInTheProcessTotal(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "unlabelled-scope")
	before := runtime.NumGoroutine()
	if _, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "u", SucceedAfterMs: 1, LeakUnlabelledMs: 300}}); err != nil {
		t.Fatal(err)
	}
	r, err := c.EndScope(context.Background(), &interopv1.EndScopeRequest{ScopeId: "unlabelled-scope", WaitMs: 50})
	if err != nil || r.GetLive() != 0 {
		t.Fatalf("EndScope = %v, %v, want nothing counted under the scope", r, err)
	}
	if after := runtime.NumGoroutine(); after <= before {
		t.Errorf("process goroutines %d, were %d: the unlabelled goroutine should still run", after, before)
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCanceledCallKeepsItsCause: a call cancelled by an error (the stream's
// Recv error) ends with that error's status, or Canceled naming it, not a
// bare "context canceled".
func TestCanceledCallKeepsItsCause(t *testing.T) {
	svc := New(nil, 0)
	if _, err := svc.BeginScope(context.Background(), &interopv1.BeginScopeRequest{ScopeId: "cause-scope"}); err != nil {
		t.Fatal(err)
	}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(scope.MetadataKey, "cause-scope"))
	for i, tc := range []struct {
		cause    error
		code     codes.Code
		contains string
	}{
		{status.Error(codes.Unavailable, "transport is closing"), codes.Unavailable, "transport is closing"},
		{errors.New("stream broke: xyz"), codes.Canceled, "stream broke: xyz"},
	} {
		c, err := svc.begin(ctx, "Hold", &interopv1.HoldSpec{CallId: fmt.Sprint("c", i), Goroutines: 2})
		if err != nil {
			t.Fatal(err)
		}
		c.start()
		c.stop(tc.cause)
		st := status.Convert(c.finish())
		if st.Code() != tc.code || !strings.Contains(st.Message(), tc.contains) {
			t.Errorf("cause %v: status %v, want %v containing %q", tc.cause, st, tc.code, tc.contains)
		}
		c.partDone()
	}
}
