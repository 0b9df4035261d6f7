package fault

import (
	"context"
	"testing"
	"time"
)

func TestWithoutTheFaultAGoroutineHeedsItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	heeded, release := IgnoreContext(0).Heed(ctx)
	defer release()
	cancel()
	select {
	case <-heeded.Done():
	case <-time.After(time.Second):
		t.Fatal("the heeded context did not end with its parent")
	}
}

func TestWithTheFaultAGoroutineIgnoresItsContextForTheFaultsTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	heeded, release := IgnoreContext(100 * time.Millisecond).Heed(ctx)
	defer release()
	start := time.Now()
	cancel()
	select {
	case <-heeded.Done():
		t.Fatal("the heeded context ended with its parent: the fault was not planted")
	case <-time.After(30 * time.Millisecond):
	}
	<-heeded.Done()
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("ended %v after the cancel, want the fault's 100 ms", d)
	}
}

func TestParse(t *testing.T) {
	if d, err := Parse(""); err != nil || d != 0 {
		t.Errorf(`Parse("") = %v, %v: want no fault`, d, err)
	}
	if d, err := Parse("ignore-context"); err != nil || time.Duration(d) != IgnoreContextFor {
		t.Errorf(`Parse("ignore-context") = %v, %v`, d, err)
	}
	if _, err := Parse("ignore-everything"); err == nil {
		t.Error(`Parse("ignore-everything") accepted an unknown fault`)
	}
}
