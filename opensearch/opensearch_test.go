package opensearch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/ostest"
	"github.com/ckos/ckos/opensearch"
	"github.com/ckos/ckos/storage"
	"github.com/ckos/ckos/storage/memory"
	"github.com/ckos/ckos/storage/storagetest"
)

// requestLog records the requests a Store sends.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) add(method, path string, _ int, _ time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paths = append(l.paths, method+" "+path)
}

func (l *requestLog) matching(sub string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, p := range l.paths {
		if strings.Contains(p, sub) {
			out = append(out, p)
		}
	}
	return out
}

// open returns an initialised Store on a fresh index prefix of the test cluster.
func open(t testing.TB, mod func(*storage.Config)) (*opensearch.Store, ostest.Env) {
	t.Helper()
	env := ostest.Cluster(t)
	cfg := storage.Config{URLs: []string{env.URL}, Index: env.Prefix, Refresh: true, Replicas: 0}
	if mod != nil {
		mod(&cfg)
	}
	ctx := context.Background()
	s, err := opensearch.Open(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, s.Init(ctx))
	t.Cleanup(func() { _ = s.Close() })
	return s, env
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		s, _ := open(t, nil)
		return s
	})
}

func TestConformanceInsideTimeMatch(t *testing.T) {
	storagetest.RunTimeMatchInside(t, func(t *testing.T) storage.Storage {
		s, _ := open(t, func(c *storage.Config) { c.TimeMatch = storage.TimeMatchInside })
		return s
	})
}

// Calendar buckets and default months in a configured time zone, on OpenSearch's own date math.
func TestConformanceTimeZones(t *testing.T) {
	for _, name := range []string{"Europe/Paris", "America/New_York", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		t.Run(name, func(t *testing.T) {
			storagetest.RunTimeZone(t, loc, func(t *testing.T) storage.Storage {
				s, _ := open(t, func(c *storage.Config) { c.Location = loc })
				return s
			})
		})
	}
}

// Points written under one index granularity are still read and deleted after a change of it.
func TestGranularityChangeKeepsOldIndicesVisible(t *testing.T) {
	s, env := open(t, nil)
	ctx := context.Background()
	require.NoError(t, s.Push(ctx, []dataframe.DataFrame{frame("2026-12-03T10:00:00Z", "instance", pt("a", 1, 1))}))
	m, err := opensearch.Open(ctx, storage.Config{URLs: []string{env.URL}, Index: env.Prefix, Refresh: true, IndexGranularity: "month"})
	require.NoError(t, err)
	require.NoError(t, m.Push(ctx, []dataframe.DataFrame{frame("2026-12-04T10:00:00Z", "instance", pt("b", 2, 2))}))
	day := storage.Window{Begin: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}
	for _, st := range []*opensearch.Store{s, m} {
		tot, err := st.Total(ctx, storage.TotalQuery{Window: day})
		require.NoError(t, err)
		require.Len(t, tot.Rows, 1)
		q, _ := tot.Rows[0].Field("qty")
		assert.Equal(t, 3.0, q, "the day index and the month index are both read")
	}
	n, err := m.Delete(ctx, storage.DeleteQuery{Window: day})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
}

// TestDiffAgainstMemory runs the differential test over fixed seeds (reproducible) and one new
// seed per run (logged, so a failure can be replayed with DiffOptions{Seed: N}).
func TestDiffAgainstMemory(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 42, 2026, 0} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			s, _ := open(t, nil)
			m := memory.New(storage.Config{Refresh: true})
			storagetest.Diff(t, m, s, storagetest.DiffOptions{Seed: seed})
		})
	}
}

func TestDiffAgainstMemoryWeeklyIndices(t *testing.T) {
	s, _ := open(t, func(c *storage.Config) { c.IndexGranularity = "week" })
	m := memory.New(storage.Config{Refresh: true})
	storagetest.Diff(t, m, s, storagetest.DiffOptions{})
}

func frame(start string, typ string, pts ...dataframe.DataPoint) dataframe.DataFrame {
	s, err := time.Parse(time.RFC3339, start)
	if err != nil {
		panic(err)
	}
	f := dataframe.DataFrame{Start: s, End: s.Add(time.Hour)}
	for _, p := range pts {
		f.AddPoint(typ, p)
	}
	return f
}

func pt(project string, qty, price float64) dataframe.DataPoint {
	return dataframe.DataPoint{Unit: "u", Qty: qty, Price: price,
		Groupby: map[string]string{"project_id": project, "id": fmt.Sprint(project, qty)}, Metadata: map[string]string{"flavor": "m1"}}
}

func TestPushWritesDateIndicesWithMapping(t *testing.T) {
	s, env := open(t, nil)
	ctx := context.Background()
	require.NoError(t, s.Push(ctx, []dataframe.DataFrame{
		frame("2026-12-03T10:00:00Z", "instance", pt("Project-A", 1, 2)),
		frame("2026-12-04T23:00:00Z", "instance", pt("8d3ae500-89ea-4142-9c6e-1269db6a0b64", 1, 2)),
	}))
	resp, err := env.Client.Client.Perform(mustReq(t, "GET", "/"+env.Prefix+"-*/_mapping"))
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]struct {
		Mappings struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"mappings"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	require.Contains(t, m, env.Prefix+"-2026.12.03")
	require.Contains(t, m, env.Prefix+"-2026.12.04")
	props := m[env.Prefix+"-2026.12.03"].Mappings.Properties
	assert.JSONEq(t, `{"type":"double"}`, string(props["price"]))
	assert.JSONEq(t, `{"type":"double"}`, string(props["qty"]))
	assert.JSONEq(t, `{"type":"keyword"}`, string(props["type"]))
	assert.Contains(t, string(props["start"]), `"date"`)
	assert.Contains(t, string(props["groupby"]), `"project_id":{"type":"keyword"`)
}

func mustBody(t *testing.T, method, path string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, path, bytes.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/x-ndjson")
	return r
}

func mustReq(t *testing.T, method, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, path, nil)
	require.NoError(t, err)
	return r
}

func TestQueriesTouchOnlyTheIndicesOfTheRange(t *testing.T) {
	s, env := open(t, nil)
	var log requestLog
	s.SetRequestLogger(log.add)
	ctx := context.Background()
	require.NoError(t, s.Push(ctx, []dataframe.DataFrame{
		frame("2026-11-30T10:00:00Z", "instance", pt("a", 1, 1)),
		frame("2026-12-01T10:00:00Z", "instance", pt("a", 1, 1)),
		frame("2026-12-02T10:00:00Z", "instance", pt("a", 1, 1)),
	}))
	w := storage.Window{Begin: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	r, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w})
	require.NoError(t, err)
	assert.EqualValues(t, 1, r.Total)
	tot, err := s.Total(ctx, storage.TotalQuery{Window: w, Groupby: []string{"project_id"}})
	require.NoError(t, err)
	require.Len(t, tot.Rows, 1)
	searches := log.matching("_search")
	require.NotEmpty(t, searches)
	for _, p := range searches {
		assert.Contains(t, p, env.Prefix+"-2026.12.01,", p)
		assert.NotContains(t, p, "2026.12.02", p)
		assert.NotContains(t, p, "2026.11.30", p)
		assert.NotContains(t, p, "*", p)
	}
}

func TestRetrieveDeepPagesUsePITAndReleaseIt(t *testing.T) {
	s, env := open(t, nil)
	var log requestLog
	s.SetRequestLogger(log.add)
	ctx := context.Background()
	var frames []dataframe.DataFrame
	for h := 0; h < 30; h++ {
		f := frame(time.Date(2026, 11, 2, h%24, 0, 0, 0, time.UTC).AddDate(0, 0, h/24).Format(time.RFC3339), "instance")
		for i := 0; i < 400; i++ {
			f.AddPoint("instance", pt(fmt.Sprintf("p%03d", i), float64(i), 0.5))
		}
		frames = append(frames, f)
	}
	require.NoError(t, s.Push(ctx, frames))
	w := storage.Window{Begin: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	all, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w, All: true})
	require.NoError(t, err)
	assert.EqualValues(t, 12000, all.Total)
	n := 0
	for _, f := range all.DataFrames {
		n += f.Len()
	}
	assert.Equal(t, 12000, n)
	deep, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w, Offset: 10500, Limit: 700})
	require.NoError(t, err)
	assert.EqualValues(t, 12000, deep.Total)
	// The deep page is exactly points [10500, 11200) of the whole, in the same order.
	flat := func(frames []dataframe.DataFrame) []string {
		var out []string
		for _, f := range frames {
			for _, typ := range f.Types() {
				for _, p := range f.Usage[typ] {
					out = append(out, f.Start.Format(time.RFC3339)+" "+typ+" "+p.Groupby["id"])
				}
			}
		}
		return out
	}
	whole := flat(all.DataFrames)
	require.Len(t, whole, 12000)
	assert.Equal(t, whole[10500:11200], flat(deep.DataFrames))
	assert.NotEmpty(t, log.matching("point_in_time"), "deep pages go through a PIT")
	// Every PIT opened was closed.
	resp, err := env.Client.Client.Perform(mustReq(t, "GET", "/_search/point_in_time/_all"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(body), env.Prefix, "a PIT on the test's indices is still open: %s", body)
}

// manyPoints returns n points spread over hourly frames of December 2026, 500 per frame, with
// prices in quarters so their sum is exact in binary.
func manyPoints(n int) ([]dataframe.DataFrame, float64, float64) {
	var frames []dataframe.DataFrame
	var qty, price float64
	for i := 0; i < n; i++ {
		if i%500 == 0 {
			start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i/500) * time.Hour)
			frames = append(frames, dataframe.DataFrame{Start: start, End: start.Add(time.Hour)})
		}
		typ := []string{"instance", "volume.size", "image.size", "ip.floating"}[i%4]
		p := dataframe.DataPoint{Unit: "u", Qty: float64(i % 7), Price: float64(i%13) * 0.25,
			Groupby:  map[string]string{"project_id": fmt.Sprintf("project-%02d", i%37), "id": fmt.Sprintf("res-%05d", i)},
			Metadata: map[string]string{"flavor": "m1.small"}}
		frames[len(frames)-1].AddPoint(typ, p)
		qty += p.Qty
		price += p.Price
	}
	return frames, qty, price
}

func TestPush50000PointsArriveComplete(t *testing.T) {
	s, _ := open(t, nil)
	s.SetPushOptions(opensearch.PushOptions{FlushBytes: 1 << 20}) // several bulk requests in flight
	ctx := context.Background()
	frames, qty, price := manyPoints(50000)
	require.NoError(t, s.Push(ctx, frames))
	w := storage.Window{Begin: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	r, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w, Limit: 1})
	require.NoError(t, err)
	assert.EqualValues(t, 50000, r.Total)
	tot, err := s.Total(ctx, storage.TotalQuery{Window: w})
	require.NoError(t, err)
	require.Len(t, tot.Rows, 1)
	gotQty, _ := tot.Rows[0].Field("qty")
	gotRate, _ := tot.Rows[0].Field("rate")
	assert.Equal(t, qty, gotQty)
	assert.Equal(t, price, gotRate)
	byProject, err := s.Total(ctx, storage.TotalQuery{Window: w, Groupby: []string{"project_id", "type"}, All: true})
	require.NoError(t, err)
	assert.EqualValues(t, 37*4, byProject.Total)
	// Pushing the same data again stores nothing twice.
	require.NoError(t, s.Push(ctx, frames))
	r, err = s.Retrieve(ctx, storage.RetrieveQuery{Window: w, Limit: 1})
	require.NoError(t, err)
	assert.EqualValues(t, 50000, r.Total)
}

func TestBulkItemFailureFailsPushWithReason(t *testing.T) {
	s, _ := open(t, nil)
	ctx := context.Background()
	// A keyword longer than Lucene's 32766-byte term limit cannot be indexed: the item is rejected
	// by the server, and the push says so instead of storing the other points silently.
	bad := dataframe.DataPoint{Qty: 1, Price: 1, Groupby: map[string]string{"id": strings.Repeat("x", 40000)}, Metadata: map[string]string{}}
	err := s.Push(ctx, []dataframe.DataFrame{frame("2026-12-03T10:00:00Z", "instance", pt("ok", 1, 1), bad)})
	require.Error(t, err)
	assert.ErrorIs(t, err, storage.ErrRejected)
	assert.Contains(t, err.Error(), "1 of 2 points were not stored")
	assert.Contains(t, err.Error(), "HTTP 400")
}

func TestPushWithoutInitIsRefused(t *testing.T) {
	env := ostest.Cluster(t)
	s, err := opensearch.Open(context.Background(), storage.Config{URLs: []string{env.URL}, Index: env.Prefix})
	require.NoError(t, err)
	err = s.Push(context.Background(), []dataframe.DataFrame{frame("2026-12-03T10:00:00Z", "instance", pt("a", 1, 1))})
	require.ErrorIs(t, err, storage.ErrInvalid)
	assert.Contains(t, err.Error(), "run Init")
	require.NoError(t, s.Init(context.Background()))
	require.NoError(t, s.Push(context.Background(), []dataframe.DataFrame{frame("2026-12-03T10:00:00Z", "instance", pt("a", 1, 1))}))
}

// Indices beside the date indices (an operator's backup or archive) are never read nor deleted.
func TestOtherIndicesUnderThePrefixAreLeftAlone(t *testing.T) {
	s, env := open(t, nil)
	ctx := context.Background()
	require.NoError(t, s.Push(ctx, []dataframe.DataFrame{frame("2026-12-03T10:00:00Z", "instance", pt("a", 1, 1))}))
	// An archive copy under the prefix, holding a point of the same period.
	var buf []byte
	buf = append(buf, `{"index":{"_index":"`+env.Prefix+`-archive","_id":"x"}}`+"\n"...)
	buf = append(buf, `{"start":"2026-12-03T10:00:00Z","end":"2026-12-03T11:00:00Z","type":"instance","unit":"u","qty":5,"price":5,"groupby":{},"metadata":{},"doc_key":"x"}`+"\n"...)
	resp, err := env.Client.Client.Perform(mustBody(t, "POST", "/_bulk?refresh=true", buf))
	require.NoError(t, err)
	resp.Body.Close()
	wide := storage.Window{Begin: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, w := range []storage.Window{wide, {Begin: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}} {
		tot, err := s.Total(ctx, storage.TotalQuery{Window: w})
		require.NoError(t, err)
		require.Len(t, tot.Rows, 1)
		q, _ := tot.Rows[0].Field("qty")
		assert.Equal(t, 1.0, q, "the archive is not summed (window %v)", w)
		r, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w, All: true})
		require.NoError(t, err)
		assert.EqualValues(t, 1, r.Total)
	}
	n, err := s.Delete(ctx, storage.DeleteQuery{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "an open delete removes the date index's point only")
	resp, err = env.Client.Client.Perform(mustReq(t, "GET", "/"+env.Prefix+"-archive/_count"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `"count":1`, "the archive keeps its point")
}

// A date index holding a point outside its own day (written by another tool) is not dropped
// whole: Delete removes exactly what Retrieve matches.
func TestDeleteChecksIndexContentsBeforeDropping(t *testing.T) {
	s, env := open(t, nil)
	ctx := context.Background()
	require.NoError(t, s.Push(ctx, []dataframe.DataFrame{frame("2026-12-03T10:00:00Z", "instance", pt("a", 1, 1))}))
	var buf []byte
	buf = append(buf, `{"index":{"_index":"`+env.Prefix+`-2026.12.03","_id":"stray"}}`+"\n"...)
	buf = append(buf, `{"start":"2026-12-02T23:30:00Z","end":"2026-12-03T00:30:00Z","type":"instance","unit":"u","qty":7,"price":7,"groupby":{},"metadata":{},"doc_key":"stray"}`+"\n"...)
	resp, err := env.Client.Client.Perform(mustBody(t, "POST", "/_bulk?refresh=true", buf))
	require.NoError(t, err)
	resp.Body.Close()
	day := storage.Window{Begin: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
	n, err := s.Delete(ctx, storage.DeleteQuery{Window: day})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
	r, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: storage.Window{Begin: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), End: day.Begin}})
	require.NoError(t, err)
	assert.EqualValues(t, 0, r.Total, "only the mapped days are queried")
	resp, err = env.Client.Client.Perform(mustReq(t, "GET", "/"+env.Prefix+"-2026.12.03/_count"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `"count":1`, "the stray point of Dec 2 survives")
}

// Deep retrieve and delete over a long range of existing indices keep their request lines short.
func TestLongRangesOfExistingIndices(t *testing.T) {
	s, _ := open(t, nil)
	ctx := context.Background()
	var frames []dataframe.DataFrame
	for d := 0; d < 200; d++ {
		frames = append(frames, frame(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC).AddDate(0, 0, d).Format(time.RFC3339), "instance", pt("a", 1, 1)))
	}
	require.NoError(t, s.Push(ctx, frames))
	w := storage.Window{Begin: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w, All: true})
	require.NoError(t, err)
	assert.EqualValues(t, 200, r.Total)
	n, err := s.Delete(ctx, storage.DeleteQuery{Window: storage.Window{Begin: w.Begin, Filters: storage.Filters{"project_id": {"a"}}}})
	require.NoError(t, err)
	assert.EqualValues(t, 200, n, "a filtered delete over 200 indices")
}

func TestDeleteDropsWholeIndices(t *testing.T) {
	s, env := open(t, nil)
	var log requestLog
	s.SetRequestLogger(log.add)
	ctx := context.Background()
	require.NoError(t, s.Push(ctx, []dataframe.DataFrame{
		frame("2026-12-01T10:00:00Z", "instance", pt("a", 1, 1), pt("b", 2, 1)),
		frame("2026-12-02T10:00:00Z", "instance", pt("a", 1, 1)),
		frame("2026-12-03T10:00:00Z", "instance", pt("a", 1, 1)),
	}))
	n, err := s.Delete(ctx, storage.DeleteQuery{Window: storage.Window{
		Begin: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	assert.EqualValues(t, 3, n)
	assert.NotEmpty(t, log.matching("DELETE /"+env.Prefix+"-2026.12.01"), "the whole index of Dec 1 is dropped")
	assert.NotEmpty(t, log.matching("2026.12.02/_delete_by_query"), "Dec 2 is only partly in range")
	r, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: storage.Window{
		Begin: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, r.Total)
}

func TestOpenUnreachableNamesURL(t *testing.T) {
	_, err := opensearch.Open(context.Background(), storage.Config{URLs: []string{"http://user:secret@127.0.0.1:1"}})
	require.Error(t, err)
	assert.ErrorIs(t, err, storage.ErrUnavailable)
	assert.Contains(t, err.Error(), "http://127.0.0.1:1")
	assert.NotContains(t, err.Error(), "secret")
}

func TestLongCallsReportProgress(t *testing.T) {
	s, _ := open(t, nil)
	ctx := context.Background()
	frames, _, _ := manyPoints(12000)
	require.NoError(t, s.Push(ctx, frames))
	w := storage.Window{Begin: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	var reports [][2]int64
	pctx := storage.WithProgress(ctx, func(done, total int64) { reports = append(reports, [2]int64{done, total}) })
	_, err := s.Retrieve(pctx, storage.RetrieveQuery{Window: w, All: true})
	require.NoError(t, err)
	require.NotEmpty(t, reports)
	assert.Equal(t, [2]int64{12000, 12000}, reports[len(reports)-1], "retrieve --all ends at its total")
	reports = nil
	n, err := s.Delete(pctx, storage.DeleteQuery{Window: storage.Window{Begin: w.Begin, Filters: storage.Filters{"flavor": {"m1.small"}}}})
	require.NoError(t, err)
	assert.EqualValues(t, 12000, n)
	require.NotEmpty(t, reports)
	assert.Equal(t, int64(12000), reports[len(reports)-1][0], "delete ends at what it deleted")
}
