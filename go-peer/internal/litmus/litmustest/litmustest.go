// Package litmustest lays litmus tests out in a litmus section and plays the
// runner's part of docs/LITMUS.md, so that the Go peer's tests and benchmarks
// can run Go actors against each other in one process.
package litmustest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"interop-testbed/go-peer/internal/litmus"
	"interop-testbed/go-peer/internal/region"
)

// Value names one outcome value: a register of an actor, or a location read
// after the round.
type Value struct {
	loc        bool
	actor, reg int // a register: actor's r0 or r1
	index      int // a location: the index-th 8-byte word of an instance
}

// Reg is actor's register reg (0 or 1).
func Reg(actor, reg int) Value { return Value{actor: actor, reg: reg} }

// Loc is location i of each instance, at byte offset Offset(i).
func Loc(i int) Value { return Value{loc: true, index: i} }

// Offset is the byte offset of location i inside an instance, as a kernel's
// body names it.
func Offset(i int) int64 { return 8 * int64(i) }

// Test is the shape of a test in the section.
type Test struct {
	Actors    int
	Stride    int64
	Locations int // 8-byte locations per instance, packed from its start
	// LocStride is the distance between instances; 0 packs them (8*Locations).
	LocStride  int64
	Gather     []Value
	MaxRounds  int64
	Generation int64
	// Radix is the histogram's; 0 means 4, as the runner's standard layout.
	Radix int64
}

// resultStride is every actor's result stride: r0 and r1 side by side.
const resultStride = 16

func (t Test) locStride() int64 {
	if t.LocStride != 0 {
		return t.LocStride
	}
	return 8 * int64(t.Locations)
}

// SectionSize is the smallest litmus section, a multiple of
// region.LitmusAlign, that holds t as Describe lays it out.
func (t Test) SectionSize() uint64 {
	end := t.resultsOffset() + int64(t.Actors)*t.Stride*resultStride
	return uint64((end + region.LitmusAlign - 1) / region.LitmusAlign * region.LitmusAlign)
}

// resultsOffset is where the result arrays start: after the locations, on a
// fresh 128-byte line.
func (t Test) resultsOffset() int64 {
	return (litmus.DataOffset + t.Stride*t.locStride() + 127) / 128 * 128
}

// Describe lays t out: the histogram at 0x1000, the instances packed from
// 0x2000, then each actor's result array (r0, r1 per instance) in turn.
func Describe(t Test) litmus.Descriptor {
	d := litmus.Descriptor{
		NActors:    int64(t.Actors),
		Stride:     t.Stride,
		NGather:    int64(len(t.Gather)),
		MaxRounds:  t.MaxRounds,
		LocOffset:  litmus.DataOffset,
		LocStride:  t.locStride(),
		HistOffset: litmus.HistogramOffset,
		Radix:      4,
	}
	if t.Radix != 0 {
		d.Radix = t.Radix
	}
	d.HistLen = 1
	for range t.Gather {
		d.HistLen *= d.Radix
	}
	for a := 0; a < t.Actors && a < litmus.MaxActors; a++ {
		d.Result[a] = litmus.Array{Offset: t.resultsOffset() + int64(a)*t.Stride*resultStride, Stride: resultStride}
	}
	for j, v := range t.Gather {
		if j >= litmus.MaxGather {
			break
		}
		if v.loc {
			d.Gather[j] = litmus.Array{Offset: d.LocOffset + Offset(v.index), Stride: d.LocStride}
		} else {
			d.Gather[j] = litmus.Array{Offset: d.Result[v.actor].Offset + 8*int64(v.reg), Stride: resultStride}
		}
	}
	return d
}

// Write zeroes sec, writes d at the descriptor's offset and then, last, the
// generation, as the runner does before it starts any actor.
func Write(sec []byte, d litmus.Descriptor, generation int64) {
	clear(sec)
	*(*litmus.Descriptor)(unsafe.Pointer(&sec[litmus.DescriptorOffset])) = d
	atomic.StoreInt64(Word(sec, litmus.GenerationOffset), generation)
}

// Word returns the int64 at byte offset off of sec.
func Word(sec []byte, off int64) *int64 {
	return (*int64)(unsafe.Pointer(&sec[off]))
}

// Drive is how the runner drives one test.
type Drive struct {
	// Actors is the ready count to wait for before releasing round 1.
	Actors int
	// ReadyTimeout bounds that wait; 0 means 5 s.
	ReadyTimeout time.Duration
	// Budget, when positive, sets stop once this long has passed since
	// round 1 was released.
	Budget time.Duration
	// StopWhen, when not nil, is given the histogram every poll and sets
	// stop once it returns true.
	StopWhen func(hist []int64) bool
	// Stall is how long rounds may stay still before the runner sets abort;
	// 0 means 5 s.
	Stall time.Duration
}

// Report is what the runner saw.
type Report struct {
	Rounds int64
	// Hist is the histogram as the section held it at the end.
	Hist []int64
	// Elapsed runs from round 1's release to the runner seeing done.
	Elapsed time.Duration
}

// Samples is the histogram's total.
func (r Report) Samples() int64 {
	var n int64
	for _, c := range r.Hist {
		n += c
	}
	return n
}

// pollEvery is the runner's step while it watches a test.
const pollEvery = time.Millisecond

// Run plays the runner for the test written in sec: it waits until
// d.Actors actors are ready, releases round 1, and watches rounds until the
// actors set done. It sets stop when the budget is spent or StopWhen holds,
// and sets abort, returning an error, when the actors are not ready in time
// or rounds stays still for the stall bound.
func Run(sec []byte, d Drive) (Report, error) {
	readyTimeout, stall := d.ReadyTimeout, d.Stall
	if readyTimeout <= 0 {
		readyTimeout = 5 * time.Second
	}
	if stall <= 0 {
		stall = 5 * time.Second
	}
	w := func(off int64) *int64 { return Word(sec, off) }
	deadline := time.Now().Add(readyTimeout)
	for atomic.LoadInt64(w(litmus.ReadyOffset)) < int64(d.Actors) {
		if time.Now().After(deadline) {
			atomic.StoreInt64(w(litmus.AbortOffset), 1)
			return Report{}, fmt.Errorf("only %d of %d actors ready after %v: set abort", atomic.LoadInt64(w(litmus.ReadyOffset)), d.Actors, readyTimeout)
		}
		time.Sleep(pollEvery)
	}
	desc := *(*litmus.Descriptor)(unsafe.Pointer(&sec[litmus.DescriptorOffset]))
	hist := func() []int64 {
		h := make([]int64, desc.HistLen)
		for k := range h {
			h[k] = atomic.LoadInt64(w(desc.HistOffset + 8*int64(k)))
		}
		return h
	}
	start := time.Now()
	atomic.StoreInt64(w(litmus.EpochOffset), 1)
	lastRounds, lastMove := int64(0), start
	for atomic.LoadInt64(w(litmus.DoneOffset)) == 0 {
		time.Sleep(pollEvery)
		now := time.Now()
		if r := atomic.LoadInt64(w(litmus.RoundsOffset)); r != lastRounds {
			lastRounds, lastMove = r, now
		}
		if (d.Budget > 0 && now.Sub(start) >= d.Budget) || (d.StopWhen != nil && d.StopWhen(hist())) {
			atomic.StoreInt64(w(litmus.StopOffset), 1)
		}
		if now.Sub(lastMove) >= stall {
			atomic.StoreInt64(w(litmus.AbortOffset), 1)
			return Report{Rounds: lastRounds, Hist: hist()}, fmt.Errorf("rounds stayed at %d for %v: set abort", lastRounds, stall)
		}
	}
	return Report{Rounds: atomic.LoadInt64(w(litmus.RoundsOffset)), Hist: hist(), Elapsed: time.Since(start)}, nil
}

// ErrStillRunning is wrapped by RunGo's error when an actor has not left: the
// section must then stay mapped.
var ErrStillRunning = errors.New("an actor did not leave within 10s of the runner finishing")

// RunGo runs one Go actor per spec, each on its own goroutine, against the
// test written in sec, plays the runner with d (d.Actors defaults to
// len(specs)), and returns once every actor has left. Its error says that an
// actor was refused (then none ran), that the runner gave up (Run's error),
// or, wrapping ErrStillRunning, that an actor has not left 10 s after the
// runner finished.
func RunGo(ctx context.Context, sec []byte, specs []litmus.Spec, d Drive) (Report, []litmus.Result, error) {
	s := litmus.SectionOf(sec)
	actors := make([]*litmus.Actor, len(specs))
	for i, spec := range specs {
		a, err := litmus.Prepare(s, spec)
		if err != nil {
			return Report{}, nil, fmt.Errorf("actor %d (%s): %w", spec.Actor, spec.Kernel, err)
		}
		actors[i] = a
	}
	if d.Actors == 0 {
		d.Actors = len(specs)
	}
	results := make([]litmus.Result, len(actors))
	left := make(chan int, len(actors))
	for i, a := range actors {
		go func() {
			results[i] = a.Run(ctx)
			left <- i
		}()
	}
	rep, runErr := Run(sec, d)
	timeout := time.After(10 * time.Second)
	for range actors {
		select {
		case <-left:
		case <-timeout:
			return rep, nil, errors.Join(runErr, ErrStillRunning)
		}
	}
	return rep, results, runErr
}

// Outcome is one value per gathered value, e.g. {0, 0} for SB's r0 = r1 = 0.
type Outcome []int64

func (o Outcome) String() string {
	parts := make([]string, len(o))
	for i, v := range o {
		parts[i] = fmt.Sprint(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Key is o's histogram index (values 0..3, first value most significant).
func (o Outcome) Key() int {
	k := 0
	for _, v := range o {
		k = k*4 + int(v)
	}
	return k
}

// Count is how many samples of hist had outcome o.
func Count(hist []int64, o Outcome) int64 { return hist[o.Key()] }

// CheckForbidden returns an error naming every outcome of forbidden that
// hist counts at least once, or nil if none shows.
func CheckForbidden(hist []int64, forbidden ...Outcome) error {
	var total int64
	for _, c := range hist {
		total += c
	}
	var seen []string
	for _, o := range forbidden {
		if c := Count(hist, o); c > 0 {
			seen = append(seen, fmt.Sprintf("%v %d times", o, c))
		}
	}
	if len(seen) == 0 {
		return nil
	}
	return fmt.Errorf("forbidden outcome observed in %d samples: %s", total, strings.Join(seen, ", "))
}

// Allowed returns an error naming every outcome hist counts that is not in
// allowed, or nil.
func Allowed(hist []int64, nGather int, allowed ...Outcome) error {
	ok := map[int]bool{}
	for _, o := range allowed {
		ok[o.Key()] = true
	}
	var seen []string
	for k, c := range hist {
		if c > 0 && !ok[k] {
			seen = append(seen, fmt.Sprintf("%v %d times", outcomeOf(k, nGather), c))
		}
	}
	if len(seen) == 0 {
		return nil
	}
	return fmt.Errorf("outcomes outside the allowed set: %s", strings.Join(seen, ", "))
}

// outcomeOf turns a histogram index back into its n values.
func outcomeOf(key, n int) Outcome {
	o := make(Outcome, n)
	for i := n - 1; i >= 0; i-- {
		o[i] = int64(key % 4)
		key /= 4
	}
	return o
}
