package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
)

// serve starts grpc-go's own interop server on loopback for the duration of t.
func serve(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	testgrpc.RegisterTestServiceServer(srv, interop.NewTestServer())
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

func TestEveryCasePassesAgainstGrpcGosOwnServer(t *testing.T) {
	addr := serve(t)
	for _, name := range names() {
		var out, errOut bytes.Buffer
		if rc := run([]string{"-server", addr, "-case", name, "-timeout", "20s"}, &out, &errOut); rc != 0 {
			t.Fatalf("%s: exit %d: %s", name, rc, errOut.String())
		}
		if got := strings.TrimSpace(out.String()); got != "PASS "+name {
			t.Errorf("%s: stdout %q, want %q", name, got, "PASS "+name)
		}
	}
	if len(cases) != 14 {
		t.Errorf("%d cases, want the 14 of the issue", len(cases))
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
