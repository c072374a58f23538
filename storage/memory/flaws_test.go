package memory_test

import (
	"cmp"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
	"github.com/ckos/ckos/storage/memory"
	"github.com/ckos/ckos/storage/storagetest"
)

// The upstream Elasticsearch/OpenSearch drivers' flaws (research notes §9), each grafted onto the
// memory driver, and the conformance cases that must catch it. TestSuiteCatchesUpstreamFlaws runs
// the suite against each flawed store in a child process and checks that those cases fail.
var flaws = []struct {
	name  string
	open  func() storage.Storage
	fails []string // subtest paths under TestFlawedStore, spaces as underscores
}{
	{"delete ignores every filter but type", func() storage.Storage { return deleteTypeOnly{newStore()} },
		[]string{"delete/honours_a_project_filter:_the_other_project_survives", "delete/honours_metadata_filters_and_ANDs_keys"}},
	{"analyzed text misses dashed and upper-case values", func() storage.Storage { return analyzed{newStore()} },
		[]string{"filters/a_dashed_value_matches_exactly", "filters/an_upper-case_value_matches_exactly",
			"cloudkitty/total_of_one_scope_over_all_periods"}},
	{"minimum_should_match counts clauses, not keys", func() storage.Storage { return shouldCount{newStore()} },
		[]string{"filters/keys_are_ANDed_when_a_key_is_in_both_groupby_and_metadata"}},
	{"frames must lie inside the window", func() storage.Storage {
		return memory.New(storage.Config{TimeMatch: storage.TimeMatchInside})
	}, []string{"time_windows/adjacent_windows_partition_time", "delete/honours_the_start_time_match",
		"time_windows/a_point_matches_when_begin_<=_start_<_end"}},
	{"an empty total has one zero row", func() storage.Storage { return zeroRow{newStore()} },
		[]string{"time_windows/an_empty_range_gives_no_rows_and_total_0"}},
	{"groups with a missing key vanish", func() storage.Storage { return dropNullGroups{newStore()} },
		[]string{"missing_groupby_keys/points_lacking_the_key_form_a_null_group,_sorted_first",
			"missing_groupby_keys/two_keys_with_missing_values"}},
	{"deep pages return more than limit", func() storage.Storage { return longPages{newStore()} },
		[]string{"pages/retrieve_pages_hold_exactly_limit_points", "cloudkitty/retrieve_pages_of_100_concatenate_to_the_whole"}},
	{"pages come in no stable order", func() storage.Storage { return shuffledPages{newStore()} },
		[]string{"pages/retrieve_pages_concatenate_to_the_whole_for_every_page_size"}},
	{"re-pushing duplicates points", func() storage.Storage { return noIDs{Store: newStore(), pushes: new(int)} },
		[]string{"push/pushing_the_same_frames_again_stores_each_point_once", "push/re-rating_replaces_the_point"}},
	{"reprocessing duplicates the frame straddling its end", func() storage.Storage {
		return noIDs{Store: memory.New(storage.Config{TimeMatch: storage.TimeMatchInside}), pushes: new(int)}
	}, []string{"delete/delete_then_re-push_one_project's_window_leaves_no_duplicates"}},
	{"identical points in one push collapse", func() storage.Storage { return onePointPerPush{newStore()} },
		[]string{"push/identical_points_in_one_push_are_all_kept", "missing_groupby_keys/the_ungrouped_total_counts_every_point"}},
	{"time-d/w/m/y are not mapped", func() storage.Storage { return unmappedTime{newStore()} },
		[]string{"time_groupbys/time-d,_time-w,_time-m_and_time-y_group_by_the_stored_keys",
			"cloudkitty/time-y,_time-d,_time-w_and_time-m_group_by_the_stored_keys",
			"time_groupbys/time-u_is_an_error_with_CloudKitty's_text"}},
	{"custom fields are ignored", func() storage.Storage { return defaultFields{newStore()} },
		[]string{"custom_fields/min,_max,_avg,_count_and_sum_per_group,_in_the_asked_order",
			"custom_fields/bad_custom_fields_are_rejected,_naming_the_offending_item"}},
	{"qty and price are float32", func() storage.Storage { return float32s{newStore()} },
		[]string{"push/every_field_of_a_point_round-trips"}},
	{"description is dropped", func() storage.Storage { return noDescription{newStore()} },
		[]string{"push/every_field_of_a_point_round-trips"}},
	{"time keys lose their milliseconds", func() storage.Storage { return secondRows{newStore()} },
		[]string{"time_windows/sub-second_frame_bounds_are_kept"}},
}

func newStore() *memory.Store { return memory.New(storage.Config{}) }

func TestFlawedStore(t *testing.T) {
	name := os.Getenv("CKOS_STORAGE_FLAW")
	if name == "" {
		t.Skip("runs as a child of TestSuiteCatchesUpstreamFlaws")
	}
	for _, f := range flaws {
		if f.name == name {
			storagetest.Run(t, func(t *testing.T) storage.Storage { return f.open() })
			return
		}
	}
	t.Fatalf("unknown flaw %q", name)
}

func TestSuiteCatchesUpstreamFlaws(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per flaw")
	}
	for _, f := range flaws {
		t.Run(f.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFlawedStore$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "CKOS_STORAGE_FLAW="+f.name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store whose %s", f.name)
			}
			for _, c := range f.fails {
				if !strings.Contains(string(out), "--- FAIL: TestFlawedStore/"+c+" ") {
					t.Errorf("case %q did not fail", c)
				}
			}
			if t.Failed() {
				t.Logf("suite output:\n%s", out)
			}
		})
	}
}

// deleteTypeOnly deletes with only the "type" filter, as upstream's delete_by_query does.
type deleteTypeOnly struct{ *memory.Store }

func (s deleteTypeOnly) Delete(ctx context.Context, q storage.DeleteQuery) (int64, error) {
	f := q.Filters
	q.Filters = nil
	if v, ok := f["type"]; ok {
		q.Filters = storage.Filters{"type": v}
	}
	return s.Store.Delete(ctx, q)
}

// analyzed drops filter values an analyzed text field would never match exactly.
type analyzed struct{ *memory.Store }

func (analyzed) filters(f storage.Filters) storage.Filters {
	out := storage.Filters{}
	for k, vs := range f {
		for _, v := range vs {
			if k == "type" || !strings.ContainsFunc(v, func(r rune) bool { return r == '-' || unicode.IsUpper(r) }) {
				out[k] = append(out[k], v)
			}
		}
		if len(out[k]) == 0 {
			out[k] = []string{"\x00never"}
		}
	}
	return out
}

func (s analyzed) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	q.Filters = s.filters(q.Filters)
	return s.Store.Retrieve(ctx, q)
}

func (s analyzed) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	q.Filters = s.filters(q.Filters)
	return s.Store.Total(ctx, q)
}

// shouldCount selects points matching at least as many groupby/metadata clauses as there are
// filter keys (upstream's minimum_should_match = len(should)//2), then pages.
type shouldCount struct{ *memory.Store }

func (s shouldCount) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	f := q.Filters
	q.Filters = nil
	if v, ok := f["type"]; ok {
		q.Filters = storage.Filters{"type": v}
	}
	pts, err := retrieveAll(ctx, s.Store, q, func(typ string, p dataframe.DataPoint) bool {
		need, got := 0, 0
		for k, vs := range f {
			if k == "type" {
				continue
			}
			need++
			if slices.Contains(vs, p.Groupby[k]) {
				got++
			}
			if slices.Contains(vs, p.Metadata[k]) {
				got++
			}
		}
		return got >= need
	})
	return page(pts, q), err
}

// zeroRow answers an ungrouped total that matched nothing with one zero row.
type zeroRow struct{ *memory.Store }

func (s zeroRow) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	res, err := s.Store.Total(ctx, q)
	if err == nil && res.Total == 0 && len(q.Groupby) == 0 {
		res = storage.TotalResult{Total: 1, Rows: []storage.Row{{Begin: q.Begin, End: q.End, Fields: []storage.Field{{Name: "qty"}, {Name: "rate"}}}}}
	}
	return res, err
}

// dropNullGroups leaves out groups whose key is missing (no missing_bucket).
type dropNullGroups struct{ *memory.Store }

func (s dropNullGroups) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	q.All = true
	res, err := s.Store.Total(ctx, q)
	res.Rows = slices.DeleteFunc(res.Rows, func(r storage.Row) bool {
		return slices.ContainsFunc(r.Groups, func(g storage.Group) bool { return g.Value == nil })
	})
	res.Total = int64(len(res.Rows))
	return res, err
}

// longPages returns offset+limit points for a page past the first, as upstream's scroll loop can.
type longPages struct{ *memory.Store }

func (s longPages) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	if q.Offset > 0 && q.Limit > 0 {
		q.Limit += q.Offset / 2
	}
	return s.Store.Retrieve(ctx, q)
}

// shuffledPages pages over an order that changes from request to request (no sort).
type shuffledPages struct{ *memory.Store }

func (s shuffledPages) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	pts, err := retrieveAll(ctx, s.Store, q, nil)
	r := rand.New(rand.NewPCG(uint64(q.Offset), uint64(q.Limit)))
	r.Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
	return page(pts, q), err
}

// noIDs stores every push's points anew: a hidden label numbers the push.
type noIDs struct {
	*memory.Store
	pushes *int
}

func (s noIDs) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	*s.pushes++
	return s.Store.Push(ctx, tag(frames, string(rune('0'+*s.pushes))))
}

func tag(frames []dataframe.DataFrame, n string) []dataframe.DataFrame {
	var out []dataframe.DataFrame
	for _, f := range frames {
		g := dataframe.DataFrame{Start: f.Start, End: f.End}
		for typ, pts := range f.Usage {
			for _, p := range pts {
				gb := map[string]string{"_push": n}
				for k, v := range p.Groupby {
					gb[k] = v
				}
				p.Groupby = gb
				g.AddPoint(typ, p)
			}
		}
		out = append(out, g)
	}
	return out
}

func (s noIDs) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	res, err := s.Store.Retrieve(ctx, q)
	for _, f := range res.DataFrames {
		for _, pts := range f.Usage {
			for _, p := range pts {
				delete(p.Groupby, "_push")
			}
		}
	}
	return res, err
}

// onePointPerPush pushes every point on its own, so identical points replace each other.
type onePointPerPush struct{ *memory.Store }

func (s onePointPerPush) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	for _, f := range frames {
		for typ, pts := range f.Usage {
			for _, p := range pts {
				g := dataframe.DataFrame{Start: f.Start, End: f.End}
				g.AddPoint(typ, p)
				if err := s.Store.Push(ctx, []dataframe.DataFrame{g}); err != nil {
					return err
				}
			}
		}
	}
	return s.Store.Push(ctx, nil)
}

// unmappedTime skips CloudKitty's groupby parser, as the upstream OpenSearch driver does.
type unmappedTime struct{ *memory.Store }

func (s unmappedTime) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	gb := slices.Clone(q.Groupby)
	for i, g := range gb {
		if strings.Contains(g, "time") && strings.Count(g, "-") == 1 {
			gb[i] = g + "-as-is" // more dashes: the parser keeps it as a plain key
		}
	}
	q.Groupby = gb
	return s.Store.Total(ctx, q)
}

// defaultFields ignores custom fields with a warning, as upstream does.
type defaultFields struct{ *memory.Store }

func (s defaultFields) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	q.CustomFields = ""
	return s.Store.Total(ctx, q)
}

// float32s stores qty and price as 32-bit floats (OpenSearch's dynamic mapping).
type float32s struct{ *memory.Store }

func (s float32s) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	return s.Store.Push(ctx, mapPoints(frames, func(p dataframe.DataPoint) dataframe.DataPoint {
		p.Qty, p.Price = float64(float32(p.Qty)), float64(float32(p.Price))
		return p
	}))
}

// noDescription drops descriptions, as the upstream OpenSearch driver does.
type noDescription struct{ *memory.Store }

func (s noDescription) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	return s.Store.Push(ctx, mapPoints(frames, func(p dataframe.DataPoint) dataframe.DataPoint {
		p.Description = ""
		return p
	}))
}

// secondRows converts composite time keys with ms // 1000.
type secondRows struct{ *memory.Store }

func (s secondRows) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	res, err := s.Store.Total(ctx, q)
	for i := range res.Rows {
		res.Rows[i].Begin = res.Rows[i].Begin.Truncate(time.Second)
		res.Rows[i].End = res.Rows[i].End.Truncate(time.Second)
	}
	return res, err
}

func mapPoints(frames []dataframe.DataFrame, fn func(dataframe.DataPoint) dataframe.DataPoint) []dataframe.DataFrame {
	var out []dataframe.DataFrame
	for _, f := range frames {
		g := dataframe.DataFrame{Start: f.Start, End: f.End}
		for typ, pts := range f.Usage {
			for _, p := range pts {
				g.AddPoint(typ, fn(p))
			}
		}
		out = append(out, g)
	}
	return out
}

// flatPoint is one retrieved point with its frame and type.
type flatPoint struct {
	start, end time.Time
	typ        string
	p          dataframe.DataPoint
}

// retrieveAll returns every point q's window matches (and keep accepts), in store order.
func retrieveAll(ctx context.Context, s *memory.Store, q storage.RetrieveQuery, keep func(string, dataframe.DataPoint) bool) ([]flatPoint, error) {
	if _, err := storage.Page(q.Offset, q.Limit); err != nil {
		return nil, err
	}
	all := q
	all.All = true
	res, err := s.Retrieve(ctx, all)
	var out []flatPoint
	for _, f := range res.DataFrames {
		for _, typ := range f.Types() {
			for _, p := range f.Usage[typ] {
				if keep == nil || keep(typ, p) {
					out = append(out, flatPoint{f.Start, f.End, typ, p})
				}
			}
		}
	}
	return out, err
}

// page cuts q's page out of pts and groups it into frames sorted by (start, end).
func page(pts []flatPoint, q storage.RetrieveQuery) storage.RetrieveResult {
	res := storage.RetrieveResult{Total: int64(len(pts))}
	if !q.All {
		limit := cmp.Or(q.Limit, storage.DefaultLimit)
		pts = pts[min(q.Offset, len(pts)):min(q.Offset+limit, len(pts))]
	}
	pts = slices.Clone(pts)
	slices.SortStableFunc(pts, func(a, b flatPoint) int { return cmp.Or(a.start.Compare(b.start), a.end.Compare(b.end)) })
	for _, p := range pts {
		n := len(res.DataFrames)
		if n == 0 || !res.DataFrames[n-1].Start.Equal(p.start) || !res.DataFrames[n-1].End.Equal(p.end) {
			res.DataFrames = append(res.DataFrames, dataframe.DataFrame{Start: p.start, End: p.end})
			n++
		}
		res.DataFrames[n-1].AddPoint(p.typ, p.p)
	}
	return res
}
