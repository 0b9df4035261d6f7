package litmus_test

import (
	"context"
	"testing"
	"time"

	"interop-testbed/go-peer/internal/litmus/litmustest"
)

// BenchmarkStoreBuffering runs Go-Go SB, 1024 instances per round, one
// round per iteration, and reports samples per second (from round 1's
// release to the last actor leaving) and how many samples per million show
// (0, 0).
//
//	go test ./internal/litmus -run '^$' -bench StoreBuffering -benchtime 2000x
func BenchmarkStoreBuffering(b *testing.B) {
	for _, c := range []struct {
		name, mode string
		locStride  int64
	}{
		{"atomic", "Atomic", 0}, {"plain", "Plain", 0},
		{"atomic/line_per_instance", "Atomic", 64}, {"plain/line_per_instance", "Plain", 64},
	} {
		b.Run(c.name, func(b *testing.B) {
			test, specs := storeBuffering(c.mode, 1024)
			test.MaxRounds = int64(b.N)
			test.LocStride = c.locStride
			sec, keepMapped := newSection(b, test)
			b.ResetTimer()
			rep, results, err := litmustest.RunGo(context.Background(), sec, specs, litmustest.Drive{Stall: 10 * time.Second})
			b.StopTimer()
			if err != nil {
				keepMapped()
				b.Fatal(err)
			}
			var elapsed time.Duration
			for _, r := range results {
				elapsed = max(elapsed, r.Elapsed)
			}
			samples := rep.Samples()
			if samples != int64(b.N)*test.Stride {
				b.Fatalf("%d samples, want %d", samples, int64(b.N)*test.Stride)
			}
			b.ReportMetric(float64(samples)/elapsed.Seconds(), "samples/s")
			b.ReportMetric(float64(litmustest.Count(rep.Hist, sbBothZero))*1e6/float64(samples), "both-zero/Msample")
		})
	}
}
