package scopesvc

import (
	"context"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/nativework"
)

// serveMapped serves with 4 cancel flags outside Go's memory, as the region's
// are: native worker threads poll them after Start returns.
func serveMapped(t *testing.T) (interopv1.ScopeServiceClient, []int64) {
	t.Helper()
	mem, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	words := unsafe.Slice((*int64)(unsafe.Pointer(&mem[0])), 4)
	c := serveFlags(t, func(i int) *int64 { return &words[i] }, len(words))
	// Registered after serveFlags, so it runs before the server stops: every
	// worker is stopped (flags set, abandoned groups reaped) before the unmap.
	t.Cleanup(func() {
		for i := range words {
			atomic.StoreInt64(&words[i], 1)
		}
		c.PeerNative(context.Background(), &interopv1.PeerNativeRequest{Reap: true})
		for deadline := time.Now().Add(3 * time.Second); nativework.Alive() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		syscall.Munmap(mem)
	})
	return c, words
}

func peerAlive(t *testing.T, c interopv1.ScopeServiceClient, reap bool) *interopv1.PeerNativeResponse {
	t.Helper()
	r, err := c.PeerNative(context.Background(), &interopv1.PeerNativeRequest{Reap: reap})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func cancelHold(t *testing.T, st interopv1.ScopeService_HoldClient) {
	t.Helper()
	cause := &interopv1.CancelCause{Reason: "SCOPE_CANCELLED", Domain: "testbed.java"}
	if err := st.Send(&interopv1.HoldRequest{Kind: &interopv1.HoldRequest_Cancel{Cancel: &interopv1.CancelNotice{Cause: cause}}}); err != nil {
		t.Fatal(err)
	}
	st.CloseSend()
	if _, err := st.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("Hold ended with %v, want Canceled", err)
	}
}

func TestNativeWorkerUnderGoroutineEndsBeforeTheHandler(t *testing.T) {
	if !nativework.Available {
		t.Skip("built without cgo: no native workers (TestWithoutCgoNativeWorkersAreRefused covers this build)")
	}
	c, words := serveMapped(t)
	base := peerAlive(t, c, false).GetAlive()
	ctx := begin(t, c, "native-scope")
	st, started := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "n", Goroutines: 2, NestedGoroutines: 1, GoroutineNativeFlag: 3})
	if started.GetGoroutines() != 2*(2+1)+1 {
		t.Errorf("started %d goroutines, want 7 (the native worker's goroutine included)", started.GetGoroutines())
	}
	deadline := time.Now().Add(3 * time.Second)
	for peerAlive(t, c, false).GetAlive() < base+1 {
		if time.Now().After(deadline) {
			t.Fatal("the goroutine's native worker never showed in the peer's live count")
		}
		time.Sleep(time.Millisecond)
	}
	cancelHold(t, st)
	r := end(t, c, "native-scope")
	rec := r.GetCalls()[0]
	if rec.GetEnd() != "cancelled_by_notice" || rec.GetGoroutinesStopped() != rec.GetGoroutinesStarted() || r.GetLive() != 0 {
		t.Errorf("EndScope = %v, want cancelled_by_notice, every goroutine stopped, 0 live", r)
	}
	if rec.GetNativeWorkersStarted() != 1 || !rec.GetNativeStoppedByFlag() || rec.GetNativeEndedNs() == 0 || rec.GetNativeEndedNs() > rec.GetEndedNs() {
		t.Errorf("record = %v, want 1 native worker stopped by its flag before the handler ended", rec)
	}
	if atomic.LoadInt64(&words[2]) != 1 {
		t.Error("the goroutine did not set its worker's flag")
	}
	if a := peerAlive(t, c, false).GetAlive(); a != base {
		t.Errorf("peer native workers alive after the call = %d, want %d", a, base)
	}
}

// TestNativeLeakIsLeftRunningUntilReaped is the broken variant: the goroutine
// returns without stopping its worker, which the live count still finds.
func TestNativeLeakIsLeftRunningUntilReaped(t *testing.T) {
	if !nativework.Available {
		t.Skip("built without cgo: no native workers")
	}
	c, _ := serveMapped(t)
	base := peerAlive(t, c, false).GetAlive()
	ctx := begin(t, c, "native-leak-scope")
	st, _ := hold(t, ctx, c, &interopv1.HoldSpec{CallId: "l", GoroutineNativeFlag: 1, NativeLeak: true})
	cancelHold(t, st)
	r := end(t, c, "native-leak-scope")
	if rec := r.GetCalls()[0]; rec.GetNativeWorkersStarted() != 1 || rec.GetNativeEndedNs() != 0 || r.GetLive() != 0 {
		t.Errorf("EndScope = %v, want the worker started and never joined, no goroutine left", r)
	}
	time.Sleep(50 * time.Millisecond)
	if a := peerAlive(t, c, false).GetAlive(); a != base+1 {
		t.Fatalf("peer native workers alive after the call = %d, want %d: the leak was not seen", a, base+1)
	}
	if r := peerAlive(t, c, true); r.GetReaped() != 1 || r.GetAlive() != base {
		t.Errorf("reap = %v, want 1 group reaped and %d alive", r, base)
	}
}

func TestWithoutCgoNativeWorkersAreRefused(t *testing.T) {
	if nativework.Available {
		t.Skip("built with cgo (TestNativeWorkerUnderGoroutineEndsBeforeTheHandler covers this build)")
	}
	c := serve(t)
	if r := peerAlive(t, c, true); r.GetAvailable() || !strings.Contains(r.GetReason(), "without cgo") {
		t.Errorf("PeerNative = %v, want unavailable with the reason", r)
	}
	ctx := begin(t, c, "no-cgo-scope")
	_, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: &interopv1.HoldSpec{CallId: "x", GoroutineNativeFlag: 1}})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "without cgo") {
		t.Errorf("HoldUnary = %v, want FailedPrecondition naming cgo", err)
	}
}

func TestNativeSpecsAreChecked(t *testing.T) {
	c := serve(t)
	ctx := begin(t, c, "native-bad-scope")
	for _, tc := range []struct {
		spec *interopv1.HoldSpec
		want string
	}{
		{&interopv1.HoldSpec{CallId: "a", GoroutineNativeFlag: 5}, "this peer has 4 cancel flags"},
		{&interopv1.HoldSpec{CallId: "b", GoroutineNativeFlag: 2, RegionCancelFlag: 2}, "a flag of its own"},
		{&interopv1.HoldSpec{CallId: "c", GoroutineNativeFlag: 2, SucceedAfterMs: 5}, "must end by cancellation"},
		{&interopv1.HoldSpec{CallId: "d", NativeLeak: true}, "native_leak needs goroutine_native_flag"},
	} {
		_, err := c.HoldUnary(ctx, &interopv1.HoldUnaryRequest{Spec: tc.spec})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want InvalidArgument containing %q", tc.spec, err, tc.want)
		}
	}
	end(t, c, "native-bad-scope")
}
