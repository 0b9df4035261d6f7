// Command interop-peer is the Go peer of the interop test bed: a child process
// of the Java harness that maps the harness's shared region and serves
// interop.v1.PeerService to it.
//
// Usage:
//
//	interop-peer -region PATH [-listen ADDR] [-unlink-region-on-exit]
//
// -listen takes HOST:PORT with a loopback HOST (127.0.0.0/8, ::1 or localhost,
// which means 127.0.0.1) or unix:/absolute/path.sock; the default is
// 127.0.0.1:0, a free port. Any other address is refused: nothing listens
// beyond this machine.
//
// The protocol with the parent:
//
//   - The region is validated before anything else happens; a refused region
//     gives exit status 3 and exactly one line on stderr, and nothing on stdout.
//   - Then the first line of stdin must be the run's secret (package
//     peerauth): 64 lowercase hex digits. Without it within secretWait the
//     peer exits with status 2 and one line on stderr, having served nothing.
//     Every call must then carry "authorization: Bearer <secret>"; any other
//     is refused with Unauthenticated before its handler runs.
//   - Once listening, the first line on stdout is the gRPC target and nothing
//     else: "127.0.0.1:PORT", "[::1]:PORT" or "unix:/abs/path.sock". Nothing
//     else is ever written to stdout; log lines go to stderr.
//   - The peer stops when its stdin reaches end of file (the parent closed it
//     or died) or on SIGTERM or SIGINT: in-flight calls get 2 s to finish,
//     then are cancelled; the region is unmapped, the region file removed if
//     -unlink-region-on-exit was given, the unix socket file removed, and the
//     exit status is 0.
//   - Exit status 1: listening or serving failed. 2: bad usage, including a
//     refused -listen address and a missing or malformed secret line. 3: the
//     region was refused.
//
// -unlink-region-on-exit removes the region file at exit, whatever the
// reason, once the file has been validated as a region: with it, a region
// never outlives a harness that was killed without a chance to clean up. A
// file that failed validation is never removed.
//
// -fault NAME plants a regression (package fault), for the harness's tests
// that show a suite's verdict on a broken build: ignore-context makes every
// goroutine of a CancelService or ScopeService call ignore its context.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"interop-testbed/go-peer/internal/cancel"
	"interop-testbed/go-peer/internal/fault"
	"interop-testbed/go-peer/internal/floor"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/grpcinterop"
	"interop-testbed/go-peer/internal/peerauth"
	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/scopesvc"
	"interop-testbed/go-peer/internal/server"
)

// Exit statuses.
const (
	exitOK           = 0
	exitFailed       = 1
	exitUsage        = 2
	exitRegionRefuse = 3
)

// secretWait bounds the wait for the secret line on stdin. The harness
// writes it as soon as the peer has started, and gives the peer 15 s to
// report its address.
const secretWait = 10 * time.Second

// Shutdown bounds: in-flight calls get gracePeriod to finish before they are
// cancelled, and cancelled work gets workStopPeriod to leave the region.
const (
	gracePeriod    = 2 * time.Second
	workStopPeriod = 2 * time.Second
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole peer; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	logger := log.New(stderr, "interop-peer: ", 0)
	fset := flag.NewFlagSet("interop-peer", flag.ContinueOnError)
	fset.SetOutput(stderr)
	regionPath := fset.String("region", "", "path of the shared region file to map (required)")
	listen := fset.String("listen", "127.0.0.1:0", "loopback HOST:PORT or unix:/abs/path.sock to serve on")
	unlinkRegion := fset.Bool("unlink-region-on-exit", false, "remove the region file when the peer exits")
	faultName := fset.String("fault", "", "tests only: plant a regression ("+fault.Names+")")
	if err := fset.Parse(args); err != nil {
		return exitUsage
	}
	if fset.NArg() > 0 {
		logger.Printf("unexpected arguments %q (usage: interop-peer -region PATH [-listen ADDR] [-unlink-region-on-exit])", fset.Args())
		return exitUsage
	}
	if *regionPath == "" {
		logger.Print("-region PATH is required")
		return exitUsage
	}
	network, address, err := parseListen(*listen)
	if err != nil {
		logger.Print(err)
		return exitUsage
	}
	ignoreContext, err := fault.Parse(*faultName)
	if err != nil {
		logger.Print(err)
		return exitUsage
	}

	// A parent that dies closes our stdout and stderr; a write to them must
	// then fail, not kill the peer before it has cleaned up.
	signal.Ignore(syscall.SIGPIPE)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)

	reg, err := region.Open(*regionPath)
	if err != nil {
		logger.Print(err)
		return exitRegionRefuse
	}
	if *unlinkRegion {
		defer func() {
			if err := os.Remove(*regionPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
				logger.Printf("removing the region file: %v", err)
			}
		}()
	}
	// The region is unmapped only once no call can touch it; see shutdown.
	regionInUse := true
	defer func() {
		if !regionInUse {
			if err := reg.Close(); err != nil {
				logger.Print(err)
			}
		}
	}()

	secret, err := readSecret(stdin, secretWait)
	if err != nil {
		regionInUse = false
		logger.Print(err)
		return exitUsage
	}

	lis, err := net.Listen(network, address)
	if err != nil {
		regionInUse = false
		logger.Printf("listen on %s: %v", *listen, err)
		return exitFailed
	}
	target := lis.Addr().String()
	if network == "unix" {
		target = "unix:" + address
		defer removeSocket(logger, address)
		if err := os.Chmod(address, 0o600); err != nil {
			lis.Close()
			regionInUse = false
			logger.Printf("restricting %s to its owner: %v", address, err)
			return exitFailed
		}
	}

	svc := server.New(reg, logger)
	srv := server.NewServer(svc, secret.ServerOptions()...)
	cancelSvc, scopeSvc := cancel.New(reg.CancelFlag, region.CancelFlags), scopesvc.New(reg.CancelFlag, region.CancelFlags)
	if ignoreContext > 0 {
		logger.Printf("-fault %s: every goroutine of a Cancel or Scope call ignores its context for %v", *faultName, time.Duration(ignoreContext))
	}
	cancelSvc.IgnoreContext, scopeSvc.IgnoreContext = ignoreContext, ignoreContext
	interopv1.RegisterCancelServiceServer(srv, cancelSvc)
	interopv1.RegisterScopeServiceServer(srv, scopeSvc)
	floorSvc := floor.New(secret)
	defer func() {
		if err := floorSvc.Close(); err != nil {
			logger.Printf("closing the floor connections: %v", err)
		}
	}()
	interopv1.RegisterFloorServiceServer(srv, floorSvc)
	grpcinterop.Register(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()

	if _, err := fmt.Fprintln(stdout, target); err != nil {
		logger.Printf("writing the target to stdout: %v", err)
		regionInUse = !shutdown(logger, srv, svc)
		return exitFailed
	}
	h := reg.Header()
	logger.Printf("serving PeerService on %s (region %s, layout version %d, %d bytes)", target, reg.Path(), h.LayoutVersion, reg.Size())

	stdinClosed := make(chan struct{})
	go func() {
		// Any read error counts as end of file: either way the parent can no
		// longer reach us through stdin.
		_, _ = io.Copy(io.Discard, stdin)
		close(stdinClosed)
	}()

	status := exitOK
	select {
	case <-stdinClosed:
		logger.Print("stdin closed: stopping")
	case sig := <-signals:
		logger.Printf("%v: stopping", sig)
	case err := <-served:
		logger.Printf("serving stopped: %v", err)
		status = exitFailed
	}
	regionInUse = !shutdown(logger, srv, svc)
	logger.Print("stopped")
	return status
}

// readSecret reads the run's secret, the first line of stdin, waiting at
// most d. On a timeout the read is abandoned: the caller is about to exit.
func readSecret(stdin io.Reader, d time.Duration) (peerauth.Secret, error) {
	type result struct {
		secret peerauth.Secret
		err    error
	}
	read := make(chan result, 1)
	go func() {
		s, err := peerauth.ReadLine(stdin)
		read <- result{s, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-read:
		if r.err != nil {
			return peerauth.Secret{}, fmt.Errorf("refusing to serve: %v (the harness writes the per-run secret as the first line of stdin; docs/PROTOCOL.md)", r.err)
		}
		return r.secret, nil
	case <-timer.C:
		return peerauth.Secret{}, fmt.Errorf("refusing to serve: no per-run secret line on stdin within %v (docs/PROTOCOL.md)", d)
	}
}

// shutdown stops srv, giving in-flight calls gracePeriod before cancelling
// them, then ends svc's work. It reports whether the region is free to unmap.
func shutdown(logger *log.Logger, srv *grpc.Server, svc *server.Service) bool {
	graceful := make(chan struct{})
	go func() {
		srv.GracefulStop()
		close(graceful)
	}()
	timer := time.NewTimer(gracePeriod)
	defer timer.Stop()
	select {
	case <-graceful:
	case <-timer.C:
		logger.Printf("calls still running after %v: cancelling them", gracePeriod)
		srv.Stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), workStopPeriod)
	defer cancel()
	if err := svc.Close(ctx); err != nil {
		logger.Printf("%v; leaving the region mapped", err)
		return false
	}
	return true
}

// parseListen turns a -listen value into a network and address for
// net.Listen, refusing anything but loopback and absolute unix socket paths.
func parseListen(s string) (network, address string, err error) {
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		if !filepath.IsAbs(path) {
			return "", "", fmt.Errorf("-listen %q: a unix socket path must be absolute", s)
		}
		return "unix", filepath.Clean(path), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", "", fmt.Errorf("-listen %q: want HOST:PORT or unix:/abs/path.sock (%v)", s, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", "", fmt.Errorf("-listen %q: refusing to listen beyond loopback: use 127.0.0.1:PORT, [::1]:PORT or unix:/abs/path.sock", s)
	}
	return "tcp", net.JoinHostPort(host, port), nil
}

func removeSocket(logger *log.Logger, path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		logger.Printf("removing the socket file: %v", err)
	}
}
