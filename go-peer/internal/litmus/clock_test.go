package litmus

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The start instant a C or Java consumer writes is CLOCK_MONOTONIC; the Go
// actor's clock must be that clock, not one offset from the process's start.
func TestMonotonicNsIsClockMonotonic(t *testing.T) {
	var ts unix.Timespec
	before := monotonicNs()
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatalf("clock_gettime: %v", err)
	}
	after := monotonicNs()
	sys := ts.Nano()
	if sys < before || sys > after {
		t.Fatalf("CLOCK_MONOTONIC %d ns lies outside the Go clock's readings [%d, %d] taken around it", sys, before, after)
	}
}
