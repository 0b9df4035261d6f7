package server_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/litmus"
	"interop-testbed/go-peer/internal/litmus/litmustest"
)

// The peer under test knows litmus.TestMPWriter and TestMPReader, as a peer
// built with a litmus file's generated kernels knows those.
func init() { litmus.RegisterTestKernels() }

// mpTest is message passing with atomics: actor 0 stores data x then flag
// y, actor 1 loads y then x; the flag without the data, (1, 0), is forbidden.
var mpTest = litmustest.Test{Actors: 2, Stride: 256, Locations: 2, MaxRounds: 200, Generation: 21,
	Gather: []litmustest.Value{litmustest.Reg(1, 0), litmustest.Reg(1, 1)}}

func mpRequest(actor uint32) *interopv1.RunLitmusActorRequest {
	kernel := litmus.TestMPReader
	if actor == 0 {
		kernel = litmus.TestMPWriter
	}
	return &interopv1.RunLitmusActorRequest{Actor: actor, Kernel: kernel, Generation: mpTest.Generation, StallTimeoutMs: 5000}
}

// startLitmusPeer starts a peer whose litmus section holds test, written
// through the harness's mapping.
func startLitmusPeer(t *testing.T, test litmustest.Test) (*peer, []byte) {
	t.Helper()
	p := startPeerWithLitmus(t, test.SectionSize())
	sec := p.harness.Litmus()
	litmustest.Write(sec, litmustest.Describe(test), test.Generation)
	return p, sec
}

type litmusResult struct {
	resp *interopv1.RunLitmusActorResponse
	err  error
}

func (p *peer) runActorAsync(ctx context.Context, req *interopv1.RunLitmusActorRequest) <-chan litmusResult {
	ch := make(chan litmusResult, 1)
	go func() {
		resp, err := p.client.RunLitmusActor(ctx, req)
		ch <- litmusResult{resp, err}
	}()
	return ch
}

func receiveActor(t *testing.T, ch <-chan litmusResult) litmusResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("RunLitmusActor did not return within 10s")
		return litmusResult{}
	}
}

func litmusWord(sec []byte, off int64) int64 { return atomic.LoadInt64(litmustest.Word(sec, off)) }

// TestRunLitmusActorMessagePassing runs MP between two RunLitmusActor calls
// of one scope, with the test as the runner: while they wait for round 1
// each call has two goroutines in the scope (handler and actor); both run
// every round, between them consume each once, see no (1, 0), and leave no
// goroutine behind.
func TestRunLitmusActorMessagePassing(t *testing.T) {
	p, sec := startLitmusPeer(t, mpTest)
	ctx := inScope(context.Background(), "scope-litmus")
	calls := []<-chan litmusResult{p.runActorAsync(ctx, mpRequest(0)), p.runActorAsync(ctx, mpRequest(1))}
	waitFor(t, "both actors ready", func() bool { return litmusWord(sec, litmus.ReadyOffset) == 2 })
	if n := p.scopeCount(t, "scope-litmus"); n != 4 {
		t.Errorf("scope-litmus has %d goroutines while its actors wait, want 4 (two handlers, two actors)", n)
	}
	rep, err := litmustest.Run(sec, litmustest.Drive{Actors: 2})
	if err != nil {
		t.Fatal(err)
	}
	var consumed uint64
	for i, ch := range calls {
		r := receiveActor(t, ch)
		if r.err != nil {
			t.Fatalf("actor %d: %v", i, r.err)
		}
		if r.resp.GetRounds() != 200 || r.resp.GetAborted() || r.resp.GetAbortReason() != "" || r.resp.GetElapsedNs() <= 0 {
			t.Errorf("actor %d: %v, want 200 rounds, not aborted", i, r.resp)
		}
		consumed += r.resp.GetRoundsConsumed()
	}
	if consumed != 200 || rep.Rounds != 200 || rep.Samples() != 200*mpTest.Stride {
		t.Errorf("consumed %d rounds, the section counts %d rounds and %d samples; want 200, 200, %d", consumed, rep.Rounds, rep.Samples(), 200*mpTest.Stride)
	}
	if err := litmustest.CheckForbidden(rep.Hist, litmustest.Outcome{1, 0}); err != nil {
		t.Errorf("MP atomic over gRPC: %v", err)
	}
	waitFor(t, "scope-litmus to have no goroutines", func() bool { return p.scopeCount(t, "scope-litmus") == 0 })
}

// TestRunLitmusActorRefused: requests the peer must refuse before running
// anything, with their codes and messages.
func TestRunLitmusActorRefused(t *testing.T) {
	cases := []struct {
		name string
		desc func(d *litmus.Descriptor)
		req  func(r *interopv1.RunLitmusActorRequest)
		code codes.Code
		want string
	}{
		{name: "bad_descriptor", desc: func(d *litmus.Descriptor) { d.NActors = 5 }, code: codes.InvalidArgument,
			want: "litmus descriptor: n_actors 5 out of range: want 2 to 4"},
		{name: "unknown_kernel", req: func(r *interopv1.RunLitmusActorRequest) { r.Kernel = "k0123456789abcdef" }, code: codes.InvalidArgument,
			want: `unknown kernel "k0123456789abcdef": this peer was not built with it; its generated kernels: kTestMPReader, kTestMPWriter`},
		{name: "wrong_generation", req: func(r *interopv1.RunLitmusActorRequest) { r.Generation = 7 }, code: codes.FailedPrecondition,
			want: "generation 7, but the litmus section holds generation 21"},
		{name: "actor_out_of_range", req: func(r *interopv1.RunLitmusActorRequest) { r.Actor = 1 << 31 }, code: codes.InvalidArgument,
			want: "actor 2147483648 out of range: want 0 to 3"},
		{name: "actor_not_in_test", req: func(r *interopv1.RunLitmusActorRequest) { r.Actor = 3 }, code: codes.InvalidArgument,
			want: "actor 3 out of range: the test has 2 actors (0 to 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, sec := startLitmusPeer(t, mpTest)
			d := litmustest.Describe(mpTest)
			if c.desc != nil {
				c.desc(&d)
				litmustest.Write(sec, d, mpTest.Generation)
			}
			req := mpRequest(0)
			if c.req != nil {
				c.req(req)
			}
			_, err := p.client.RunLitmusActor(context.Background(), req)
			if status.Code(err) != c.code || !strings.HasPrefix(status.Convert(err).Message(), c.want) {
				t.Errorf("RunLitmusActor = %v, want %v %q", err, c.code, c.want)
			}
			if v := litmusWord(sec, litmus.ReadyOffset); v != 0 {
				t.Errorf("ready = %d after a refusal, want 0", v)
			}
		})
	}
}

// TestRunLitmusActorCancelledOverTheWire: an actor waiting for a partner
// that never comes ends when its caller cancels: the call ends Canceled and
// the scope's goroutines, the actor's included, are gone within a second.
func TestRunLitmusActorCancelledOverTheWire(t *testing.T) {
	p, sec := startLitmusPeer(t, mpTest)
	ctx, cancel := context.WithCancel(inScope(context.Background(), "scope-litmus-cancel"))
	defer cancel()
	req := mpRequest(0)
	req.StallTimeoutMs = 0 // the default, 10 s: only the cancel can end it in time
	done := p.runActorAsync(ctx, req)
	waitFor(t, "the actor ready", func() bool { return litmusWord(sec, litmus.ReadyOffset) == 1 })
	atomic.StoreInt64(litmustest.Word(sec, litmus.EpochOffset), 1) // it runs round 1, then waits for its partner
	waitFor(t, "the actor to arrive at round 1", func() bool { return litmusWord(sec, litmus.ArrivedOffset) == 1 })
	cancel()
	cancelled := time.Now()
	if r := receiveActor(t, done); status.Code(r.err) != codes.Canceled {
		t.Fatalf("RunLitmusActor = %v, %v; want Canceled", r.resp, r.err)
	}
	waitFor(t, "scope-litmus-cancel to have no goroutines", func() bool { return p.scopeCount(t, "scope-litmus-cancel") == 0 })
	if took := time.Since(cancelled); took > time.Second {
		t.Errorf("the actor's goroutines took %v to end after the cancel, want well under 1s", took)
	}
}

// TestRunLitmusActorReportsWhyItLeft calls the Service directly, so that the
// response of an aborted actor is seen: cancelled, stalled, aborted by the
// runner, and the peer shutting down.
func TestRunLitmusActorReportsWhyItLeft(t *testing.T) {
	cases := []struct {
		name  string
		stall uint32
		act   func(p *peer, sec []byte, cancel context.CancelFunc)
		want  string
	}{
		{"cancelled", 0, func(_ *peer, _ []byte, cancel context.CancelFunc) { cancel() }, "call cancelled"},
		{"stalled", 200, func(*peer, []byte, context.CancelFunc) {}, "no progress for 200ms waiting for round 1 (epoch 0, arrived 0 of 2, ready 1)"},
		{"aborted", 0, func(_ *peer, sec []byte, _ context.CancelFunc) {
			atomic.StoreInt64(litmustest.Word(sec, litmus.AbortOffset), 1)
		}, "the runner set abort (before round 1)"},
		{"shutting_down", 0, func(p *peer, _ []byte, _ context.CancelFunc) {
			go p.svc.Close(context.Background())
		}, "peer is shutting down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, sec := startLitmusPeer(t, mpTest)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req := mpRequest(1)
			req.StallTimeoutMs = c.stall
			type result struct {
				resp *interopv1.RunLitmusActorResponse
				err  error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := p.svc.RunLitmusActor(ctx, req)
				done <- result{resp, err}
			}()
			waitFor(t, "the actor ready", func() bool { return litmusWord(sec, litmus.ReadyOffset) == 1 })
			c.act(p, sec, cancel)
			select {
			case r := <-done:
				if r.err != nil || !r.resp.GetAborted() || r.resp.GetAbortReason() != c.want || r.resp.GetRounds() != 0 {
					t.Errorf("RunLitmusActor = %v, %v; want aborted after 0 rounds: %q", r.resp, r.err, c.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("RunLitmusActor did not return within 5s")
			}
		})
	}
}

// TestRunLitmusActorAfterClose is refused with Unavailable.
func TestRunLitmusActorAfterClose(t *testing.T) {
	p, sec := startLitmusPeer(t, mpTest)
	if err := p.svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := p.client.RunLitmusActor(context.Background(), mpRequest(0))
	if status.Code(err) != codes.Unavailable {
		t.Errorf("RunLitmusActor after Close = %v, want Unavailable", err)
	}
	if v := litmusWord(sec, litmus.ReadyOffset); v != 0 {
		t.Errorf("ready = %d after a refusal, want 0", v)
	}
}
