package scope

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// waitForCount polls Count until id has want goroutines or 5 s pass.
func waitForCount(t *testing.T, id string, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		counts, err := Count(id)
		if err != nil {
			t.Fatal(err)
		}
		if counts[id] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scope %q has %d goroutines after 5s, want %d", id, counts[id], want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCountFollowsGoroutinesStartedInScope: goroutines started, transitively,
// from inside Do are counted under its id, and no longer once they end.
func TestCountFollowsGoroutinesStartedInScope(t *testing.T) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	Do(context.Background(), "scope-count", func(ctx context.Context) {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wg.Add(1)
				go func() { // a grandchild inherits the label too
					defer wg.Done()
					<-release
				}()
				<-release
			}()
		}
	})
	// Started outside Do: not counted.
	wg.Add(1)
	go func() { defer wg.Done(); <-release }()

	waitForCount(t, "scope-count", 6)
	counts, err := Count()
	if err != nil {
		t.Fatal(err)
	}
	if counts["scope-count"] != 6 {
		t.Errorf("Count() = %v, want scope-count:6", counts)
	}
	close(release)
	wg.Wait()
	waitForCount(t, "scope-count", 0)
	if counts, _ := Count(); counts["scope-count"] != 0 {
		t.Errorf("Count() = %v after the goroutines ended, want no scope-count", counts)
	}
}

// TestCountCatchesLeakedGoroutine is the broken variant: a handler that
// starts a goroutine ignoring its context leaves the scope non-empty after
// the call returns, and Count says so.
func TestCountCatchesLeakedGoroutine(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	leaky := func(ctx context.Context, _ any) (any, error) {
		go func() { <-release }() // never looks at ctx
		return "ok", nil
	}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(MetadataKey, "scope-leak"))
	if _, err := UnaryServerInterceptor()(ctx, nil, &grpc.UnaryServerInfo{}, leaky); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	counts, err := Count("scope-leak")
	if err != nil {
		t.Fatal(err)
	}
	if counts["scope-leak"] != 1 {
		t.Errorf("scope-leak has %d goroutines after the call returned, want the 1 leaked", counts["scope-leak"])
	}
}

func TestUnaryInterceptorLabelsHandler(t *testing.T) {
	var seen string
	handler := func(ctx context.Context, _ any) (any, error) {
		seen, _ = Of(ctx)
		return nil, nil
	}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(MetadataKey, "scope-u"))
	if _, err := UnaryServerInterceptor()(ctx, nil, &grpc.UnaryServerInfo{}, handler); err != nil {
		t.Fatal(err)
	}
	if seen != "scope-u" {
		t.Errorf("handler saw scope %q, want scope-u", seen)
	}
	seen = "unset"
	if _, err := UnaryServerInterceptor()(context.Background(), nil, &grpc.UnaryServerInfo{}, handler); err != nil {
		t.Fatal(err)
	}
	if seen != "" {
		t.Errorf("handler of a call without scope saw scope %q, want none", seen)
	}
}

type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s fakeStream) Context() context.Context { return s.ctx }

func TestStreamInterceptorLabelsHandler(t *testing.T) {
	var seen string
	handler := func(_ any, ss grpc.ServerStream) error {
		seen, _ = Of(ss.Context())
		return nil
	}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(MetadataKey, "scope-s"))
	if err := StreamServerInterceptor()(nil, fakeStream{ctx: ctx}, &grpc.StreamServerInfo{}, handler); err != nil {
		t.Fatal(err)
	}
	if seen != "scope-s" {
		t.Errorf("stream handler saw scope %q, want scope-s", seen)
	}
}

func TestFromIncomingRefusesMalformedIDs(t *testing.T) {
	cases := []struct {
		name string
		md   metadata.MD
		want string
	}{
		{"two_values", metadata.Pairs(MetadataKey, "a", MetadataKey, "b"), "2 values, want one"},
		{"empty", metadata.Pairs(MetadataKey, ""), "0 bytes, want 1 to 256"},
		{"too_long", metadata.Pairs(MetadataKey, strings.Repeat("x", 257)), "257 bytes, want 1 to 256"},
		{"control_character", metadata.Pairs(MetadataKey, "a\x01b"), "control characters are not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := FromIncoming(metadata.NewIncomingContext(context.Background(), c.md))
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), c.want) {
				t.Errorf("FromIncoming = %v, want InvalidArgument containing %q", err, c.want)
			}
		})
	}
}

func TestParseProfile(t *testing.T) {
	profile := `goroutine profile: total 9
4 @ 0x1 0x2
# labels: {"interop_scope":"a, \"b\":c", "other":"x"}
#	0x1	main.f+0x1	/x.go:1

3 @ 0x3
# labels: {"other":"y"}
#	0x3	main.g+0x1	/x.go:2

1 @ 0x4
#	0x4	main.h+0x1	/x.go:3

1 @ 0x5
# labels: {"interop_scope":"a, \"b\":c"}
`
	counts, err := parseProfile(bytes.NewBufferString(profile))
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[`a, "b":c`] != 5 {
		t.Errorf("counts = %v, want only a, \"b\":c = 5", counts)
	}
	for _, bad := range []string{
		"1 @ 0x1\n# labels: {interop_scope:a}\n",
		"1 @ 0x1\n# labels: {\"interop_scope\" \"a\"}\n",
		"1 @ 0x1\n# labels: {\"interop_scope\":\"a\"\n",
	} {
		if _, err := parseProfile(bytes.NewBufferString(bad)); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("parseProfile(%q) = %v, want an error naming line 2", bad, err)
		}
	}
}
