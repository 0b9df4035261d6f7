//go:build !linux

package litmus

// pinToNthAllowedCPU does nothing outside Linux, where thread affinity has no
// portable interface; actors then run unpinned.
func pinToNthAllowedCPU(nth int) bool { return false }
