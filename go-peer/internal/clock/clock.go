// Package clock reads CLOCK_MONOTONIC in nanoseconds: the clock of the C
// shim (clock_gettime) and of the harness's System.nanoTime on Linux, so
// that instants taken in the peer compare with theirs, across processes.
package clock

import (
	"fmt"
	_ "unsafe" // for go:linkname

	"golang.org/x/sys/unix"
)

// Read reads CLOCK_MONOTONIC with the clock_gettime system call.
func Read() (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, fmt.Errorf("clock_gettime(CLOCK_MONOTONIC): %w", err)
	}
	return ts.Nano(), nil
}

// Monotonic is Read for callers that cannot go on without the clock.
func Monotonic() int64 {
	ns, err := Read()
	if err != nil {
		panic(err.Error())
	}
	return ns
}

// Fast reads the same clock through the vDSO, as the Go runtime does, with no
// system call: for spin loops such as the litmus actors' wait for a round's
// start. time.Now cannot serve: its monotonic reading counts from the
// process's start.
//
//go:linkname Fast runtime.nanotime
func Fast() int64
