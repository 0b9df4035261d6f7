package grpcinterop

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// serve starts a loopback server with Register's services and returns a client
// connection to it; both end with the test.
func serve(t *testing.T) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	Register(srv)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func TestRegisterServesTestServiceButNotUnimplementedService(t *testing.T) {
	cc := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := testgrpc.NewTestServiceClient(cc).EmptyCall(ctx, &testgrpc.Empty{}); err != nil {
		t.Fatalf("EmptyCall: %v", err)
	}
	_, err := testgrpc.NewUnimplementedServiceClient(cc).UnimplementedCall(ctx, &testgrpc.Empty{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("UnimplementedService.UnimplementedCall: %v, want Unimplemented", err)
	}
}

// The broken variant's header removes the echo, and only for the call that carries it.
func TestBrokenEchoHeaderDropsTheEchoOfThatCallOnly(t *testing.T) {
	cc := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, broken := range []bool{false, true} {
		md := metadata.Pairs("x-grpc-test-echo-initial", "v")
		if broken {
			md.Append(BrokenEchoKey, "1")
		}
		var header metadata.MD
		if _, err := testgrpc.NewTestServiceClient(cc).UnaryCall(metadata.NewOutgoingContext(ctx, md), &testgrpc.SimpleRequest{},
			grpc.Header(&header)); err != nil {
			t.Fatalf("UnaryCall (broken %v): %v", broken, err)
		}
		if got := len(header.Get("x-grpc-test-echo-initial")); got != map[bool]int{false: 1, true: 0}[broken] {
			t.Errorf("broken %v: %d echoed header(s)", broken, got)
		}
		stream, err := testgrpc.NewTestServiceClient(cc).FullDuplexCall(metadata.NewOutgoingContext(ctx, md))
		if err != nil {
			t.Fatal(err)
		}
		stream.CloseSend()
		h, err := stream.Header()
		if err != nil {
			t.Fatal(err)
		}
		if got := len(h.Get("x-grpc-test-echo-initial")); got != map[bool]int{false: 1, true: 0}[broken] {
			t.Errorf("FullDuplexCall broken %v: %d echoed header(s)", broken, got)
		}
		for {
			if _, err := stream.Recv(); err != nil {
				break
			}
		}
	}
}
