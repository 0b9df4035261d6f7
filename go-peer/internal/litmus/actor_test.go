package litmus_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"interop-testbed/go-peer/internal/litmus"
	"interop-testbed/go-peer/internal/litmus/litmustest"
	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/region/regiontest"
)

// underQEMU is true when the tests run in user-mode emulation, where timing
// and the host's memory model stand in for the target's.
var underQEMU = os.Getenv("INTEROP_UNDER_QEMU") == "1"

// budget is how long a time-bounded test runs its rounds.
func budget() time.Duration {
	if underQEMU {
		return time.Second
	}
	return 300 * time.Millisecond
}

// newSection maps a fresh region whose litmus section fits test, writes the
// test into it and returns the section. The region is unmapped at cleanup
// unless keepMapped was called.
func newSection(t testing.TB, test litmustest.Test) ([]byte, func()) {
	t.Helper()
	reg, err := region.Open(regiontest.CreateWithLitmus(t, test.SectionSize()))
	if err != nil {
		t.Fatal(err)
	}
	keep := false
	t.Cleanup(func() {
		if !keep {
			reg.Close()
		}
	})
	sec := reg.Litmus()
	litmustest.Write(sec, litmustest.Describe(test), test.Generation)
	return sec, func() { keep = true }
}

// run runs specs as Go actors over test, driven by d, and checks what every
// run must satisfy: no actor aborted, every actor ran every round, one
// consumer per round, and the histogram counts stride samples per round.
func run(t *testing.T, test litmustest.Test, specs []litmus.Spec, d litmustest.Drive) litmustest.Report {
	t.Helper()
	sec, keepMapped := newSection(t, test)
	rep, results, err := litmustest.RunGo(context.Background(), sec, specs, d)
	if errors.Is(err, litmustest.ErrStillRunning) {
		keepMapped()
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rounds < 1 {
		t.Fatalf("no round completed")
	}
	var consumed uint64
	for i, r := range results {
		if r.Aborted || r.Rounds != uint64(rep.Rounds) || r.Elapsed <= 0 {
			t.Errorf("actor %d: %+v, want %d rounds, not aborted", specs[i].Actor, r, rep.Rounds)
		}
		consumed += r.RoundsConsumed
	}
	if consumed != uint64(rep.Rounds) {
		t.Errorf("actors consumed %d rounds in all, want %d", consumed, rep.Rounds)
	}
	if got, want := rep.Samples(), rep.Rounds*test.Stride; got != want {
		t.Errorf("histogram holds %d samples, want rounds x stride = %d x %d = %d", got, rep.Rounds, test.Stride, want)
	}
	return rep
}

// Store buffering: each actor stores 1 to its own location and loads the
// other's, in mode "Atomic" or "Plain" (kernels_test.go). r0 = r1 = 0 needs
// both loads to pass both stores.
func storeBuffering(mode string, stride int64) (litmustest.Test, []litmus.Spec) {
	test := litmustest.Test{Actors: 2, Stride: stride, Locations: 2,
		Gather: []litmustest.Value{litmustest.Reg(0, 0), litmustest.Reg(1, 0)}, Generation: 11}
	return test, []litmus.Spec{
		{Actor: 0, Kernel: "kTestSB" + mode + "X", Generation: 11},
		{Actor: 1, Kernel: "kTestSB" + mode + "Y", Generation: 11},
	}
}

// sbBothZero is the outcome sequential consistency forbids in SB.
var sbBothZero = litmustest.Outcome{0, 0}

// checkStoreBufferingSC is the assertion on atomic SB: no sample may show
// sbBothZero.
func checkStoreBufferingSC(hist []int64) error {
	return litmustest.CheckForbidden(hist, sbBothZero)
}

func TestStoreBufferingAtomicIsSequentiallyConsistent(t *testing.T) {
	test, specs := storeBuffering("Atomic", 1024)
	rep := run(t, test, specs, litmustest.Drive{Budget: budget()})
	t.Logf("%d rounds, %d samples: histogram %v", rep.Rounds, rep.Samples(), rep.Hist)
	if err := checkStoreBufferingSC(rep.Hist); err != nil {
		if underQEMU {
			// Go's atomics on arm64 are STLR and LDAR, which ARMv8 keeps in
			// order; qemu-user 7.2 on an x86_64 host lets the LDAR pass the
			// STLR, so the emulator, not the peer, shows (0, 0).
			t.Skipf("INTEROP_UNDER_QEMU=1: the emulator does not order STLR before LDAR: %v", err)
		}
		t.Errorf("SB atomic: %v", err)
	}
}

// plainStoreBuffering runs SB with plain accesses, one instance per cache
// line, until (0, 0) shows: at most 50000 rounds or 5 s. x86-TSO lets a load
// pass an earlier store to another address (the store buffer), so on amd64
// it shows within a few rounds (about 0.5% of samples on a quiet 2-core
// machine).
func plainStoreBuffering(t *testing.T) litmustest.Report {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skipf("store buffering is only asserted on amd64, not %s", runtime.GOARCH)
	}
	if underQEMU {
		t.Skip("INTEROP_UNDER_QEMU=1: the emulated machine's ordering is not the target's")
	}
	test, specs := storeBuffering("Plain", 1024)
	test.LocStride = 64
	test.MaxRounds = 50000
	return run(t, test, specs, litmustest.Drive{
		Budget:   5 * time.Second,
		StopWhen: func(hist []int64) bool { return litmustest.Count(hist, sbBothZero) > 0 },
	})
}

func TestStoreBufferingPlainShowsBothZero(t *testing.T) {
	rep := plainStoreBuffering(t)
	if c := litmustest.Count(rep.Hist, sbBothZero); c == 0 {
		t.Errorf("SB plain: (0, 0) never observed in %d rounds (%d samples): histogram %v", rep.Rounds, rep.Samples(), rep.Hist)
	} else {
		t.Logf("(0, 0) %d times in %d rounds (%d samples)", c, rep.Rounds, rep.Samples())
	}
}

// TestStoreBufferingCheckCanFail shows that the assertion of
// TestStoreBufferingAtomicIsSequentiallyConsistent rejects the plain
// variant's histogram, so its passing means something.
func TestStoreBufferingCheckCanFail(t *testing.T) {
	rep := plainStoreBuffering(t)
	err := checkStoreBufferingSC(rep.Hist)
	if err == nil {
		t.Fatalf("the SB check accepted a plain histogram %v", rep.Hist)
	}
	if !strings.Contains(err.Error(), "(0, 0)") {
		t.Errorf("the SB check's error %q does not name (0, 0)", err)
	}
}

// Message passing: actor 0 stores data x then flag y; actor 1 loads y then
// x. Seeing the flag (1) but not the data (0) is forbidden with atomics.
func TestMessagePassingAtomicNeverFlagWithoutData(t *testing.T) {
	test := litmustest.Test{Actors: 2, Stride: 1024, Locations: 2,
		Gather: []litmustest.Value{litmustest.Reg(1, 0), litmustest.Reg(1, 1)}, Generation: 12}
	rep := run(t, test, []litmus.Spec{
		{Actor: 0, Kernel: litmus.TestMPWriter, Generation: 12},
		{Actor: 1, Kernel: litmus.TestMPReader, Generation: 12},
	}, litmustest.Drive{Budget: budget()})
	if err := litmustest.CheckForbidden(rep.Hist, litmustest.Outcome{1, 0}); err != nil {
		t.Errorf("MP atomic: %v", err)
	}
	t.Logf("%d samples: histogram %v", rep.Samples(), rep.Hist)
}

// Two fetch-and-adds on one location: x ends at 2, and the two actors read
// 0 and 1 in some order.
// The consumer's digits follow the descriptor's radix: in radix 4, 7 and -1
// both count as 3; in radix 9, 7 is its own digit and -1 counts as 8. Both
// actors are Go, so Go consumes every round.
func TestConsumerCountsInTheDescriptorsRadix(t *testing.T) {
	for _, c := range []struct {
		radix int64
		key   int
	}{{4, 3*4 + 3}, {9, 7*9 + 8}} {
		test := litmustest.Test{Actors: 2, Stride: 64, Locations: 2,
			Gather: []litmustest.Value{litmustest.Loc(0), litmustest.Loc(1)}, MaxRounds: 20, Generation: 17, Radix: c.radix}
		rep := run(t, test, []litmus.Spec{
			{Actor: 0, Kernel: "kTestStoreX7", Generation: 17},
			{Actor: 1, Kernel: "kTestStoreYMinus1", Generation: 17},
		}, litmustest.Drive{Budget: budget()})
		if want := int(c.radix * c.radix); len(rep.Hist) != want {
			t.Errorf("radix %d: %d counts, want %d", c.radix, len(rep.Hist), want)
		}
		if got := rep.Hist[c.key]; got != rep.Samples() || got == 0 {
			t.Errorf("radix %d: index %d counted %d of %d samples, want all", c.radix, c.key, got, rep.Samples())
		}
	}
}

func TestFetchAddLosesNothing(t *testing.T) {
	test := litmustest.Test{Actors: 2, Stride: 1024, Locations: 1,
		Gather: []litmustest.Value{litmustest.Loc(0), litmustest.Reg(0, 0), litmustest.Reg(1, 0)}, Generation: 13}
	rep := run(t, test, []litmus.Spec{
		{Actor: 0, Kernel: "kTestFaddX", Generation: 13},
		{Actor: 1, Kernel: "kTestFaddX", Generation: 13},
	}, litmustest.Drive{Budget: budget()})
	if err := litmustest.Allowed(rep.Hist, 3, litmustest.Outcome{2, 0, 1}, litmustest.Outcome{2, 1, 0}); err != nil {
		t.Errorf("fadd: %v", err)
	}
}

// Two compare-and-sets from 0 on one location (each actor's expected value
// is a location of its own, which starts at 0): exactly one succeeds, and x
// holds the winner's value.
func TestCompareAndSetHasOneWinner(t *testing.T) {
	test := litmustest.Test{Actors: 2, Stride: 1024, Locations: 3,
		Gather: []litmustest.Value{litmustest.Reg(0, 0), litmustest.Reg(1, 0), litmustest.Loc(0)}, Generation: 14}
	rep := run(t, test, []litmus.Spec{
		{Actor: 0, Kernel: "kTestCasX1", Generation: 14},
		{Actor: 1, Kernel: "kTestCasX2", Generation: 14},
	}, litmustest.Drive{Budget: budget()})
	if err := litmustest.Allowed(rep.Hist, 3, litmustest.Outcome{1, 0, 1}, litmustest.Outcome{0, 1, 2}); err != nil {
		t.Errorf("cas: %v", err)
	}
}

// IRIW with four actors and four gathered values (the largest histogram):
// two readers may not see the two independent writes in opposite orders.
func TestIndependentReadsAtomicAgreeOnOrder(t *testing.T) {
	test := litmustest.Test{Actors: 4, Stride: 256, Locations: 2, Generation: 15,
		Gather: []litmustest.Value{litmustest.Reg(2, 0), litmustest.Reg(2, 1), litmustest.Reg(3, 0), litmustest.Reg(3, 1)}}
	rep := run(t, test, []litmus.Spec{
		{Actor: 0, Kernel: "kTestStoreX", Generation: 15},
		{Actor: 1, Kernel: "kTestStoreY", Generation: 15},
		{Actor: 2, Kernel: "kTestReadXY", Generation: 15},
		{Actor: 3, Kernel: litmus.TestMPReader, Generation: 15},
	}, litmustest.Drive{Budget: budget()})
	if err := litmustest.CheckForbidden(rep.Hist, litmustest.Outcome{1, 0, 1, 0}); err != nil {
		t.Errorf("IRIW atomic: %v", err)
	}
}

// TestMaxRoundsEndsWithTheSectionReset: a test of max_rounds rounds runs
// exactly that many, ends with done set and epoch at the last round, and
// leaves every location and register zeroed by the last consumer.
func TestMaxRoundsEndsWithTheSectionReset(t *testing.T) {
	test, specs := storeBuffering("Atomic", 64)
	test.MaxRounds = 50
	sec, _ := newSection(t, test)
	rep, results, err := litmustest.RunGo(context.Background(), sec, specs, litmustest.Drive{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rounds != 50 || results[0].Rounds != 50 || results[1].Rounds != 50 || rep.Samples() != 50*64 {
		t.Errorf("rounds %d, actors ran %d and %d, %d samples; want 50, 50, 50, %d", rep.Rounds, results[0].Rounds, results[1].Rounds, rep.Samples(), 50*64)
	}
	for _, c := range []struct {
		name string
		off  int64
		want int64
	}{
		{"epoch", litmus.EpochOffset, 50}, {"arrived", litmus.ArrivedOffset, 0}, {"ready", litmus.ReadyOffset, 2},
		{"stop", litmus.StopOffset, 0}, {"done", litmus.DoneOffset, 1}, {"abort", litmus.AbortOffset, 0},
		{"rounds", litmus.RoundsOffset, 50},
	} {
		if got := atomic.LoadInt64(litmustest.Word(sec, c.off)); got != c.want {
			t.Errorf("%s = %d, want %d", c.name, got, c.want)
		}
	}
	for off := int64(litmus.DataOffset); off < int64(len(sec)); off += 8 {
		if v := *litmustest.Word(sec, off); v != 0 {
			t.Fatalf("word at %#x = %d after the last round, want every location and register zeroed", off, v)
		}
	}
}

// startActors prepares and starts Go actors over sec, returning where their
// results arrive.
func startActors(t *testing.T, ctx context.Context, sec []byte, specs []litmus.Spec) <-chan litmus.Result {
	t.Helper()
	left := make(chan litmus.Result, len(specs))
	for _, spec := range specs {
		a, err := litmus.Prepare(litmus.SectionOf(sec), spec)
		if err != nil {
			t.Fatal(err)
		}
		go func() { left <- a.Run(ctx) }()
	}
	return left
}

// waitWord polls the word at off until cond holds, for at most 5 s.
func waitWord(t *testing.T, sec []byte, name string, off int64, cond func(int64) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond(atomic.LoadInt64(litmustest.Word(sec, off))) {
		if time.Now().After(deadline) {
			t.Fatalf("%s still %d after 5s", name, atomic.LoadInt64(litmustest.Word(sec, off)))
		}
		time.Sleep(time.Millisecond)
	}
}

// collect receives n results, failing if they take longer than within.
func collect(t *testing.T, left <-chan litmus.Result, n int, within time.Duration, keepMapped func()) []litmus.Result {
	t.Helper()
	var got []litmus.Result
	timeout := time.After(within)
	for range n {
		select {
		case r := <-left:
			got = append(got, r)
		case <-timeout:
			keepMapped()
			t.Fatalf("%d of %d actors left within %v", len(got), n, within)
		}
	}
	return got
}

// TestAbortEndsEveryActor sets the abort word while both actors wait for
// round 1, and while they run rounds: both leave at once, aborted.
func TestAbortEndsEveryActor(t *testing.T) {
	for _, c := range []struct {
		name    string
		release bool
	}{{"before_round_1", false}, {"mid_run", true}} {
		t.Run(c.name, func(t *testing.T) {
			test, specs := storeBuffering("Atomic", 256)
			sec, keepMapped := newSection(t, test)
			left := startActors(t, context.Background(), sec, specs)
			waitWord(t, sec, "ready", litmus.ReadyOffset, func(v int64) bool { return v == 2 })
			if c.release {
				atomic.StoreInt64(litmustest.Word(sec, litmus.EpochOffset), 1)
				waitWord(t, sec, "rounds", litmus.RoundsOffset, func(v int64) bool { return v >= 3 })
			}
			atomic.StoreInt64(litmustest.Word(sec, litmus.AbortOffset), 1)
			for i, r := range collect(t, left, 2, 2*time.Second, keepMapped) {
				if !r.Aborted || !strings.Contains(r.AbortReason, "the runner set abort") {
					t.Errorf("actor %d left with %+v, want aborted by the runner", i, r)
				}
				if c.release != (r.Rounds > 0) {
					t.Errorf("actor %d ran %d rounds", i, r.Rounds)
				}
			}
		})
	}
}

// TestLoneActorStalls: an actor whose partner never comes leaves after its
// stall timeout, aborted, saying where it waited: for round 1 when nobody
// released it, for round 2 when round 1 never filled.
func TestLoneActorStalls(t *testing.T) {
	for _, c := range []struct {
		name    string
		release bool
		want    string
		rounds  uint64
	}{
		{"waiting_for_release", false, "no progress for 200ms waiting for round 1 (epoch 0, arrived 0 of 2, ready 1)", 0},
		{"waiting_for_partner", true, "no progress for 200ms waiting for round 2 (epoch 1, arrived 1 of 2, ready 1)", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			test, specs := storeBuffering("Atomic", 16)
			sec, keepMapped := newSection(t, test)
			if c.release {
				atomic.StoreInt64(litmustest.Word(sec, litmus.EpochOffset), 1)
			}
			spec := specs[0]
			spec.StallTimeout = 200 * time.Millisecond
			start := time.Now()
			r := collect(t, startActors(t, context.Background(), sec, []litmus.Spec{spec}), 1, 5*time.Second, keepMapped)[0]
			took := time.Since(start)
			if !r.Aborted || r.AbortReason != c.want || r.Rounds != c.rounds {
				t.Errorf("lone actor left with %+v, want aborted after %d round(s): %q", r, c.rounds, c.want)
			}
			if took < 200*time.Millisecond || took > 3*time.Second {
				t.Errorf("lone actor left after %v, want 200ms and a little", took)
			}
		})
	}
}

// TestContextEndsTheActor: a cancelled or expired context makes a waiting
// actor leave at once, aborted, saying which.
func TestContextEndsTheActor(t *testing.T) {
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want string
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, "call cancelled"},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, "call deadline passed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			test, specs := storeBuffering("Atomic", 16)
			sec, keepMapped := newSection(t, test)
			ctx, cancel := c.ctx()
			defer cancel()
			start := time.Now()
			r := collect(t, startActors(t, ctx, sec, specs[:1]), 1, 5*time.Second, keepMapped)[0]
			if !r.Aborted || r.AbortReason != c.want {
				t.Errorf("actor left with %+v, want aborted: %q", r, c.want)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("actor left %v after its context ended at 100ms", took)
			}
		})
	}
}

// TestPrepareRefuses: every fault Prepare knows of, one per case, with its
// message; nothing is written to the section.
func TestPrepareRefuses(t *testing.T) {
	test, specs := storeBuffering("Atomic", 4)
	size := int64(test.SectionSize())
	cases := []struct {
		name  string
		desc  func(d *litmus.Descriptor)
		spec  func(s *litmus.Spec)
		gen   int64 // the section's generation; 0: the spec's
		stale bool
		want  string
	}{
		{name: "actor_4", spec: func(s *litmus.Spec) { s.Actor = 4 }, want: "actor 4 out of range: want 0 to 3"},
		{name: "actor_beyond_test", spec: func(s *litmus.Spec) { s.Actor = 2 }, want: "actor 2 out of range: the test has 2 actors (0 to 1)"},
		{name: "unknown_kernel", spec: func(s *litmus.Spec) { s.Kernel = "st_ld.atomic.atomic" },
			want: `unknown kernel "st_ld.atomic.atomic": this peer was not built with it; its generated kernels: kTestCasX1, kTestCasX2,`},
		{name: "generation_0", spec: func(s *litmus.Spec) { s.Generation = 0 }, gen: 11, want: "generation 0: want the test's non-zero id"},
		{name: "stale_generation", gen: 10, stale: true, want: "generation 11, but the litmus section holds generation 10"},
		{name: "n_actors_1", desc: func(d *litmus.Descriptor) { d.NActors = 1 }, want: "litmus descriptor: n_actors 1 out of range: want 2 to 4"},
		{name: "n_actors_5", desc: func(d *litmus.Descriptor) { d.NActors = 5 }, want: "litmus descriptor: n_actors 5 out of range: want 2 to 4"},
		{name: "stride_0", desc: func(d *litmus.Descriptor) { d.Stride = 0 }, want: "litmus descriptor: stride 0: want at least 1 instance per round"},
		{name: "n_gather_0", desc: func(d *litmus.Descriptor) { d.NGather = 0 }, want: "litmus descriptor: n_gather 0 out of range: want 1 to 4"},
		{name: "n_gather_5", desc: func(d *litmus.Descriptor) { d.NGather = 5 }, want: "litmus descriptor: n_gather 5 out of range: want 1 to 4"},
		{name: "max_rounds_negative", desc: func(d *litmus.Descriptor) { d.MaxRounds = -1 }, want: "litmus descriptor: max_rounds -1: want 0 (until stopped) or more"},
		{name: "hist_len", desc: func(d *litmus.Descriptor) { d.HistLen = 8 }, want: "litmus descriptor: hist_len 8: want radix^n_gather = 4^2 = 16"},
		{name: "radix_1", desc: func(d *litmus.Descriptor) { d.Radix = 1 }, want: "litmus descriptor: radix 1 out of range: want 2 to 256"},
		{name: "radix_beyond_histogram", desc: func(d *litmus.Descriptor) { d.Radix = 17 }, want: "litmus descriptor: radix 17 and n_gather 2: 17^2 counts exceed the histogram's 256"},
		{name: "hist_in_descriptor", desc: func(d *litmus.Descriptor) { d.HistOffset = 0x400 },
			want: "litmus descriptor: hist_offset: 16 item(s) of 8 bytes every 8 bytes from offset 0x400 do not fit in 0x1000.."},
		{name: "hist_misaligned", desc: func(d *litmus.Descriptor) { d.HistOffset = 0x1004 }, want: "litmus descriptor: hist_offset: offset 0x1004, want a multiple of 8"},
		{name: "locations_past_end", desc: func(d *litmus.Descriptor) { d.LocOffset = size - 16 },
			want: "litmus descriptor: loc_offset/loc_stride: 4 item(s) of 16 bytes every 16 bytes from offset"},
		{name: "loc_stride_0", desc: func(d *litmus.Descriptor) { d.LocStride = 0 }, want: "litmus descriptor: loc_stride 0: want a positive multiple of 8"},
		{name: "locations_in_histogram", desc: func(d *litmus.Descriptor) { d.LocOffset = 0x1000 },
			want: "litmus descriptor: loc_offset/loc_stride: 4 item(s) of 16 bytes every 16 bytes from offset 0x1000 do not fit in 0x2000.."},
		{name: "gather_past_end", desc: func(d *litmus.Descriptor) { d.Gather[1].Offset = size }, want: "litmus descriptor: gather[1]: 4 item(s) of 8 bytes every 16 bytes"},
		{name: "gather_stride_odd", desc: func(d *litmus.Descriptor) { d.Gather[0].Stride = 12 }, want: "litmus descriptor: gather[0]: stride 12, want a multiple of 8, 0 or more"},
		{name: "result_past_end", desc: func(d *litmus.Descriptor) { d.Result[1].Offset = size - 8 }, want: "litmus descriptor: result[1]: 4 item(s) of 16 bytes every 16 bytes"},
		{name: "result_in_control", desc: func(d *litmus.Descriptor) { d.Result[0].Offset = 0x300 }, want: "litmus descriptor: result[0]: 4 item(s) of 16 bytes every 16 bytes from offset 0x300"},
		{name: "result_stride_negative", desc: func(d *litmus.Descriptor) { d.Result[1].Stride = -16 }, want: "litmus descriptor: result[1]: stride -16, want a multiple of 8, 0 or more"},
		{name: "no_result_array", desc: func(d *litmus.Descriptor) { d.Result[0] = litmus.Array{} }, want: "result[0]: a register window of 0 bytes (stride 0) is too small for kernel kTestSBAtomicX, which writes 1 register(s): want at least 8"},
		{name: "r1_no_room", spec: func(s *litmus.Spec) { s.Kernel = litmus.TestMPReader },
			desc: func(d *litmus.Descriptor) { d.Result[0].Stride = 8; d.Gather[0].Stride = 8 },
			want: "result[0]: a register window of 8 bytes (stride 8) is too small for kernel kTestMPReader, which writes 2 register(s): want at least 16"},
		// Interleaved with actor 1's array 8 bytes further: r1 would be actor 1's r0.
		{name: "r1_is_another_actors_r0", spec: func(s *litmus.Spec) { s.Kernel = litmus.TestMPReader },
			desc: func(d *litmus.Descriptor) {
				d.Result[1] = litmus.Array{Offset: d.Result[0].Offset + 8, Stride: d.Result[0].Stride}
			},
			want: "result[0]: a register window of 8 bytes (stride 16) is too small for kernel kTestMPReader, which writes 2 register(s): want at least 16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec, _ := newSection(t, test)
			d := litmustest.Describe(test)
			if c.desc != nil {
				c.desc(&d)
			}
			spec := specs[0]
			if c.spec != nil {
				c.spec(&spec)
			}
			gen := c.gen
			if gen == 0 {
				gen = spec.Generation
			}
			litmustest.Write(sec, d, gen)
			_, err := litmus.Prepare(litmus.SectionOf(sec), spec)
			var refused *litmus.RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("Prepare = %v, want a *RefusedError %q", err, c.want)
			}
			if !strings.HasPrefix(refused.Reason, c.want) || refused.StaleGeneration != c.stale {
				t.Errorf("Prepare refused with %q (stale generation %t), want %q (%t)", refused.Reason, refused.StaleGeneration, c.want, c.stale)
			}
			if strings.Contains(refused.Reason, "\n") {
				t.Errorf("reason %q spans lines", refused.Reason)
			}
			if v := atomic.LoadInt64(litmustest.Word(sec, litmus.ReadyOffset)); v != 0 {
				t.Errorf("ready = %d after a refusal, want 0", v)
			}
		})
	}
	t.Run("section_too_small", func(t *testing.T) {
		_, err := litmus.Prepare(litmus.SectionOf(make([]byte, 4096)), specs[0])
		if err == nil || err.Error() != "litmus section is 4096 bytes, smaller than the 8192 bytes of its control words, descriptor and histogram" {
			t.Errorf("Prepare over 4096 bytes = %v", err)
		}
	})
	t.Run("accepts_the_valid_test", func(t *testing.T) {
		sec, _ := newSection(t, test)
		if _, err := litmus.Prepare(litmus.SectionOf(sec), specs[1]); err != nil {
			t.Errorf("Prepare of the unedited test: %v", err)
		}
	})
	t.Run("accepts_no_result_array_without_registers", func(t *testing.T) {
		sec, _ := newSection(t, test)
		d := litmustest.Describe(test)
		d.Gather[0] = d.Gather[1]
		d.Result[0] = litmus.Array{}
		litmustest.Write(sec, d, test.Generation)
		spec := specs[0]
		spec.Kernel = "kTestStoreX"
		if _, err := litmus.Prepare(litmus.SectionOf(sec), spec); err != nil {
			t.Errorf("Prepare of a register-less actor with an empty result array: %v", err)
		}
	})
}
