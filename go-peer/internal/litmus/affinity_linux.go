package litmus

import "golang.org/x/sys/unix"

// pinToNthAllowedCPU pins the calling OS thread to the (nth mod n)-th CPU the
// process may use and reports whether it did. Unpinned, the scheduler may put
// two actors that wake each other on one core, where their rounds never
// overlap. The caller must hold the thread (runtime.LockOSThread) and must not
// unlock it afterwards: a pinned thread has to end with its goroutine, not
// return to the runtime's pool.
func pinToNthAllowedCPU(nth int) bool {
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		return false
	}
	count := allowed.Count()
	if count == 0 || nth < 0 {
		return false
	}
	want := nth % count
	for cpu, seen := 0, 0; cpu < len(allowed)*64; cpu++ {
		if !allowed.IsSet(cpu) {
			continue
		}
		if seen != want {
			seen++
			continue
		}
		var one unix.CPUSet
		one.Set(cpu)
		// pid 0 is the calling thread on Linux.
		return unix.SchedSetaffinity(0, &one) == nil
	}
	return false
}
