// Package fault holds the regressions the peer can be started with
// (interop-peer -fault NAME), so that the harness's tests can show its verdicts
// on a broken build: a check that never sees the bug it exists for proves
// nothing. The harness never starts a peer with a fault outside those tests.
package fault

import (
	"context"
	"fmt"
	"time"
)

// IgnoreContextFor is how long a goroutine under IgnoreContext keeps running
// after its context ended: past every bound of the harness (a call's 10 s),
// so that within a trial it never stops, yet it ends by itself, as every
// long-running thing of the test bed does.
const IgnoreContextFor = time.Minute

// IgnoreContext is the regression "goroutines that ignore their context":
// when above 0, every goroutine of a CancelService or ScopeService call waits
// as if its context never ended, until its work completes by itself or this
// long has passed. 0, the zero value, is the contract: a goroutine stops when
// its context ends.
type IgnoreContext time.Duration

// Heed returns the context a goroutine of a call waits on: ctx itself, or with
// the fault a context that ignores ctx's end and ends d from now. The
// CancelFunc releases it and must be called when the goroutine returns.
func (d IgnoreContext) Heed(ctx context.Context) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), time.Duration(d))
}

// Names lists the faults Parse accepts.
const Names = "ignore-context"

// Parse returns the IgnoreContext that the -fault value name plants: "" is no
// fault; "ignore-context" is IgnoreContextFor. Any other name is an error.
func Parse(name string) (IgnoreContext, error) {
	switch name {
	case "":
		return 0, nil
	case "ignore-context":
		return IgnoreContext(IgnoreContextFor), nil
	}
	return 0, fmt.Errorf("-fault %q: want one of %s", name, Names)
}
