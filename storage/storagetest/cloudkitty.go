package storagetest

import (
	"testing"

	"github.com/ckos/ckos/storage"
)

// CloudKitty's StorageUnitTest scenarios (cloudkitty/tests/storage/v2/test_storage_unit.py) on
// CloudKittySample, with the exact numbers n = 15 gives.
func runCloudKitty(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	for _, f := range CloudKittySample() { // one push per period, as upstream
		push(t, s, f)
	}
	begin := SampleBegin
	all4 := storage.Window{Begin: begin, End: hours(begin, 4)}
	first := storage.Window{Begin: begin, End: hours(begin, 1)}
	withFilter := func(w storage.Window, project string) storage.Window {
		w.Filters = storage.Filters{"project_id": {project}}
		return w
	}
	one := func(t *testing.T, w storage.Window, qty, rate float64) {
		t.Helper()
		res := total(t, s, storage.TotalQuery{Window: w})
		wantEqual(t, "Total", res.Total, int64(1))
		checkRows(t, "rows", res.Rows, []wantRow{{Begin: w.Begin, End: w.End, Fields: qr(qty, rate)}})
	}

	t.Run("total of all scopes over all periods", func(t *testing.T) {
		one(t, all4, 4238136, 375.0022206)
	})
	t.Run("total of one scope over all periods", func(t *testing.T) {
		one(t, withFilter(all4, Tenant), 2119068, 187.5011103)
		one(t, withFilter(all4, OtherTenant), 2119068, 187.5011103)
	})
	t.Run("total of all scopes over the first period", func(t *testing.T) {
		one(t, first, 1412712, 125.0007402)
	})
	t.Run("total of one scope over the first period", func(t *testing.T) {
		one(t, withFilter(first, Tenant), 706356, 62.5003701)
		one(t, withFilter(first, OtherTenant), 706356, 62.5003701)
	})
	t.Run("total grouped by project_id over all periods", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"project_id"}})
		wantEqual(t, "Total", res.Total, int64(2))
		checkRows(t, "rows", res.Rows, []wantRow{
			{all4.Begin, all4.End, qr(2119068, 187.5011103), []storage.Group{{Key: "project_id", Value: str(OtherTenant)}}},
			{all4.Begin, all4.End, qr(2119068, 187.5011103), []storage.Group{{Key: "project_id", Value: str(Tenant)}}},
		})
	})
	t.Run("total grouped by project_id over the first period", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: first, Groupby: []string{"project_id"}})
		wantEqual(t, "Total", res.Total, int64(2))
		checkRows(t, "rows", res.Rows, []wantRow{
			{first.Begin, first.End, qr(706356, 62.5003701), []storage.Group{{Key: "project_id", Value: str(OtherTenant)}}},
			{first.Begin, first.End, qr(706356, 62.5003701), []storage.Group{{Key: "project_id", Value: str(Tenant)}}},
		})
	})
	byType := []wantRow{}
	for _, r := range []struct {
		typ       string
		rate, qty float64
	}{
		{"image.size", 13.68, 13680},
		{"instance", 225.0, 90},
		{"ip.floating", 0.9, 90},
		{"network.incoming.bytes", 0.3111102, 3111102},
		{"network.outgoing.bytes", 0.1111104, 1111104},
		{"radosgw.objects.size", 27.0, 270},
		{"volume.size", 108.0, 1800},
	} {
		byType = append(byType, wantRow{all4.Begin, all4.End, qr(r.qty, r.rate), []storage.Group{{Key: "type", Value: str(r.typ)}}})
	}
	t.Run("total grouped by type", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"type"}})
		wantEqual(t, "Total", res.Total, int64(7))
		checkRows(t, "rows", res.Rows, byType)
	})
	t.Run("total grouped by type in pages of 2 concatenates to the whole", func(t *testing.T) {
		whole := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"type"}, All: true})
		checkRows(t, "unpaginated", whole.Rows, byType)
		var pages []storage.Row
		for i, off := range []int{0, 2, 4, 6} {
			res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"type"}, Offset: off, Limit: 2})
			wantEqual(t, "page Total", res.Total, int64(7))
			wantEqual(t, "page size", len(res.Rows), []int{2, 2, 2, 1}[i])
			pages = append(pages, res.Rows...)
		}
		checkRows(t, "concatenated pages", pages, byType)
	})
	t.Run("total grouped by project_id and type adds up", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"project_id", "type"}})
		wantEqual(t, "Total", res.Total, int64(14))
		if len(res.Rows) != 14 {
			t.Fatalf("%d rows, want 14", len(res.Rows))
		}
		var rate float64
		for i, r := range res.Rows {
			p, _ := r.Group("project_id")
			want := Tenant
			if i < 7 {
				want = OtherTenant
			}
			if p == nil || *p != want {
				t.Errorf("row %d: project_id %v, want %s", i, p, want)
			}
			v, _ := r.Field("rate")
			rate += v
		}
		wantNear(t, "sum of rates", rate, 375.0022206)
	})
	t.Run("retrieve all scopes and types", func(t *testing.T) {
		res := retrieve(t, s, storage.RetrieveQuery{Window: all4})
		wantEqual(t, "Total", res.Total, int64(630))
		wantEqual(t, "points", len(flatten(res.DataFrames)), 630)
		wantEqual(t, "frames", len(res.DataFrames), 3)
		for i, f := range res.DataFrames {
			wantEqual(t, "frame start", f.Start, hours(begin, float64(i)))
			wantEqual(t, "frame end", f.End, hours(begin, float64(i+1)))
			wantEqual(t, "frame points", f.Len(), 210)
			wantEqual(t, "frame types", len(f.Usage), 7)
		}
	})
	t.Run("retrieve one type", func(t *testing.T) {
		pts := all(t, s, storage.Window{Begin: begin, End: hours(begin, 4), MetricTypes: []string{"image.size"}})
		wantEqual(t, "points", len(pts), 90)
		for _, p := range pts {
			if p.Type != "image.size" || p.P.Unit != "MiB" || p.P.Qty != 152 || p.P.Price != 0.152 || p.P.Metadata["disk_format"] != "qcow2" {
				t.Fatalf("unexpected point %s", p.key())
			}
		}
	})
	t.Run("retrieve one scope, two types, one period", func(t *testing.T) {
		w := first
		w.Filters = storage.Filters{"project_id": {Tenant}}
		w.MetricTypes = []string{"image.size", "instance"}
		res := retrieve(t, s, storage.RetrieveQuery{Window: w})
		wantEqual(t, "Total", res.Total, int64(30))
		wantEqual(t, "points", len(flatten(res.DataFrames)), 30)
	})
	t.Run("retrieve pages of 100 concatenate to the whole", func(t *testing.T) {
		whole := all(t, s, all4)
		var got []flat
		for off := 0; off < 700; off += 100 {
			res := retrieve(t, s, storage.RetrieveQuery{Window: all4, Offset: off, Limit: 100})
			wantEqual(t, "page Total", res.Total, int64(630))
			n := len(flatten(res.DataFrames))
			want := min(100, max(0, 630-off))
			wantEqual(t, "page size", n, want)
			got = append(got, flatten(res.DataFrames)...)
		}
		comparePoints(t, "concatenated pages", got, whole)
	})
	t.Run("total grouped by time gives one row per frame", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"time"}})
		wantEqual(t, "Total", res.Total, int64(3))
		checkRows(t, "rows", res.Rows, []wantRow{
			{begin, hours(begin, 1), qr(1412712, 125.0007402), nil},
			{hours(begin, 1), hours(begin, 2), qr(1412712, 125.0007402), nil},
			{hours(begin, 2), hours(begin, 3), qr(1412712, 125.0007402), nil},
		})
	})
	t.Run("time-y, time-d, time-w and time-m group by the stored keys", func(t *testing.T) {
		count := func(key string, vals []string, counts []float64) []wantRow {
			var rows []wantRow
			for i, v := range vals {
				rows = append(rows, wantRow{all4.Begin, all4.End, []storage.Field{{Name: "n", Value: counts[i]}}, []storage.Group{{Key: key, Value: str(v)}}})
			}
			return rows
		}
		for _, c := range []struct {
			groupby, key string
			vals         []string
			counts       []float64
		}{
			{"time-y", "year", []string{"2021", "2022", "2023"}, []float64{42, 294, 294}},
			{"time-d", "day_of_the_year", []string{"1", "2"}, []float64{336, 294}},
			{"time-w", "week_of_the_year", []string{"1", "2"}, []float64{336, 294}},
			{"time-m", "month", []string{"10", "12"}, []float64{336, 294}},
		} {
			res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{c.groupby}, CustomFields: "COUNT(qty) AS n"})
			wantEqual(t, c.groupby+" Total", res.Total, int64(len(c.vals)))
			checkRows(t, c.groupby, res.Rows, count(c.key, c.vals, c.counts))
		}
	})
	t.Run("filter on a metadata key", func(t *testing.T) {
		w := all4
		w.Filters = storage.Filters{"flavor": {"m1.nano"}}
		wantEqual(t, "points", len(all(t, s, w)), 90)
		qty, rate, _ := sums(t, s, w)
		wantNear(t, "qty", qty, 90)
		wantNear(t, "rate", rate, 225)
	})
	t.Run("filter on the type key with a list", func(t *testing.T) {
		w := all4
		w.Filters = storage.Filters{"type": {"instance", "ip.floating"}}
		wantEqual(t, "points", len(all(t, s, w)), 180)
		_, rate, _ := sums(t, s, w)
		wantNear(t, "rate", rate, 225.9)
	})
	t.Run("metric types as a list in total", func(t *testing.T) {
		w := all4
		w.MetricTypes = []string{"instance", "volume.size"}
		qty, rate, _ := sums(t, s, w)
		wantNear(t, "qty", qty, 1890)
		wantNear(t, "rate", rate, 333)
	})
	t.Run("total grouped by calendar-day", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: all4, Groupby: []string{"calendar-day"}})
		wantEqual(t, "Total", res.Total, int64(1))
		checkRows(t, "rows", res.Rows, []wantRow{{begin, begin.AddDate(0, 0, 1), qr(4238136, 375.0022206), nil}})
	})
}

// comparePoints checks that got and want hold the same points in the same order.
func comparePoints(t *testing.T, what string, got, want []flat) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d points, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if got[i].key() != want[i].key() {
			t.Errorf("%s: point %d is %s, want %s", what, i, got[i].key(), want[i].key())
			return
		}
	}
}
