package main

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"interop-testbed/go-peer/internal/floor"
	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/peerauth"
	"interop-testbed/go-peer/internal/region/regiontest"
)

// TestOnlyTheHoldersOfTheSecretAreServed: a local client without the run's
// secret, or with another run's, is refused with Unauthenticated on unary and
// streaming calls of every service, and the refusal does not quote a secret;
// the harness's client, with it, is served.
func TestOnlyTheHoldersOfTheSecretAreServed(t *testing.T) {
	p := start(t, true, "-region", regiontest.Create(t, nil))
	other := newSecret(t)
	clients := map[string]*grpc.ClientConn{
		"no secret":    connect(t, p.first),
		"wrong secret": connect(t, p.first, grpc.WithPerRPCCredentials(other.PerRPCCredentials())),
		"the secret":   connect(t, p.first, grpc.WithPerRPCCredentials(p.secret.PerRPCCredentials())),
	}
	for name, conn := range clients {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			calls := map[string]error{}
			_, calls["PeerService.Hello"] = interopv1.NewPeerServiceClient(conn).Hello(ctx, &interopv1.HelloRequest{})
			_, calls["FloorService.OpenFloor"] = interopv1.NewFloorServiceClient(conn).OpenFloor(ctx, &interopv1.OpenFloorRequest{})
			_, calls["TestService.EmptyCall"] = testgrpc.NewTestServiceClient(conn).EmptyCall(ctx, &testgrpc.Empty{})
			calls["TestService.StreamingOutputCall"] = func() error {
				stream, err := testgrpc.NewTestServiceClient(conn).StreamingOutputCall(ctx, &testgrpc.StreamingOutputCallRequest{
					ResponseParameters: []*testgrpc.ResponseParameters{{Size: 1}},
				})
				if err != nil {
					return err
				}
				for {
					if _, err := stream.Recv(); err != nil {
						if errors.Is(err, io.EOF) {
							return nil
						}
						return err
					}
				}
			}()
			for call, err := range calls {
				if name == "the secret" {
					if err != nil {
						t.Errorf("%s with the secret: %v, want success", call, err)
					}
					continue
				}
				if status.Code(err) != codes.Unauthenticated {
					t.Errorf("%s with %s: %v, want Unauthenticated", call, name, err)
					continue
				}
				if msg := status.Convert(err).Message(); strings.Contains(msg, strings.TrimSpace(p.secret.StdinLine())) ||
					strings.Contains(msg, strings.TrimSpace(other.StdinLine())) {
					t.Errorf("%s with %s: the refusal quotes a secret: %q", call, name, msg)
				}
			}
		})
	}
	p.stdin.Close()
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
}

// TestTheFloorTakesOnlyThisRunsSecret: a floor connection (package floor) that
// shows another run's secret is closed unanswered; the harness's, with this
// run's, is answered, and does not keep the peer from exiting.
func TestTheFloorTakesOnlyThisRunsSecret(t *testing.T) {
	p := start(t, true, "-region", regiontest.Create(t, nil))
	conn := connect(t, p.first, grpc.WithPerRPCCredentials(p.secret.PerRPCCredentials()))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := interopv1.NewFloorServiceClient(conn).OpenFloor(ctx, &interopv1.OpenFloorRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ping := func(secret peerauth.Secret) error {
		c, err := net.DialTimeout("tcp", r.GetAddress(), 5*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		f := make([]byte, floor.FrameBytes)
		f[0] = floor.OpPing
		if _, err := io.WriteString(c, "Bearer "+strings.TrimSpace(secret.StdinLine())+"\n"); err != nil {
			return err
		}
		if _, err := c.Write(f); err != nil {
			return err
		}
		_, err = io.ReadFull(c, f)
		return err
	}
	if err := ping(newSecret(t)); err == nil {
		t.Error("a floor connection with another run's secret was answered")
	}
	if err := ping(p.secret); err != nil {
		t.Errorf("the floor connection with this run's secret: %v", err)
	}
	p.stdin.Close()
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
}

// TestNoSecretLineRefusesToStart: a peer whose stdin ends, or starts with
// anything but a secret line, exits with status 2 and one line on stderr
// that does not quote what it read, having printed no address; it removes
// the region as asked.
func TestNoSecretLineRefusesToStart(t *testing.T) {
	for name, first := range map[string]string{
		"stdin_closed":      "",
		"not_hex":           "hunter2-hunter2-hunter2-hunter2-hunter2-hunter2-hunter2-hunter2!\n",
		"too_short":         "c0ffee\n",
		"no_newline_at_all": strings.Repeat("a", 4096),
	} {
		t.Run(name, func(t *testing.T) {
			path := regiontest.Create(t, nil)
			p := startWithStdin(t, first, false, "-region", path, "-unlink-region-on-exit")
			p.stdin.Close()
			if code := p.wait(t, 5*time.Second); code != exitUsage {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, exitUsage, p.stderr)
			}
			got := p.stderr.String()
			if !strings.HasPrefix(got, "interop-peer: refusing to serve: ") || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr = %q, want one line refusing to serve", got)
			}
			if line := strings.TrimSpace(first); line != "" && strings.Contains(got, line[:6]) {
				t.Errorf("stderr quotes what stdin carried: %q", got)
			}
			if out := <-p.rest; out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if exists(path) {
				t.Errorf("region %s still exists after exit with -unlink-region-on-exit", path)
			}
		})
	}
}

// TestReadSecretIsBounded: a stdin that stays open and silent does not hold
// the peer: readSecret gives up after its bound.
func TestReadSecretIsBounded(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	start := time.Now()
	_, err := readSecret(r, 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no per-run secret line on stdin within 50ms") {
		t.Fatalf("readSecret on a silent stdin: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("readSecret took %v", took)
	}
	r2, w2 := io.Pipe()
	defer w2.Close()
	s := newSecret(t)
	go io.WriteString(w2, s.StdinLine()+"and the rest of stdin")
	got, err := readSecret(r2, 5*time.Second)
	if err != nil || got.StdinLine() != s.StdinLine() {
		t.Errorf("readSecret = %v, %v; want the secret written", got, err)
	}
}
