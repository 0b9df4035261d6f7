// Package grpcinterop serves grpc-go's own interop TestService
// (google.golang.org/grpc/interop) beside the test bed's services, so that
// grpc-java's interop client can run the official interop cases against the
// peer (docs/CANCELLATION.md, "The official gRPC interop cases").
package grpcinterop

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
)

// Register registers grpc-go's interop TestService on srv. The
// UnimplementedService is deliberately not registered: the
// unimplemented_service case expects UNIMPLEMENTED for it.
func Register(srv *grpc.Server) {
	testgrpc.RegisterTestServiceServer(srv, interop.NewTestServer())
}
