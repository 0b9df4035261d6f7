// Command grpc-interop-client runs grpc-go's own interop client functions
// (google.golang.org/grpc/interop) against an interop server, here grpc-java's
// TestServiceImpl started by the harness on loopback (docs/CANCELLATION.md,
// "The official gRPC interop cases").
//
// Usage:
//
//	grpc-interop-client -server 127.0.0.1:PORT -case NAME [-timeout 30s]
//
// One case per process: grpc-go's interop functions end the process with
// exit status 1 and a log line on stderr when an assertion fails, so a case
// that fails cannot take the others with it. On success the only output is
// one line on stdout, "PASS NAME". Exit status 2: bad usage (an unknown case
// or a server address beyond loopback).
//
// The functions run as grpc-go wrote them, on a connection with one addition:
// a stream whose context has ended sends no half-close (see
// noHalfCloseAfterCancel), so cancel_after_begin is the procedure of
// interop-test-descriptions.md rather than a race.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
)

// cases are the official interop cases this command runs, by their names in
// grpc's interop-test-descriptions.md.
var cases = map[string]func(ctx context.Context, cc *grpc.ClientConn){
	"empty_unary":        func(ctx context.Context, cc *grpc.ClientConn) { interop.DoEmptyUnaryCall(ctx, client(cc)) },
	"large_unary":        func(ctx context.Context, cc *grpc.ClientConn) { interop.DoLargeUnaryCall(ctx, client(cc)) },
	"client_streaming":   func(ctx context.Context, cc *grpc.ClientConn) { interop.DoClientStreaming(ctx, client(cc)) },
	"server_streaming":   func(ctx context.Context, cc *grpc.ClientConn) { interop.DoServerStreaming(ctx, client(cc)) },
	"ping_pong":          func(ctx context.Context, cc *grpc.ClientConn) { interop.DoPingPong(ctx, client(cc)) },
	"empty_stream":       func(ctx context.Context, cc *grpc.ClientConn) { interop.DoEmptyStream(ctx, client(cc)) },
	"cancel_after_begin": func(ctx context.Context, cc *grpc.ClientConn) { interop.DoCancelAfterBegin(ctx, client(cc)) },
	"cancel_after_first_response": func(ctx context.Context, cc *grpc.ClientConn) {
		interop.DoCancelAfterFirstResponse(ctx, client(cc))
	},
	"timeout_on_sleeping_server": func(ctx context.Context, cc *grpc.ClientConn) {
		interop.DoTimeoutOnSleepingServer(ctx, client(cc))
	},
	"custom_metadata":         func(ctx context.Context, cc *grpc.ClientConn) { interop.DoCustomMetadata(ctx, client(cc)) },
	"status_code_and_message": func(ctx context.Context, cc *grpc.ClientConn) { interop.DoStatusCodeAndMessage(ctx, client(cc)) },
	"special_status_message":  func(ctx context.Context, cc *grpc.ClientConn) { interop.DoSpecialStatusMessage(ctx, client(cc)) },
	"unimplemented_method":    func(ctx context.Context, cc *grpc.ClientConn) { interop.DoUnimplementedMethod(ctx, cc) },
	"unimplemented_service": func(ctx context.Context, cc *grpc.ClientConn) {
		interop.DoUnimplementedService(ctx, testgrpc.NewUnimplementedServiceClient(cc))
	},
}

func client(cc *grpc.ClientConn) testgrpc.TestServiceClient { return testgrpc.NewTestServiceClient(cc) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("grpc-interop-client", flag.ContinueOnError)
	fset.SetOutput(stderr)
	server := fset.String("server", "", "the interop server, loopback HOST:PORT (required)")
	name := fset.String("case", "", "the interop case to run (required)")
	timeout := fset.Duration("timeout", 30*time.Second, "bound on the whole case")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	do, ok := cases[*name]
	if !ok {
		fmt.Fprintf(stderr, "grpc-interop-client: unknown case %q; cases: %v\n", *name, names())
		return 2
	}
	host, _, err := net.SplitHostPort(*server)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(stderr, "grpc-interop-client: -server %q: want a loopback HOST:PORT\n", *server)
		return 2
	}
	cc, err := dial(*server)
	if err != nil {
		fmt.Fprintf(stderr, "grpc-interop-client: %v\n", err)
		return 1
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	do(ctx, cc) // a failed assertion exits with status 1 here
	fmt.Fprintf(stdout, "PASS %s\n", *name)
	return 0
}

// dial returns the connection the cases run on: plaintext, and with
// noHalfCloseAfterCancel on every stream.
func dial(server string) (*grpc.ClientConn, error) {
	return grpc.NewClient(server,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStreamInterceptor(noHalfCloseAfterCancel))
}

// noHalfCloseAfterCancel makes CloseSend on a stream whose context has ended
// send nothing and return nil; RecvMsg then reports the context's error as
// it would have.
//
// The reason is cancel_after_begin. Its procedure in grpc's
// interop-test-descriptions.md starts a client-streaming call, cancels it and
// expects CANCELLED, and a StreamingInputCall server answers OK upon
// half-close. grpc-go's DoCancelAfterBegin calls cancel() and then
// CloseAndRecv() to read the status, but grpc-go ends a cancelled stream on
// another goroutine, so until that one runs CloseSend still puts END_STREAM on
// the wire. The server then completes the call with OK, and if that OK arrives
// before the client's goroutine reads, CloseAndRecv returns it and the case
// fails by luck (docs/CANCELLATION.md, "The official gRPC interop cases").
// With no half-close after a cancel, no conforming server can complete the
// call, and any status but CANCELLED is still a failure.
func noHalfCloseAfterCancel(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
	streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, err
	}
	return halfCloseGuardedStream{ClientStream: s, ctx: ctx}, nil
}

// halfCloseGuardedStream is a grpc.ClientStream whose CloseSend does nothing once
// ctx, the context the call was started with, has ended.
type halfCloseGuardedStream struct {
	grpc.ClientStream
	ctx context.Context
}

func (s halfCloseGuardedStream) CloseSend() error {
	if s.ctx.Err() != nil {
		return nil
	}
	return s.ClientStream.CloseSend()
}

// names returns the case names, sorted.
func names() []string {
	var n []string
	for k := range cases {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
