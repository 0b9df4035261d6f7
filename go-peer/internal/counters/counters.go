// Package counters runs the peer's side of the shared-counter test: goroutines
// that each add 1 to one int64 of the shared region, atomically, a given
// number of times, optionally starting together with the other runtimes at
// the region's start gate.
package counters

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// checkEvery is how many increments a goroutine makes between two looks at
// its context; a power of two.
const checkEvery = 4096

// Gate is the region's start gate: two control words shared with every
// runtime taking part in a run.
type Gate struct {
	// Open is the start gate word: the gate is open once it is non-zero.
	Open *int64
	// Ready is the ready count: each goroutine adds 1 before it waits.
	Ready *int64
	// Timeout bounds the wait, measured from the start of Run.
	Timeout time.Duration
}

// Spec describes one run.
type Spec struct {
	// Word is the counter, an 8-byte-aligned int64 inside the region.
	Word *int64
	// Goroutines is how many goroutines add to Word; at least 1.
	Goroutines int
	// Increments is how many times each goroutine adds 1.
	Increments uint64
	// Gate, when not nil, holds every goroutine until the gate opens.
	Gate *Gate
}

// Result reports a run.
type Result struct {
	// Done is the number of increments made, over all goroutines; when Run
	// returns an error it says how far the run got.
	Done uint64
	// Elapsed runs from the gate opening (from the start of Run without a
	// gate) until the last goroutine ended.
	Elapsed time.Duration
}

// GateTimeoutError reports a start gate that stayed shut for Timeout.
type GateTimeoutError struct {
	Timeout    time.Duration
	Ready      int64 // the ready count when the wait gave up
	Goroutines int
}

func (e *GateTimeoutError) Error() string {
	return fmt.Sprintf("start gate did not open within %v (ready count %d, this call's goroutines %d)", e.Timeout, e.Ready, e.Goroutines)
}

// Run starts spec.Goroutines goroutines, each locked to its own OS thread
// for its whole life, and waits for all of them to end. With a gate, each
// goroutine first adds 1 to the ready count and then waits for the gate to
// open, yielding and then sleeping between looks. Each goroutine then makes
// its increments with atomic.AddInt64.
//
// Run returns a *GateTimeoutError if the gate stays shut past its timeout, or
// ctx's error if ctx ends first; the goroutines notice either within a few
// thousand increments or one backoff sleep, the first error stops all of
// them, and Run returns only after every goroutine has ended.
func Run(ctx context.Context, spec Spec) (Result, error) {
	if spec.Goroutines < 1 || spec.Word == nil {
		return Result{}, fmt.Errorf("counters: need a word and at least one goroutine (have %d)", spec.Goroutines)
	}
	start := time.Now()
	var done atomic.Uint64
	// firstPass is when the first goroutine saw the gate open, in ns after start.
	var firstPass atomic.Int64
	firstPass.Store(math.MaxInt64)
	g, gctx := errgroup.WithContext(ctx)
	for range spec.Goroutines {
		g.Go(func() error {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if spec.Gate != nil {
				atomic.AddInt64(spec.Gate.Ready, 1)
				if err := spec.Gate.wait(gctx, start, spec.Goroutines); err != nil {
					return err
				}
				passed := int64(time.Since(start))
				for {
					seen := firstPass.Load()
					if passed >= seen || firstPass.CompareAndSwap(seen, passed) {
						break
					}
				}
			}
			n, err := add(gctx, spec.Word, spec.Increments)
			done.Add(n)
			return err
		})
	}
	err := g.Wait()
	end := time.Since(start)
	from := time.Duration(0)
	if p := firstPass.Load(); spec.Gate != nil && p != math.MaxInt64 {
		from = time.Duration(p)
	}
	res := Result{Done: done.Load(), Elapsed: end - from}
	if err != nil {
		// The error the group saw may come from its own context; the
		// caller's context, when it ended, is the one to report.
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, err
	}
	return res, nil
}

// add adds 1 to word n times, looking at ctx every checkEvery increments, and
// returns how many increments it made.
func add(ctx context.Context, word *int64, n uint64) (uint64, error) {
	done := ctx.Done()
	for i := uint64(0); i < n; i++ {
		atomic.AddInt64(word, 1)
		if i&(checkEvery-1) == checkEvery-1 {
			select {
			case <-done:
				return i + 1, ctx.Err()
			default:
			}
		}
	}
	return n, nil
}

// Backoff while the gate is shut: yield for the first gateYields looks, then
// sleep, doubling from gateSleepMin up to gateSleepMax.
const (
	gateYields   = 2000
	gateSleepMin = 5 * time.Microsecond
	gateSleepMax = time.Millisecond
)

// wait returns once the gate is open, or an error once ctx ends or the
// timeout, counted from start, passes.
func (gt *Gate) wait(ctx context.Context, start time.Time, goroutines int) error {
	deadline := start.Add(gt.Timeout)
	sleep := gateSleepMin
	for i := 0; atomic.LoadInt64(gt.Open) == 0; i++ {
		if i < gateYields {
			runtime.Gosched()
			if i%64 != 63 {
				continue
			}
		} else {
			time.Sleep(sleep)
			sleep = min(2*sleep, gateSleepMax)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return &GateTimeoutError{Timeout: gt.Timeout, Ready: atomic.LoadInt64(gt.Ready), Goroutines: goroutines}
		}
	}
	return nil
}
