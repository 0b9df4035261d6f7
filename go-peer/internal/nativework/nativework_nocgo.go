//go:build !cgo

package nativework

import "errors"

// Available reports whether this peer was built with cgo and so can start native workers.
const Available = false

// ErrNoCgo is returned by Start in a peer built without cgo.
var ErrNoCgo = errors.New("this peer was built without cgo: it cannot start native workers")

// Group is one started group of native worker threads.
type Group struct{}

// Start fails: a peer built without cgo has no native workers.
func Start(threads int, cancelFlag *int64) (*Group, error) { return nil, ErrNoCgo }

// Join is never reached without cgo.
func (g *Group) Join(timeoutMs int64) (bool, error) { return false, ErrNoCgo }

// Alive is 0 without cgo.
func Alive() int { return 0 }
