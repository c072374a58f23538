package storagetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

// DiffOptions configures Diff.
type DiffOptions struct {
	Seed    int64 // random seed; 0 picks one from the clock (it is logged either way)
	Queries int   // random queries to compare; 0 means 300
	Points  int   // points in the first push, roughly; 0 means 400
}

// diffTolerance is the relative tolerance of Diff's float comparisons.
const diffTolerance = 1e-9

// maxDiffFailures is how many mismatches Diff reports before it stops.
const maxDiffFailures = 5

// Diff feeds a and b the same random dataframes (several frames across days of two months, labels
// with missing keys, dashes, upper case and numbers, identical points in one push, re-rated points
// in a later push), then runs random retrieves, totals and deletes on both and reports results that
// differ (stopping after five), including errors that only one store returns. a and b must be empty and configured alike (UTC, time match "start"); the
// seed is logged and repeated in every failure message.
func Diff(t *testing.T, a, b storage.Storage, opts DiffOptions) {
	t.Helper()
	seed := opts.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	if opts.Queries <= 0 {
		opts.Queries = 300
	}
	if opts.Points <= 0 {
		opts.Points = 400
	}
	t.Logf("storagetest.Diff: seed %d (reproduce with DiffOptions{Seed: %d})", seed, seed)
	d := &differ{t: t, a: a, b: b, seed: seed, g: newGen(seed)}

	everything := storage.Window{Begin: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	for name, s := range map[string]storage.Storage{"a": a, "b": b} {
		res, err := s.Retrieve(t.Context(), storage.RetrieveQuery{Window: everything, Limit: 1})
		if err != nil {
			t.Fatalf("Diff: store %s: %v (reproduce with seed %d)", name, err, seed)
		}
		if res.Total != 0 {
			t.Fatalf("Diff: store %s is not empty: %d points (reproduce with seed %d)", name, res.Total, seed)
		}
	}

	for i, batch := range d.g.pushes(opts.Points) {
		d.push(fmt.Sprintf("push #%d", i), batch)
	}
	for i := range opts.Queries {
		switch r := d.g.r.IntN(100); {
		case r < 40:
			d.retrieve(i, d.g.retrieveQuery())
		case r < 96:
			d.total(i, d.g.totalQuery())
		default:
			d.delete(i, d.g.deleteQuery())
		}
		if d.failures >= maxDiffFailures {
			t.Fatalf("Diff: stopping after %d mismatches (reproduce with seed %d)", d.failures, seed)
		}
	}
	d.retrieve(opts.Queries, storage.RetrieveQuery{Window: everything, All: true})
	t.Logf("storagetest.Diff: seed %d: %d points pushed; %d retrieves (%d non-empty), %d totals (%d non-empty), "+
		"%d deletes (%d points), %d queries rejected by both", seed, d.pushed, d.n.retrieves, d.n.retrieveHits,
		d.n.totals, d.n.totalHits, d.n.deletes, d.n.deleted, d.n.rejected)
}

// differ runs one operation on both stores and compares the outcomes.
type differ struct {
	t        *testing.T
	a, b     storage.Storage
	seed     int64
	g        *gen
	failures int
	pushed   int
	n        struct{ retrieves, retrieveHits, totals, totalHits, deletes, deleted, rejected int }
}

func (d *differ) fail(format string, args ...any) {
	d.t.Helper()
	d.failures++
	d.t.Errorf("Diff: "+format+" (reproduce with seed %d)", append(args, d.seed)...)
}

// errsDiffer reports whether the two errors disagree, and fails if so; both nil means go on.
func (d *differ) errsDiffer(what string, ea, eb error) (stop bool) {
	d.t.Helper()
	switch {
	case ea == nil && eb == nil:
		return false
	case errors.Is(ea, storage.ErrInvalid) && errors.Is(eb, storage.ErrInvalid):
		d.n.rejected++
	case ea == nil || eb == nil:
		d.fail("%s: a returned error %v, b returned error %v", what, ea, eb)
	case errors.Is(ea, storage.ErrInvalid) != errors.Is(eb, storage.ErrInvalid):
		d.fail("%s: a returned %v, b returned %v; only one is ErrInvalid", what, ea, eb)
	default:
		d.fail("%s: both failed: a: %v; b: %v", what, ea, eb)
	}
	return true
}

func (d *differ) push(what string, frames []dataframe.DataFrame) {
	d.t.Helper()
	ea := d.a.Push(d.t.Context(), frames)
	eb := d.b.Push(d.t.Context(), frames)
	if ea != nil || eb != nil {
		d.t.Fatalf("Diff: %s of %d frames: a: %v; b: %v (reproduce with seed %d)", what, len(frames), ea, eb, d.seed)
	}
	for _, f := range frames {
		d.pushed += f.Len()
	}
}

func (d *differ) retrieve(i int, q storage.RetrieveQuery) {
	d.t.Helper()
	what := fmt.Sprintf("query #%d Retrieve(%s)", i, describeRetrieve(q))
	ra, ea := d.a.Retrieve(d.t.Context(), q)
	rb, eb := d.b.Retrieve(d.t.Context(), q)
	if d.errsDiffer(what, ea, eb) {
		return
	}
	d.n.retrieves++
	if ra.Total > 0 {
		d.n.retrieveHits++
	}
	if msg := diffRetrieve(ra, rb); msg != "" {
		d.fail("%s: %s", what, msg)
	}
}

func (d *differ) total(i int, q storage.TotalQuery) {
	d.t.Helper()
	what := fmt.Sprintf("query #%d Total(%s)", i, describeTotal(q))
	ra, ea := d.a.Total(d.t.Context(), q)
	rb, eb := d.b.Total(d.t.Context(), q)
	if d.errsDiffer(what, ea, eb) {
		return
	}
	d.n.totals++
	if len(ra.Rows) > 0 {
		d.n.totalHits++
	}
	if msg := diffTotal(ra, rb); msg != "" {
		d.fail("%s: %s", what, msg)
	}
}

func (d *differ) delete(i int, q storage.DeleteQuery) {
	d.t.Helper()
	what := fmt.Sprintf("query #%d Delete(%s)", i, describeWindow(q.Window))
	na, ea := d.a.Delete(d.t.Context(), q)
	nb, eb := d.b.Delete(d.t.Context(), q)
	if d.errsDiffer(what, ea, eb) {
		return
	}
	d.n.deletes++
	d.n.deleted += int(na)
	if na != nb {
		d.fail("%s: a deleted %d points, b deleted %d", what, na, nb)
	}
}

// diffRetrieve describes the first difference between two retrieve results, or returns "".
func diffRetrieve(a, b storage.RetrieveResult) string {
	if a.Total != b.Total {
		return fmt.Sprintf("Total: a %d, b %d", a.Total, b.Total)
	}
	if len(a.DataFrames) != len(b.DataFrames) {
		return fmt.Sprintf("a has %d frames, b has %d", len(a.DataFrames), len(b.DataFrames))
	}
	for i := range a.DataFrames {
		fa, fb := a.DataFrames[i], b.DataFrames[i]
		if !fa.Start.Equal(fb.Start) || !fa.End.Equal(fb.End) {
			return fmt.Sprintf("frame %d: a [%v, %v), b [%v, %v)", i, fa.Start, fa.End, fb.Start, fb.End)
		}
		for _, f := range []dataframe.DataFrame{fa, fb} {
			if f.Start.Location() != time.UTC || f.End.Location() != time.UTC {
				return fmt.Sprintf("frame %d: bounds %v, %v are not in UTC", i, f.Start, f.End)
			}
		}
		if ta, tb := fa.Types(), fb.Types(); !slices.Equal(ta, tb) {
			return fmt.Sprintf("frame %d: a has types %q, b has %q", i, ta, tb)
		}
		for _, typ := range fa.Types() {
			pa, pb := fa.Usage[typ], fb.Usage[typ]
			if len(pa) != len(pb) {
				return fmt.Sprintf("frame %d type %q: a has %d points, b has %d", i, typ, len(pa), len(pb))
			}
			for j := range pa {
				if msg := diffPoint(pa[j], pb[j]); msg != "" {
					return fmt.Sprintf("frame %d type %q point %d: %s", i, typ, j, msg)
				}
			}
		}
	}
	return ""
}

func diffPoint(a, b dataframe.DataPoint) string {
	switch {
	case a.UnitOrDefault() != b.UnitOrDefault():
		return fmt.Sprintf("unit: a %q, b %q", a.UnitOrDefault(), b.UnitOrDefault())
	case !near(a.Qty, b.Qty, diffTolerance):
		return fmt.Sprintf("qty: a %.17g, b %.17g", a.Qty, b.Qty)
	case !near(a.Price, b.Price, diffTolerance):
		return fmt.Sprintf("price: a %.17g, b %.17g", a.Price, b.Price)
	case labels(a.Groupby) != labels(b.Groupby):
		return fmt.Sprintf("groupby: a %s, b %s", labels(a.Groupby), labels(b.Groupby))
	case labels(a.Metadata) != labels(b.Metadata):
		return fmt.Sprintf("metadata: a %s, b %s", labels(a.Metadata), labels(b.Metadata))
	case a.Description != b.Description:
		return fmt.Sprintf("description: a %q, b %q", a.Description, b.Description)
	}
	return ""
}

// diffTotal describes the first difference between two total results, or returns "".
func diffTotal(a, b storage.TotalResult) string {
	if a.Total != b.Total {
		return fmt.Sprintf("Total: a %d, b %d", a.Total, b.Total)
	}
	if len(a.Rows) != len(b.Rows) {
		return fmt.Sprintf("a has %d rows, b has %d:\na:%s\nb:%s", len(a.Rows), len(b.Rows), renderRows(a.Rows), renderRows(b.Rows))
	}
	for i := range a.Rows {
		ra, rb := a.Rows[i], b.Rows[i]
		if !ra.Begin.Equal(rb.Begin) || !ra.End.Equal(rb.End) {
			return fmt.Sprintf("row %d: a [%v, %v), b [%v, %v)", i, ra.Begin, ra.End, rb.Begin, rb.End)
		}
		for _, r := range []storage.Row{ra, rb} {
			if r.Begin.Location() != time.UTC || r.End.Location() != time.UTC {
				return fmt.Sprintf("row %d: bounds %v, %v are not in UTC", i, r.Begin, r.End)
			}
		}
		if ga, gb := renderGroups(ra.Groups), renderGroups(rb.Groups); ga != gb {
			return fmt.Sprintf("row %d: a groups %s, b groups %s", i, ga, gb)
		}
		if len(ra.Fields) != len(rb.Fields) {
			return fmt.Sprintf("row %d: a fields %v, b fields %v", i, ra.Fields, rb.Fields)
		}
		for j := range ra.Fields {
			fa, fb := ra.Fields[j], rb.Fields[j]
			if fa.Name != fb.Name || !near(fa.Value, fb.Value, diffTolerance) {
				return fmt.Sprintf("row %d %s: field %d: a %s=%.17g, b %s=%.17g", i, renderGroups(ra.Groups), j, fa.Name, fa.Value, fb.Name, fb.Value)
			}
		}
	}
	return ""
}

// gen draws random data and queries; everything it draws comes from r, so a seed replays it.
type gen struct {
	r      *rand.Rand
	pivot  time.Time   // the first instant of the second month
	frames []time.Time // frame starts used, for window bounds
}

var (
	genTypes    = []string{"instance", "image.size", "volume.size", "network.bytes", "ip.floating"}
	genProjects = []string{Tenant, OtherTenant, "Project-A", "project-a", "2022"}
	genIDs      = []string{"r1", "r2", "r3", "R-4", "5", "6"}
	genUsers    = []string{"u1", "U-2", "3"}
	genFlavors  = []string{"m1.nano", "M1.Large", "ceph-region1"}
	genRegions  = []string{"eu-1", "EU-1", "us"}
	genUnits    = []string{"", "instance", "GiB", "MiB"}
	genGroupbys = []string{"type", "project_id", "user", "id", "region", "time", "calendar-day", "calendar-week",
		"calendar-month", "time-d", "nosuchkey"}
	genFuncs = []string{"SUM", "MIN", "MAX", "AVG", "COUNT"}
)

func newGen(seed int64) *gen {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(seed)>>32^0x9e3779b97f4a7c15))
	y, m := 2019+r.IntN(8), time.Month(1+r.IntN(12))
	return &gen{r: r, pivot: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)}
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(pct int) bool { return g.r.IntN(100) < pct }

// point draws a point; labels are missing at random.
func (g *gen) point(start time.Time) (string, dataframe.DataPoint) {
	gb, md := map[string]string{}, map[string]string{}
	if g.chance(90) {
		gb["project_id"] = g.pick(genProjects)
	}
	gb["id"] = g.pick(genIDs)
	if g.chance(50) {
		gb["user"] = g.pick(genUsers)
	}
	if g.chance(30) {
		gb["day_of_the_year"] = fmt.Sprint(start.YearDay())
	}
	if g.chance(20) {
		gb["region"] = g.pick(genRegions)
	} else if g.chance(30) {
		md["region"] = g.pick(genRegions)
	}
	if g.chance(70) {
		md["flavor"] = g.pick(genFlavors)
	}
	p := dataframe.DataPoint{
		Unit:     g.pick(genUnits),
		Qty:      float64(g.r.IntN(100000)) / 100,
		Price:    float64(g.r.IntN(100000)) / 1000,
		Groupby:  gb,
		Metadata: md,
	}
	if g.chance(10) {
		p.Description = "d" + fmt.Sprint(g.r.IntN(3))
	}
	return g.pick(genTypes), p
}

// frameStart draws a frame start within four days of the month pivot, on the hour.
func (g *gen) frameStart() time.Time {
	return g.pivot.Add(time.Duration(g.r.IntN(8*24)-4*24) * time.Hour)
}

// pushes draws the batches to push: the frames split into a few pushes (a frame may appear twice),
// then a re-rating push of some of them.
func (g *gen) pushes(points int) [][]dataframe.DataFrame {
	var frames []dataframe.DataFrame
	for n := 0; n < points; {
		start := g.frameStart()
		d := []time.Duration{time.Hour, time.Hour, time.Hour, 2 * time.Hour, 24 * time.Hour}[g.r.IntN(5)]
		f := dataframe.DataFrame{Start: start, End: start.Add(d)}
		g.frames = append(g.frames, start, start.Add(d))
		for range 5 + g.r.IntN(30) {
			typ, p := g.point(start)
			f.AddPoint(typ, p)
			if g.chance(10) { // an identical point in the same push
				f.AddPoint(typ, clonePoint(p))
			}
		}
		n += f.Len()
		frames = append(frames, f)
		if g.chance(15) { // the same frame again in the same push
			frames = append(frames, cloneFrame(f))
			n += f.Len()
		}
	}
	var batches [][]dataframe.DataFrame
	for len(frames) > 0 {
		k := min(len(frames), 1+g.r.IntN(6))
		batches = append(batches, frames[:k])
		frames = frames[k:]
	}
	// Re-rate: push again some frames of a batch, with new prices for some points.
	var rerate []dataframe.DataFrame
	for _, f := range batches[g.r.IntN(len(batches))] {
		f = cloneFrame(f)
		for _, typ := range f.Types() { // sorted, so the draws replay from the seed
			pts := f.Usage[typ]
			for i := range pts {
				if g.chance(50) {
					pts[i].Price = float64(g.r.IntN(100000)) / 1000
					pts[i].Qty += 1
				}
			}
		}
		rerate = append(rerate, f)
	}
	return append(batches, rerate)
}

func clonePoint(p dataframe.DataPoint) dataframe.DataPoint {
	p.Groupby, p.Metadata = copyMap(p.Groupby), copyMap(p.Metadata)
	return p
}

func cloneFrame(f dataframe.DataFrame) dataframe.DataFrame {
	out := dataframe.DataFrame{Start: f.Start, End: f.End, Usage: map[string][]dataframe.DataPoint{}}
	for typ, pts := range f.Usage {
		for _, p := range pts {
			out.AddPoint(typ, clonePoint(p))
		}
	}
	return out
}

// instant draws a window bound: a frame bound, a day boundary near the pivot or an odd hour.
func (g *gen) instant() time.Time {
	switch g.r.IntN(3) {
	case 0:
		if len(g.frames) > 0 {
			return g.frames[g.r.IntN(len(g.frames))]
		}
		fallthrough
	case 1:
		return g.pivot.AddDate(0, 0, g.r.IntN(10)-5)
	}
	return g.pivot.Add(time.Duration(g.r.IntN(10*24*60)-5*24*60) * time.Minute)
}

// window draws a window with filters and metric types; open allows zero bounds.
func (g *gen) window(open bool) storage.Window {
	var w storage.Window
	if g.chance(10) {
		w.Begin, w.End = g.pivot.AddDate(0, -1, 0), g.pivot.AddDate(0, 1, 0)
	} else {
		a, b := g.instant(), g.instant()
		if b.Before(a) {
			a, b = b, a
		}
		if !a.Before(b) {
			b = a.Add(time.Hour)
		}
		w.Begin, w.End = a, b
	}
	if g.chance(3) { // an invalid window
		w.End = w.Begin
	}
	if open {
		if g.chance(30) {
			w.Begin = time.Time{}
		}
		if g.chance(30) {
			w.End = time.Time{}
		}
		if w.Begin.IsZero() && w.End.IsZero() && g.chance(80) { // rarely delete everything
			w.Begin = g.instant()
		}
	}
	for range []int{0, 0, 0, 1, 1, 2}[g.r.IntN(6)] {
		if w.Filters == nil {
			w.Filters = storage.Filters{}
		}
		key := g.pick([]string{"project_id", "user", "flavor", "region", "type", "id"})
		pool := map[string][]string{"project_id": genProjects, "user": genUsers, "flavor": genFlavors,
			"region": genRegions, "type": genTypes, "id": genIDs}[key]
		var vals []string
		for range 1 + g.r.IntN(3) {
			if g.chance(10) {
				vals = append(vals, "nope")
			} else {
				vals = append(vals, g.pick(pool))
			}
		}
		w.Filters[key] = vals
	}
	if g.chance(30) {
		for range 1 + g.r.IntN(2) {
			if g.chance(10) {
				w.MetricTypes = append(w.MetricTypes, "nope")
			} else {
				w.MetricTypes = append(w.MetricTypes, g.pick(genTypes))
			}
		}
	}
	return w
}

// page draws an offset, a limit and All; now and then an invalid one.
func (g *gen) page() (offset, limit int, all bool) {
	switch {
	case g.chance(3):
		return 0, -1, false
	case g.chance(15):
		return g.r.IntN(5), g.r.IntN(5), true
	case g.chance(10):
		return 0, 0, false
	}
	if g.chance(50) {
		offset = g.r.IntN(200)
	}
	return offset, 1 + g.r.IntN(60), false
}

// deleteQuery draws a delete, mostly of one project, user or resource, so that data remains.
func (g *gen) deleteQuery() storage.DeleteQuery {
	q := storage.DeleteQuery{Window: g.window(true)}
	if g.chance(85) {
		key := g.pick([]string{"project_id", "user", "id"})
		pool := map[string][]string{"project_id": genProjects, "user": genUsers, "id": genIDs}[key]
		q.Filters = storage.Filters{key: {g.pick(pool)}}
	}
	return q
}

func (g *gen) retrieveQuery() storage.RetrieveQuery {
	q := storage.RetrieveQuery{Window: g.window(false)}
	q.Offset, q.Limit, q.All = g.page()
	return q
}

func (g *gen) totalQuery() storage.TotalQuery {
	q := storage.TotalQuery{Window: g.window(false)}
	q.Offset, q.Limit, q.All = g.page()
	periodic := false
	for range []int{0, 1, 1, 2, 2, 3}[g.r.IntN(6)] {
		e := g.pick(genGroupbys)
		p := e == "time" || strings.HasPrefix(e, "calendar-")
		if (slices.Contains(q.Groupby, e) || p && periodic) && g.chance(90) {
			continue // mostly valid groupbys; now and then a duplicate or a second period
		}
		periodic = periodic || p
		q.Groupby = append(q.Groupby, e)
	}
	if g.chance(40) {
		var items []string
		for i := range 1 + g.r.IntN(4) {
			items = append(items, fmt.Sprintf("%s(%s) AS f%d", g.pick(genFuncs), g.pick([]string{"qty", "price"}), i))
		}
		q.CustomFields = strings.Join(items, ", ")
	}
	return q
}
