package litmus_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"interop-testbed/go-peer/internal/litmus"
	"interop-testbed/go-peer/internal/litmus/litmustest"
)

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
