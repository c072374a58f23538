package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

var pageBase = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

// pageData is 25 points: five hourly frames (two of them sharing a start) of five points each,
// types b and a interleaved, each point with its own id.
func pageData() []dataframe.DataFrame {
	var frames []dataframe.DataFrame
	for i, slot := range []struct{ start, hours float64 }{{0, 1}, {1, 1}, {0, 2}, {3, 1}, {2, 1}} {
		var pts []pt
		for j := range 5 {
			typ := "b"
			if j%2 == 1 {
				typ = "a"
			}
			pts = append(pts, pt{Type: typ, Qty: 1, Price: float64(i*5 + j), Groupby: kv("id", fmt.Sprintf("r%02d", i*5+j))})
		}
		frames = append(frames, frame(hours(pageBase, slot.start), time.Duration(slot.hours*float64(time.Hour)), pts...))
	}
	return frames
}

func runPages(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	push(t, s, pageData()...)
	w := storage.Window{Begin: pageBase, End: hours(pageBase, 24)}
	whole := all(t, s, w)

	t.Run("retrieve returns every point in start, end, type order", func(t *testing.T) {
		wantEqual(t, "points", len(whole), 25)
		for i := 1; i < len(whole); i++ {
			a, b := whole[i-1], whole[i]
			if c := a.Start.Compare(b.Start); c > 0 || c == 0 && (a.End.After(b.End) || a.End.Equal(b.End) && a.Type > b.Type) {
				t.Errorf("point %d %s comes before point %d %s", i-1, a.key(), i, b.key())
			}
		}
	})
	t.Run("retrieve pages hold exactly limit points", func(t *testing.T) {
		for i, off := range []int{0, 10, 20} {
			res := retrieve(t, s, storage.RetrieveQuery{Window: w, Offset: off, Limit: 10})
			wantEqual(t, "Total", res.Total, int64(25))
			wantEqual(t, fmt.Sprintf("points at offset %d", off), len(flatten(res.DataFrames)), []int{10, 10, 5}[i])
		}
	})
	t.Run("retrieve offset at or past the end gives an empty page with the total", func(t *testing.T) {
		for _, off := range []int{25, 26, 1000} {
			res := retrieve(t, s, storage.RetrieveQuery{Window: w, Offset: off, Limit: 10})
			wantEqual(t, "Total", res.Total, int64(25))
			wantEqual(t, fmt.Sprintf("frames at offset %d", off), len(res.DataFrames), 0)
		}
	})
	t.Run("retrieve pages concatenate to the whole for every page size", func(t *testing.T) {
		for _, limit := range []int{1, 3, 7, 10, 24, 25, 26} {
			var got []flat
			for off := 0; off < 25; off += limit {
				res := retrieve(t, s, storage.RetrieveQuery{Window: w, Offset: off, Limit: limit})
				got = append(got, flatten(res.DataFrames)...)
			}
			comparePoints(t, fmt.Sprintf("pages of %d", limit), got, whole)
		}
	})
	t.Run("retrieve All ignores offset and limit", func(t *testing.T) {
		res := retrieve(t, s, storage.RetrieveQuery{Window: w, Offset: 5, Limit: 1, All: true})
		wantEqual(t, "Total", res.Total, int64(25))
		comparePoints(t, "All", flatten(res.DataFrames), whole)
	})
	t.Run("retrieve with limit 0 returns up to 1000 points", func(t *testing.T) {
		res := retrieve(t, s, storage.RetrieveQuery{Window: w})
		comparePoints(t, "default page", flatten(res.DataFrames), whole)
	})
	t.Run("retrieve negative limit or offset is invalid", func(t *testing.T) {
		_, err := s.Retrieve(t.Context(), storage.RetrieveQuery{Window: w, Limit: -1})
		wantInvalid(t, "limit -1", err, "-1")
		_, err = s.Retrieve(t.Context(), storage.RetrieveQuery{Window: w, Offset: -3, Limit: 5})
		wantInvalid(t, "offset -3", err, "-3")
	})

	ids := storage.TotalQuery{Window: w, Groupby: []string{"id"}}
	t.Run("total rows are paged exactly and concatenate to the whole", func(t *testing.T) {
		q := ids
		q.All = true
		wholeRows := total(t, s, q).Rows
		wantEqual(t, "rows", len(wholeRows), 25)
		var want []wantRow
		for i, r := range wholeRows {
			want = append(want, wantRow{r.Begin, r.End, r.Fields, r.Groups})
			if v, _ := r.Group("id"); v == nil || *v != fmt.Sprintf("r%02d", i) {
				t.Errorf("row %d has id %v, want r%02d", i, v, i)
			}
		}
		for _, limit := range []int{1, 4, 10, 25} {
			var got []storage.Row
			for off := 0; off < 25; off += limit {
				q := ids
				q.Offset, q.Limit = off, limit
				res := total(t, s, q)
				wantEqual(t, "Total", res.Total, int64(25))
				wantEqual(t, fmt.Sprintf("rows at offset %d limit %d", off, limit), len(res.Rows), min(limit, 25-off))
				got = append(got, res.Rows...)
			}
			checkRows(t, fmt.Sprintf("pages of %d", limit), got, want)
		}
	})
	t.Run("total offset past the end gives no rows with the total", func(t *testing.T) {
		q := ids
		q.Offset, q.Limit = 25, 10
		res := total(t, s, q)
		wantEqual(t, "Total", res.Total, int64(25))
		wantEqual(t, "rows", len(res.Rows), 0)
	})
	t.Run("total without groupby: an offset skips the only row", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: w, Offset: 1})
		wantEqual(t, "Total", res.Total, int64(1))
		wantEqual(t, "rows", len(res.Rows), 0)
	})
	t.Run("total negative limit or offset is invalid", func(t *testing.T) {
		_, err := s.Total(t.Context(), storage.TotalQuery{Window: w, Limit: -1})
		wantInvalid(t, "limit -1", err, "-1")
		_, err = s.Total(t.Context(), storage.TotalQuery{Window: w, Groupby: []string{"type"}, Offset: -2})
		wantInvalid(t, "offset -2", err, "-2")
	})
	t.Run("limit 0 means 1000", func(t *testing.T) {
		s := open(t)
		f := dataframe.DataFrame{Start: pageBase, End: hours(pageBase, 1)}
		for i := range 1001 {
			f.AddPoint("x", dataframe.DataPoint{Qty: 1, Price: 1, Groupby: kv("id", fmt.Sprintf("%04d", i))})
		}
		push(t, s, f)
		res := retrieve(t, s, storage.RetrieveQuery{Window: w})
		wantEqual(t, "Total", res.Total, int64(1001))
		wantEqual(t, "points", len(flatten(res.DataFrames)), 1000)
		rows := total(t, s, storage.TotalQuery{Window: w, Groupby: []string{"id"}})
		wantEqual(t, "Total rows", rows.Total, int64(1001))
		wantEqual(t, "rows", len(rows.Rows), 1000)
		if n := len(rows.Rows); n > 0 {
			v, _ := rows.Rows[n-1].Group("id")
			if v == nil || *v != "0999" {
				t.Errorf("last row id %v, want 0999", v)
			}
		}
	})
}
