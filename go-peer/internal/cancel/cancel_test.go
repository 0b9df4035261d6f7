package cancel

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"interop-testbed/go-peer/internal/fault"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/nativework"
	"interop-testbed/go-peer/internal/scope"
)

var flagWords [4]int64

// bounded is the context of a test's call: no call outlives testBound, whatever the
// service does, and the test's end releases it.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testBound)
	t.Cleanup(cancel)
	return ctx
}

// testBound bounds every call a test makes.
const testBound = 20 * time.Second

func serve(t *testing.T) interopv1.CancelServiceClient {
	t.Helper()
	return serveFlags(t, func(i int) *int64 { return &flagWords[i] })
}

func serveFlags(t *testing.T, flags Flags) interopv1.CancelServiceClient {
	t.Helper()
	return serveService(t, New(flags, len(flagWords)))
}

func serveService(t *testing.T, svc *Service) interopv1.CancelServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(scope.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(scope.StreamServerInterceptor()))
	interopv1.RegisterCancelServiceServer(srv, svc)
	go srv.Serve(lis)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); srv.Stop() })
	return interopv1.NewCancelServiceClient(conn)
}

func observe(t *testing.T, c interopv1.CancelServiceClient, id string) *interopv1.ObserveResponse {
	t.Helper()
	r, err := c.Observe(bounded(t), &interopv1.ObserveRequest{CallId: id, WaitMs: 5000})
	if err != nil || !r.GetFound() {
		t.Fatalf("Observe(%s) = %v, %v", id, r, err)
	}
	return r
}

// waitScopeEmpty fails unless no goroutine is tagged with id within 2 s.
func waitScopeEmpty(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n, err := scope.Count(id)
		if err != nil {
			t.Fatal(err)
		}
		if n[id] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scope %s: %d goroutines still running", id, n[id])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCancelNoticeCarriesTheCauseIntact(t *testing.T) {
	c := serve(t)
	ctx := metadata.AppendToOutgoingContext(bounded(t), scope.MetadataKey, "notice")
	st, err := c.Converse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec := &interopv1.WorkSpec{CallId: "notice", Goroutines: 4, RegionCancelFlag: 2}
	if err := st.Send(&interopv1.ConverseRequest{Kind: &interopv1.ConverseRequest_Start{Start: spec}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	cause := &interopv1.CancelCause{Reason: "SCOPE_CLOSED", Domain: "testbed.java", Metadata: map[string]string{"scope": "s1"}}
	if err := st.Send(&interopv1.ConverseRequest{Kind: &interopv1.ConverseRequest_Cancel{Cancel: &interopv1.CancelNotice{Cause: cause}}}); err != nil {
		t.Fatal(err)
	}
	st.CloseSend()
	_, err = st.Recv()
	s := status.Convert(err)
	if s.Code() != codes.Canceled || len(s.Details()) != 1 {
		t.Fatalf("status %v, details %v: want Canceled with one ErrorInfo", s, s.Details())
	}
	if info, ok := s.Details()[0].(*errdetails.ErrorInfo); !ok || info.GetReason() != "SCOPE_CLOSED" || info.GetMetadata()["scope"] != "s1" {
		t.Fatalf("details %v: want the notice's cause echoed", s.Details())
	}
	r := observe(t, c, "notice")
	if r.GetContextError() != "canceled" || r.GetCause().GetReason() != "SCOPE_CLOSED" || r.GetCause().GetDomain() != "testbed.java" {
		t.Fatalf("record %v: want canceled with the notice's cause", r)
	}
	if r.GetGoroutinesStopped() != 4 || r.GetLastStoppedNs() < r.GetFirstObservedNs() || r.GetRegionFlagSetNs() == 0 {
		t.Fatalf("record %v: want 4 goroutines stopped, ordered instants, the flag set", r)
	}
	if atomic.SwapInt64(&flagWords[1], 0) != 1 {
		t.Fatal("region cancel flag 1 (spec's 2) was not set")
	}
	waitScopeEmpty(t, "notice")
}

func TestPlainCancelLosesTheCause(t *testing.T) {
	c := serve(t)
	ctx, cancel := context.WithCancelCause(metadata.AppendToOutgoingContext(bounded(t), scope.MetadataKey, "plain"))
	st, err := c.Converse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Send(&interopv1.ConverseRequest{Kind: &interopv1.ConverseRequest_Start{Start: &interopv1.WorkSpec{CallId: "plain", Goroutines: 2}}})
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel(errors.New("the client's own cause"))
	r := observe(t, c, "plain")
	if r.GetContextError() != "canceled" || r.GetCauseText() != context.Canceled.Error() || r.GetCause() != nil {
		t.Fatalf("record %v: want a plain canceled with no cause", r)
	}
	waitScopeEmpty(t, "plain")
}

func TestServerCancelSendsErrorInfoUnlessPlain(t *testing.T) {
	c := serve(t)
	for _, plain := range []bool{false, true} {
		id := map[bool]string{false: "server", true: "server-plain"}[plain]
		cause := &interopv1.CancelCause{Reason: "QUOTA_SPENT", Domain: "testbed.go"}
		st, err := c.WorkStream(bounded(t), &interopv1.WorkStreamRequest{Spec: &interopv1.WorkSpec{
			CallId: id, Goroutines: 3, ServerCancelAfter: 2, ServerCause: cause, PlainStatus: plain}})
		if err != nil {
			t.Fatal(err)
		}
		ticks := 0
		for err == nil {
			if _, err = st.Recv(); err == nil {
				ticks++
			}
		}
		s := status.Convert(err)
		if s.Code() != codes.Canceled || ticks != 2 {
			t.Fatalf("%s: %v after %d ticks: want Canceled after 2", id, s, ticks)
		}
		if plain != (len(s.Details()) == 0) {
			t.Fatalf("%s: details %v", id, s.Details())
		}
		if r := observe(t, c, id); r.GetServerCancelledNs() == 0 || r.GetCause().GetReason() != "QUOTA_SPENT" {
			t.Fatalf("%s: record %v", id, r)
		}
	}
}

// The status a server cancel ends with is built before the cancel; a call that
// ends some other way first must not end with it.
func TestAServerDeadlineBeforeTheServersCancelEndsWithoutItsCause(t *testing.T) {
	c := serve(t)
	cause := &interopv1.CancelCause{Reason: "QUOTA_SPENT", Domain: "testbed.go"}
	st, err := c.WorkStream(bounded(t), &interopv1.WorkStreamRequest{Spec: &interopv1.WorkSpec{
		CallId: "deadline-first", Goroutines: 2, ServerCancelAfter: 100_000, ServerCause: cause, ServerDeadlineMs: 20}})
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = st.Recv()
	}
	if s := status.Convert(err); s.Code() != codes.DeadlineExceeded || len(s.Details()) != 0 {
		t.Fatalf("%v with details %v: want DeadlineExceeded and no cause", s, s.Details())
	}
	if r := observe(t, c, "deadline-first"); r.GetContextError() != "deadline_exceeded" || r.GetCause() != nil {
		t.Fatalf("record %v: want deadline_exceeded and no protocol cause", r)
	}
}

func TestIgnoringTheContextKeepsGoroutinesAlive(t *testing.T) {
	svc := New(func(i int) *int64 { return &flagWords[i] }, len(flagWords))
	svc.stopBound = 50 * time.Millisecond
	c := serveService(t, svc)
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(bounded(t), scope.MetadataKey, "leaky"))
	go c.Work(ctx, &interopv1.WorkRequest{Spec: &interopv1.WorkSpec{CallId: "leaky", Goroutines: 3, IgnoreContext: true, IgnoreContextMs: 300}})
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(50 * time.Millisecond)
	n, _ := scope.Count("leaky")
	if n["leaky"] < 3 {
		t.Fatalf("scope leaky: %d goroutines, want the 3 that ignore their context", n["leaky"])
	}
	r := observe(t, c, "leaky")
	if r.GetGoroutinesStarted() != 3 || r.GetGoroutinesStopped() != 0 {
		t.Fatalf("record: %d of %d goroutines stopped, want 0 of 3: the handler records its end after the stop bound, not when the leak ends",
			r.GetGoroutinesStopped(), r.GetGoroutinesStarted())
	}
	waitScopeEmpty(t, "leaky")
}

// TestThePlantedFaultKeepsEveryGoroutineRunning: with the peer's -fault
// ignore-context, the goroutines of a plain call (no ignore_context in its
// spec) outlive its cancel, and the record says none had stopped.
func TestThePlantedFaultKeepsEveryGoroutineRunning(t *testing.T) {
	svc := New(func(i int) *int64 { return &flagWords[i] }, len(flagWords))
	svc.stopBound = 50 * time.Millisecond
	svc.IgnoreContext = 300 * fault.IgnoreContext(time.Millisecond)
	c := serveService(t, svc)
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(bounded(t), scope.MetadataKey, "faulty"))
	go c.Work(ctx, &interopv1.WorkRequest{Spec: &interopv1.WorkSpec{CallId: "faulty", Goroutines: 4}})
	time.Sleep(50 * time.Millisecond)
	cancel()
	r := observe(t, c, "faulty")
	if r.GetGoroutinesStarted() != 4 || r.GetGoroutinesStopped() != 0 {
		t.Fatalf("record: %d of %d goroutines stopped, want 0 of 4", r.GetGoroutinesStopped(), r.GetGoroutinesStarted())
	}
	// The 4 and the one waiting to mark them ended: the handler itself has returned.
	if n, _ := scope.Count("faulty"); n["faulty"] != 5 {
		t.Fatalf("scope faulty: %d goroutines after the handler ended, want 5", n["faulty"])
	}
	waitScopeEmpty(t, "faulty")
}

func TestBadSpecsAreRefused(t *testing.T) {
	c := serve(t)
	for _, spec := range []*interopv1.WorkSpec{
		{},
		{CallId: "x", Goroutines: MaxGoroutines + 1},
		{CallId: "x", RegionCancelFlag: 99},
		{CallId: "x", IgnoreContext: true, IgnoreContextMs: 60_000},
	} {
		if _, err := c.Work(bounded(t), &interopv1.WorkRequest{Spec: spec}); status.Code(err) != codes.InvalidArgument {
			t.Errorf("spec %v: %v, want InvalidArgument", spec, err)
		}
	}
}

func TestWorkThatCompletesBeforeItsDeadlineEndsOK(t *testing.T) {
	c := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Work(ctx, &interopv1.WorkRequest{Spec: &interopv1.WorkSpec{CallId: "complete", Goroutines: 3, CompleteAfterMs: 20}}); err != nil {
		t.Fatalf("Work: %v, want OK", err)
	}
	r := observe(t, c, "complete")
	if r.GetContextError() != "" || r.GetFirstObservedNs() != 0 || r.GetGoroutinesStopped() != 3 {
		t.Errorf("record %v: want no context error, no goroutine seeing Done, 3 stopped", r)
	}
}

func TestServerDeadlineEndsTheCallWithDeadlineExceeded(t *testing.T) {
	c := serve(t)
	ctx := bounded(t)
	_, err := c.Work(ctx, &interopv1.WorkRequest{Spec: &interopv1.WorkSpec{CallId: "sdl", Goroutines: 2, ServerDeadlineMs: 10}})
	if status.Code(err) != codes.DeadlineExceeded || ctx.Err() != nil {
		t.Fatalf("Work: %v (client context: %v), want DeadlineExceeded from the server's own deadline", err, ctx.Err())
	}
	r := observe(t, c, "sdl")
	if r.GetContextError() != "deadline_exceeded" || r.GetServerCancelledNs() == 0 || r.GetLastStoppedNs() < r.GetServerCancelledNs() {
		t.Errorf("record %v: want deadline_exceeded and the deadline's instant before the last stop", r)
	}
}

func TestHeadersOnlySendsHeadersAndNoTick(t *testing.T) {
	c := serve(t)
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(bounded(t), scope.MetadataKey, "hdr"))
	st, err := c.WorkStream(ctx, &interopv1.WorkStreamRequest{Spec: &interopv1.WorkSpec{CallId: "hdr", Goroutines: 2, HeadersOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Header(); err != nil {
		t.Fatalf("Header: %v", err)
	}
	cancel()
	if _, err := st.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("Recv after cancel: %v, want Canceled and no tick", err)
	}
	if r := observe(t, c, "hdr"); r.GetContextError() != "canceled" || r.GetGoroutinesStopped() != 2 {
		t.Errorf("record %v", r)
	}
	waitScopeEmpty(t, "hdr")
}

func TestCollectCountsChunksAndHonoursANotice(t *testing.T) {
	c := serve(t)
	st, err := c.Collect(bounded(t))
	if err != nil {
		t.Fatal(err)
	}
	send := func(r *interopv1.CollectRequest) {
		if err := st.Send(r); err != nil {
			t.Fatal(err)
		}
	}
	send(&interopv1.CollectRequest{Kind: &interopv1.CollectRequest_Start{Start: &interopv1.WorkSpec{CallId: "collect", Goroutines: 2, CompleteAfterMs: 300}}})
	for i := 0; i < 3; i++ {
		send(&interopv1.CollectRequest{Kind: &interopv1.CollectRequest_Chunk{Chunk: []byte{byte(i)}}})
	}
	resp, err := st.CloseAndRecv()
	if err != nil || resp.GetChunks() != 3 {
		t.Fatalf("CloseAndRecv = %v, %v; want 3 chunks", resp, err)
	}

	st, err = c.Collect(bounded(t))
	if err != nil {
		t.Fatal(err)
	}
	cause := &interopv1.CancelCause{Reason: "SCOPE_CLOSED", Domain: "testbed.java"}
	send(&interopv1.CollectRequest{Kind: &interopv1.CollectRequest_Start{Start: &interopv1.WorkSpec{CallId: "collect-notice", Goroutines: 2}}})
	send(&interopv1.CollectRequest{Kind: &interopv1.CollectRequest_Cancel{Cancel: &interopv1.CancelNotice{Cause: cause}}})
	if _, err := st.CloseAndRecv(); status.Code(err) != codes.Canceled {
		t.Fatalf("CloseAndRecv after a notice: %v, want Canceled", err)
	}
	if r := observe(t, c, "collect-notice"); r.GetCause().GetReason() != "SCOPE_CLOSED" {
		t.Errorf("record %v: want the notice's cause", r)
	}
}

func TestPeerNativeWorkersStopOnTheFlagTheHandlerSets(t *testing.T) {
	if !nativework.Available {
		t.Skip("built without cgo")
	}
	// The handler's native workers poll the flag from C threads, so it must be
	// memory Go does not manage: an anonymous mapping, as the region is a file mapping.
	mem, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	c := serveFlags(t, func(int) *int64 { return (*int64)(unsafe.Pointer(&mem[0])) })
	ctx, cancel := context.WithCancel(bounded(t))
	st, err := c.Converse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec := &interopv1.WorkSpec{CallId: "native", Goroutines: 2, RegionCancelFlag: 1, PeerNativeWorkers: 2}
	if err := st.Send(&interopv1.ConverseRequest{Kind: &interopv1.ConverseRequest_Start{Start: spec}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	r := observe(t, c, "native")
	if r.GetPeerNativeStarted() != 2 || r.GetPeerNativeAliveAfter() != 0 || r.GetPeerNativeJoinedNs() == 0 || r.GetPeerNativeProblem() != "" {
		t.Errorf("record %v: want 2 native workers started, joined, 0 alive, no problem", r)
	}
}

func TestPeerNativeWorkersNeedAFlag(t *testing.T) {
	c := serve(t)
	_, err := c.Work(bounded(t), &interopv1.WorkRequest{Spec: &interopv1.WorkSpec{CallId: "noflag", PeerNativeWorkers: 1}})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Work: %v, want InvalidArgument", err)
	}
}
