package storagetest

import (
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

var timeBase = time.Date(2024, 11, 5, 0, 0, 0, 0, time.UTC)

func runTimeGroupbys(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	stamp := func(day string) map[string]string {
		return kv("day_of_the_year", day, "week_of_the_year", "44", "month", "11", "year", "2024")
	}
	d2 := timeBase.AddDate(0, 0, 1)
	push(t, s,
		frame(timeBase, time.Hour,
			pt{Type: "a", Qty: 1, Price: 1, Groupby: stamp("310")},
			pt{Type: "b", Qty: 1, Price: 2, Groupby: stamp("310")}),
		frame(hours(timeBase, 1), time.Hour, pt{Type: "a", Qty: 1, Price: 4, Groupby: stamp("310")}),
		frame(timeBase, 2*time.Hour, pt{Type: "a", Qty: 1, Price: 16, Groupby: stamp("310")}),
		frame(d2, time.Hour, pt{Type: "a", Qty: 1, Price: 8, Groupby: stamp("311")}),
	)
	w := storage.Window{Begin: timeBase, End: timeBase.AddDate(0, 0, 7)}
	typ := func(v string) []storage.Group { return []storage.Group{{Key: "type", Value: str(v)}} }
	check := func(t *testing.T, groupby []string, want []wantRow) {
		t.Helper()
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: groupby})
		wantEqual(t, "Total", res.Total, int64(len(want)))
		checkRows(t, "rows", res.Rows, want)
	}

	t.Run("time gives one row per frame with the frame's bounds", func(t *testing.T) {
		check(t, []string{"time"}, []wantRow{
			{timeBase, hours(timeBase, 1), qr(2, 3), nil},
			{timeBase, hours(timeBase, 2), qr(1, 16), nil},
			{hours(timeBase, 1), hours(timeBase, 2), qr(1, 4), nil},
			{d2, hours(d2, 1), qr(1, 8), nil},
		})
	})
	t.Run("time then type sorts by frame, then type", func(t *testing.T) {
		check(t, []string{"time", "type"}, []wantRow{
			{timeBase, hours(timeBase, 1), qr(1, 1), typ("a")},
			{timeBase, hours(timeBase, 1), qr(1, 2), typ("b")},
			{timeBase, hours(timeBase, 2), qr(1, 16), typ("a")},
			{hours(timeBase, 1), hours(timeBase, 2), qr(1, 4), typ("a")},
			{d2, hours(d2, 1), qr(1, 8), typ("a")},
		})
	})
	t.Run("type then time sorts by type, then frame", func(t *testing.T) {
		check(t, []string{"type", "time"}, []wantRow{
			{timeBase, hours(timeBase, 1), qr(1, 1), typ("a")},
			{timeBase, hours(timeBase, 2), qr(1, 16), typ("a")},
			{hours(timeBase, 1), hours(timeBase, 2), qr(1, 4), typ("a")},
			{d2, hours(d2, 1), qr(1, 8), typ("a")},
			{timeBase, hours(timeBase, 1), qr(1, 2), typ("b")},
		})
	})
	t.Run("time-d, time-w, time-m and time-y group by the stored keys", func(t *testing.T) {
		g := func(k, v string) []storage.Group { return []storage.Group{{Key: k, Value: str(v)}} }
		check(t, []string{"time-d"}, []wantRow{
			{w.Begin, w.End, qr(4, 23), g("day_of_the_year", "310")},
			{w.Begin, w.End, qr(1, 8), g("day_of_the_year", "311")},
		})
		check(t, []string{"time-w"}, []wantRow{{w.Begin, w.End, qr(5, 31), g("week_of_the_year", "44")}})
		check(t, []string{"time-m"}, []wantRow{{w.Begin, w.End, qr(5, 31), g("month", "11")}})
		check(t, []string{"time-y"}, []wantRow{{w.Begin, w.End, qr(5, 31), g("year", "2024")}})
		check(t, []string{"time-y", "time-d"}, []wantRow{
			{w.Begin, w.End, qr(4, 23), []storage.Group{{Key: "year", Value: str("2024")}, {Key: "day_of_the_year", Value: str("310")}}},
			{w.Begin, w.End, qr(1, 8), []storage.Group{{Key: "year", Value: str("2024")}, {Key: "day_of_the_year", Value: str("311")}}},
		})
	})
	t.Run("any element with time and one dash is mapped, as in CloudKitty", func(t *testing.T) {
		check(t, []string{"lifetime-d"}, []wantRow{
			{w.Begin, w.End, qr(4, 23), []storage.Group{{Key: "day_of_the_year", Value: str("310")}}},
			{w.Begin, w.End, qr(1, 8), []storage.Group{{Key: "day_of_the_year", Value: str("311")}}},
		})
	})
	t.Run("time-u is an error with CloudKitty's text", func(t *testing.T) {
		_, err := s.Total(t.Context(), storage.TotalQuery{Window: w, Groupby: []string{"something", "time-u"}})
		wantInvalid(t, "groupby time-u", err, "Invalid groupby time option. There is no groupby processing for [time-u].")
		_, err = s.Total(t.Context(), storage.TotalQuery{Window: w, Groupby: []string{"uptime-x"}})
		wantInvalid(t, "groupby uptime-x", err, "There is no groupby processing for [uptime-x].")
	})
	t.Run("bad groupbys are rejected", func(t *testing.T) {
		for _, c := range []struct {
			groupby  []string
			mentions string
		}{
			{[]string{"calendar-hour"}, "calendar-hour"},
			{[]string{"type", "type"}, "type"},
			{[]string{"time-d", "day_of_the_year"}, "day_of_the_year"},
			{[]string{"time", "calendar-day"}, "calendar-day"},
			{[]string{"calendar-day", "calendar-month"}, "calendar-month"},
			{[]string{""}, "groupby[0]"},
		} {
			_, err := s.Total(t.Context(), storage.TotalQuery{Window: w, Groupby: c.groupby})
			wantInvalid(t, "groupby "+describeGroupby(c.groupby), err, c.mentions)
		}
	})
}

func describeGroupby(g []string) string {
	out := "["
	for i, e := range g {
		if i > 0 {
			out += " "
		}
		out += `"` + e + `"`
	}
	return out + "]"
}

var calBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func runCalendar(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	one := func(start time.Time, price float64) dataframe.DataFrame {
		return frame(start, time.Hour, pt{Type: "a", Qty: 1, Price: price})
	}
	push(t, s,
		one(at(2024, 1, 31, 23), 1),
		one(at(2024, 2, 1, 0), 2),
		frame(at(2024, 2, 15, 12), time.Hour, pt{Type: "a", Qty: 1, Price: 4}, pt{Type: "b", Qty: 1, Price: 8}),
		one(at(2024, 3, 3, 10), 16), // a Sunday
		one(at(2024, 3, 4, 0), 32),  // the next Monday
		one(at(2024, 12, 31, 23), 64),
		one(at(2025, 1, 1, 0), 128),
	)
	check := func(t *testing.T, w storage.Window, groupby []string, want []wantRow) {
		t.Helper()
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: groupby})
		wantEqual(t, "Total", res.Total, int64(len(want)))
		checkRows(t, "rows", res.Rows, want)
	}
	typ := func(v string) []storage.Group { return []storage.Group{{Key: "type", Value: str(v)}} }

	t.Run("calendar-day buckets by day", func(t *testing.T) {
		check(t, storage.Window{Begin: at(2024, 1, 31, 0), End: at(2024, 2, 2, 0)}, []string{"calendar-day"}, []wantRow{
			{at(2024, 1, 31, 0), at(2024, 2, 1, 0), qr(1, 1), nil},
			{at(2024, 2, 1, 0), at(2024, 2, 2, 0), qr(1, 2), nil},
		})
	})
	t.Run("calendar-month buckets by month across two months", func(t *testing.T) {
		check(t, storage.Window{Begin: calBase, End: at(2024, 4, 1, 0)}, []string{"calendar-month"}, []wantRow{
			{at(2024, 1, 1, 0), at(2024, 2, 1, 0), qr(1, 1), nil},
			{at(2024, 2, 1, 0), at(2024, 3, 1, 0), qr(3, 14), nil},
			{at(2024, 3, 1, 0), at(2024, 4, 1, 0), qr(2, 48), nil},
		})
	})
	t.Run("calendar-week buckets by ISO week from Monday", func(t *testing.T) {
		check(t, storage.Window{Begin: calBase, End: at(2024, 3, 11, 0)}, []string{"calendar-week"}, []wantRow{
			{at(2024, 1, 29, 0), at(2024, 2, 5, 0), qr(2, 3), nil},
			{at(2024, 2, 12, 0), at(2024, 2, 19, 0), qr(2, 12), nil},
			{at(2024, 2, 26, 0), at(2024, 3, 4, 0), qr(1, 16), nil},
			{at(2024, 3, 4, 0), at(2024, 3, 11, 0), qr(1, 32), nil},
		})
	})
	t.Run("calendar-year buckets by year", func(t *testing.T) {
		check(t, storage.Window{Begin: calBase, End: at(2026, 1, 1, 0)}, []string{"calendar-year"}, []wantRow{
			{at(2024, 1, 1, 0), at(2025, 1, 1, 0), qr(7, 127), nil},
			{at(2025, 1, 1, 0), at(2026, 1, 1, 0), qr(1, 128), nil},
		})
	})
	t.Run("a bucket wider than the window keeps the bucket's bounds", func(t *testing.T) {
		check(t, storage.Window{Begin: at(2024, 2, 15, 0), End: at(2024, 2, 16, 0)}, []string{"calendar-month"}, []wantRow{
			{at(2024, 2, 1, 0), at(2024, 3, 1, 0), qr(2, 12), nil},
		})
	})
	t.Run("calendar buckets with type, in groupby order", func(t *testing.T) {
		w := storage.Window{Begin: calBase, End: at(2024, 4, 1, 0)}
		check(t, w, []string{"calendar-month", "type"}, []wantRow{
			{at(2024, 1, 1, 0), at(2024, 2, 1, 0), qr(1, 1), typ("a")},
			{at(2024, 2, 1, 0), at(2024, 3, 1, 0), qr(2, 6), typ("a")},
			{at(2024, 2, 1, 0), at(2024, 3, 1, 0), qr(1, 8), typ("b")},
			{at(2024, 3, 1, 0), at(2024, 4, 1, 0), qr(2, 48), typ("a")},
		})
		check(t, w, []string{"type", "calendar-month"}, []wantRow{
			{at(2024, 1, 1, 0), at(2024, 2, 1, 0), qr(1, 1), typ("a")},
			{at(2024, 2, 1, 0), at(2024, 3, 1, 0), qr(2, 6), typ("a")},
			{at(2024, 3, 1, 0), at(2024, 4, 1, 0), qr(2, 48), typ("a")},
			{at(2024, 2, 1, 0), at(2024, 3, 1, 0), qr(1, 8), typ("b")},
		})
	})
}
