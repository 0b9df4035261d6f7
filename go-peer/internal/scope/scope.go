// Package scope tags the goroutines that serve a call with the caller's scope
// id and counts the live goroutines per scope id.
//
// A Java structured scope sends its id as gRPC metadata on every call it makes
// to the peer. The interceptors here run the handler with the profiler label
// LabelKey set to that id; the Go runtime copies a goroutine's labels to every
// goroutine it starts, so everything the handler starts, transitively, carries
// the id until it ends. Count reads the labels back from the goroutine
// profile: when a scope has closed, its count must reach zero.
package scope

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const (
	// MetadataKey is the gRPC metadata key that carries a call's scope id.
	MetadataKey = "x-interop-scope-id"
	// LabelKey is the profiler label that holds a goroutine's scope id.
	LabelKey = "interop_scope"
	// MaxIDLength bounds a scope id, in bytes.
	MaxIDLength = 256
)

// FromIncoming returns the scope id carried by ctx's incoming metadata and
// whether there is one. More than one value for MetadataKey, an empty value,
// a value longer than MaxIDLength or one with control characters is an
// InvalidArgument error.
func FromIncoming(ctx context.Context) (string, bool, error) {
	vals := metadata.ValueFromIncomingContext(ctx, MetadataKey)
	switch len(vals) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", false, status.Errorf(codes.InvalidArgument, "%s: %d values, want one", MetadataKey, len(vals))
	}
	id := vals[0]
	if id == "" || len(id) > MaxIDLength {
		return "", false, status.Errorf(codes.InvalidArgument, "%s: %d bytes, want 1 to %d", MetadataKey, len(id), MaxIDLength)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return "", false, status.Errorf(codes.InvalidArgument, "%s %q: control characters are not allowed", MetadataKey, id)
		}
	}
	return id, true, nil
}

// Of returns the scope id of the goroutine that owns ctx's labels, if any.
func Of(ctx context.Context) (string, bool) {
	return pprof.Label(ctx, LabelKey)
}

// Do calls f with ctx labelled with scope id, so that f's goroutine and every
// goroutine started from it are counted under id until they end. The calling
// goroutine's labels are restored when f returns.
func Do(ctx context.Context, id string, f func(context.Context)) {
	pprof.Do(ctx, pprof.Labels(LabelKey, id), f)
}

// UnaryServerInterceptor runs each unary handler under the scope id of its
// call, if the call carries one; see FromIncoming for the ids it refuses.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		id, ok, err := FromIncoming(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return handler(ctx, req)
		}
		var resp any
		Do(ctx, id, func(ctx context.Context) { resp, err = handler(ctx, req) })
		return resp, err
	}
}

// StreamServerInterceptor runs each stream handler under the scope id of its
// call, if the call carries one, and gives the handler a stream whose
// Context carries the label.
func StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		id, ok, err := FromIncoming(ss.Context())
		if err != nil {
			return err
		}
		if !ok {
			return handler(srv, ss)
		}
		Do(ss.Context(), id, func(ctx context.Context) { err = handler(srv, &labelledStream{ss, ctx}) })
		return err
	}
}

type labelledStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *labelledStream) Context() context.Context { return s.ctx }

// Count returns the number of live goroutines per scope id, read from the
// goroutine profile. With no ids it returns every scope id that has a live
// goroutine; with ids it returns exactly those, 0 for any without one.
func Count(ids ...string) (map[string]int, error) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil, fmt.Errorf("scope: goroutine profile: %w", err)
	}
	all, err := parseProfile(&buf)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return all, nil
	}
	counts := make(map[string]int, len(ids))
	for _, id := range ids {
		counts[id] = all[id]
	}
	return counts, nil
}

// parseProfile sums, per LabelKey value, the counts of a goroutine profile in
// its debug=1 text form: a group starts with "COUNT @ PC…" and may be followed
// by "# labels: {"key":"value", …}" with Go-quoted keys and values.
func parseProfile(r *bytes.Buffer) (map[string]int, error) {
	counts := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	group := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if before, _, ok := strings.Cut(line, " @ "); ok && before != "" && before[0] >= '0' && before[0] <= '9' {
			c, err := strconv.Atoi(before)
			if err != nil {
				return nil, fmt.Errorf("scope: goroutine profile line %d: bad count %q", n, before)
			}
			group = c
			continue
		}
		set, ok := strings.CutPrefix(line, "# labels: ")
		if !ok {
			continue
		}
		labels, err := parseLabelSet(set)
		if err != nil {
			return nil, fmt.Errorf("scope: goroutine profile line %d: %v", n, err)
		}
		if id, ok := labels[LabelKey]; ok {
			counts[id] += group
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scope: goroutine profile: %w", err)
	}
	return counts, nil
}

// parseLabelSet parses {"k":"v", "k2":"v2"}, keys and values quoted as Go's %q
// quotes them.
func parseLabelSet(s string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(s, "{")
	if !ok {
		return nil, fmt.Errorf("label set %q does not start with {", s)
	}
	labels := map[string]string{}
	if rest == "}" {
		return labels, nil
	}
	for {
		key, after, err := cutQuoted(rest)
		if err != nil {
			return nil, fmt.Errorf("label set %q: %v", s, err)
		}
		after, ok = strings.CutPrefix(after, ":")
		if !ok {
			return nil, fmt.Errorf("label set %q: no ':' after key %q", s, key)
		}
		val, after, err := cutQuoted(after)
		if err != nil {
			return nil, fmt.Errorf("label set %q: %v", s, err)
		}
		labels[key] = val
		if after == "}" {
			return labels, nil
		}
		if rest, ok = strings.CutPrefix(after, ", "); !ok {
			return nil, fmt.Errorf("label set %q: want ', ' or '}' after value %q", s, val)
		}
	}
}

func cutQuoted(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", fmt.Errorf("want a quoted string at %q", s)
	}
	v, err := strconv.Unquote(q)
	if err != nil {
		return "", "", err
	}
	return v, s[len(q):], nil
}
