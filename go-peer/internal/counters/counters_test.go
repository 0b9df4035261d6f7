package counters

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// words gives each test its own counter and gate words, 8-byte aligned as
// they are in the region.
type words struct {
	counter, open, ready int64
}

func TestRunExactTotal(t *testing.T) {
	var w words
	res, err := Run(context.Background(), Spec{Word: &w.counter, Goroutines: 8, Increments: 25_000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 200_000 || atomic.LoadInt64(&w.counter) != 200_000 {
		t.Errorf("Done = %d, counter = %d, want 200000 both", res.Done, w.counter)
	}
	if res.Elapsed <= 0 {
		t.Errorf("Elapsed = %v, want > 0", res.Elapsed)
	}
}

// TestRunGateHoldsEveryGoroutine: nothing is added until the gate opens, every
// goroutine is in the ready count by then, and Elapsed starts at the opening.
func TestRunGateHoldsEveryGoroutine(t *testing.T) {
	var w words
	type result struct {
		res Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Run(context.Background(), Spec{Word: &w.counter, Goroutines: 5, Increments: 1000,
			Gate: &Gate{Open: &w.open, Ready: &w.ready, Timeout: 10 * time.Second}})
		done <- result{res, err}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for atomic.LoadInt64(&w.ready) != 5 {
		if time.Now().After(deadline) {
			t.Fatalf("ready count %d after 5s, want 5", atomic.LoadInt64(&w.ready))
		}
		time.Sleep(time.Millisecond)
	}
	const held = 100 * time.Millisecond
	time.Sleep(held)
	if v := atomic.LoadInt64(&w.counter); v != 0 {
		t.Fatalf("counter = %d while the gate is shut, want 0", v)
	}
	atomic.StoreInt64(&w.open, 1)
	select {
	case r := <-done:
		if r.err != nil || r.res.Done != 5000 || atomic.LoadInt64(&w.counter) != 5000 {
			t.Fatalf("Run = %+v, %v; counter %d; want 5000", r.res, r.err, w.counter)
		}
		if r.res.Elapsed >= held {
			t.Errorf("Elapsed = %v includes the %v spent at the gate", r.res.Elapsed, held)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of the gate opening")
	}
}

func TestRunGateTimeout(t *testing.T) {
	var w words
	start := time.Now()
	res, err := Run(context.Background(), Spec{Word: &w.counter, Goroutines: 3, Increments: 1,
		Gate: &Gate{Open: &w.open, Ready: &w.ready, Timeout: 100 * time.Millisecond}})
	var gateErr *GateTimeoutError
	if !errors.As(err, &gateErr) || gateErr.Timeout != 100*time.Millisecond || gateErr.Ready != 3 {
		t.Fatalf("Run error = %v, want a GateTimeoutError after 100ms with 3 ready", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Run took %v to give up, want about 100ms", took)
	}
	if res.Done != 0 || w.counter != 0 {
		t.Errorf("Done = %d, counter = %d after a timeout, want 0", res.Done, w.counter)
	}
}

func TestRunHonoursContext(t *testing.T) {
	cases := []struct {
		name string
		spec func(w *words) Spec
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancel_mid_increments", func(w *words) Spec { return Spec{Word: &w.counter, Goroutines: 2, Increments: 1_000_000_000} },
			func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(30*time.Millisecond, cancel)
				return ctx, cancel
			}, context.Canceled},
		{"deadline_at_gate", func(w *words) Spec {
			return Spec{Word: &w.counter, Goroutines: 2, Increments: 1, Gate: &Gate{Open: &w.open, Ready: &w.ready, Timeout: time.Minute}}
		}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w words
			ctx, cancel := c.ctx()
			defer cancel()
			start := time.Now()
			res, err := Run(ctx, c.spec(&w))
			if !errors.Is(err, c.want) {
				t.Fatalf("Run error = %v, want %v", err, c.want)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("Run took %v to notice its context, want well under 2s", took)
			}
			if got := atomic.LoadInt64(&w.counter); uint64(got) != res.Done {
				t.Errorf("Done = %d but the counter holds %d", res.Done, got)
			}
		})
	}
}

func TestRunRefusesEmptySpec(t *testing.T) {
	var w words
	if _, err := Run(context.Background(), Spec{Word: &w.counter}); err == nil {
		t.Error("Run with no goroutines succeeded")
	}
	if _, err := Run(context.Background(), Spec{Goroutines: 1}); err == nil {
		t.Error("Run with no word succeeded")
	}
}
