package main

// These tests run the peer as the harness does: a child process with a pipe
// on stdin, whose first line is the run's secret, and whose first line of
// stdout is its target.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	interopv1 "interop-testbed/go-peer/internal/gen/interop/v1"
	"interop-testbed/go-peer/internal/peerauth"
	"interop-testbed/go-peer/internal/region"
	"interop-testbed/go-peer/internal/region/regiontest"
)

// peerBin is the peer under test: $INTEROP_PEER_BIN, or built by TestMain.
// $INTEROP_PEER_WRAPPER, when set, names a program that runs it (an emulator
// such as qemu-aarch64 for a cross-built peer).
var peerBin string

// peerCommand returns the command that runs the peer with args.
func peerCommand(args ...string) *exec.Cmd {
	if w := os.Getenv("INTEROP_PEER_WRAPPER"); w != "" {
		return exec.Command(w, append([]string{peerBin}, args...)...)
	}
	return exec.Command(peerBin, args...)
}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if bin := os.Getenv("INTEROP_PEER_BIN"); bin != "" {
		peerBin = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "interop-peer-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	peerBin = filepath.Join(dir, "interop-peer")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// go test puts the go command that runs it first on PATH.
	build := exec.CommandContext(ctx, "go", "build", "-o", peerBin, ".")
	build.Env = append(os.Environ(), "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the peer: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// proc is a running peer.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	secret peerauth.Secret // the secret the peer was handed
	stderr *syncBuffer
	// first is the first line of stdout, without its newline.
	first string
	// rest receives everything stdout carried after the first line (all of
	// it when no first line was awaited), once stdout is closed.
	rest   chan string
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newSecret returns a fresh per-run secret.
func newSecret(t *testing.T) peerauth.Secret {
	t.Helper()
	s, err := peerauth.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// start runs the peer with args, hands it a fresh secret on stdin as the
// harness does and, unless wantFirstLine is false, waits up to 10 s for its
// first line. The process is killed at cleanup if it is still running then.
func start(t *testing.T, wantFirstLine bool, args ...string) *proc {
	t.Helper()
	s := newSecret(t)
	p := startWithStdin(t, s.StdinLine(), wantFirstLine, args...)
	p.secret = s
	return p
}

// startWithStdin is start with stdinFirst written to stdin instead of a
// secret line; stdin stays open.
func startWithStdin(t *testing.T, stdinFirst string, wantFirstLine bool, args ...string) *proc {
	t.Helper()
	cmd := peerCommand(args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stdin: stdin, stderr: &syncBuffer{}, rest: make(chan string, 1), exited: make(chan struct{})}
	cmd.Stdout = outW
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	// A peer that exits before reading stdin (a refused region) makes this
	// write fail; the test then judges the exit.
	_, _ = io.WriteString(stdin, stdinFirst)
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
		outR.Close()
	})
	if !wantFirstLine {
		go func() {
			all, _ := io.ReadAll(outR)
			p.rest <- string(all)
		}()
		return p
	}
	firstLine := make(chan string, 1)
	go func() {
		r := bufio.NewReader(outR)
		line, err := r.ReadString('\n')
		if err != nil {
			line = "" // no complete first line
		}
		firstLine <- line
		rest, _ := io.ReadAll(r)
		p.rest <- string(rest)
	}()
	select {
	case line := <-firstLine:
		if line == "" {
			p.wait(t, 5*time.Second)
			t.Fatalf("the peer printed no first line; stderr:\n%s", p.stderr)
		}
		p.first = strings.TrimSuffix(line, "\n")
	case <-time.After(10 * time.Second):
		t.Fatalf("no first line within 10s; stderr:\n%s", p.stderr)
	}
	return p
}

// wait waits up to d for the peer to exit and returns its exit status.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(d):
		t.Fatalf("the peer did not exit within %v; stderr:\n%s", d, p.stderr)
	}
	var exit *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("waiting for the peer: %v", p.err)
	return -1
}

// dial connects to the peer as the harness does, sending its secret on
// every call.
func (p *proc) dial(t *testing.T) interopv1.PeerServiceClient {
	t.Helper()
	return interopv1.NewPeerServiceClient(connect(t, p.first, grpc.WithPerRPCCredentials(p.secret.PerRPCCredentials())))
}

// connect returns a plaintext connection to target with opts, closed at cleanup.
func connect(t *testing.T, target string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(target, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func hello(t *testing.T, c interopv1.PeerServiceClient) *interopv1.HelloResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Hello(ctx, &interopv1.HelloRequest{HarnessVersion: "test", HarnessArch: runtime.GOARCH, HarnessPid: int64(os.Getpid())})
	if err != nil {
		t.Fatalf("Hello: %v", err)
	}
	return resp
}

// shmRegion creates a valid region under /dev/shm, where the harness puts
// them, or in t.TempDir() where there is no /dev/shm; it is removed at cleanup.
func shmRegion(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/dev/shm"); err != nil {
		return regiontest.Create(t, nil)
	}
	path := fmt.Sprintf("/dev/shm/interop-peer-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "_"))
	t.Cleanup(func() { os.Remove(path) })
	h := regiontest.ValidHeader(regiontest.LitmusSize)
	if err := regiontest.Write(path, h, int64(h.TotalSize)); err != nil {
		t.Fatal(err)
	}
	return path
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// TestStdinEOFStopsPeer is the harness's normal life cycle: first line, Hello,
// stdin closed, exit 0 within 5 s, region file removed as asked.
func TestStdinEOFStopsPeer(t *testing.T) {
	path := shmRegion(t)
	p := start(t, true, "-region", path, "-unlink-region-on-exit")
	if !regexp.MustCompile(`^127\.0\.0\.1:[0-9]+$`).MatchString(p.first) {
		t.Fatalf("first line %q, want 127.0.0.1:PORT", p.first)
	}
	resp := hello(t, p.dial(t))
	if resp.GetPid() != int64(p.cmd.Process.Pid) || resp.GetRegionPath() != path || resp.GetPeerVersion() != "0.1.0" ||
		resp.GetArch() != runtime.GOARCH || resp.GetRegionLayoutVersion() != region.LayoutVersion ||
		resp.GetRegionSize() != region.LitmusOffset+regiontest.LitmusSize {
		t.Errorf("Hello = %v", resp)
	}
	p.stdin.Close()
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
	if exists(path) {
		t.Errorf("region %s still exists after exit with -unlink-region-on-exit", path)
	}
	if rest := <-p.rest; rest != "" {
		t.Errorf("stdout after the first line: %q, want nothing", rest)
	}
}

func TestSignalsStopPeer(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			path := regiontest.Create(t, nil)
			p := start(t, true, "-region", path)
			hello(t, p.dial(t))
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t, 5*time.Second); code != 0 {
				t.Errorf("exit status %d after %v, want 0; stderr:\n%s", code, sig, p.stderr)
			}
			if !exists(path) {
				t.Errorf("region %s was removed without -unlink-region-on-exit", path)
			}
		})
	}
}

// TestBadRegionExits3: a refused region gives exit status 3, one line on
// stderr, nothing on stdout, and is never removed.
func TestBadRegionExits3(t *testing.T) {
	cases := []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"bad_magic", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.Magic = 0xDEADBEEF })
		}, ": bad magic 0x00000000DEADBEEF (want 0x314E474552425449)"},
		{"not_ready", func(t *testing.T) string {
			return regiontest.Create(t, func(h *region.Header) { h.State = region.StateInitialising })
		}, ": state 0 (initialising) (want 1: ready)"},
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "absent") }, ": no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path(t)
			p := start(t, false, "-region", path, "-unlink-region-on-exit")
			if code := p.wait(t, 5*time.Second); code != 3 {
				t.Errorf("exit status %d, want 3", code)
			}
			want := "interop-peer: region " + path + c.want + "\n"
			if got := p.stderr.String(); got != want {
				t.Errorf("stderr = %q, want exactly %q", got, want)
			}
			if out := <-p.rest; out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if c.name != "missing" && !exists(path) {
				t.Errorf("a refused region file was removed")
			}
		})
	}
}

// TestUnixSocket: the peer serves on a unix socket, announces it as
// unix:PATH, keeps it to its owner, and removes it when it exits.
func TestUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "peer.sock")
	p := start(t, true, "-region", regiontest.Create(t, nil), "-listen", "unix:"+sock)
	if p.first != "unix:"+sock {
		t.Fatalf("first line %q, want %q", p.first, "unix:"+sock)
	}
	info, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Type() != os.ModeSocket || info.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", info.Mode())
	}
	hello(t, p.dial(t))
	p.stdin.Close()
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit status %d, want 0; stderr:\n%s", code, p.stderr)
	}
	if exists(sock) {
		t.Errorf("socket %s still exists after exit", sock)
	}
}

func TestRefusesListenBeyondLoopback(t *testing.T) {
	path := regiontest.Create(t, nil)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:80", "unix:relative.sock", "127.0.0.1"} {
		t.Run(addr, func(t *testing.T) {
			p := start(t, false, "-region", path, "-listen", addr)
			if code := p.wait(t, 5*time.Second); code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			got := p.stderr.String()
			if !strings.HasPrefix(got, "interop-peer: -listen "+fmt.Sprintf("%q", addr)+": ") || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr = %q, want one line refusing -listen %q", got, addr)
			}
			if out := <-p.rest; out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestRefusesAnUnknownFault(t *testing.T) {
	path := regiontest.Create(t, nil)
	p := start(t, false, "-region", path, "-fault", "ignore-everything")
	if code := p.wait(t, 5*time.Second); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if got := p.stderr.String(); !strings.HasPrefix(got, `interop-peer: -fault "ignore-everything": want one of ignore-context`) || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr = %q, want one line refusing the fault", got)
	}
}

func TestParseListenAcceptsLoopback(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:0":      "tcp 127.0.0.1:0",
		"127.1.2.3:8080":   "tcp 127.1.2.3:8080",
		"[::1]:0":          "tcp [::1]:0",
		"localhost:0":      "tcp 127.0.0.1:0",
		"unix:/tmp/a.sock": "unix /tmp/a.sock",
	} {
		network, address, err := parseListen(in)
		if got := network + " " + address; err != nil || got != want {
			t.Errorf("parseListen(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestSurvivesParentClosingStderr: a dead parent closes the read ends of the
// peer's stdout and stderr too; the peer's last log lines then fail to write,
// and it must still clean up and exit 0 rather than die of SIGPIPE.
