package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"
)

// asCommand, set to 1 in a child's environment, makes the test binary run as
// the command itself: grpc-go's interop functions end the process on a failed
// assertion, so the self-test runs each case in a process of its own, as the
// harness does, and judges its exit status and output.
const asCommand = "GRPC_INTEROP_CLIENT_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// command runs the command with args in a child process, bounded by 30 s.
func command(t *testing.T, args ...string) (rc int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCommand+"=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &exit) && exit.Exited():
		return exit.ExitCode(), out.String(), errOut.String()
	default:
		t.Fatalf("%v: %v (%s)", args, err, errOut.String())
		return -1, "", ""
	}
}

// serve starts grpc-go's own interop server, srv, on loopback. It stops when
// the returned function is called or t ends, whichever is first, and waits
// for its handlers to return.
func serve(t *testing.T, srv testgrpc.TestServiceServer) (addr string, stop func()) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.WaitForHandlers(true))
	testgrpc.RegisterTestServiceServer(s, srv)
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return lis.Addr().String(), s.Stop
}

func TestEveryCasePassesAgainstGrpcGosOwnServer(t *testing.T) {
	addr, _ := serve(t, interop.NewTestServer())
	for _, name := range names() {
		rc, out, errOut := command(t, "-server", addr, "-case", name, "-timeout", "20s")
		if rc != 0 {
			t.Errorf("%s: exit %d: %s", name, rc, errOut)
			continue
		}
		if got := strings.TrimSpace(out); got != "PASS "+name {
			t.Errorf("%s: stdout %q, want %q", name, got, "PASS "+name)
		}
	}
	if len(cases) != 14 {
		t.Errorf("%d cases, want the 14 of the issue", len(cases))
	}
}

// halfCloseCounter is grpc-go's interop server, counting the StreamingInputCalls
// whose handler saw the client's half-close.
type halfCloseCounter struct {
	testgrpc.TestServiceServer
	halfCloses atomic.Int64
}

func (c *halfCloseCounter) StreamingInputCall(s testgrpc.TestService_StreamingInputCallServer) error {
	return c.TestServiceServer.StreamingInputCall(halfCloseCountingStream{s, &c.halfCloses})
}

type halfCloseCountingStream struct {
	testgrpc.TestService_StreamingInputCallServer
	n *atomic.Int64
}

func (s halfCloseCountingStream) Recv() (*testgrpc.StreamingInputCallRequest, error) {
	m, err := s.TestService_StreamingInputCallServer.Recv()
	if err == io.EOF {
		s.n.Add(1)
	}
	return m, err
}

// cancelAfterBegin runs the steps of grpc-go's DoCancelAfterBegin calls times
// on one connection made by dialer, against grpc-go's interop server. It
// returns the status codes other than CANCELLED (none, when every call passed)
// and how many half-closes the server saw.
func cancelAfterBegin(t *testing.T, dialer func(string) (*grpc.ClientConn, error), calls int) (
	notCancelled []codes.Code, halfCloses int64) {
	t.Helper()
	srv := &halfCloseCounter{TestServiceServer: interop.NewTestServer()}
	addr, stop := serve(t, srv)
	cc, err := dialer(addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := testgrpc.NewTestServiceClient(cc)
	for range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		callCtx, cancelCall := context.WithCancel(ctx)
		stream, err := tc.StreamingInputCall(callCtx)
		if err != nil {
			cancelCall()
			cancel()
			t.Fatal(err)
		}
		cancelCall()
		if _, err := stream.CloseAndRecv(); status.Code(err) != codes.Canceled {
			notCancelled = append(notCancelled, status.Code(err))
		}
		cancel()
	}
	cc.Close()
	stop() // every handler has returned
	return notCancelled, srv.halfCloses.Load()
}

// The half-close that made cancel_after_begin flaky: on a plain grpc-go
// connection a CloseSend right after cancel() still reaches the server for
// a good share of calls (about half, on loopback), which answers it with OK.
// The command's connection sends none, so every call ends CANCELLED.
func TestCancelAfterBeginSendsNoHalfClose(t *testing.T) {
	const calls = 100
	plain := func(addr string) (*grpc.ClientConn, error) {
		return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	if _, halfCloses := cancelAfterBegin(t, plain, calls); halfCloses == 0 {
		t.Errorf("plain connection: the server saw no half-close in %d cancelled calls; "+
			"grpc-go may no longer half-close a cancelled stream (noHalfCloseAfterCancel would be moot)", calls)
	}

	notCancelled, halfCloses := cancelAfterBegin(t, dial, calls)
	if halfCloses != 0 || len(notCancelled) != 0 {
		t.Errorf("command's connection: the server saw %d half-closes in %d cancelled calls, want 0; "+
			"statuses other than CANCELLED: %v", halfCloses, calls, notCancelled)
	}
}

func TestBadUsageIsRefusedWithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"-server", "127.0.0.1:1", "-case", "no_such_case"},
		{"-server", "192.0.2.1:80", "-case", "empty_unary"},
		{"-server", "nonsense", "-case", "empty_unary"},
	} {
		var out, errOut bytes.Buffer
		if rc := run(args, &out, &errOut); rc != 2 {
			t.Errorf("%v: exit %d, want 2", args, rc)
		}
		if out.Len() != 0 || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: stdout %q, stderr %q: want nothing and one line", args, out.String(), errOut.String())
		}
	}
}
