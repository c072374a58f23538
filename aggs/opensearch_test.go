package aggs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/ostest"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
	"github.com/ckos/ckos/storage/memory"
)

// This file checks the builders and the pager against a real node (skipped without one, see
// internal/ostest): every Total and Retrieve page must equal the memory driver's on the same data.

// osSearcher runs composite pages on one index and fails on partial results.
type osSearcher struct {
	c     *opensearchapi.Client
	index string
}

func (s osSearcher) Search(ctx context.Context, body []byte) (json.RawMessage, error) {
	resp, err := s.c.Search(ctx, &opensearchapi.SearchReq{Indices: []string{s.index}, Body: bytes.NewReader(body)})
	if err != nil {
		return nil, err
	}
	if resp.Shards.Failed > 0 || resp.Timeout {
		return nil, fmt.Errorf("partial search: %d shards failed, timed out %v", resp.Shards.Failed, resp.Timeout)
	}
	return resp.Aggregations, nil
}

// searchHits runs a search body and returns its "hits" object.
func searchHits(ctx context.Context, c *opensearchapi.Client, index string, body []byte) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/"+index+"/_search", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Client.Perform(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("search: %s: %s", resp.Status, raw)
	}
	var r struct {
		Shards struct {
			Failed int `json:"failed"`
		} `json:"_shards"`
		Hits json.RawMessage `json:"hits"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	if r.Shards.Failed > 0 {
		return nil, fmt.Errorf("search: %d shards failed: %s", r.Shards.Failed, raw)
	}
	return r.Hits, nil
}

// testFrames returns hourly frames from 2026-03-25 to 2026-04-03 (across the Paris DST change of
// March 29) with a few points each; some lack project_id. Quantities and prices are multiples of
// 1/4 so every sum is exact in both drivers.
func testFrames(seed uint64) []dataframe.DataFrame {
	r := rand.New(rand.NewPCG(seed, 1))
	var frames []dataframe.DataFrame
	for t := time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC); t.Before(time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)); t = t.Add(time.Hour) {
		if r.IntN(3) == 0 {
			continue
		}
		f := dataframe.DataFrame{Start: t, End: t.Add(time.Hour)}
		for _, typ := range []string{"instance", "volume.size"} {
			for i := range r.IntN(3) {
				gb := map[string]string{"id": fmt.Sprintf("r%d", i)}
				if p := r.IntN(4); p > 0 {
					gb["project_id"] = fmt.Sprintf("p%d", p)
				}
				f.AddPoint(typ, dataframe.DataPoint{Unit: "u", Qty: float64(r.IntN(8)) / 4, Price: float64(r.IntN(40)) / 4,
					Groupby: gb, Metadata: map[string]string{"flavor": []string{"m1.nano", "m1.small"}[r.IntN(2)]}})
			}
		}
		frames = append(frames, f)
	}
	return frames
}

func TestAgainstOpenSearch(t *testing.T) {
	e := ostest.Cluster(t)
	ctx := context.Background()
	index := e.Prefix + "-2026.03"
	mappingBody, err := json.Marshal(map[string]any{"mappings": mapping.Mappings()})
	require.NoError(t, err)
	_, err = e.Client.Indices.Create(ctx, opensearchapi.IndicesCreateReq{Index: index, Body: bytes.NewReader(mappingBody)})
	require.NoError(t, err)

	frames := testFrames(7)
	var bulk []byte
	var enc mapping.Encoder
	npoints := 0
	for _, f := range frames {
		for _, typ := range f.Types() {
			for _, p := range f.Usage[typ] {
				id := storage.PointID(typ, f.Start, f.End, p.Groupby, 0)
				bulk = mapping.AppendIndexAction(bulk, index, id)
				bulk = enc.AppendDocument(bulk, typ, f.Start, f.End, p, id)
				npoints++
			}
		}
	}
	resp, err := e.Client.Bulk(ctx, opensearchapi.BulkReq{Body: bytes.NewReader(bulk), Params: opensearchapi.BulkParams{Refresh: "true"}})
	require.NoError(t, err)
	require.False(t, resp.Errors, "bulk item errors")
	require.Greater(t, npoints, 300)

	s := osSearcher{c: e.Client, index: index}
	begin, end := time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)
	windows := []storage.Window{
		{Begin: begin, End: end},
		{Begin: time.Date(2026, 3, 27, 5, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 17, 0, 0, 0, time.UTC),
			MetricTypes: []string{"instance"}, Filters: storage.Filters{"project_id": {"p1", "p3"}, "flavor": {"m1.small"}}},
	}
	zones := []string{"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"}
	groupbys := [][]string{
		nil,
		{"project_id"},
		{"type", "project_id"},
		{"project_id", "id", "type"},
		{"time"},
		{"project_id", "time"},
		{"calendar-day"},
		{"project_id", "calendar-day"},
		{"calendar-week", "type"},
		{"calendar-month"},
	}
	for wi, w := range windows {
		for _, zone := range zones {
			loc, err := time.LoadLocation(zone)
			require.NoError(t, err)
			for _, gb := range groupbys {
				calendar := strings.Contains(strings.Join(gb, ","), "calendar")
				if !calendar && zone != "UTC" {
					continue
				}
				elems, err := storage.ParseGroupby(gb)
				require.NoError(t, err)
				mstore := memory.New(storage.Config{Location: loc})
				require.NoError(t, mstore.Push(ctx, frames))
				const custom = "SUM(qty) AS qty, SUM(price) AS rate, MIN(price) AS lo, MAX(qty) AS hi, COUNT(qty) AS n, AVG(price) AS mean"
				fields, err := storage.ParseCustomFields(custom)
				require.NoError(t, err)
				pages := []int{4, 1000}
				if calendar {
					pages = append(pages, 1) // a page per bucket: every bucket key goes back as after
				}
				for _, page := range pages {
					for _, win := range []struct{ offset, limit int }{{0, 1000}, {7, 3}} {
						name := fmt.Sprintf("window%d/%s/%s/page%d/offset%d", wi, zone, strings.Join(gb, "+"), page, win.offset)
						want, err := mstore.Total(ctx, storage.TotalQuery{Window: w, Groupby: gb, CustomFields: custom,
							Offset: win.offset, Limit: win.limit})
						require.NoError(t, err, name)
						p := CompositeParams{Window: w, Groups: elems, Fields: fields, Location: loc, PageSize: page}
						total, rows, err := Walk(ctx, s, p, win.offset, win.limit, false)
						require.NoError(t, err, name)
						require.Equal(t, want.Total, total, name)
						require.Len(t, rows, len(want.Rows), name)
						for i := range rows {
							require.True(t, want.Rows[i].Begin.Equal(rows[i].Begin), "%s row %d begin %s, memory %s", name, i, rows[i].Begin, want.Rows[i].Begin)
							require.True(t, want.Rows[i].End.Equal(rows[i].End), "%s row %d end %s, memory %s", name, i, rows[i].End, want.Rows[i].End)
							require.Equal(t, want.Rows[i].Groups, rows[i].Groups, "%s row %d", name, i)
							require.Len(t, rows[i].Fields, len(want.Rows[i].Fields))
							for j, f := range rows[i].Fields {
								require.Equal(t, want.Rows[i].Fields[j].Name, f.Name)
								require.InDelta(t, want.Rows[i].Fields[j].Value, f.Value, 1e-9, "%s row %d field %s", name, i, f.Name)
							}
						}
					}
				}
			}
		}
	}

	// Retrieve: from/size pages and search_after pages give memory's points in memory's order.
	for wi, w := range windows {
		for _, tm := range []storage.TimeMatch{storage.TimeMatchStart, storage.TimeMatchInside} {
			mstore := memory.New(storage.Config{TimeMatch: tm})
			require.NoError(t, mstore.Push(ctx, frames))
			want, err := mstore.Retrieve(ctx, storage.RetrieveQuery{Window: w, All: true})
			require.NoError(t, err)
			type flat struct {
				typ        string
				start, end time.Time
				p          dataframe.DataPoint
			}
			var wantPts []flat
			for _, f := range want.DataFrames {
				for _, typ := range f.Types() {
					for _, p := range f.Usage[typ] {
						wantPts = append(wantPts, flat{typ, f.Start, f.End, p})
					}
				}
			}
			// Within a frame memory groups by type; the sort is start, end, type, doc_key, so the
			// per-type order inside a frame is doc_key order, as memory's id order.
			var got []flat
			var after json.RawMessage
			for page := 0; ; page++ {
				body, err := RetrieveBody(RetrieveParams{Window: w, TimeMatch: tm, Size: 17, SearchAfter: after, SkipTotal: page > 0})
				require.NoError(t, err)
				hits, err := searchHits(ctx, e.Client, index, body)
				require.NoError(t, err)
				total, hs, err := DecodeHits(hits)
				require.NoError(t, err)
				if page == 0 {
					require.Equal(t, want.Total, total, "window %d %s", wi, tm)
				} else {
					require.Equal(t, int64(-1), total)
				}
				for _, h := range hs {
					got = append(got, flat{h.Type, h.Start, h.End, h.Point})
				}
				if len(hs) < 17 {
					break
				}
				after = hs[len(hs)-1].Sort
			}
			require.Equal(t, wantPts, got, "window %d %s: search_after pages", wi, tm)

			body, err := RetrieveBody(RetrieveParams{Window: w, TimeMatch: tm, Size: 5, From: 11})
			require.NoError(t, err)
			hits, err := searchHits(ctx, e.Client, index, body)
			require.NoError(t, err)
			_, hs, err := DecodeHits(hits)
			require.NoError(t, err)
			require.Len(t, hs, min(5, max(len(wantPts)-11, 0)))
			for i, h := range hs {
				require.Equal(t, wantPts[11+i], flat{h.Type, h.Start, h.End, h.Point}, "window %d %s: from page", wi, tm)
			}
		}
	}
}
