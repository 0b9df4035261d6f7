package clock

import "testing"

// A start instant written by a C or Java litmus consumer is CLOCK_MONOTONIC;
// Fast must read that clock, not one offset from the process's start.
func TestFastIsClockMonotonic(t *testing.T) {
	before := Fast()
	sys, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	after := Fast()
	if sys < before || sys > after {
		t.Fatalf("CLOCK_MONOTONIC %d ns lies outside the fast clock's readings [%d, %d] taken around it", sys, before, after)
	}
}
