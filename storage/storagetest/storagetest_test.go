package storagetest

import (
	"strings"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

func TestCloudKittySampleNumbers(t *testing.T) {
	frames := CloudKittySample()
	if len(frames) != 3 {
		t.Fatalf("%d frames, want 3", len(frames))
	}
	var n int
	var qty, rate float64
	ids := map[string]bool{}
	years := map[string]int{}
	for i, f := range frames {
		if want := SampleBegin.Add(time.Duration(i) * time.Hour); !f.Start.Equal(want) || !f.End.Equal(want.Add(time.Hour)) {
			t.Errorf("frame %d is [%v, %v)", i, f.Start, f.End)
		}
		for _, pts := range f.Usage {
			for _, p := range pts {
				n++
				qty += p.Qty
				rate += p.Price
				ids[p.Groupby["id"]] = true
				years[p.Groupby["year"]]++
			}
		}
	}
	if n != 630 || len(ids) != 630 {
		t.Errorf("%d points with %d distinct ids, want 630", n, len(ids))
	}
	if !near(qty, 4238136, 1e-12) || !near(rate, 375.0022206, 1e-12) {
		t.Errorf("qty %.10g, rate %.10g; want 4238136 and 375.0022206", qty, rate)
	}
	if years["2021"] != 42 || years["2022"] != 294 || years["2023"] != 294 {
		t.Errorf("years %v, want 2021: 42, 2022: 294, 2023: 294", years)
	}
	if CloudKittySample()[1].Usage["instance"][3].Groupby["id"] != frames[1].Usage["instance"][3].Groupby["id"] {
		t.Error("CloudKittySample is not deterministic")
	}
}

func TestDiffRetrieveSeesEveryField(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	base := func() storage.RetrieveResult {
		f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
		f.AddPoint("a", dataframe.DataPoint{Unit: "u", Qty: 1, Price: 2, Groupby: map[string]string{"k": "v"}, Metadata: map[string]string{"m": "w"}, Description: "d"})
		return storage.RetrieveResult{Total: 1, DataFrames: []dataframe.DataFrame{f}}
	}
	if msg := diffRetrieve(base(), base()); msg != "" {
		t.Fatalf("equal results differ: %s", msg)
	}
	for name, change := range map[string]func(*storage.RetrieveResult){
		"Total": func(r *storage.RetrieveResult) { r.Total = 2 },
		"start": func(r *storage.RetrieveResult) { r.DataFrames[0].Start = start.Add(time.Second) },
		"zone": func(r *storage.RetrieveResult) {
			r.DataFrames[0].End = r.DataFrames[0].End.Local().In(time.FixedZone("X", 0))
		},
		"type": func(r *storage.RetrieveResult) {
			r.DataFrames[0].Usage["b"] = r.DataFrames[0].Usage["a"]
			delete(r.DataFrames[0].Usage, "a")
		},
		"unit":        func(r *storage.RetrieveResult) { r.DataFrames[0].Usage["a"][0].Unit = "" },
		"qty":         func(r *storage.RetrieveResult) { r.DataFrames[0].Usage["a"][0].Qty = 1 + 1e-8 },
		"price":       func(r *storage.RetrieveResult) { r.DataFrames[0].Usage["a"][0].Price = 3 },
		"groupby":     func(r *storage.RetrieveResult) { r.DataFrames[0].Usage["a"][0].Groupby["k"] = "V" },
		"metadata":    func(r *storage.RetrieveResult) { r.DataFrames[0].Usage["a"][0].Metadata = nil },
		"description": func(r *storage.RetrieveResult) { r.DataFrames[0].Usage["a"][0].Description = "" },
		"frames":      func(r *storage.RetrieveResult) { r.DataFrames = append(r.DataFrames, r.DataFrames[0]) },
	} {
		r := base()
		change(&r)
		if msg := diffRetrieve(base(), r); msg == "" {
			t.Errorf("a changed %s went unnoticed", name)
		}
	}
}

func TestDiffTotalSeesEveryField(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	base := func() storage.TotalResult {
		return storage.TotalResult{Total: 1, Rows: []storage.Row{{Begin: start, End: start.Add(time.Hour),
			Fields: []storage.Field{{Name: "qty", Value: 1}, {Name: "rate", Value: 2}},
			Groups: []storage.Group{{Key: "type", Value: str("a")}, {Key: "user", Value: nil}}}}}
	}
	if msg := diffTotal(base(), base()); msg != "" {
		t.Fatalf("equal results differ: %s", msg)
	}
	for name, change := range map[string]func(*storage.TotalResult){
		"Total":       func(r *storage.TotalResult) { r.Total = 5 },
		"rows":        func(r *storage.TotalResult) { r.Rows = nil },
		"begin":       func(r *storage.TotalResult) { r.Rows[0].Begin = start.Add(-time.Hour) },
		"field name":  func(r *storage.TotalResult) { r.Rows[0].Fields[1].Name = "price" },
		"field value": func(r *storage.TotalResult) { r.Rows[0].Fields[0].Value = 1.00001 },
		"field count": func(r *storage.TotalResult) { r.Rows[0].Fields = r.Rows[0].Fields[:1] },
		"group value": func(r *storage.TotalResult) { r.Rows[0].Groups[0].Value = str("b") },
		"null group":  func(r *storage.TotalResult) { r.Rows[0].Groups[1].Value = str("") },
		"group key":   func(r *storage.TotalResult) { r.Rows[0].Groups[0].Key = "kind" },
	} {
		r := base()
		change(&r)
		if msg := diffTotal(base(), r); msg == "" {
			t.Errorf("a changed %s went unnoticed", name)
		}
	}
}

func TestNear(t *testing.T) {
	for _, c := range []struct {
		a, b, rel float64
		want      bool
	}{
		{1, 1, 0, true},
		{1, 1 + 1e-10, 1e-9, true},
		{1, 1 + 1e-8, 1e-9, false},
		{0, 1e-13, 1e-9, true},
		{0, 1e-6, 1e-9, false},
		{-5, 5, 1e-6, false},
		{1e12, 1e12 + 1, 1e-9, true},
	} {
		if got := near(c.a, c.b, c.rel); got != c.want {
			t.Errorf("near(%g, %g, %g) = %v, want %v", c.a, c.b, c.rel, got, c.want)
		}
	}
}

func TestGenIsReproducible(t *testing.T) {
	render := func(seed int64) string {
		g := newGen(seed)
		var b strings.Builder
		for _, batch := range g.pushes(200) {
			for _, p := range flatten(batch) {
				b.WriteString(p.key())
			}
		}
		for range 20 {
			b.WriteString(describeTotal(g.totalQuery()))
			b.WriteString(describeRetrieve(g.retrieveQuery()))
			b.WriteString(describeWindow(g.deleteQuery().Window))
		}
		return b.String()
	}
	if render(42) != render(42) {
		t.Error("the same seed drew different data or queries")
	}
	if render(42) == render(43) {
		t.Error("two seeds drew the same data and queries")
	}
}
