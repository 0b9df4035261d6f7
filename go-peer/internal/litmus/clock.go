package litmus

import (
	_ "unsafe" // for go:linkname
)

// monotonicNs is CLOCK_MONOTONIC in nanoseconds, the clock of the C actors
// (clock_gettime) and the Java actors (System.nanoTime on Linux), read
// through the vDSO as the runtime reads it: a start instant written by a
// consumer of any runtime means the same moment here. time.Now cannot serve:
// its monotonic reading counts from the process's start.
//
//go:linkname monotonicNs runtime.nanotime
func monotonicNs() int64
