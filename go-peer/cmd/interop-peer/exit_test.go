package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/region/regiontest"
)

func TestSurvivesParentClosingStderr(t *testing.T) {
	path := regiontest.Create(t, nil)
	cmd := peerCommand("-region", path, "-unlink-region-on-exit")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	errW.Close()
	if _, err := io.WriteString(stdin, newSecret(t).StdinLine()); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	}()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(outR).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if l == "" {
			t.Fatal("no first line")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no first line within 10s")
	}
	outR.Close()
	errR.Close()
	stdin.Close()
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("peer exited with %v, want status 0", waitErr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the peer did not exit within 5s")
	}
	if exists(path) {
		t.Errorf("region %s still exists", path)
	}
}

// TestExitCancelsRunningCall: a call held at a gate that never opens does not
// keep the peer alive: after stdin closes, the call is cancelled after the
// grace period and the peer exits 0 within 5 s.
func TestExitCancelsRunningCall(t *testing.T) {
	path := regiontest.Create(t, nil)
	p := start(t, true, "-region", path)
	client := p.dial(t)
	errc := make(chan error, 1)
	go func() {
		_, err := client.AddCounters(context.Background(), &interopv1.AddCountersRequest{
			Block: interopv1.Block_BLOCK_COUNTERS, Slot: 0, Goroutines: 2, IncrementsPerGoroutine: 1, UseStartGate: true, GateTimeoutMs: 60_000,
		})
		errc <- err
	}()
	harness, err := region.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer harness.Close()
	ready := harness.ControlWord(region.ControlReadyCount)
	deadline := time.Now().Add(5 * time.Second)
	for atomic.LoadInt64(ready) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the call's goroutines did not reach the gate within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	p.stdin.Close()
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
	if took := time.Since(start); took < gracePeriod {
		t.Errorf("exited after %v, before the %v grace period", took, gracePeriod)
	}
	select {
	case err := <-errc:
		if code := status.Code(err); code != codes.Unavailable && code != codes.Canceled {
			t.Errorf("the held call ended with %v, want Unavailable", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the held call did not end within 5s of the peer exiting")
	}
}
