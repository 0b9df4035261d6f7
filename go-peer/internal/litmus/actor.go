package litmus

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"interop-testbed/go-peer/internal/clock"
)

// DefaultStallTimeout is how long an actor waits without progress when its
// Spec gives no StallTimeout.
const DefaultStallTimeout = 10 * time.Second

// Spec is one actor of a test: which kernel it runs, and for which test.
type Spec struct {
	// Actor is this actor's index in the test: it selects the result array.
	Actor int
	// Kernel is a name from Generated. Its locations and values are written
	// into its body.
	Kernel string
	// Generation is the test's id; the section must hold the same.
	Generation int64
	// StallTimeout bounds every wait: an actor that sees no progress for
	// this long leaves, aborted. 0 means DefaultStallTimeout.
	StallTimeout time.Duration
}

// RefusedError reports an actor that Prepare would not run. Nothing in the
// section was written.
type RefusedError struct {
	// StaleGeneration is true when the request is well formed but the section
	// holds another test's generation.
	StaleGeneration bool
	// Reason says, in one line, the first thing found wrong.
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

func refuse(format string, args ...any) *RefusedError {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// Result reports how an actor left.
type Result struct {
	// Rounds is how many rounds the actor ran its kernel.
	Rounds uint64
	// RoundsConsumed is how many of those it consumed (it arrived last).
	RoundsConsumed uint64
	// Aborted is true when the actor left because of the abort word, its
	// stall timeout or its context, rather than because the test was done.
	Aborted bool
	// AbortReason says why, in one line; empty unless Aborted.
	AbortReason string
	// Elapsed runs from the actor seeing round 1 released to its leaving; 0
	// if round 1 never was.
	Elapsed time.Duration
}

// Actor is a validated actor, ready to Run once.
type Actor struct {
	index int
	sec   Section
	desc  Descriptor
	run   func(*frame)
	f     frame
	stall time.Duration
}

// Prepare checks spec against the kernels this peer was built with and
// against the test the section describes, and returns the actor ready to
// run. It refuses, with a *RefusedError naming the first fault, an actor
// index outside 0..3 or the test's actors, a kernel the peer was not built
// with (naming those it was), a generation other than the section's
// (StaleGeneration), a descriptor outside its limits (n_actors 2..4, stride
// >= 1, n_gather 1..4, hist_len radix^n_gather, max_rounds >= 0), and any
// offset or stride that is not a multiple of 8 or would put a location,
// outcome value, register or count outside its part of the section: the
// histogram from 0x1000, everything else from 0x2000, up to the section's
// end. loc_stride must be positive and hold every location the kernel
// reaches. A result array of stride 0 is empty (its offset is not used); the
// actor's own must hold 8 bytes per register its kernel writes.
//
// The descriptor is read once, here: the runner must have written it before
// the actor starts and must not change it while the test runs.
func Prepare(sec Section, spec Spec) (*Actor, error) {
	if sec.size < DataOffset {
		return nil, refuse("litmus section is %d bytes, smaller than the %d bytes of its control words, descriptor and histogram", sec.size, DataOffset)
	}
	if spec.Actor < 0 || spec.Actor >= MaxActors {
		return nil, refuse("actor %d out of range: want 0 to %d", spec.Actor, MaxActors-1)
	}
	k, ok := lookup(spec.Kernel)
	if !ok {
		built := "none"
		if g := Generated(); len(g) > 0 {
			built = strings.Join(g, ", ")
		}
		return nil, refuse("unknown kernel %q: this peer was not built with it; its generated kernels: %s", spec.Kernel, built)
	}
	if spec.Generation == 0 {
		return nil, refuse("generation 0: want the test's non-zero id")
	}
	if g := atomic.LoadInt64(sec.word(GenerationOffset)); g != spec.Generation {
		return nil, &RefusedError{StaleGeneration: true, Reason: fmt.Sprintf("generation %d, but the litmus section holds generation %d", spec.Generation, g)}
	}
	d := sec.descriptor()
	if reason := d.check(sec.size); reason != "" {
		return nil, refuse("litmus descriptor: %s", reason)
	}
	if int64(spec.Actor) >= d.NActors {
		return nil, refuse("actor %d out of range: the test has %d actors (0 to %d)", spec.Actor, d.NActors, d.NActors-1)
	}
	if k.locBytes > d.LocStride {
		return nil, refuse("kernel %s reaches %d bytes of an instance's locations, more than loc_stride %d", spec.Kernel, k.locBytes, d.LocStride)
	}
	res := d.Result[spec.Actor]
	if w := d.registerWindow(int64(spec.Actor)); w < 8*int64(k.regs) {
		return nil, refuse("result[%d]: a register window of %d bytes (stride %d) is too small for kernel %s, which writes %d register(s): want at least %d", spec.Actor, w, res.Stride, spec.Kernel, k.regs, 8*k.regs)
	}
	stall := spec.StallTimeout
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	return &Actor{
		index: spec.Actor,
		sec:   sec,
		desc:  d,
		run:   k.run,
		f: frame{
			base: sec.base, n: d.Stride,
			loc: d.LocOffset, locStride: d.LocStride,
			res: res.Offset, resStride: res.Stride,
		},
		stall: stall,
	}, nil
}

// registerWindow is how many bytes of each record actor a's registers may
// use: from its r0 to the nearest r0 of another actor interleaved with it (an
// array of the same stride starting less than a stride away: its own record's
// r0, or the next record's), or to its own next record; 0 without registers.
// A kernel's registers must fit, so no two actors write the same bytes.
func (d *Descriptor) registerWindow(a int64) int64 {
	own := d.Result[a]
	if own.Stride == 0 {
		return 0
	}
	end := own.Offset + own.Stride
	for b := range d.NActors {
		o := d.Result[b]
		if b == a || o.Stride != own.Stride || o.Offset == own.Offset ||
			o.Offset <= own.Offset-own.Stride || o.Offset >= own.Offset+own.Stride {
			continue
		}
		next := o.Offset
		if next < own.Offset {
			next += own.Stride
		}
		end = min(end, next)
	}
	return end - own.Offset
}

// histLen returns radix^n, and false if that exceeds MaxHistLen.
func histLen(radix, n int64) (int64, bool) {
	l := int64(1)
	for range n {
		l *= radix
		if l > MaxHistLen {
			return 0, false
		}
	}
	return l, true
}

// check returns the first fault of d for a section of size bytes, or "".
func (d *Descriptor) check(size int64) string {
	switch {
	case d.NActors < MinActors || d.NActors > MaxActors:
		return fmt.Sprintf("n_actors %d out of range: want %d to %d", d.NActors, MinActors, MaxActors)
	case d.Stride < 1:
		return fmt.Sprintf("stride %d: want at least 1 instance per round", d.Stride)
	case d.NGather < 1 || d.NGather > MaxGather:
		return fmt.Sprintf("n_gather %d out of range: want 1 to %d", d.NGather, MaxGather)
	case d.MaxRounds < 0:
		return fmt.Sprintf("max_rounds %d: want 0 (until stopped) or more", d.MaxRounds)
	case d.Radix < MinRadix || d.Radix > MaxHistLen:
		return fmt.Sprintf("radix %d out of range: want %d to %d", d.Radix, MinRadix, MaxHistLen)
	}
	if want, ok := histLen(d.Radix, d.NGather); !ok {
		return fmt.Sprintf("radix %d and n_gather %d: %d^%d counts exceed the histogram's %d", d.Radix, d.NGather, d.Radix, d.NGather, MaxHistLen)
	} else if d.HistLen != want {
		return fmt.Sprintf("hist_len %d: want radix^n_gather = %d^%d = %d", d.HistLen, d.Radix, d.NGather, want)
	}
	if r := span("hist_offset", d.HistOffset, 8, d.HistLen, 8, HistogramOffset, size); r != "" {
		return r
	}
	if d.LocStride <= 0 {
		return fmt.Sprintf("loc_stride %d: want a positive multiple of 8", d.LocStride)
	}
	if r := span("loc_offset/loc_stride", d.LocOffset, d.LocStride, d.Stride, d.LocStride, DataOffset, size); r != "" {
		return r
	}
	for j := range d.NGather {
		g := d.Gather[j]
		if r := span(fmt.Sprintf("gather[%d]", j), g.Offset, g.Stride, d.Stride, 8, DataOffset, size); r != "" {
			return r
		}
	}
	for a := range d.NActors {
		res := d.Result[a]
		if res.Stride == 0 {
			continue
		}
		if r := span(fmt.Sprintf("result[%d]", a), res.Offset, res.Stride, d.Stride, res.Stride, DataOffset, size); r != "" {
			return r
		}
	}
	return ""
}

// span returns why count items of width bytes, one every stride bytes from
// off, are not all inside [lo, hi) with off and stride non-negative multiples
// of 8, or "".
func span(name string, off, stride, count, width, lo, hi int64) string {
	switch {
	case stride < 0 || stride%8 != 0:
		return fmt.Sprintf("%s: stride %d, want a multiple of 8, 0 or more", name, stride)
	case off%8 != 0:
		return fmt.Sprintf("%s: offset %#x, want a multiple of 8", name, off)
	case off < lo || off > hi-width || (stride > 0 && (count-1) > (hi-width-off)/stride):
		return fmt.Sprintf("%s: %d item(s) of %d bytes every %d bytes from offset %#x do not fit in %#x..%#x", name, count, width, stride, off, lo, hi)
	}
	return ""
}

// Backoff while waiting for a round: spin on atomic loads for spinFor, yield
// (runtime.Gosched) until yieldUntil, then sleep from sleepMin doubling to
// sleepMax. While spinning, the context and the clock are looked at every
// checkEvery looks. The phases are measured in time, not looks: a look is a
// few cycles on amd64 and hundreds under emulation.
const (
	spinFor    = 200 * time.Microsecond
	yieldUntil = 2 * time.Millisecond
	checkEvery = 1 << 8
	sleepMin   = 5 * time.Microsecond
	sleepMax   = time.Millisecond
)

// Run runs the actor's loop (docs/LITMUS.md) on the calling goroutine, locked
// to its OS thread, and returns when the actor leaves: the test is done, the
// abort word is set, no round was released for the stall timeout, or ctx
// ended (AbortReason "call cancelled", "call deadline passed", or ctx's
// cause). It adds 1 to ready first. The kernel runs once per round over every
// instance; the last actor to arrive at a round consumes it: it adds each
// instance's outcome to the histogram, zeroes every location and every
// actor's result array, resets arrived, adds 1 to rounds, and then either
// sets done (stop was set or max_rounds reached) or releases the next round.
// Run must be called at most once per Actor.
func (a *Actor) Run(ctx context.Context) Result {
	runtime.LockOSThread()
	// A pinned thread ends with this goroutine (Go terminates a thread whose
	// goroutine exits still locked); an unpinned one goes back to the pool.
	if !pinToNthAllowedCPU(a.index) {
		defer runtime.UnlockOSThread()
	}
	var (
		epoch   = a.sec.word(EpochOffset)
		arrived = a.sec.word(ArrivedOffset)
		abort   = a.sec.word(AbortOffset)
		n       = a.desc.NActors
		res     Result
		start   time.Time
	)
	atomic.AddInt64(a.sec.word(ReadyOffset), 1)
	for r := int64(1); ; r++ {
		if reason := a.wait(ctx, r); reason != "" {
			res.Aborted, res.AbortReason = true, reason
			break
		}
		if atomic.LoadInt64(abort) != 0 {
			res.Aborted, res.AbortReason = true, fmt.Sprintf("the runner set abort (before round %d)", r)
			break
		}
		if atomic.LoadInt64(epoch) < r {
			break
		}
		if r == 1 {
			start = time.Now()
		}
		a.awaitStart()
		a.run(&a.f)
		res.Rounds++
		if atomic.AddInt64(arrived, 1) == n {
			a.consume(r)
			res.RoundsConsumed++
		}
	}
	if !start.IsZero() {
		res.Elapsed = time.Since(start)
	}
	return res
}

// released reports whether the actor may stop waiting for round r.
func (a *Actor) released(r int64) bool {
	return atomic.LoadInt64(a.sec.word(EpochOffset)) >= r ||
		atomic.LoadInt64(a.sec.word(DoneOffset)) != 0 ||
		atomic.LoadInt64(a.sec.word(AbortOffset)) != 0
}

// wait returns "" once round r is released or the test is done or aborted,
// and otherwise why it gave up: ctx ended, or the stall timeout passed.
func (a *Actor) wait(ctx context.Context, r int64) string {
	if a.released(r) {
		return ""
	}
	start := time.Now()
	done := ctx.Done()
	sleep := sleepMin
	var waited time.Duration
	for look := 1; !a.released(r); look++ {
		switch {
		case waited < spinFor:
			if look%checkEvery != 0 {
				continue
			}
		case waited < yieldUntil:
			runtime.Gosched()
		default:
			time.Sleep(sleep)
			sleep = min(2*sleep, sleepMax)
		}
		select {
		case <-done:
			return cancelReason(ctx)
		default:
		}
		if waited = time.Since(start); waited >= a.stall {
			return fmt.Sprintf("no progress for %v waiting for round %d (epoch %d, arrived %d of %d, ready %d)",
				a.stall, r, atomic.LoadInt64(a.sec.word(EpochOffset)), atomic.LoadInt64(a.sec.word(ArrivedOffset)),
				a.desc.NActors, atomic.LoadInt64(a.sec.word(ReadyOffset)))
		}
	}
	return ""
}

// cancelReason says why ctx ended, in the words of Result.AbortReason.
func cancelReason(ctx context.Context) string {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, context.Canceled):
		return "call cancelled"
	case errors.Is(cause, context.DeadlineExceeded):
		return "call deadline passed"
	}
	return cause.Error()
}

// consume is the last arriver's work for round r. Every actor's kernel
// writes precede its add to arrived, and this actor's add read the last value
// of arrived, so the round's registers and locations are all visible here;
// the reset precedes the atomic store that releases the next round.
func (a *Actor) consume(r int64) {
	d := &a.desc
	hist := d.HistOffset
	radix, top := d.Radix, d.Radix-1
	for i := range d.Stride {
		key := int64(0)
		for j := range d.NGather {
			g := d.Gather[j]
			v := *a.sec.word(g.Offset + i*g.Stride)
			if v < 0 || v > top {
				v = top
			}
			key = key*radix + v
		}
		*a.sec.word(hist + key*8)++
	}
	clear(a.sec.bytes(d.LocOffset, d.Stride*d.LocStride))
	for b := range d.NActors {
		if res := d.Result[b]; res.Stride != 0 {
			clear(a.sec.bytes(res.Offset, d.Stride*res.Stride))
		}
	}
	atomic.StoreInt64(a.sec.word(ArrivedOffset), 0)
	rounds := a.sec.word(RoundsOffset)
	atomic.StoreInt64(rounds, atomic.LoadInt64(rounds)+1)
	if atomic.LoadInt64(a.sec.word(StopOffset)) != 0 || (d.MaxRounds > 0 && r >= d.MaxRounds) {
		atomic.StoreInt64(a.sec.word(DoneOffset), 1)
	} else {
		a.setStart()
		atomic.StoreInt64(a.sec.word(EpochOffset), r+1)
	}
}

// setStart is the consumer's half of starting a round together: the lead
// doubles when an actor reached this round after its start and shrinks by
// 1/32 otherwise, within [LeadMinNs, LeadMaxNs]; the next round starts that
// long from now. The atomic store of epoch that follows publishes all three.
func (a *Actor) setStart() {
	late := atomic.LoadInt64(a.sec.word(LateOffset))
	lead := atomic.LoadInt64(a.sec.word(LeadNsOffset))
	if lead < LeadMinNs || lead > LeadMaxNs {
		lead = LeadMinNs
	}
	if late > 0 {
		lead = min(2*lead, LeadMaxNs)
	} else {
		lead = max(lead-lead/32, LeadMinNs)
	}
	atomic.StoreInt64(a.sec.word(LeadNsOffset), lead)
	atomic.StoreInt64(a.sec.word(LateOffset), 0)
	atomic.StoreInt64(a.sec.word(StartNsOffset), clock.Fast()+lead)
}

// awaitStart is the actor's half: spin until the round's start, or count
// itself late. A start further ahead than LeadMaxNs is not one a consumer
// wrote and is ignored, so no word can hold the actor.
func (a *Actor) awaitStart() {
	start := atomic.LoadInt64(a.sec.word(StartNsOffset))
	if start == 0 {
		return
	}
	now := clock.Fast()
	if now > start {
		atomic.AddInt64(a.sec.word(LateOffset), 1)
		return
	}
	if start-now > LeadMaxNs {
		return
	}
	for clock.Fast() < start {
	}
}
