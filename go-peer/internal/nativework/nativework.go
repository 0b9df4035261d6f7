//go:build cgo

// Package nativework starts the C shim's native workers (native/src/workers.c,
// compiled in by cgo) from the Go peer: pthreads that count on a slot and stop
// when a cancel flag in the shared region becomes non-zero. A peer built
// without cgo (the cross-compiled arm64 peer) has none: Available is false and
// Start fails.
package nativework

/*
#cgo CFLAGS: -std=c11 -O2 -I${SRCDIR}/../../../native/include -I${SRCDIR}/../../../native/src
#cgo LDFLAGS: -pthread
#include <stdint.h>
#include <stdlib.h>
#include "interop.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Available reports whether this peer was built with cgo and so can start native workers.
const Available = true

// Group is one started group of native worker threads.
type Group struct {
	handle int64
	slot   *C.int64_t // C memory: the threads keep using it after Start returns
}

// Start starts threads native worker threads, each adding 1 to a slot of its
// own group until *cancelFlag becomes non-zero. cancelFlag must point into
// memory that is not managed by Go (the mapped region) and stay mapped until
// Join has returned.
func Start(threads int, cancelFlag *int64) (*Group, error) {
	slot := (*C.int64_t)(C.calloc(1, 8))
	if slot == nil {
		return nil, fmt.Errorf("native workers: out of memory")
	}
	h := int64(C.interop_workers_start(slot, C.int32_t(threads), C.int64_t(1<<62), nil, nil,
		(*C.int64_t)(unsafe.Pointer(cancelFlag))))
	if h <= 0 {
		C.free(unsafe.Pointer(slot))
		return nil, fmt.Errorf("native workers: interop_workers_start: errno %d", -h)
	}
	return &Group{handle: h, slot: slot}, nil
}

// Join waits up to timeoutMs for every thread of g to end. On a timeout it
// stops the group, joins it, and reports that the threads had to be stopped.
func (g *Group) Join(timeoutMs int64) (stoppedByCancel bool, err error) {
	r := int64(C.interop_workers_join(C.int64_t(g.handle), C.int64_t(timeoutMs)))
	if r >= 0 {
		C.free(unsafe.Pointer(g.slot))
		return true, nil
	}
	C.interop_workers_stop(C.int64_t(g.handle))
	if r2 := int64(C.interop_workers_join(C.int64_t(g.handle), 5000)); r2 >= 0 {
		C.free(unsafe.Pointer(g.slot))
	}
	return false, fmt.Errorf("native workers still running %d ms after the cancel (errno %d): stopped", timeoutMs, -r)
}

// Alive returns the native worker threads alive in the peer right now.
func Alive() int { return int(C.interop_workers_alive()) }
