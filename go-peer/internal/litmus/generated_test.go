package litmus

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"
)

// Kernels written by hand in the form the Java side's GoKernelSource
// generates (a loop over the instances, every location and value a constant,
// registers in locals stored after every step), registered as a generated
// file registers its own. The actor tests (generated_actor_test.go) run them.
func init() {
	registerGenerated("kTestMPWriter", kTestMPWriter, 0, 16)
	registerGenerated("kTestMPReader", kTestMPReader, 2, 16)
	registerGenerated("kTestEveryStep", kTestEveryStep, 4, 32)
}

// kTestMPWriter is st [0] := 1 atomic; st [8] := 1 atomic.
func kTestMPWriter(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	for i := f.n; i > 0; i-- {
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo)), 1)
		atomic.StoreInt64((*int64)(unsafe.Add(b, lo+8)), 1)
		lo += ls
	}
}

// kTestMPReader is r0 := ld [8] atomic; r1 := ld [0] atomic.
func kTestMPReader(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0, r1 int64
		r0 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo+8)))
		r1 = atomic.LoadInt64((*int64)(unsafe.Add(b, lo)))
		*(*int64)(unsafe.Add(b, ro)) = r0
		*(*int64)(unsafe.Add(b, ro+8)) = r1
		lo += ls
		ro += rs
	}
}

// kTestEveryStep is r0 := fadd [0] 2 atomic; r1 := xchg [8] 3 atomic;
// r2 := cas [16] [24] 5 atomic/seq_cst; st [24] := 7 plain; r0 := ld [16] plain.
// r3 is written by no step and so ends 0; r0 ends as the last step that wrote it.
func kTestEveryStep(f *frame) {
	b := f.base
	lo, ls := f.loc, f.locStride
	ro, rs := f.res, f.resStride
	for i := f.n; i > 0; i-- {
		var r0, r1, r2, r3 int64
		r0 = atomic.AddInt64((*int64)(unsafe.Add(b, lo)), 2) - 2
		r1 = atomic.SwapInt64((*int64)(unsafe.Add(b, lo+8)), 3)
		if atomic.CompareAndSwapInt64((*int64)(unsafe.Add(b, lo+16)), *(*int64)(unsafe.Add(b, lo+24)), 5) {
			r2 = 1
		} else {
			r2 = 0
		}
		*(*int64)(unsafe.Add(b, lo+24)) = 7
		r0 = *(*int64)(unsafe.Add(b, lo+16))
		*(*int64)(unsafe.Add(b, ro)) = r0
		*(*int64)(unsafe.Add(b, ro+8)) = r1
		*(*int64)(unsafe.Add(b, ro+16)) = r2
		*(*int64)(unsafe.Add(b, ro+24)) = r3
		lo += ls
		ro += rs
	}
}

// TestGeneratedKernelTouchesItsInstanceOnly runs kTestEveryStep through the
// registry over instances that start differently (the compare-exchange
// succeeds on even ones) and checks each location and register against the
// plan's meaning, and that the padding word of each instance and each record
// is untouched: locations at loc + i*locStride + a, registers at
// res + i*resStride + 8k.
func TestGeneratedKernelTouchesItsInstanceOnly(t *testing.T) {
	const (
		n        = 4
		locWords = 5 // 4 locations and a padding word
		resWords = 5 // 4 registers and a padding word
		sentinel = int64(-7)
	)
	k, ok := lookup("kTestEveryStep")
	if !ok || !k.generated || k.regs != 4 || k.locBytes != 32 {
		t.Fatalf("lookup(kTestEveryStep) = %+v, %t", k, ok)
	}
	mem := make([]int64, n*locWords+n*resWords)
	for i := range mem {
		mem[i] = sentinel
	}
	type instance struct{ x0, x8, x16, x24 int64 }
	start := make([]instance, n)
	for i := range n {
		v := int64(10 * (i + 1))
		start[i] = instance{x0: v, x8: v + 1, x16: v + 2, x24: v + 2 + int64(i%2)}
		copy(mem[i*locWords:], []int64{start[i].x0, start[i].x8, start[i].x16, start[i].x24})
	}
	f := frame{base: unsafe.Pointer(&mem[0]), n: n, loc: 0, locStride: locWords * 8,
		res: n * locWords * 8, resStride: resWords * 8}
	k.run(&f)
	for i, s := range start {
		want := []int64{s.x0 + 2, 3, s.x16, 7, sentinel}
		// r0 ends as the final load of [16], not the fetch-add's old value.
		wantRegs := []int64{s.x16, s.x8, 0, 0, sentinel}
		if s.x16 == s.x24 {
			want[2], wantRegs[0], wantRegs[2] = 5, 5, 1
		}
		got, gotRegs := mem[i*locWords:(i+1)*locWords], mem[n*locWords+i*resWords:][:resWords]
		if !slices.Equal(got, want) || !slices.Equal(gotRegs, wantRegs) {
			t.Errorf("instance %d from %+v: locations %v, registers %v; want %v, %v", i, s, got, gotRegs, want, wantRegs)
		}
	}
}

// TestRegisterGeneratedRefuses: a name that could clash with a role kernel's
// or is taken, and counts out of range, panic at registration (the peer's
// start), and nothing is registered.
func TestRegisterGeneratedRefuses(t *testing.T) {
	noop := func(*frame) {}
	for _, c := range []struct {
		name     string
		kernel   string
		run      func(*frame)
		regs     int
		locBytes int64
		want     string
	}{
		{"role_name", "st.atomic", noop, 0, 8, `generated kernel "st.atomic": the name must be an identifier`},
		{"empty_name", "", noop, 0, 8, `generated kernel "": the name must be an identifier`},
		{"leading_digit", "0k", noop, 0, 8, `generated kernel "0k": the name must be an identifier`},
		{"taken", "kTestMPWriter", noop, 0, 16, `generated kernel "kTestMPWriter" registered twice`},
		{"no_function", "kNoFunction", nil, 0, 8, `generated kernel "kNoFunction": no function`},
		{"negative_regs", "kNegativeRegs", noop, -1, 8, `generated kernel "kNegativeRegs": -1 registers`},
		{"no_locations", "kNoLocations", noop, 0, 0, `generated kernel "kNoLocations": 0 bytes of locations, want a positive multiple of 8`},
		{"odd_locations", "kOddLocations", noop, 0, 12, `generated kernel "kOddLocations": 12 bytes of locations, want a positive multiple of 8`},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(generatedKernels)
			defer func() {
				got, _ := recover().(string)
				if got != c.want {
					t.Errorf("registerGenerated panicked with %q, want %q", got, c.want)
				}
				if len(generatedKernels) != before {
					t.Errorf("a refused kernel was registered: %v", Generated())
				}
			}()
			registerGenerated(c.kernel, c.run, c.regs, c.locBytes)
		})
	}
}

// TestGeneratedAreListedApart: generated names are listed by Generated, not
// by Kernels, whose list is the role table docs/LITMUS.md names.
func TestGeneratedAreListedApart(t *testing.T) {
	if got := strings.Join(Generated(), ","); got != "kTestEveryStep,kTestMPReader,kTestMPWriter" {
		t.Errorf("Generated() = %s", got)
	}
	for _, name := range Kernels() {
		if strings.HasPrefix(name, "kTest") {
			t.Errorf("Kernels() lists generated kernel %s", name)
		}
	}
}
