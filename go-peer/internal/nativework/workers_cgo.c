//go:build cgo

/*
 * The C shim's native workers, compiled into the Go peer by cgo: the same
 * sources as libinterop (native/src), so that workers started by the peer
 * are the ones Java starts through FFM.
 */
#include "../../../native/src/threads.c"
#include "../../../native/src/workers.c"
