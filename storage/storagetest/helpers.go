package storagetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

// Tolerance is the relative tolerance of the suite's float comparisons.
const Tolerance = 1e-6

// pt describes one point of a test frame.
type pt struct {
	Type     string
	Qty      float64
	Price    float64
	Groupby  map[string]string
	Metadata map[string]string
	Unit     string
	Desc     string
}

// frame builds a frame [start, start+d) holding pts.
func frame(start time.Time, d time.Duration, pts ...pt) dataframe.DataFrame {
	f := dataframe.DataFrame{Start: start, End: start.Add(d), Usage: map[string][]dataframe.DataPoint{}}
	for _, p := range pts {
		f.AddPoint(p.Type, dataframe.DataPoint{
			Unit: p.Unit, Qty: p.Qty, Price: p.Price,
			Groupby: copyMap(p.Groupby), Metadata: copyMap(p.Metadata), Description: p.Desc,
		})
	}
	return f
}

// kv builds a label map from key, value pairs.
func kv(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func push(t *testing.T, s storage.Storage, frames ...dataframe.DataFrame) {
	t.Helper()
	if err := s.Push(t.Context(), frames); err != nil {
		t.Fatalf("Push: %v", err)
	}
}

func retrieve(t *testing.T, s storage.Storage, q storage.RetrieveQuery) storage.RetrieveResult {
	t.Helper()
	res, err := s.Retrieve(t.Context(), q)
	if err != nil {
		t.Fatalf("Retrieve(%s): %v", describeRetrieve(q), err)
	}
	checkFrames(t, res.DataFrames)
	return res
}

func total(t *testing.T, s storage.Storage, q storage.TotalQuery) storage.TotalResult {
	t.Helper()
	res, err := s.Total(t.Context(), q)
	if err != nil {
		t.Fatalf("Total(%s): %v", describeTotal(q), err)
	}
	for i, r := range res.Rows {
		if r.Begin.Location() != time.UTC || r.End.Location() != time.UTC {
			t.Errorf("Total(%s): row %d: begin %v / end %v are not in UTC", describeTotal(q), i, r.Begin, r.End)
		}
	}
	return res
}

func del(t *testing.T, s storage.Storage, w storage.Window) int64 {
	t.Helper()
	n, err := s.Delete(t.Context(), storage.DeleteQuery{Window: w})
	if err != nil {
		t.Fatalf("Delete(%s): %v", describeWindow(w), err)
	}
	return n
}

// flat is one retrieved point with its frame and type.
type flat struct {
	Start, End time.Time
	Type       string
	P          dataframe.DataPoint
}

// flatten lists the points of frames in retrieve order: frame order, then type, then point order.
func flatten(frames []dataframe.DataFrame) []flat {
	var out []flat
	for _, f := range frames {
		for _, typ := range f.Types() {
			for _, p := range f.Usage[typ] {
				out = append(out, flat{f.Start, f.End, typ, p})
			}
		}
	}
	return out
}

// key renders every field of a point, for exact comparisons.
func (f flat) key() string {
	return fmt.Sprintf("%s|%s|%s|%s|%v|%v|%s|%s|%q", f.Start.UTC().Format(time.RFC3339Nano), f.End.UTC().Format(time.RFC3339Nano),
		f.Type, f.P.UnitOrDefault(), f.P.Qty, f.P.Price, labels(f.P.Groupby), labels(f.P.Metadata), f.P.Description)
}

// labels renders a label map canonically.
func labels(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", k, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// checkFrames checks the shape of retrieved frames: UTC, sorted by (start, end), one frame per
// (start, end), no empty type lists.
func checkFrames(t *testing.T, frames []dataframe.DataFrame) {
	t.Helper()
	for i, f := range frames {
		if f.Start.Location() != time.UTC || f.End.Location() != time.UTC {
			t.Errorf("frame %d: start %v / end %v are not in UTC", i, f.Start, f.End)
		}
		if !f.Start.Before(f.End) {
			t.Errorf("frame %d: start %v is not before end %v", i, f.Start, f.End)
		}
		for typ, pts := range f.Usage {
			if len(pts) == 0 {
				t.Errorf("frame %d: type %q has no points", i, typ)
			}
		}
		if i > 0 {
			p := frames[i-1]
			if c := p.Start.Compare(f.Start); c > 0 || (c == 0 && !p.End.Before(f.End)) {
				t.Errorf("frames %d [%v, %v) and %d [%v, %v) are not in strict (start, end) order", i-1, p.Start, p.End, i, f.Start, f.End)
			}
		}
	}
}

// all retrieves every point w matches and checks that Total counts them.
func all(t *testing.T, s storage.Storage, w storage.Window) []flat {
	t.Helper()
	res := retrieve(t, s, storage.RetrieveQuery{Window: w, All: true})
	pts := flatten(res.DataFrames)
	if res.Total != int64(len(pts)) {
		t.Errorf("Retrieve(%s, all): Total %d, but %d points returned", describeWindow(w), res.Total, len(pts))
	}
	return pts
}

// ids returns the sorted groupby ids of the points w matches.
func ids(t *testing.T, s storage.Storage, w storage.Window) []string {
	t.Helper()
	var out []string
	for _, p := range all(t, s, w) {
		out = append(out, p.P.Groupby["id"])
	}
	sort.Strings(out)
	return out
}

// sums returns the ungrouped default total (qty, rate) and its Total; no rows gives zeros.
func sums(t *testing.T, s storage.Storage, w storage.Window) (qty, rate float64, n int64) {
	t.Helper()
	res := total(t, s, storage.TotalQuery{Window: w})
	switch len(res.Rows) {
	case 0:
		if res.Total != 0 {
			t.Errorf("Total(%s): no rows but Total %d", describeWindow(w), res.Total)
		}
		return 0, 0, res.Total
	case 1:
		if res.Total != 1 {
			t.Errorf("Total(%s): one row but Total %d", describeWindow(w), res.Total)
		}
		q, _ := res.Rows[0].Field("qty")
		r, _ := res.Rows[0].Field("rate")
		return q, r, res.Total
	}
	t.Fatalf("Total(%s) without groupby: %d rows, want at most 1", describeWindow(w), len(res.Rows))
	return 0, 0, 0
}

// near reports whether got is within rel (relative) of want; tiny values compare absolutely.
func near(got, want, rel float64) bool {
	if got == want {
		return true
	}
	d := math.Abs(got - want)
	return d <= rel*math.Max(math.Abs(got), math.Abs(want)) || d <= 1e-12
}

func wantNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want, Tolerance) {
		t.Errorf("%s = %.10g, want %.10g", what, got, want)
	}
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// wantInvalid checks that err wraps storage.ErrInvalid and mentions every fragment.
func wantInvalid(t *testing.T, what string, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want storage.ErrInvalid", what)
		return
	}
	if !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("%s: error %q does not wrap storage.ErrInvalid", what, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q does not mention %q", what, err, f)
		}
	}
}

// wantRow is an expected Total row; nil Fields are not checked.
type wantRow struct {
	Begin, End time.Time
	Fields     []storage.Field
	Groups     []storage.Group
}

// str returns a pointer to s, for expected group values.
func str(s string) *string { return &s }

// checkRows compares rows with want: bounds exactly, field names in order, values within Tolerance,
// group keys in order and values (nil for a missing key).
func checkRows(t *testing.T, what string, got []storage.Row, want []wantRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n got %s\nwant %s", what, len(got), len(want), renderRows(got), renderWant(want))
		return
	}
	for i, w := range want {
		g := got[i]
		if !g.Begin.Equal(w.Begin) || !g.End.Equal(w.End) {
			t.Errorf("%s: row %d: period [%v, %v), want [%v, %v)", what, i, g.Begin, g.End, w.Begin, w.End)
		}
		if w.Fields != nil {
			if len(g.Fields) != len(w.Fields) {
				t.Errorf("%s: row %d: fields %v, want %v", what, i, g.Fields, w.Fields)
			} else {
				for j, f := range w.Fields {
					if g.Fields[j].Name != f.Name || !near(g.Fields[j].Value, f.Value, Tolerance) {
						t.Errorf("%s: row %d: field %d = %s %.10g, want %s %.10g", what, i, j, g.Fields[j].Name, g.Fields[j].Value, f.Name, f.Value)
					}
				}
			}
		}
		if renderGroups(g.Groups) != renderGroups(w.Groups) {
			t.Errorf("%s: row %d: groups %s, want %s", what, i, renderGroups(g.Groups), renderGroups(w.Groups))
		}
	}
}

func renderGroups(gs []storage.Group) string {
	var b strings.Builder
	for i, g := range gs {
		if i > 0 {
			b.WriteByte(' ')
		}
		if g.Value == nil {
			fmt.Fprintf(&b, "%s=null", g.Key)
		} else {
			fmt.Fprintf(&b, "%s=%q", g.Key, *g.Value)
		}
	}
	return "[" + b.String() + "]"
}

func renderRows(rows []storage.Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n  [%s, %s) %v %s", r.Begin.UTC().Format(time.RFC3339Nano), r.End.UTC().Format(time.RFC3339Nano), r.Fields, renderGroups(r.Groups))
	}
	return b.String()
}

func renderWant(rows []wantRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n  [%s, %s) %v %s", r.Begin.UTC().Format(time.RFC3339Nano), r.End.UTC().Format(time.RFC3339Nano), r.Fields, renderGroups(r.Groups))
	}
	return b.String()
}

// qr returns the default fields with these values.
func qr(qty, rate float64) []storage.Field {
	return []storage.Field{{Name: "qty", Value: qty}, {Name: "rate", Value: rate}}
}

func describeWindow(w storage.Window) string {
	var parts []string
	tf := func(t time.Time) string {
		if t.IsZero() {
			return "∅"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	parts = append(parts, fmt.Sprintf("[%s, %s)", tf(w.Begin), tf(w.End)))
	if len(w.Filters) > 0 {
		keys := make([]string, 0, len(w.Filters))
		for k := range w.Filters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var fs []string
		for _, k := range keys {
			fs = append(fs, fmt.Sprintf("%s:%q", k, w.Filters[k]))
		}
		parts = append(parts, "filters "+strings.Join(fs, " "))
	}
	if len(w.MetricTypes) > 0 {
		parts = append(parts, fmt.Sprintf("types %q", w.MetricTypes))
	}
	return strings.Join(parts, " ")
}

func describeRetrieve(q storage.RetrieveQuery) string {
	return fmt.Sprintf("%s offset %d limit %d all %v", describeWindow(q.Window), q.Offset, q.Limit, q.All)
}

func describeTotal(q storage.TotalQuery) string {
	return fmt.Sprintf("%s groupby %q fields %q offset %d limit %d all %v", describeWindow(q.Window), q.Groupby, q.CustomFields, q.Offset, q.Limit, q.All)
}

// hours returns base + h hours.
func hours(base time.Time, h float64) time.Time {
	return base.Add(time.Duration(h * float64(time.Hour)))
}
