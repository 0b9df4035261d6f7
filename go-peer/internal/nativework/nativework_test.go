//go:build cgo

package nativework

import (
	"sync/atomic"
	"syscall"
	"testing"
	"unsafe"
)

func TestWorkersStopWhenTheFlagIsSetAndNoneIsLeft(t *testing.T) {
	// The flag must not be Go memory (the C threads poll it after Start
	// returns): an anonymous mapping, as the region is a file mapping.
	mem, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	flag := (*int64)(unsafe.Pointer(&mem[0]))
	g, err := Start(2, flag)
	if err != nil {
		t.Fatal(err)
	}
	if Alive() < 1 {
		t.Errorf("Alive() = %d after Start, want the group's threads", Alive())
	}
	atomic.StoreInt64(flag, 1)
	if ok, err := g.Join(5000); !ok || err != nil {
		t.Fatalf("Join = %v, %v: the workers did not stop on the flag", ok, err)
	}
	if n := Alive(); n != 0 {
		t.Errorf("Alive() = %d after Join, want 0", n)
	}
}

func TestAWorkerThatIsNeverCancelledIsStoppedAndReported(t *testing.T) {
	mem, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	g, err := Start(1, (*int64)(unsafe.Pointer(&mem[0])))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := g.Join(50); ok || err == nil {
		t.Fatalf("Join = %v, %v: want a timeout reported", ok, err)
	}
	if n := Alive(); n != 0 {
		t.Errorf("Alive() = %d after the stop, want 0", n)
	}
}
