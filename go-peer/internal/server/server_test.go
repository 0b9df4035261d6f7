package server_test

import (
	"context"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/region/regiontest"
	"interop-testbed/go-peer/internal/scope"
	"interop-testbed/go-peer/internal/server"
)

// peer is a Service served on a real loopback listener, with a second mapping
// of its region standing in for the Java side.
type peer struct {
	client interopv1.PeerServiceClient
	svc    *server.Service
	path   string
	// harness is the test's own mapping of the peer's region.
	harness *region.Region
}

func startPeer(t *testing.T) *peer {
	t.Helper()
	return startPeerWithLitmus(t, regiontest.LitmusSize)
}

// startPeerWithLitmus starts a peer over a region whose litmus section is
// litmusSize bytes.
func startPeerWithLitmus(t *testing.T, litmusSize uint64) *peer {
	t.Helper()
	path := regiontest.CreateWithLitmus(t, litmusSize)
	reg, err := region.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	harness, err := region.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	svc := server.New(reg, nil)
	srv := server.NewServer(svc)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		srv.Stop()
		<-served
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			t.Errorf("Service.Close: %v", err)
			return // the region stays mapped: work may still touch it
		}
		reg.Close()
		harness.Close()
	})
	return &peer{client: interopv1.NewPeerServiceClient(conn), svc: svc, path: path, harness: harness}
}

// inScope returns ctx carrying scope id for the peer.
func inScope(ctx context.Context, id string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, scope.MetadataKey, id)
}

// waitFor polls cond every 5 ms until it holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 5s waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *peer) scopeCount(t *testing.T, id string) int32 {
	t.Helper()
	resp, err := p.client.Inspect(context.Background(), &interopv1.InspectRequest{ScopeIds: []string{id}})
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return resp.GetGoroutinesByScope()[id]
}

func (p *peer) readyCount() int64 {
	return atomic.LoadInt64(p.harness.ControlWord(region.ControlReadyCount))
}

func (p *peer) openGate() {
	atomic.StoreInt64(p.harness.ControlWord(region.ControlStartGate), 1)
}

type callResult struct {
	resp *interopv1.AddCountersResponse
	err  error
}

// addAsync starts an AddCounters call and returns where its result arrives.
func (p *peer) addAsync(ctx context.Context, req *interopv1.AddCountersRequest) <-chan callResult {
	ch := make(chan callResult, 1)
	go func() {
		resp, err := p.client.AddCounters(ctx, req)
		ch <- callResult{resp, err}
	}()
	return ch
}

func receive(t *testing.T, ch <-chan callResult) callResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("AddCounters did not return within 10s")
		return callResult{}
	}
}

func TestHello(t *testing.T) {
	p := startPeer(t)
	resp, err := p.client.Hello(context.Background(), &interopv1.HelloRequest{HarnessVersion: "test", HarnessArch: runtime.GOARCH, HarnessPid: 1})
	if err != nil {
		t.Fatalf("Hello: %v", err)
	}
	want := &interopv1.HelloResponse{
		PeerVersion:         "0.1.0",
		GoVersion:           runtime.Version(),
		GrpcVersion:         grpc.Version,
		Arch:                runtime.GOARCH,
		Pid:                 int64(os.Getpid()),
		RegionPath:          p.path,
		RegionLayoutVersion: region.LayoutVersion,
		RegionSize:          region.LitmusOffset + regiontest.LitmusSize,
	}
	if resp.String() != want.String() {
		t.Errorf("Hello =\n  %v\nwant\n  %v", resp, want)
	}
}

// TestInspectCountsScopeGoroutines holds an AddCounters call of scope
// "scope-a" at the closed start gate and counts its goroutines: one per
// worker plus the handler's, then none once the call has ended.
func TestInspectCountsScopeGoroutines(t *testing.T) {
	p := startPeer(t)
	const workers = 4
	done := p.addAsync(inScope(context.Background(), "scope-a"), &interopv1.AddCountersRequest{
		Block: interopv1.Block_BLOCK_COUNTERS, Slot: 1, Goroutines: workers, IncrementsPerGoroutine: 1000, UseStartGate: true,
	})
	waitFor(t, "every worker at the gate", func() bool { return p.readyCount() == workers })

	resp, err := p.client.Inspect(context.Background(), &interopv1.InspectRequest{ScopeIds: []string{"scope-a", "scope-absent"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetGoroutinesByScope(); got["scope-a"] != workers+1 || got["scope-absent"] != 0 || len(got) != 2 {
		t.Errorf("goroutines_by_scope = %v, want scope-a:%d scope-absent:0", got, workers+1)
	}
	if resp.GetGoroutinesTotal() < workers+1 {
		t.Errorf("goroutines_total = %d, want at least %d", resp.GetGoroutinesTotal(), workers+1)
	}
	if resp.GetMonotonicNs() <= 0 {
		t.Errorf("monotonic_ns = %d, want > 0", resp.GetMonotonicNs())
	}
	all, err := p.client.Inspect(context.Background(), &interopv1.InspectRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := all.GetGoroutinesByScope(); got["scope-a"] != workers+1 {
		t.Errorf("Inspect of every scope = %v, want scope-a:%d", got, workers+1)
	}
	if all.GetMonotonicNs() < resp.GetMonotonicNs() {
		t.Errorf("monotonic_ns went back from %d to %d", resp.GetMonotonicNs(), all.GetMonotonicNs())
	}

	p.openGate()
	if r := receive(t, done); r.err != nil || r.resp.GetIncrementsDone() != workers*1000 {
		t.Fatalf("AddCounters = %v, %v; want %d increments", r.resp, r.err, workers*1000)
	}
	waitFor(t, "scope-a to have no goroutines", func() bool { return p.scopeCount(t, "scope-a") == 0 })
	all, err = p.client.Inspect(context.Background(), &interopv1.InspectRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := all.GetGoroutinesByScope()["scope-a"]; ok {
		t.Errorf("Inspect of every scope still lists scope-a: %v", all.GetGoroutinesByScope())
	}
}

// TestInspectDoesNotCountItself: an Inspect call made inside a scope does not
// count its own goroutine.
func TestInspectDoesNotCountItself(t *testing.T) {
	p := startPeer(t)
	resp, err := p.client.Inspect(inScope(context.Background(), "scope-self"), &interopv1.InspectRequest{ScopeIds: []string{"scope-self"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetGoroutinesByScope()["scope-self"]; got != 0 {
		t.Errorf("scope-self = %d, want 0", got)
	}
}

func TestAddCountersExactTotals(t *testing.T) {
	cases := []struct {
		name       string
		block      interopv1.Block
		slot       uint32
		goroutines uint32
		increments uint64
		// at is the slot's byte offset, from the layout's constants rather than from the
		// accessors the peer uses: an accessor off by a word must fail here, not agree.
		at func(slot uint32) int64
	}{
		{"counters_slot_0", interopv1.Block_BLOCK_COUNTERS, 0, 4, 50_000, counterAt},
		{"counters_slot_15", interopv1.Block_BLOCK_COUNTERS, 15, 3, 40_000, counterAt},
		{"packed_slot_7", interopv1.Block_BLOCK_PACKED, 7, 8, 20_000, packedAt},
		{"one_goroutine", interopv1.Block_BLOCK_PACKED, 0, 1, 10_000, packedAt},
		{"no_increments", interopv1.Block_BLOCK_COUNTERS, 2, 2, 0, counterAt},
	}
	for _, c := range cases {
		for _, gated := range []bool{false, true} {
			name := c.name + "/no_gate"
			if gated {
				name = c.name + "/gate"
			}
			t.Run(name, func(t *testing.T) {
				p := startPeer(t)
				req := &interopv1.AddCountersRequest{Block: c.block, Slot: c.slot, Goroutines: c.goroutines, IncrementsPerGoroutine: c.increments, UseStartGate: gated}
				done := p.addAsync(context.Background(), req)
				word := p.harness.Word(c.at(c.slot))
				if gated {
					waitFor(t, "every worker at the gate", func() bool { return p.readyCount() == int64(c.goroutines) })
					if v := atomic.LoadInt64(word); v != 0 {
						t.Fatalf("counter is %d before the gate opened, want 0", v)
					}
					p.openGate()
				}
				r := receive(t, done)
				if r.err != nil {
					t.Fatalf("AddCounters: %v", r.err)
				}
				want := uint64(c.goroutines) * c.increments
				if r.resp.GetIncrementsDone() != want {
					t.Errorf("increments_done = %d, want %d", r.resp.GetIncrementsDone(), want)
				}
				if r.resp.GetElapsedNs() <= 0 {
					t.Errorf("elapsed_ns = %d, want > 0", r.resp.GetElapsedNs())
				}
				if v := atomic.LoadInt64(word); uint64(v) != want {
					t.Errorf("the region's %v slot %d holds %d, want %d", c.block, c.slot, v, want)
				}
				// Every other word of the counters and packed sections is untouched.
				for off := int64(region.CountersOffset); off < region.PackedOffset+region.PackedSize; off += 8 {
					if w := p.harness.Word(off); w != word && atomic.LoadInt64(w) != 0 {
						t.Errorf("word at offset %d holds %d, want 0", off, atomic.LoadInt64(w))
					}
				}
			})
		}
	}
}

func counterAt(slot uint32) int64 { return region.CountersOffset + int64(slot)*region.SlotStride }
func packedAt(slot uint32) int64  { return region.PackedOffset + int64(slot)*8 }

func TestAddCountersGateTimeout(t *testing.T) {
	p := startPeer(t)
	start := time.Now()
	r := receive(t, p.addAsync(inScope(context.Background(), "scope-gate"), &interopv1.AddCountersRequest{
		Block: interopv1.Block_BLOCK_COUNTERS, Slot: 3, Goroutines: 3, IncrementsPerGoroutine: 10, UseStartGate: true, GateTimeoutMs: 200,
	}))
	elapsed := time.Since(start)
	if status.Code(r.err) != codes.DeadlineExceeded || !strings.Contains(status.Convert(r.err).Message(), "start gate did not open within 200ms") {
		t.Fatalf("AddCounters error = %v, want DeadlineExceeded: start gate did not open within 200ms", r.err)
	}
	if elapsed < 200*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("gave up after %v, want 200ms and a little", elapsed)
	}
	if v := atomic.LoadInt64(p.harness.Counter(3)); v != 0 {
		t.Errorf("counter 3 = %d after a shut gate, want 0", v)
	}
	waitFor(t, "scope-gate to have no goroutines", func() bool { return p.scopeCount(t, "scope-gate") == 0 })
}

func TestAddCountersInvalidArgument(t *testing.T) {
	p := startPeer(t)
	valid := func() *interopv1.AddCountersRequest {
		return &interopv1.AddCountersRequest{Block: interopv1.Block_BLOCK_COUNTERS, Slot: 0, Goroutines: 1, IncrementsPerGoroutine: 1}
	}
	cases := []struct {
		name string
		edit func(r *interopv1.AddCountersRequest)
		want string
	}{
		{"block_unset", func(r *interopv1.AddCountersRequest) { r.Block = interopv1.Block_BLOCK_UNSPECIFIED }, "block BLOCK_UNSPECIFIED: want BLOCK_COUNTERS or BLOCK_PACKED"},
		{"block_unknown", func(r *interopv1.AddCountersRequest) { r.Block = 7 }, "block 7: want BLOCK_COUNTERS or BLOCK_PACKED"},
		{"counter_slot_16", func(r *interopv1.AddCountersRequest) { r.Slot = 16 }, "slot 16 out of range: BLOCK_COUNTERS has 16 slots (0..15)"},
		{"packed_slot_16", func(r *interopv1.AddCountersRequest) { r.Block, r.Slot = interopv1.Block_BLOCK_PACKED, 16 }, "slot 16 out of range: BLOCK_PACKED has 16 slots (0..15)"},
		{"no_goroutines", func(r *interopv1.AddCountersRequest) { r.Goroutines = 0 }, "goroutines 0 out of range: want 1 to 256"},
		{"too_many_goroutines", func(r *interopv1.AddCountersRequest) { r.Goroutines = 257 }, "goroutines 257 out of range: want 1 to 256"},
		{"too_many_increments", func(r *interopv1.AddCountersRequest) { r.IncrementsPerGoroutine = 1_000_000_001 }, "increments_per_goroutine 1000000001 out of range: want at most 1000000000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := valid()
			c.edit(req)
			_, err := p.client.AddCounters(context.Background(), req)
			if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != c.want {
				t.Errorf("AddCounters error = %v, want InvalidArgument %q", err, c.want)
			}
		})
	}
	if v := atomic.LoadInt64(p.harness.Counter(0)); v != 0 {
		t.Errorf("counter 0 = %d after refused calls, want 0", v)
	}
}

// TestAddCountersCancelledOverTheWire cancels calls from the client, once at
// the gate and once mid-increments, and checks that the peer's goroutines for
// each call end.
func TestAddCountersCancelledOverTheWire(t *testing.T) {
	cases := []struct {
		name  string
		req   *interopv1.AddCountersRequest
		ready func(p *peer) bool
	}{
		{"at_gate", &interopv1.AddCountersRequest{Block: interopv1.Block_BLOCK_COUNTERS, Slot: 5, Goroutines: 4, IncrementsPerGoroutine: 10, UseStartGate: true},
			func(p *peer) bool { return p.readyCount() == 4 }},
		{"mid_increments", &interopv1.AddCountersRequest{Block: interopv1.Block_BLOCK_COUNTERS, Slot: 5, Goroutines: 2, IncrementsPerGoroutine: 1_000_000_000},
			func(p *peer) bool { return atomic.LoadInt64(p.harness.Counter(5)) > 10_000 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := startPeer(t)
			id := "scope-cancel-" + c.name
			ctx, cancel := context.WithCancel(inScope(context.Background(), id))
			defer cancel()
			done := p.addAsync(ctx, c.req)
			waitFor(t, "the call to be under way", func() bool { return c.ready(p) })
			cancel()
			if r := receive(t, done); status.Code(r.err) != codes.Canceled {
				t.Fatalf("AddCounters error = %v, want Canceled", r.err)
			}
			waitFor(t, id+" to have no goroutines", func() bool { return p.scopeCount(t, id) == 0 })
			total := int64(c.req.GetGoroutines()) * int64(c.req.GetIncrementsPerGoroutine())
			if v := atomic.LoadInt64(p.harness.Counter(5)); v >= total {
				t.Errorf("counter 5 = %d, want fewer than %d after a cancel", v, total)
			}
		})
	}
}

// TestAddCountersReturnsContextCodes calls the Service directly, so the code
// the peer itself returns is seen rather than the client's own.
func TestAddCountersReturnsContextCodes(t *testing.T) {
	p := startPeer(t)
	big := &interopv1.AddCountersRequest{Block: interopv1.Block_BLOCK_PACKED, Slot: 2, Goroutines: 2, IncrementsPerGoroutine: 1_000_000_000}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := p.svc.AddCounters(ctx, big)
	if status.Code(err) != codes.Canceled || !strings.Contains(err.Error(), "canceled after") {
		t.Errorf("cancelled AddCounters = %v, want Canceled after N of M increments", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = p.svc.AddCounters(ctx, big)
	if status.Code(err) != codes.DeadlineExceeded || !strings.Contains(err.Error(), "deadline passed after") {
		t.Errorf("AddCounters past its deadline = %v, want DeadlineExceeded", err)
	}
}

// TestCloseEndsRunningCalls: Close cancels a call held at the gate, returns
// once its goroutines are gone, and later calls are refused.
func TestCloseEndsRunningCalls(t *testing.T) {
	p := startPeer(t)
	done := p.addAsync(context.Background(), &interopv1.AddCountersRequest{
		Block: interopv1.Block_BLOCK_COUNTERS, Slot: 9, Goroutines: 2, IncrementsPerGoroutine: 1, UseStartGate: true,
	})
	waitFor(t, "every worker at the gate", func() bool { return p.readyCount() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.svc.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if r := receive(t, done); status.Code(r.err) != codes.Unavailable {
		t.Errorf("running AddCounters = %v, want Unavailable", r.err)
	}
	_, err := p.client.AddCounters(context.Background(), &interopv1.AddCountersRequest{Block: interopv1.Block_BLOCK_COUNTERS, Goroutines: 1, IncrementsPerGoroutine: 1})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("AddCounters after Close = %v, want Unavailable", err)
	}
	if err := p.svc.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestScopeMetadataRefused: a malformed scope id is refused before the
// handler runs.
func TestScopeMetadataRefused(t *testing.T) {
	p := startPeer(t)
	ctx := metadata.AppendToOutgoingContext(context.Background(), scope.MetadataKey, "a", scope.MetadataKey, "b")
	_, err := p.client.Hello(ctx, &interopv1.HelloRequest{})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("Hello with two scope ids = %v, want InvalidArgument", err)
	}
}
