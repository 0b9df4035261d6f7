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

// serve starts grpc-go's own interop server, srv, on loopback, and returns its
// address. It stops when t ends, once its handlers have returned.
func serve(t *testing.T, srv testgrpc.TestServiceServer) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.WaitForHandlers(true))
	testgrpc.RegisterTestServiceServer(s, srv)
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return lis.Addr().String()
}

func TestEveryCasePassesAgainstGrpcGosOwnServer(t *testing.T) {
	addr := serve(t, interop.NewTestServer())
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

// callRecorder is grpc-go's interop server, whose StreamingInputCall handler,
// once it has returned, sends on ended whether it saw the client's half-close.
type callRecorder struct {
	testgrpc.TestServiceServer
	ended chan bool
}

func (c *callRecorder) StreamingInputCall(s testgrpc.TestService_StreamingInputCallServer) error {
	r := &halfCloseRecorder{TestService_StreamingInputCallServer: s}
	err := c.TestServiceServer.StreamingInputCall(r)
	c.ended <- r.halfClosed
	return err
}

type halfCloseRecorder struct {
	testgrpc.TestService_StreamingInputCallServer
	halfClosed bool
}

func (s *halfCloseRecorder) Recv() (*testgrpc.StreamingInputCallRequest, error) {
	m, err := s.TestService_StreamingInputCallServer.Recv()
	if err == io.EOF {
		s.halfClosed = true
	}
	return m, err
}

// cancelAfterBegin runs the steps of grpc-go's DoCancelAfterBegin calls times,
// one after another, on one connection made by dialer to grpc-go's interop
// server, each call awaited until the server's handler for it has returned.
// It returns the status codes other than CANCELLED (none, when every call
// passed) and how many of the calls the server saw half-closed.
func cancelAfterBegin(t *testing.T, dialer func(string) (*grpc.ClientConn, error), calls int) (
	notCancelled []codes.Code, halfCloses int) {
	t.Helper()
	srv := &callRecorder{TestServiceServer: interop.NewTestServer(), ended: make(chan bool, 1)}
	cc, err := dialer(serve(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	tc := testgrpc.NewTestServiceClient(cc)
	for i := range calls {
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
		select {
		case halfClosed := <-srv.ended:
			if halfClosed {
				halfCloses++
			}
		case <-ctx.Done():
			cancel()
			t.Fatalf("call %d: no handler on the server ended within 10 s", i)
		}
		cancel()
	}
	return notCancelled, halfCloses
}

// The half-close that made cancel_after_begin flaky: on a plain grpc-go
// connection, a CloseSend right after cancel() still reached the server
// half-closed in 36-62 of 100 calls (loopback, GOMAXPROCS 1, 2 and 4, 30 runs
// each), and the server answers a half-close with OK. The command's connection
// sends no half-close after a cancel, so every call ends CANCELLED.
func TestCancelAfterBeginSendsNoHalfClose(t *testing.T) {
	const calls = 100
	plain := func(addr string) (*grpc.ClientConn, error) {
		return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	_, halfCloses := cancelAfterBegin(t, plain, calls)
	t.Logf("plain connection: %d of %d cancelled calls reached the server half-closed", halfCloses, calls)
	if halfCloses == 0 {
		t.Errorf("plain connection: the server saw no half-close in %d cancelled calls; "+
			"grpc-go may no longer half-close a cancelled stream (noHalfCloseAfterCancel would be moot)", calls)
	}

	notCancelled, halfCloses := cancelAfterBegin(t, dial, calls)
	if halfCloses != 0 || len(notCancelled) != 0 {
		t.Errorf("command's connection: the server saw %d of %d cancelled calls half-closed, want 0; "+
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
