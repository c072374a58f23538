package aggs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/storage"
)

// fakeGroup is one group the fake server holds: its project_id (nil for missing) and its sums.
type fakeGroup struct {
	project *string
	qty     float64
	price   float64
}

// fakeGroups returns n groups in composite order: the missing bucket first, then p0001, p0002, ….
func fakeGroups(n int) []fakeGroup {
	gs := make([]fakeGroup, n)
	for i := range gs {
		if i > 0 {
			gs[i].project = strp(fmt.Sprintf("p%04d", i))
		}
		gs[i].qty, gs[i].price = float64(i), float64(i)/4
	}
	return gs
}

// fakeServer answers composite requests on a single label source g0 like OpenSearch does.
type fakeServer struct {
	groups []fakeGroup
	// shiftAfter makes after_key differ from the last bucket's key (a value between it and the next).
	shiftAfter bool
	// finalAfterKey keeps an after_key on the last non-empty page (OpenSearch does), so the walk
	// ends on the following empty page; otherwise the short last page carries none.
	finalAfterKey bool
	// repeat makes every page after the first start with this many buckets of the previous page,
	// as a server shifting the after value back does.
	repeat int
	// stuck returns the same page and after_key forever.
	stuck bool
	// fail returns this error on page failAt.
	fail   error
	failAt int
	// onPage runs before a page is served.
	onPage func(page int)

	mu       sync.Mutex
	requests []compositeRequest
}

func (f *fakeServer) Search(ctx context.Context, body []byte) (json.RawMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	page := len(f.requests)
	var req compositeRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("fake: bad request: %w", err)
	}
	f.requests = append(f.requests, req)
	if f.onPage != nil {
		f.onPage(page)
	}
	if f.fail != nil && page == f.failAt {
		return nil, f.fail
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	comp := req.Aggs.Groups.Composite
	start := 0
	if comp.After != nil && !f.stuck {
		var after map[string]*string
		if err := json.Unmarshal(comp.After, &after); err != nil {
			return nil, err
		}
		a, ok := after["g0"]
		if !ok {
			return nil, fmt.Errorf("fake: after without g0: %s", comp.After)
		}
		for start < len(f.groups) && compareKeys(fakeKey(f.groups[start].project), fakeKey(a)) <= 0 {
			start++
		}
		start = max(start-f.repeat, 0)
	}
	end := min(start+comp.Size, len(f.groups))
	var buf bytes.Buffer
	buf.WriteString(`{"groups": {`)
	last := end - 1
	if end > start && (end < len(f.groups) || f.finalAfterKey) {
		k := f.groups[last].project
		if f.shiftAfter && k != nil {
			k = strp(*k + "\x00") // sorts after p0042 and before p0043
		} else if f.shiftAfter {
			k = strp("") // "" sorts after null and before p0001
		}
		fmt.Fprintf(&buf, `"after_key": {"g0": %s}, `, jsonString(k))
	}
	buf.WriteString(`"buckets": [`)
	for i := start; i < end; i++ {
		if i > start {
			buf.WriteByte(',')
		}
		g := f.groups[i]
		fmt.Fprintf(&buf, `{"key": {"g0": %s}, "doc_count": 1`, jsonString(g.project))
		if len(req.Aggs.Groups.Aggs) > 0 {
			fmt.Fprintf(&buf, `, "f0": {"value": %g}, "f1": {"value": %g}`, g.qty, g.price)
		}
		buf.WriteByte('}')
	}
	buf.WriteString(`]}}`)
	return buf.Bytes(), nil
}

func fakeKey(s *string) []keyValue {
	if s == nil {
		return []keyValue{{null: true}}
	}
	return []keyValue{{str: *s}}
}

func jsonString(s *string) string {
	if s == nil {
		return "null"
	}
	b, _ := json.Marshal(*s)
	return string(b)
}

// wantRows returns the rows of groups [lo, hi) as Walk must return them.
func wantRows(groups []fakeGroup, lo, hi int) []storage.Row {
	var rows []storage.Row
	for i := lo; i < hi && i < len(groups); i++ {
		g := groups[i]
		rows = append(rows, storage.Row{Begin: dec1, End: jan1,
			Fields: []storage.Field{{Name: "qty", Value: g.qty}, {Name: "rate", Value: g.price}},
			Groups: []storage.Group{{Key: "project_id", Value: g.project}}})
	}
	return rows
}

func TestWalkWindows(t *testing.T) {
	const n, size = 25, 4
	groups := fakeGroups(n)
	cases := []struct {
		offset, limit int
		all           bool
	}{
		{0, 5, false},    // straddles the first page boundary
		{3, 6, false},    // starts inside page 0, ends inside page 2
		{4, 4, false},    // exactly page 1
		{7, 10, false},   // straddles three boundaries
		{24, 5, false},   // the last group only
		{23, 100, false}, // past the end
		{25, 3, false},   // just past the end: no row, exact total
		{40, 3, false},   // far past the end
		{0, 1, false},    // the missing bucket alone
		{5, 0, false},    // limit 0 means DefaultLimit
		{0, 1, true},     // all ignores offset and limit
		{9, 2, true},
	}
	for _, shift := range []bool{false, true} {
		for _, final := range []bool{false, true} {
			for _, c := range cases {
				name := fmt.Sprintf("offset=%d,limit=%d,all=%v,shiftAfter=%v,finalAfterKey=%v", c.offset, c.limit, c.all, shift, final)
				t.Run(name, func(t *testing.T) {
					f := &fakeServer{groups: groups, shiftAfter: shift, finalAfterKey: final}
					p := params(t, []string{"project_id"}, "")
					p.PageSize = size
					total, rows, err := Walk(context.Background(), f, p, c.offset, c.limit, c.all)
					require.NoError(t, err)
					require.Equal(t, int64(n), total)
					lo, hi := c.offset, c.offset+c.limit
					if c.limit == 0 {
						hi = c.offset + storage.DefaultLimit
					}
					if c.all {
						lo, hi = 0, n
					}
					require.Equal(t, wantRows(groups, lo, hi), rows)

					pages := (n + size - 1) / size
					if final {
						pages++ // the empty page that ends the walk
					}
					require.Len(t, f.requests, pages)
					for i, r := range f.requests {
						require.Equal(t, size, r.Aggs.Groups.Composite.Size)
						// Only pages that can hold kept rows ask for the sums.
						first := min(i*size, n) // groups counted before page i
						last := first + size
						overlaps := c.all || (first < hi && last > lo)
						require.Equal(t, overlaps, len(r.Aggs.Groups.Aggs) > 0, "page %d sub-aggregations", i)
						if i == 0 {
							require.Nil(t, r.Aggs.Groups.Composite.After)
							continue
						}
						// after is the previous page's after_key, never the last bucket's key.
						want := groups[min(i*size, n)-1].project
						if shift {
							if want == nil {
								want = strp("")
							} else {
								want = strp(*want + "\x00")
							}
						}
						require.JSONEq(t, `{"g0": `+jsonString(want)+`}`, string(r.Aggs.Groups.Composite.After), "page %d after", i)
					}
				})
			}
		}
	}
}

func TestWalkRepeatedBuckets(t *testing.T) {
	// A server that re-sends buckets at or before the after value (OpenSearch #7479) does not
	// make groups count twice: they are dropped, the total and the window stay exact.
	const n = 23
	groups := fakeGroups(n)
	for _, repeat := range []int{1, 3} {
		for _, c := range []struct{ offset, limit int }{{0, 100}, {3, 5}, {10, 4}, {21, 5}, {30, 1}} {
			t.Run(fmt.Sprintf("repeat=%d,offset=%d,limit=%d", repeat, c.offset, c.limit), func(t *testing.T) {
				f := &fakeServer{groups: groups, repeat: repeat}
				p := params(t, []string{"project_id"}, "")
				p.PageSize = 5
				total, rows, err := Walk(context.Background(), f, p, c.offset, c.limit, false)
				require.NoError(t, err)
				require.Equal(t, int64(n), total)
				require.Equal(t, wantRows(groups, c.offset, c.offset+c.limit), rows)
			})
		}
	}
}

func TestWalkEmpty(t *testing.T) {
	f := &fakeServer{}
	total, rows, err := Walk(context.Background(), f, params(t, []string{"project_id"}, ""), 0, 10, false)
	require.NoError(t, err)
	require.Zero(t, total)
	require.Empty(t, rows)
	require.Len(t, f.requests, 1)
}

func TestWalkDefaultPageSize(t *testing.T) {
	f := &fakeServer{groups: fakeGroups(3)}
	total, _, err := Walk(context.Background(), f, params(t, []string{"project_id"}, ""), 0, 1, false)
	require.NoError(t, err)
	require.Equal(t, int64(3), total)
	require.Equal(t, DefaultPageSize, f.requests[0].Aggs.Groups.Composite.Size)
}

func TestWalkErrors(t *testing.T) {
	boom := errors.New("shard failure: too_many_buckets_exception")
	p := params(t, []string{"project_id"}, "")
	p.PageSize = 3

	f := &fakeServer{groups: fakeGroups(10), fail: boom, failAt: 2}
	_, rows, err := Walk(context.Background(), f, p, 0, 100, false)
	require.ErrorIs(t, err, boom)
	require.ErrorContains(t, err, "composite page 2")
	require.Nil(t, rows, "no partial result on error")

	f = &fakeServer{groups: fakeGroups(10), stuck: true}
	_, _, err = Walk(context.Background(), f, p, 0, 100, false)
	require.ErrorContains(t, err, `composite page 1: after_key {g0: "p0002"} does not advance past {g0: "p0002"}`)
	require.Len(t, f.requests, 2, "a walk that does not advance stops")

	// An after_key that goes backwards fails too.
	calls := 0
	back := searcherFunc(func(ctx context.Context, body []byte) (json.RawMessage, error) {
		calls++
		if calls == 1 {
			return json.RawMessage(`{"groups": {"after_key": {"g0": "m"}, "buckets": [{"key": {"g0": "m"}, "f0": {"value": 1}, "f1": {"value": 1}}]}}`), nil
		}
		return json.RawMessage(`{"groups": {"after_key": {"g0": "a"}, "buckets": [{"key": {"g0": "z"}, "f0": {"value": 1}, "f1": {"value": 1}}]}}`), nil
	})
	_, _, err = Walk(context.Background(), back, p, 0, 100, false)
	require.ErrorContains(t, err, `composite page 1: after_key {g0: "a"} does not advance past {g0: "m"}`)

	_, _, err = Walk(context.Background(), f, p, -1, 10, false)
	require.ErrorIs(t, err, storage.ErrInvalid)
	require.ErrorContains(t, err, "offset -1")
	_, _, err = Walk(context.Background(), f, p, 0, -2, false)
	require.ErrorIs(t, err, storage.ErrInvalid)
	bad := p
	bad.Fields = []storage.CustomField{{Func: "sum", Field: "price; drop", Alias: "x"}}
	_, _, err = Walk(context.Background(), f, bad, 0, 10, false)
	require.ErrorIs(t, err, storage.ErrInvalid)

	// A server returning more buckets than asked for is refused rather than miscounted.
	big := searcherFunc(func(ctx context.Context, body []byte) (json.RawMessage, error) {
		return json.RawMessage(`{"groups": {"buckets": [{"key": {"g0": "a"}}, {"key": {"g0": "b"}}, {"key": {"g0": "c"}}, {"key": {"g0": "d"}}]}}`), nil
	})
	_, _, err = Walk(context.Background(), big, p, 0, 10, false)
	require.ErrorContains(t, err, "4 buckets for a page size of 3")

	garbage := searcherFunc(func(ctx context.Context, body []byte) (json.RawMessage, error) {
		return json.RawMessage(`{"groups": {"buckets": [{"key": {"g0": "a"}, "f0": {"value": 1}}]}}`), nil
	})
	_, _, err = Walk(context.Background(), garbage, p, 0, 10, false)
	require.ErrorContains(t, err, "composite page 0, bucket 0: no aggregation f1 (custom field rate)")
}

type searcherFunc func(ctx context.Context, body []byte) (json.RawMessage, error)

func (f searcherFunc) Search(ctx context.Context, body []byte) (json.RawMessage, error) {
	return f(ctx, body)
}

func TestWalkContextCancel(t *testing.T) {
	p := params(t, []string{"project_id"}, "")
	p.PageSize = 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fakeServer{groups: fakeGroups(10), onPage: func(page int) {
		if page == 1 {
			cancel()
		}
	}}
	_, _, err := Walk(ctx, f, p, 0, 100, false)
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, f.requests, 2)

	// A context cancelled before the walk sends nothing.
	f = &fakeServer{groups: fakeGroups(10)}
	_, _, err = Walk(ctx, f, p, 0, 100, false)
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, f.requests)
}

func TestWalkUngrouped(t *testing.T) {
	respond := func(aggs string) (*[]string, Searcher) {
		var bodies []string
		return &bodies, searcherFunc(func(ctx context.Context, body []byte) (json.RawMessage, error) {
			bodies = append(bodies, string(body))
			return json.RawMessage(aggs), nil
		})
	}
	p := params(t, nil, "")
	bodies, s := respond(`{"f0": {"value": 0}, "f1": {"value": 0}, "matched": {"value": 0}}`)
	total, rows, err := Walk(context.Background(), s, p, 0, 10, false)
	require.NoError(t, err)
	require.Zero(t, total)
	require.Empty(t, rows)
	require.Len(t, *bodies, 1)
	want, err := UngroupedBody(p)
	require.NoError(t, err)
	require.Equal(t, string(want), (*bodies)[0])
	require.False(t, strings.Contains((*bodies)[0], "composite"))

	_, s = respond(`{"f0": {"value": 5}, "f1": {"value": 2.5}, "matched": {"value": 2}}`)
	total, rows, err = Walk(context.Background(), s, p, 0, 10, false)
	require.NoError(t, err)
	require.Equal(t, int64(1), total)
	require.Equal(t, []storage.Row{{Begin: dec1, End: jan1, Fields: []storage.Field{{Name: "qty", Value: 5}, {Name: "rate", Value: 2.5}}}}, rows)

	total, rows, err = Walk(context.Background(), s, p, 1, 10, false)
	require.NoError(t, err)
	require.Equal(t, int64(1), total, "the total counts the row the window skips")
	require.Empty(t, rows)

	total, rows, err = Walk(context.Background(), s, p, 1, 10, true)
	require.NoError(t, err)
	require.Equal(t, int64(1), total)
	require.Len(t, rows, 1)

	boom := errors.New("node down")
	_, _, err = Walk(context.Background(), searcherFunc(func(context.Context, []byte) (json.RawMessage, error) { return nil, boom }), p, 0, 10, false)
	require.ErrorIs(t, err, boom)
}

// A search that reached no index answers without aggregations: nothing matched.
func TestWalkNoIndexInRange(t *testing.T) {
	none := searcherFunc(func(context.Context, []byte) (json.RawMessage, error) { return nil, nil })
	for _, groupby := range [][]string{nil, {"project_id"}} {
		total, rows, err := Walk(context.Background(), none, params(t, groupby, ""), 0, 10, false)
		require.NoError(t, err, "groupby %v", groupby)
		require.Zero(t, total)
		require.Empty(t, rows)
	}
}
