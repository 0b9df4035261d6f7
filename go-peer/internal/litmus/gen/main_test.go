package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedKernelsAreFresh fails when ../kernels_gen.go is not what the
// generator writes now: run go generate ./internal/litmus and commit.
func TestGeneratedKernelsAreFresh(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../kernels_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("internal/litmus/kernels_gen.go is stale (%d bytes, the generator writes %d): run 'go generate ./internal/litmus' and commit the result", len(got), len(want))
	}
}

// TestGeneratorWritesEveryRoleAndMode: every role gets one kernel per
// combination of its modes, and each name is a distinct function.
func TestGeneratorWritesEveryRoleAndMode(t *testing.T) {
	all := defs()
	if len(all) != 20 {
		t.Errorf("%d kernels, want 20 (five two-op roles x 4 mode pairs, st x 2, fadd and cas)", len(all))
	}
	seen := map[string]bool{}
	for _, d := range all {
		if seen[d.fn] || seen[d.name] {
			t.Errorf("kernel %s (%s) written twice", d.name, d.fn)
		}
		seen[d.fn], seen[d.name] = true, true
		if len(d.modes) != len(d.role.ops) {
			t.Errorf("kernel %s has %d modes for %d operations", d.name, len(d.modes), len(d.role.ops))
		}
	}
}
