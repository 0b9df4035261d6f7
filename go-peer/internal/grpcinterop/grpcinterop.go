// Package grpcinterop serves grpc-go's own interop TestService
// (google.golang.org/grpc/interop) beside the test bed's services, so that
// grpc-java's interop client can run the official interop cases against the
// peer (docs/CANCELLATION.md, "The official gRPC interop cases").
package grpcinterop

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
)

// BrokenEchoKey is the request header that selects the broken variant: a call
// carrying it reaches grpc-go's TestService without the custom metadata the
// client asked it to echo, so the custom_metadata case must fail. Calls
// without it are served by the TestService as it is.
const BrokenEchoKey = "x-testbed-broken-echo"

// The headers grpc's custom_metadata case asks the server to echo.
var echoKeys = []string{"x-grpc-test-echo-initial", "x-grpc-test-echo-trailing-bin"}

// Register registers grpc-go's interop TestService on srv. The
// UnimplementedService is deliberately not registered: the
// unimplemented_service case expects UNIMPLEMENTED for it.
func Register(srv *grpc.Server) {
	testgrpc.RegisterTestServiceServer(srv, &dropEcho{TestServiceServer: interop.NewTestServer()})
}

// dropEcho is grpc-go's TestService, except that a call carrying
// BrokenEchoKey has the echo headers removed before the service sees them.
type dropEcho struct {
	testgrpc.TestServiceServer
}

func (d *dropEcho) UnaryCall(ctx context.Context, req *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	return d.TestServiceServer.UnaryCall(withoutEcho(ctx), req)
}

func (d *dropEcho) FullDuplexCall(stream testgrpc.TestService_FullDuplexCallServer) error {
	return d.TestServiceServer.FullDuplexCall(&echoless{stream, withoutEcho(stream.Context())})
}

type echoless struct {
	testgrpc.TestService_FullDuplexCallServer
	ctx context.Context
}

func (e *echoless) Context() context.Context { return e.ctx }

// withoutEcho returns ctx without the echo headers when it carries BrokenEchoKey, else ctx.
func withoutEcho(ctx context.Context) context.Context {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok || len(md.Get(BrokenEchoKey)) == 0 {
		return ctx
	}
	md = md.Copy()
	for _, k := range echoKeys {
		delete(md, k)
	}
	return metadata.NewIncomingContext(ctx, md)
}
