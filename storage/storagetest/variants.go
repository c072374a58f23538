package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ckos/ckos/storage"
)

var insideBase = time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)

// RunTimeMatchInside runs the cases of time match "inside" (start >= begin and end <= end, the
// upstream Elasticsearch rule). open must behave as for Run but with Config.TimeMatch set to
// storage.TimeMatchInside.
func RunTimeMatchInside(t *testing.T, open func(t *testing.T) storage.Storage) {
	// A [00, 01), B [01, 03), C [03, 04), each with one point priced 1, 2 and 4.
	fill := func(t *testing.T) storage.Storage {
		s := open(t)
		push(t, s,
			frame(insideBase, time.Hour, pt{Type: "a", Qty: 1, Price: 1, Groupby: kv("id", "A")}),
			frame(hours(insideBase, 1), 2*time.Hour, pt{Type: "a", Qty: 1, Price: 2, Groupby: kv("id", "B")}),
			frame(hours(insideBase, 3), time.Hour, pt{Type: "a", Qty: 1, Price: 4, Groupby: kv("id", "C")}),
		)
		return s
	}
	win := func(from, to float64) storage.Window {
		return storage.Window{Begin: hours(insideBase, from), End: hours(insideBase, to)}
	}
	s := fill(t)
	expect := func(t *testing.T, w storage.Window, want ...string) {
		t.Helper()
		wantStrings(t, "frames in "+describeWindow(w), ids(t, s, w), want)
		var rate float64
		for _, id := range want {
			rate += map[string]float64{"A": 1, "B": 2, "C": 4}[id]
		}
		_, got, _ := sums(t, s, w)
		wantNear(t, "rate in "+describeWindow(w), got, rate)
	}

	t.Run("a frame straddling the end is left out", func(t *testing.T) {
		expect(t, win(0, 2), "A")
		expect(t, win(1, 2))
	})
	t.Run("a frame ending at the end is in", func(t *testing.T) {
		expect(t, win(0, 3), "A", "B")
		expect(t, win(1, 3), "B")
	})
	t.Run("begin is inclusive on start", func(t *testing.T) {
		expect(t, win(1, 4), "B", "C")
		expect(t, win(1.5, 4), "C")
	})
	t.Run("adjacent windows drop a frame straddling their boundary", func(t *testing.T) {
		expect(t, win(0, 2), "A")
		expect(t, win(2, 4), "C")
	})
	t.Run("grouped totals use the same rule", func(t *testing.T) {
		w := win(0, 2)
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: []string{"time"}})
		checkRows(t, "rows", res.Rows, []wantRow{{insideBase, hours(insideBase, 1), qr(1, 1), nil}})
	})
	t.Run("delete uses the same rule", func(t *testing.T) {
		s := fill(t)
		wantEqual(t, "deleted in [00, 02)", del(t, s, win(0, 2)), int64(1))
		wantStrings(t, "left", ids(t, s, win(0, 24)), []string{"B", "C"})
	})
	t.Run("an open begin deletes frames ending by end", func(t *testing.T) {
		s := fill(t)
		wantEqual(t, "deleted before 02", del(t, s, storage.Window{End: hours(insideBase, 2)}), int64(1))
		wantStrings(t, "left", ids(t, s, win(0, 24)), []string{"B", "C"})
	})
	t.Run("an open end deletes frames starting from begin", func(t *testing.T) {
		s := fill(t)
		wantEqual(t, "deleted from 01", del(t, s, storage.Window{Begin: hours(insideBase, 1)}), int64(2))
		wantStrings(t, "left", ids(t, s, win(0, 24)), []string{"A"})
	})
}

// RunTimeZone runs the cases of calendar buckets and default ranges in a configured time zone.
// open must behave as for Run but with Config.Location set to loc.
func RunTimeZone(t *testing.T, loc *time.Location, open func(t *testing.T) storage.Storage) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, loc) }
	check := func(t *testing.T, s storage.Storage, w storage.Window, groupby string, want []wantRow) {
		t.Helper()
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: []string{groupby}})
		wantEqual(t, "Total", res.Total, int64(len(want)))
		checkRows(t, fmt.Sprintf("rows by %s in %s", groupby, loc), res.Rows, want)
	}
	// around pushes one point in the hour before and one in the hour after the local instant m.
	around := func(t *testing.T, m time.Time) storage.Storage {
		s := open(t)
		push(t, s,
			frame(m.Add(-time.Hour), time.Hour, pt{Type: "a", Qty: 1, Price: 1}),
			frame(m, time.Hour, pt{Type: "a", Qty: 1, Price: 2}))
		return s
	}
	wide := storage.Window{Begin: at(2024, 1, 1, 0).AddDate(0, 0, -7), End: at(2025, 1, 1, 0).AddDate(0, 0, 7)}

	t.Run("calendar-day buckets start at local midnight", func(t *testing.T) {
		m := at(2024, 3, 2, 0)
		check(t, around(t, m), wide, "calendar-day", []wantRow{
			{at(2024, 3, 1, 0), m, qr(1, 1), nil},
			{m, at(2024, 3, 3, 0), qr(1, 2), nil},
		})
	})
	t.Run("calendar-week buckets start on local Monday midnight", func(t *testing.T) {
		m := at(2024, 3, 4, 0) // a Monday
		check(t, around(t, m), wide, "calendar-week", []wantRow{
			{at(2024, 2, 26, 0), m, qr(1, 1), nil},
			{m, at(2024, 3, 11, 0), qr(1, 2), nil},
		})
	})
	t.Run("calendar-month buckets start on the local first", func(t *testing.T) {
		m := at(2024, 4, 1, 0)
		check(t, around(t, m), wide, "calendar-month", []wantRow{
			{at(2024, 3, 1, 0), m, qr(1, 1), nil},
			{m, at(2024, 5, 1, 0), qr(1, 2), nil},
		})
	})
	t.Run("calendar-year buckets start on local New Year", func(t *testing.T) {
		m := at(2025, 1, 1, 0)
		check(t, around(t, m), wide, "calendar-year", []wantRow{
			{at(2024, 1, 1, 0), m, qr(1, 1), nil},
			{m, at(2026, 1, 1, 0), qr(1, 2), nil},
		})
	})
	t.Run("zero begin and end mean the current local month", func(t *testing.T) {
		before := time.Now().In(loc)
		month := at(before.Year(), before.Month(), 1, 0)
		s := around(t, month)
		res := retrieve(t, s, storage.RetrieveQuery{})
		q := total(t, s, storage.TotalQuery{})
		if after := time.Now().In(loc); after.Month() != before.Month() {
			t.Skip("the month changed while the case ran")
		}
		wantEqual(t, "Total", res.Total, int64(1))
		checkRows(t, "total over the default range", q.Rows, []wantRow{{month, month.AddDate(0, 1, 0), qr(1, 2), nil}})
	})
}
