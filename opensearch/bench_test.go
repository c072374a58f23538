package opensearch_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/ckos/ckos/storage"
)

// BenchmarkPush pushes 20 000 points per iteration into the real node (no refresh wait) and
// reports points/s and allocations per point.
func BenchmarkPush(b *testing.B) {
	s, _ := open(b, func(c *storage.Config) { c.Refresh = false })
	frames, _, _ := manyPoints(20000)
	ctx := context.Background()
	var before, after runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	runtime.ReadMemStats(&before)
	for i := 0; i < b.N; i++ {
		if err := s.Push(ctx, frames); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.StopTimer()
	points := float64(b.N * 20000)
	b.ReportMetric(points/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/points, "allocs/point")
}

// BenchmarkTotalGrouped runs a grouped total (project_id, type: 148 groups) over 100 000 points.
func BenchmarkTotalGrouped(b *testing.B) {
	s, _ := open(b, nil)
	frames, _, _ := manyPoints(100000)
	ctx := context.Background()
	if err := s.Push(ctx, frames); err != nil {
		b.Fatal(err)
	}
	w := storage.Window{Begin: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, gb := range [][]string{{"project_id", "type"}, {"id"}} {
		b.Run(gb[0], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r, err := s.Total(ctx, storage.TotalQuery{Window: w, Groupby: gb})
				if err != nil {
					b.Fatal(err)
				}
				if r.Total == 0 {
					b.Fatal("no groups")
				}
			}
		})
	}
}
