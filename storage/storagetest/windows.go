package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

var windowBase = time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)

// windowFrames are [start, end) hours after windowBase: hourly frames with one of two hours
// straddling 03:00 and 05:00 boundaries.
var windowFrames = [][2]float64{{0, 1}, {1, 2}, {2, 4}, {4, 6}, {5, 6}, {6, 7}}

func runWindows(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	var data []dataframe.DataFrame
	for i, f := range windowFrames {
		data = append(data, frame(hours(windowBase, f[0]), time.Duration((f[1]-f[0])*float64(time.Hour)),
			pt{Type: "compute", Qty: 1, Price: float64(int(1) << i), Groupby: kv("id", fmt.Sprintf("f%d", i))},
			pt{Type: "storage", Qty: 2, Price: 0, Groupby: kv("id", fmt.Sprintf("f%d", i))},
		))
	}
	push(t, s, data...)
	win := func(from, to float64) storage.Window {
		return storage.Window{Begin: hours(windowBase, from), End: hours(windowBase, to)}
	}
	// frames lists the ids of the frames whose points a window matches (each must have both points).
	frames := func(t *testing.T, w storage.Window) []string {
		t.Helper()
		seen := map[string]int{}
		var out []string
		for _, p := range all(t, s, w) {
			id := p.P.Groupby["id"]
			if seen[id] == 0 {
				out = append(out, id)
			}
			seen[id]++
		}
		for id, n := range seen {
			if n != 2 {
				t.Errorf("%s: frame %s matched %d of its 2 points", describeWindow(w), id, n)
			}
		}
		return out
	}

	t.Run("a point matches when begin <= start < end", func(t *testing.T) {
		wantStrings(t, "[01, 02)", frames(t, win(1, 2)), []string{"f1"})
		wantStrings(t, "[01, 01:30)", frames(t, win(1, 1.5)), []string{"f1"})
		wantStrings(t, "[00:30, 01)", frames(t, win(0.5, 1)), nil)
		wantStrings(t, "[02, 03)", frames(t, win(2, 3)), []string{"f2"})
		wantStrings(t, "[03, 04)", frames(t, win(3, 4)), nil)
		wantStrings(t, "[00, 07)", frames(t, win(0, 7)), []string{"f0", "f1", "f2", "f3", "f4", "f5"})
	})
	t.Run("adjacent windows partition time", func(t *testing.T) {
		for _, cuts := range [][]float64{{0, 3, 7}, {0, 1, 2, 3, 4, 5, 6, 7}, {0, 4.5, 5.5, 7}, {-24, 2.5, 48}} {
			var got []string
			var rate float64
			for i := 1; i < len(cuts); i++ {
				w := win(cuts[i-1], cuts[i])
				got = append(got, frames(t, w)...)
				_, r, _ := sums(t, s, w)
				rate += r
			}
			wantStrings(t, fmt.Sprintf("frames over the windows cut at %v", cuts), got, []string{"f0", "f1", "f2", "f3", "f4", "f5"})
			wantNear(t, fmt.Sprintf("rates over the windows cut at %v", cuts), rate, 63)
		}
	})
	t.Run("total honours the start time match", func(t *testing.T) {
		// [02, 05) holds f2 [02, 04) and f3 [04, 06), not f4 [05, 06).
		qty, rate, _ := sums(t, s, win(2, 5))
		wantNear(t, "qty", qty, 6)
		wantNear(t, "rate", rate, 4+8)
	})
	t.Run("an empty range gives no rows and total 0", func(t *testing.T) {
		for _, w := range []storage.Window{win(100, 200), win(-5, 0), win(0.25, 0.75)} {
			res := retrieve(t, s, storage.RetrieveQuery{Window: w})
			wantEqual(t, "Retrieve Total "+describeWindow(w), res.Total, int64(0))
			wantEqual(t, "Retrieve frames "+describeWindow(w), len(res.DataFrames), 0)
			for _, gb := range [][]string{nil, {"type"}, {"time"}, {"calendar-day"}} {
				res := total(t, s, storage.TotalQuery{Window: w, Groupby: gb})
				wantEqual(t, fmt.Sprintf("Total %s by %q", describeWindow(w), gb), res.Total, int64(0))
				wantEqual(t, fmt.Sprintf("rows %s by %q", describeWindow(w), gb), len(res.Rows), 0)
			}
		}
	})
	t.Run("begin not before end is invalid", func(t *testing.T) {
		for _, w := range []storage.Window{win(2, 2), win(3, 2)} {
			_, err := s.Retrieve(t.Context(), storage.RetrieveQuery{Window: w})
			wantInvalid(t, "Retrieve "+describeWindow(w), err)
			_, err = s.Total(t.Context(), storage.TotalQuery{Window: w})
			wantInvalid(t, "Total "+describeWindow(w), err)
		}
	})
	t.Run("bounds in another zone mean the same instants", func(t *testing.T) {
		east := time.FixedZone("UTC+5:30", 5*3600+1800)
		w := storage.Window{Begin: hours(windowBase, 1).In(east), End: hours(windowBase, 3).In(east)}
		wantStrings(t, "frames", frames(t, w), []string{"f1", "f2"})
		res := total(t, s, storage.TotalQuery{Window: w})
		checkRows(t, "rows", res.Rows, []wantRow{{hours(windowBase, 1), hours(windowBase, 3), qr(6, 2+4), nil}})
	})

	t.Run("frames pushed in another zone come back in UTC", func(t *testing.T) {
		s := open(t)
		west := time.FixedZone("UTC-7", -7*3600)
		push(t, s, frame(hours(windowBase, 10).In(west), time.Hour, pt{Type: "compute", Qty: 1, Price: 1}))
		res := retrieve(t, s, storage.RetrieveQuery{Window: win(9, 12)})
		if len(res.DataFrames) != 1 {
			t.Fatalf("%d frames, want 1", len(res.DataFrames))
		}
		wantEqual(t, "start", res.DataFrames[0].Start, hours(windowBase, 10))
		wantEqual(t, "end", res.DataFrames[0].End, hours(windowBase, 11))
	})
	t.Run("sub-second frame bounds are kept", func(t *testing.T) {
		s := open(t)
		start := windowBase.Add(1500 * time.Millisecond)
		push(t, s, frame(start, 90*time.Second+250*time.Millisecond, pt{Type: "compute", Qty: 1, Price: 1}))
		res := retrieve(t, s, storage.RetrieveQuery{Window: win(0, 1)})
		if len(res.DataFrames) != 1 {
			t.Fatalf("%d frames, want 1", len(res.DataFrames))
		}
		wantEqual(t, "start", res.DataFrames[0].Start, start)
		wantEqual(t, "end", res.DataFrames[0].End, start.Add(90*time.Second+250*time.Millisecond))
		rows := total(t, s, storage.TotalQuery{Window: win(0, 1), Groupby: []string{"time"}})
		checkRows(t, "rows", rows.Rows, []wantRow{{start, start.Add(90*time.Second + 250*time.Millisecond), qr(1, 1), nil}})
		// start mode: a window beginning after the frame's start does not match it
		wantEqual(t, "points from 00:00:02", len(all(t, s, storage.Window{Begin: windowBase.Add(2 * time.Second), End: hours(windowBase, 1)})), 0)
	})
	t.Run("zero begin and end mean the current month", func(t *testing.T) {
		s := open(t)
		before := time.Now().UTC()
		month := time.Date(before.Year(), before.Month(), 1, 0, 0, 0, 0, time.UTC)
		push(t, s,
			frame(month, time.Hour, pt{Type: "compute", Qty: 1, Price: 1}),
			frame(month.AddDate(0, -1, 0), time.Hour, pt{Type: "compute", Qty: 1, Price: 2}),
			frame(month.AddDate(0, 1, 0), time.Hour, pt{Type: "compute", Qty: 1, Price: 4}),
		)
		res := retrieve(t, s, storage.RetrieveQuery{})
		q := total(t, s, storage.TotalQuery{})
		since := total(t, s, storage.TotalQuery{Window: storage.Window{Begin: month.AddDate(0, -1, 0)}})
		if after := time.Now().UTC(); after.Month() != before.Month() {
			t.Skip("the month changed while the case ran")
		}
		wantEqual(t, "Total", res.Total, int64(1))
		if len(res.DataFrames) == 1 {
			wantEqual(t, "frame start", res.DataFrames[0].Start, month)
		}
		checkRows(t, "total over the default range", q.Rows, []wantRow{{month, month.AddDate(0, 1, 0), qr(1, 1), nil}})
		checkRows(t, "total from last month to the default end", since.Rows, []wantRow{{month.AddDate(0, -1, 0), month.AddDate(0, 1, 0), qr(2, 3), nil}})
	})
}
