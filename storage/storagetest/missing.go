package storagetest

import (
	"testing"
	"time"

	"github.com/ckos/ckos/storage"
)

var missingBase = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func runMissing(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	push(t, s, frame(missingBase, time.Hour,
		pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("project_id", "p1", "user", "u1")},
		pt{Type: "compute", Qty: 1, Price: 2, Groupby: kv("project_id", "p1")},
		pt{Type: "storage", Qty: 1, Price: 4, Groupby: kv("user", "u2")},
		pt{Type: "storage", Qty: 1, Price: 8},
		pt{Type: "compute", Qty: 1, Price: 16, Groupby: kv("project_id", "p2", "user", "u1")},
		// metadata does not stand in for a missing groupby key
		pt{Type: "storage", Qty: 1, Price: 32, Metadata: kv("project_id", "p1")},
	))
	w := storage.Window{Begin: missingBase, End: hours(missingBase, 1)}
	b, e := w.Begin, w.End
	g := func(kvs ...*string) []storage.Group {
		keys := []string{"project_id", "user"}
		var out []storage.Group
		for i, v := range kvs {
			out = append(out, storage.Group{Key: keys[i], Value: v})
		}
		return out
	}
	check := func(t *testing.T, groupby []string, want []wantRow) {
		t.Helper()
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: groupby})
		wantEqual(t, "Total", res.Total, int64(len(want)))
		checkRows(t, "rows", res.Rows, want)
		var rate float64
		for _, r := range res.Rows {
			v, _ := r.Field("rate")
			rate += v
		}
		wantNear(t, "grouped rates add up to the ungrouped total", rate, 63)
	}

	t.Run("the ungrouped total counts every point", func(t *testing.T) {
		qty, rate, n := sums(t, s, w)
		wantEqual(t, "Total", n, int64(1))
		wantNear(t, "qty", qty, 6)
		wantNear(t, "rate", rate, 63)
	})
	t.Run("points lacking the key form a null group, sorted first", func(t *testing.T) {
		check(t, []string{"project_id"}, []wantRow{
			{b, e, qr(3, 4+8+32), g(nil)},
			{b, e, qr(2, 1+2), g(str("p1"))},
			{b, e, qr(1, 16), g(str("p2"))},
		})
	})
	t.Run("two keys with missing values", func(t *testing.T) {
		check(t, []string{"project_id", "user"}, []wantRow{
			{b, e, qr(2, 8+32), g(nil, nil)},
			{b, e, qr(1, 4), g(nil, str("u2"))},
			{b, e, qr(1, 2), g(str("p1"), nil)},
			{b, e, qr(1, 1), g(str("p1"), str("u1"))},
			{b, e, qr(1, 16), g(str("p2"), str("u1"))},
		})
	})
	t.Run("type and a key with missing values", func(t *testing.T) {
		check(t, []string{"type", "user"}, []wantRow{
			{b, e, qr(1, 2), []storage.Group{{Key: "type", Value: str("compute")}, {Key: "user", Value: nil}}},
			{b, e, qr(2, 17), []storage.Group{{Key: "type", Value: str("compute")}, {Key: "user", Value: str("u1")}}},
			{b, e, qr(2, 40), []storage.Group{{Key: "type", Value: str("storage")}, {Key: "user", Value: nil}}},
			{b, e, qr(1, 4), []storage.Group{{Key: "type", Value: str("storage")}, {Key: "user", Value: str("u2")}}},
		})
	})
	t.Run("a key no point has gives one null group", func(t *testing.T) {
		check(t, []string{"nosuchkey"}, []wantRow{{b, e, qr(6, 63), []storage.Group{{Key: "nosuchkey", Value: nil}}}})
	})
	t.Run("an element with several dashes is kept as a key", func(t *testing.T) {
		check(t, []string{"time-odd-time-element"}, []wantRow{{b, e, qr(6, 63), []storage.Group{{Key: "time-odd-time-element", Value: nil}}}})
	})
}
