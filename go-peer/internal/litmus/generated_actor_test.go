package litmus_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"interop-testbed/go-peer/internal/litmus"
	"interop-testbed/go-peer/internal/litmus/litmustest"
)

// The kernels named here are registered by kernels_test.go, written as
// GoKernelSource writes a litmus file's threads.

// messagePassingGenerated is MP with generated kernels: a0 stores x then y,
// a1 loads y into r0 then x into r1. P, Q and the values are not given:
// generated kernels carry their own.
func messagePassingGenerated(stride int64) (litmustest.Test, []litmus.Spec) {
	test := litmustest.Test{Actors: 2, Stride: stride, Locations: 2,
		Gather: []litmustest.Value{litmustest.Reg(1, 0), litmustest.Reg(1, 1)}, Generation: 21}
	return test, []litmus.Spec{
		{Actor: 0, Kernel: litmus.TestMPWriter, Generation: 21},
		{Actor: 1, Kernel: litmus.TestMPReader, Generation: 21},
	}
}

// TestGeneratedMessagePassingAtomic runs the generated MP kernels through
// the actor loop: every round counted once, and only the outcomes sequential
// consistency allows for all-atomic MP.
func TestGeneratedMessagePassingAtomic(t *testing.T) {
	test, specs := messagePassingGenerated(1024)
	rep := run(t, test, specs, litmustest.Drive{Budget: budget()})
	if err := litmustest.Allowed(rep.Hist, 2, litmustest.Outcome{0, 0}, litmustest.Outcome{0, 1}, litmustest.Outcome{1, 1}); err != nil {
		t.Errorf("generated MP, atomic: %v", err)
	}
	t.Logf("%d samples: histogram %v", rep.Samples(), rep.Hist)
}

// TestPrepareGenerated: Prepare checks a generated kernel's reach against
// loc_stride and its registers against the actor's window, and names the
// generated kernels when it does not know a name.
func TestPrepareGenerated(t *testing.T) {
	for _, c := range []struct {
		name string
		test func(*litmustest.Test)
		desc func(*litmus.Descriptor)
		spec litmus.Spec
		want string // "": accepted
	}{
		{name: "accepted", spec: litmus.Spec{Actor: 1, Kernel: "kTestMPReader"}},
		{name: "locations_beyond_loc_stride", test: func(t *litmustest.Test) { t.Locations = 1 },
			spec: litmus.Spec{Actor: 0, Kernel: "kTestMPWriter"},
			want: "kernel kTestMPWriter reaches 16 bytes of an instance's locations, more than loc_stride 8"},
		{name: "registers_beyond_window", desc: func(d *litmus.Descriptor) { d.Result[1].Stride = 8; d.Gather[0].Stride = 8; d.Gather[1].Stride = 8 },
			spec: litmus.Spec{Actor: 1, Kernel: "kTestMPReader"},
			want: "result[1]: a register window of 8 bytes (stride 8) is too small for kernel kTestMPReader, which writes 2 register(s): want at least 16"},
		{name: "unknown_names_the_generated", spec: litmus.Spec{Actor: 0, Kernel: "k0123456789abcdef"},
			want: `unknown kernel "k0123456789abcdef": this peer was not built with it; its generated kernels: `},
	} {
		t.Run(c.name, func(t *testing.T) {
			test, _ := messagePassingGenerated(4)
			if c.test != nil {
				c.test(&test)
			}
			sec, _ := newSection(t, test)
			d := litmustest.Describe(test)
			if c.desc != nil {
				c.desc(&d)
			}
			litmustest.Write(sec, d, test.Generation)
			spec := c.spec
			spec.Generation = test.Generation
			_, err := litmus.Prepare(litmus.SectionOf(sec), spec)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Prepare = %v, want accepted", err)
				}
				return
			}
			var refused *litmus.RefusedError
			if !errors.As(err, &refused) || !strings.HasPrefix(refused.Reason, c.want) {
				t.Fatalf("Prepare = %v, want a refusal %q", err, c.want)
			}
			if c.name == "unknown_names_the_generated" && !strings.HasSuffix(refused.Reason, ": "+strings.Join(litmus.Generated(), ", ")) {
				t.Errorf("refusal %q does not list the generated kernels", refused.Reason)
			}
		})
	}
}

// TestGeneratedKernelWithStaleGeneration: a generated kernel is refused for
// another test's generation, before anything runs.
func TestGeneratedKernelWithStaleGeneration(t *testing.T) {
	test, specs := messagePassingGenerated(4)
	sec, _ := newSection(t, test)
	litmustest.Write(sec, litmustest.Describe(test), test.Generation+1)
	_, _, err := litmustest.RunGo(context.Background(), sec, specs, litmustest.Drive{})
	var refused *litmus.RefusedError
	if !errors.As(err, &refused) || !refused.StaleGeneration {
		t.Errorf("RunGo over another generation = %v, want a stale-generation refusal", err)
	}
}
