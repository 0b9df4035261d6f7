package litmus

import (
	"slices"
	"strings"
	"testing"
	"unsafe"
)

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
	if !ok || k.regs != 4 || k.locBytes != 32 {
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

// TestRegisterGeneratedRefuses: a name that is not an identifier or is
// taken, and counts out of range, panic at registration (the peer's start),
// and nothing is registered.
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
		{"dotted_name", "st.atomic", noop, 0, 8, `generated kernel "st.atomic": the name must be an identifier`},
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

// TestGeneratedListsEveryRegisteredKernel: Generated names every kernel
// registered (here, kernels_test.go's), sorted, and nothing else.
func TestGeneratedListsEveryRegisteredKernel(t *testing.T) {
	want := "kTestCasX1,kTestCasX2,kTestEveryStep,kTestFaddX,kTestMPReader,kTestMPWriter,kTestReadXY," +
		"kTestSBAtomicX,kTestSBAtomicY,kTestSBPlainX,kTestSBPlainY,kTestStoreX,kTestStoreX7,kTestStoreY,kTestStoreYMinus1"
	if got := strings.Join(Generated(), ","); got != want {
		t.Errorf("Generated() = %s, want %s", got, want)
	}
}
