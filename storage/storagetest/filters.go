package storagetest

import (
	"sort"
	"testing"
	"time"

	"github.com/ckos/ckos/storage"
)

// filterBase is the first frame of the filter cases.
var filterBase = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// filterData holds points whose prices are distinct powers of two, so a rate names the exact set
// of points summed.
func filterData() (frames []filterFrame, price map[string]float64) {
	frames = []filterFrame{
		{filterBase, []pt{
			{Type: "compute", Groupby: kv("id", "a1", "project_id", "project-a"), Metadata: kv("flavor", "m1.small", "region", "eu-1")},
			{Type: "compute", Groupby: kv("id", "a2", "project_id", "Project-A"), Metadata: kv("flavor", "M1.Large")},
			{Type: "compute", Groupby: kv("id", "a3", "project_id", OtherTenant), Metadata: kv("flavor", "m1.small")},
			{Type: "storage", Groupby: kv("id", "a4", "project_id", "project-a", "region", "eu-1"), Metadata: kv("volume_type", "ceph-region1")},
			{Type: "storage", Groupby: kv("id", "a5", "project_id", "PROJ_B"), Metadata: kv("region", "US-East", "volume_type", "ceph")},
			{Type: "network", Groupby: kv("id", "a6", "project_id", "2022"), Metadata: kv("flavor", "m1.small")},
			// The project in both groupby and metadata: upstream's minimum_should_match = len(should)//2
			// lets these two clauses stand in for every other key.
			{Type: "compute", Groupby: kv("id", "a7", "project_id", "PROJ_B"), Metadata: kv("project_id", "PROJ_B", "flavor", "m1.small")},
		}},
		{hours(filterBase, 1), []pt{
			{Type: "compute", Groupby: kv("id", "b1", "project_id", "project-a"), Metadata: kv("flavor", "m1.small")},
		}},
	}
	price = map[string]float64{}
	p := 1.0
	for i := range frames {
		for j := range frames[i].pts {
			frames[i].pts[j].Qty = 1
			frames[i].pts[j].Price = p
			price[frames[i].pts[j].Groupby["id"]] = p
			p *= 2
		}
	}
	return frames, price
}

type filterFrame struct {
	start time.Time
	pts   []pt
}

func runFilters(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	frames, price := filterData()
	for _, f := range frames {
		push(t, s, frame(f.start, time.Hour, f.pts...))
	}
	win := storage.Window{Begin: filterBase, End: hours(filterBase, 2)}

	// expect checks Retrieve's set and Total's rate for filters and metric types.
	expect := func(t *testing.T, f storage.Filters, types []string, want ...string) {
		t.Helper()
		w := win
		w.Filters, w.MetricTypes = f, types
		sort.Strings(want)
		wantStrings(t, "retrieved ids for "+describeWindow(w), ids(t, s, w), want)
		var rate float64
		for _, id := range want {
			rate += price[id]
		}
		qty, gotRate, n := sums(t, s, w)
		wantNear(t, "rate for "+describeWindow(w), gotRate, rate)
		wantNear(t, "qty for "+describeWindow(w), qty, float64(len(want)))
		if len(want) == 0 {
			wantEqual(t, "Total for "+describeWindow(w), n, int64(0))
		}
	}

	t.Run("one value matches exactly", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {"project-a"}}, nil, "a1", "a4", "b1")
	})
	t.Run("values of one key are ORed", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {"project-a", "PROJ_B"}}, nil, "a1", "a4", "b1", "a5", "a7")
		expect(t, storage.Filters{"project_id": {"nobody", OtherTenant, "2022"}}, nil, "a3", "a6")
	})
	t.Run("keys are ANDed", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {"project-a"}, "flavor": {"m1.small"}}, nil, "a1", "b1")
		expect(t, storage.Filters{"project_id": {"project-a", "Project-A"}, "flavor": {"M1.Large", "m1.small"}}, nil, "a1", "a2", "b1")
	})
	t.Run("keys are ANDed when a key is in both groupby and metadata", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {"PROJ_B"}, "flavor": {"M1.Large"}}, nil)
		expect(t, storage.Filters{"project_id": {"PROJ_B"}, "flavor": {"m1.small"}}, nil, "a7")
	})
	t.Run("a key matches metadata", func(t *testing.T) {
		expect(t, storage.Filters{"flavor": {"M1.Large"}}, nil, "a2")
		expect(t, storage.Filters{"volume_type": {"ceph"}}, nil, "a5")
	})
	t.Run("a key matches groupby or metadata", func(t *testing.T) {
		expect(t, storage.Filters{"region": {"eu-1"}}, nil, "a1", "a4")
		expect(t, storage.Filters{"region": {"eu-1", "US-East"}}, nil, "a1", "a4", "a5")
	})
	t.Run("a dashed value matches exactly", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {OtherTenant}}, nil, "a3")
		expect(t, storage.Filters{"volume_type": {"ceph-region1"}}, nil, "a4")
	})
	t.Run("an upper-case value matches exactly", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {"Project-A"}}, nil, "a2")
		expect(t, storage.Filters{"project_id": {"PROJ_B"}}, nil, "a5", "a7")
		expect(t, storage.Filters{"region": {"US-East"}}, nil, "a5")
	})
	t.Run("matching is case-sensitive and not tokenized", func(t *testing.T) {
		for _, v := range []string{"project", "a", "PROJECT-A", "project-A", "proj_b", "8d3ae500", "m1", "M1.large", "us-east", "east", "ceph region1"} {
			expect(t, storage.Filters{"project_id": {v}, "type": {"compute", "storage", "network"}}, nil)
			expect(t, storage.Filters{"flavor": {v}}, nil)
			expect(t, storage.Filters{"region": {v}}, nil)
		}
	})
	t.Run("a number as a string matches", func(t *testing.T) {
		expect(t, storage.Filters{"project_id": {"2022"}}, nil, "a6")
	})
	t.Run("the type key filters the metric type", func(t *testing.T) {
		expect(t, storage.Filters{"type": {"storage"}}, nil, "a4", "a5")
		expect(t, storage.Filters{"type": {"storage", "network"}}, nil, "a4", "a5", "a6")
		expect(t, storage.Filters{"type": {"storage"}, "project_id": {"project-a"}}, nil, "a4")
	})
	t.Run("the type key and metric types both apply", func(t *testing.T) {
		expect(t, storage.Filters{"type": {"compute"}}, []string{"storage"})
		expect(t, storage.Filters{"type": {"compute", "storage"}}, []string{"storage", "network"}, "a4", "a5")
	})
	t.Run("metric types select types", func(t *testing.T) {
		expect(t, nil, []string{"storage", "network"}, "a4", "a5", "a6")
		expect(t, nil, []string{"compute"}, "a1", "a2", "a3", "a7", "b1")
		expect(t, nil, []string{"no-such-type"})
	})
	t.Run("an unknown key matches nothing", func(t *testing.T) {
		expect(t, storage.Filters{"nosuchkey": {"x"}}, nil)
	})
	t.Run("filters apply to grouped totals", func(t *testing.T) {
		w := win
		w.Filters = storage.Filters{"flavor": {"m1.small"}}
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: []string{"project_id"}})
		wantEqual(t, "Total", res.Total, int64(4))
		g := func(v string) []storage.Group { return []storage.Group{{Key: "project_id", Value: str(v)}} }
		checkRows(t, "rows", res.Rows, []wantRow{
			{w.Begin, w.End, qr(1, price["a6"]), g("2022")},
			{w.Begin, w.End, qr(1, price["a3"]), g(OtherTenant)},
			{w.Begin, w.End, qr(1, price["a7"]), g("PROJ_B")},
			{w.Begin, w.End, qr(2, price["a1"]+price["b1"]), g("project-a")},
		})
	})
	t.Run("a filter without values is invalid", func(t *testing.T) {
		w := win
		w.Filters = storage.Filters{"project_id": {}}
		_, err := s.Retrieve(t.Context(), storage.RetrieveQuery{Window: w})
		wantInvalid(t, "Retrieve", err, "project_id")
		_, err = s.Total(t.Context(), storage.TotalQuery{Window: w})
		wantInvalid(t, "Total", err, "project_id")
		_, err = s.Delete(t.Context(), storage.DeleteQuery{Window: w})
		wantInvalid(t, "Delete", err, "project_id")
		wantEqual(t, "points left", len(all(t, s, win)), 8)
	})
}
