package litmus

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestKernelOperations runs every kernel alone over a few instances and
// compares what it did with the role's operations in docs/LITMUS.md, written
// out here independently of the generator. Words a kernel must not touch
// (the other register, padding, the next instance) are checked unchanged.
func TestKernelOperations(t *testing.T) {
	// An instance is 4 words: p at 0, q at 16, padding at 8 and 24. A result
	// slot is 3 words: r0, r1, padding.
	const (
		n         = 4
		locWords  = 4
		resWords  = 3
		pOff      = 0
		qOff      = 16
		sentinel  = int64(-7)
		v1, v2    = int64(1), int64(2)
		resOffset = n * locWords * 8
	)
	type state struct{ p, q, r0, r1 int64 }
	// expect is each role's effect on one instance.
	expect := map[string]func(s state) state{
		"st":    func(s state) state { s.p = v1; return s },
		"st_st": func(s state) state { s.p, s.q = v1, v2; return s },
		"st_ld": func(s state) state { s.p, s.r0 = v1, s.q; return s },
		"ld_st": func(s state) state { s.r0, s.q = s.p, v1; return s },
		"ld_ld": func(s state) state { s.r0, s.r1 = s.p, s.q; return s },
		"fadd":  func(s state) state { s.r0, s.p = s.p, s.p+1; return s },
		"cas": func(s state) state {
			if s.p == 0 {
				s.p, s.r0 = v1, 1
			} else {
				s.r0 = 0
			}
			return s
		},
	}
	for _, name := range Kernels() {
		t.Run(name, func(t *testing.T) {
			role, _, _ := strings.Cut(name, ".")
			want := expect[role]
			if want == nil {
				t.Fatalf("no expectation for role %q", role)
			}
			mem := make([]int64, n*locWords+n*resWords)
			for i := range mem {
				mem[i] = sentinel
			}
			initial := make([]state, n)
			for i := range n {
				// Even instances start at 0 (cas succeeds), odd ones not.
				p := int64(0)
				if i%2 == 1 {
					p = 10 + int64(i)
				}
				initial[i] = state{p: p, q: 20 + int64(i), r0: sentinel, r1: sentinel}
				mem[i*locWords+pOff/8], mem[i*locWords+qOff/8] = initial[i].p, initial[i].q
			}
			f := frame{
				base: unsafe.Pointer(&mem[0]), n: n,
				loc: 0, locStride: locWords * 8,
				res: resOffset, resStride: resWords * 8,
				p: pOff, q: qOff, v1: v1, v2: v2,
			}
			k := kernels[name]
			k.run(&f)
			for i := range n {
				w := want(initial[i])
				loc, res := mem[i*locWords:], mem[n*locWords+i*resWords:]
				got := state{p: loc[pOff/8], q: loc[qOff/8], r0: res[0], r1: res[1]}
				if got != w {
					t.Errorf("instance %d: got %+v, want %+v (from %+v)", i, got, w, initial[i])
				}
				if loc[1] != sentinel || loc[3] != sentinel || res[2] != sentinel {
					t.Errorf("instance %d: padding changed: loc %v, result %v", i, loc[:locWords], res[:resWords])
				}
			}
			regs, usesQ := 0, false
			for _, s := range initial {
				w := want(s)
				if w.r0 != s.r0 {
					regs = max(regs, 1)
				}
				if w.r1 != s.r1 {
					regs = 2
				}
				if w.q != s.q {
					usesQ = true
				}
			}
			if role == "st_ld" || role == "ld_ld" {
				usesQ = true // q is read, not written
			}
			if k.regs != regs || k.usesQ != usesQ {
				t.Errorf("table says regs %d, usesQ %t; the kernel's effect says regs %d, usesQ %t", k.regs, k.usesQ, regs, usesQ)
			}
		})
	}
}

// TestKernelsAreTheContract: the Go kernels are exactly those docs/LITMUS.md
// gives Go: every role in atomic and plain, fadd and cas atomic only, and no
// st_fence_ld.
func TestKernelsAreTheContract(t *testing.T) {
	var want []string
	want = append(want, "cas.atomic", "fadd.atomic")
	for _, role := range []string{"ld_ld", "ld_st"} {
		for _, m1 := range []string{"atomic", "plain"} {
			for _, m2 := range []string{"atomic", "plain"} {
				want = append(want, fmt.Sprintf("%s.%s.%s", role, m1, m2))
			}
		}
	}
	want = append(want, "st.atomic", "st.plain")
	for _, role := range []string{"st_ld", "st_st"} {
		for _, m1 := range []string{"atomic", "plain"} {
			for _, m2 := range []string{"atomic", "plain"} {
				want = append(want, fmt.Sprintf("%s.%s.%s", role, m1, m2))
			}
		}
	}
	got := Kernels()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Kernels() =\n  %v\nwant\n  %v", got, want)
	}
}
