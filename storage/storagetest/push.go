package storagetest

import (
	"math"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

var pushBase = time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)

func runPush(t *testing.T, open func(t *testing.T) storage.Storage) {
	w := storage.Window{Begin: pushBase, End: hours(pushBase, 24)}
	base := func() []dataframe.DataFrame {
		return []dataframe.DataFrame{
			frame(pushBase, time.Hour,
				pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "r1", "project_id", "p")},
				pt{Type: "compute", Qty: 1, Price: 2, Groupby: kv("id", "r2", "project_id", "p")},
				pt{Type: "storage", Qty: 5, Price: 4, Groupby: kv("id", "v1", "project_id", "p")},
			),
			frame(hours(pushBase, 1), time.Hour,
				pt{Type: "compute", Qty: 1, Price: 8, Groupby: kv("id", "r1", "project_id", "p")},
			),
		}
	}

	t.Run("pushing the same frames again stores each point once", func(t *testing.T) {
		s := open(t)
		push(t, s, base()...)
		first := all(t, s, w)
		push(t, s, base()...)
		push(t, s, base()[1], base()[0])
		comparePoints(t, "after three pushes", all(t, s, w), first)
		qty, rate, _ := sums(t, s, w)
		wantNear(t, "qty", qty, 8)
		wantNear(t, "rate", rate, 15)
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: []string{"type"}, CustomFields: "COUNT(qty) AS n"})
		checkRows(t, "counts by type", res.Rows, []wantRow{
			{w.Begin, w.End, []storage.Field{{Name: "n", Value: 3}}, []storage.Group{{Key: "type", Value: str("compute")}}},
			{w.Begin, w.End, []storage.Field{{Name: "n", Value: 1}}, []storage.Group{{Key: "type", Value: str("storage")}}},
		})
	})
	t.Run("re-rating replaces the point", func(t *testing.T) {
		s := open(t)
		push(t, s, base()...)
		push(t, s, frame(pushBase, time.Hour,
			pt{Type: "compute", Qty: 3, Price: 100, Groupby: kv("id", "r1", "project_id", "p"), Metadata: kv("rerated", "yes")}))
		pts := all(t, s, w)
		wantEqual(t, "points", len(pts), 4)
		qty, rate, _ := sums(t, s, w)
		wantNear(t, "qty", qty, 10)
		wantNear(t, "rate", rate, 114)
		for _, p := range pts {
			if p.Start.Equal(pushBase) && p.P.Groupby["id"] == "r1" && (p.P.Price != 100 || p.P.Metadata["rerated"] != "yes") {
				t.Errorf("re-rated point is %s", p.key())
			}
		}
	})
	t.Run("groupby keys in another order are the same identity", func(t *testing.T) {
		s := open(t)
		a := dataframe.DataFrame{Start: pushBase, End: hours(pushBase, 1)}
		a.AddPoint("compute", dataframe.DataPoint{Qty: 1, Price: 1, Groupby: map[string]string{"a": "1", "b": "2", "c": "3"}})
		push(t, s, a)
		b := dataframe.DataFrame{Start: pushBase, End: hours(pushBase, 1)}
		b.AddPoint("compute", dataframe.DataPoint{Qty: 1, Price: 7, Groupby: map[string]string{"c": "3", "b": "2", "a": "1"}})
		push(t, s, b)
		_, rate, _ := sums(t, s, w)
		wantNear(t, "rate", rate, 7)
	})
	t.Run("identical points in one push are all kept", func(t *testing.T) {
		s := open(t)
		p := pt{Type: "compute", Qty: 1, Price: 2.5, Groupby: kv("id", "same", "project_id", "p")}
		push(t, s, frame(pushBase, time.Hour, p, p, p))
		wantEqual(t, "points", len(all(t, s, w)), 3)
		push(t, s, frame(pushBase, time.Hour, p, p, p))
		wantEqual(t, "points after pushing again", len(all(t, s, w)), 3)
		_, rate, _ := sums(t, s, w)
		wantNear(t, "rate", rate, 7.5)
	})
	t.Run("identical identities in two frames of one push are all kept", func(t *testing.T) {
		s := open(t)
		p := pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "same")}
		push(t, s, frame(pushBase, time.Hour, p), frame(pushBase, time.Hour, p))
		wantEqual(t, "points", len(all(t, s, w)), 2)
		res := retrieve(t, s, storage.RetrieveQuery{Window: w})
		wantEqual(t, "frames", len(res.DataFrames), 1)
	})
	t.Run("a later push with fewer identical points replaces them by ordinal", func(t *testing.T) {
		s := open(t)
		p := pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "same")}
		push(t, s, frame(pushBase, time.Hour, p, p))
		p.Price = 3
		push(t, s, frame(pushBase, time.Hour, p))
		wantEqual(t, "points", len(all(t, s, w)), 2)
		_, rate, _ := sums(t, s, w)
		wantNear(t, "rate", rate, 4)
	})
	t.Run("points differing in groupby, type or frame are distinct", func(t *testing.T) {
		s := open(t)
		push(t, s,
			frame(pushBase, time.Hour,
				pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "x")},
				pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "y")},
				pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "x", "extra", "")},
				pt{Type: "storage", Qty: 1, Price: 1, Groupby: kv("id", "x")},
			),
			frame(pushBase, 2*time.Hour, pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "x")}),
			frame(hours(pushBase, 1), time.Hour, pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "x")}),
		)
		wantEqual(t, "points", len(all(t, s, w)), 6)
	})
	t.Run("every field of a point round-trips", func(t *testing.T) {
		s := open(t)
		in := []pt{
			{Type: "network.outgoing.bytes", Unit: "MB", Qty: 12345.6, Price: 0.00123456,
				Groupby: kv("id", "n1", "project_id", OtherTenant, "year", "2022"), Metadata: kv("instance_id", "6e9d5c3b", "Flavor", "M1.Nano"), Desc: "outgoing traffic"},
			// float32 would turn these into 12345678 and 0.100000001
			{Type: "precise", Unit: "", Qty: 12345678.123456789, Price: 0.1, Groupby: kv("id", "n2")},
			{Type: "tiny", Unit: "GiB", Qty: 1e-9, Price: 1.0000000000000002, Groupby: kv("id", "n3"), Metadata: kv()},
			{Type: "zero", Unit: "u", Qty: 0, Price: 0, Groupby: kv(), Metadata: kv("empty", "")},
		}
		push(t, s, frame(pushBase, time.Hour, in...))
		got := all(t, s, w)
		want := flatten([]dataframe.DataFrame{frame(pushBase, time.Hour, in...)})
		for i := range want {
			want[i].P.Unit = want[i].P.UnitOrDefault()
		}
		comparePoints(t, "points", got, want)
		for _, p := range got {
			if p.Type == "precise" && p.P.Unit != "undefined" {
				t.Errorf("empty unit came back as %q, want undefined", p.P.Unit)
			}
		}
		w := w
		w.MetricTypes = []string{"precise"}
		qty, rate, _ := sums(t, s, w)
		if !near(qty, 12345678.123456789, 1e-15) || !near(rate, 0.1, 1e-15) {
			t.Errorf("sums of one point are qty %.17g, rate %.17g, want 12345678.123456789 and 0.1", qty, rate)
		}
	})
	t.Run("a frame with start not before end rejects the whole push", func(t *testing.T) {
		s := open(t)
		good := frame(pushBase, time.Hour, pt{Type: "compute", Qty: 1, Price: 1})
		for _, bad := range []dataframe.DataFrame{
			frame(hours(pushBase, 2), 0, pt{Type: "compute", Qty: 1, Price: 1}),
			frame(hours(pushBase, 2), -time.Hour, pt{Type: "compute", Qty: 1, Price: 1}),
		} {
			err := s.Push(t.Context(), []dataframe.DataFrame{good, bad})
			wantInvalid(t, "Push", err)
		}
		wantEqual(t, "points stored", len(all(t, s, w)), 0)
	})
	t.Run("a non-finite qty or price rejects the whole push", func(t *testing.T) {
		s := open(t)
		good := frame(pushBase, time.Hour, pt{Type: "compute", Qty: 1, Price: 1})
		for _, bad := range []pt{
			{Type: "compute", Qty: math.NaN(), Price: 1},
			{Type: "compute", Qty: 1, Price: math.Inf(1)},
			{Type: "compute", Qty: math.Inf(-1), Price: 1},
		} {
			err := s.Push(t.Context(), []dataframe.DataFrame{good, frame(hours(pushBase, 1), time.Hour, bad)})
			wantInvalid(t, "Push", err)
		}
		wantEqual(t, "points stored", len(all(t, s, w)), 0)
	})
	t.Run("an empty push stores nothing", func(t *testing.T) {
		s := open(t)
		if err := s.Push(t.Context(), nil); err != nil {
			t.Errorf("Push(nil): %v", err)
		}
		if err := s.Push(t.Context(), []dataframe.DataFrame{{Start: pushBase, End: hours(pushBase, 1)}}); err != nil {
			t.Errorf("Push(a frame without points): %v", err)
		}
		res := retrieve(t, s, storage.RetrieveQuery{Window: w})
		wantEqual(t, "Total", res.Total, int64(0))
	})
}
