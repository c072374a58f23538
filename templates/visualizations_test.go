package templates

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/internal/ostest"
	"github.com/ckos/ckos/mapping"
)

// Dashboards cannot run here, so this proves the visualizations another way: each one's
// aggregations, read from the NDJSON ckos generates, are translated into the search Dashboards
// would send, run against documents pushed through the mapping encoder, and the buckets compared
// with sums computed from the documents.

var (
	visDay1 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	visDay2 = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	visDocs = []testDoc{
		{visDay1, "instance", "instance", "p1", "vm-1", 1, 2.5},
		{visDay1.Add(time.Hour), "instance", "instance", "p1", "vm-1", 1, 2.5},
		{visDay1, "instance", "instance", "p1", "vm-2", 1, 4},
		{visDay2, "instance", "instance", "p1", "vm-2", 1, 4},
		{visDay2, "instance", "instance", "p2", "vm-3", 1, 1.5},
		{visDay1, "volume.size", "GiB", "p1", "vol-1", 10, 0.5},
		{visDay2, "volume.size", "GiB", "p1", "vol-1", 10, 0.5},
		{visDay2, "volume.size", "GiB", "p2", "vol-2", 100, 5.25},
		{visDay1, "image.size", "MiB", "p3", "img-1", 300, 0.125},
	}
)

// docField returns a document's value of a keyword or date field as a bucket key.
func docField(d testDoc, field string) string {
	switch field {
	case "type":
		return d.typ
	case "unit":
		return d.unit
	case "groupby.project_id":
		return d.project
	case "groupby.id":
		return d.id
	case "start":
		return d.start.Truncate(24 * time.Hour).Format(time.DateOnly)
	}
	panic("no test field " + field)
}

func docMetric(d testDoc, field string) float64 {
	switch field {
	case "price":
		return d.price
	case "qty":
		return d.qty
	}
	panic("no test metric " + field)
}

// visRow is one leaf bucket: its keys from the outermost bucket aggregation in, and its metrics
// by aggregation id.
type visRow struct {
	Keys    []string
	Metrics map[string]float64
}

func (r visRow) String() string { return fmt.Sprintf("%v %v", r.Keys, r.Metrics) }

// visSearch translates a visState's aggregations into a search body the way Dashboards nests
// them: bucket aggregations in order, each holding the next one and every metric (terms order
// by a metric id, which must therefore be its sub-aggregation).
func visSearch(t *testing.T, aggs []visAgg, from, to time.Time) (map[string]any, []visAgg, []visAgg) {
	t.Helper()
	var buckets, metrics []visAgg
	for _, a := range aggs {
		require.True(t, a.Enabled, "agg %s enabled", a.ID)
		if a.Schema == "metric" {
			metrics = append(metrics, a)
		} else {
			buckets = append(buckets, a)
		}
	}
	metricAggs := func() map[string]any {
		m := map[string]any{}
		for _, a := range metrics {
			require.Equal(t, "sum", a.Type, "metric agg %s", a.ID)
			m[a.ID] = map[string]any{"sum": map[string]any{"field": a.Params["field"]}}
		}
		return m
	}
	level := metricAggs()
	for i := len(buckets) - 1; i >= 0; i-- {
		b := buckets[i]
		var node map[string]any
		switch b.Type {
		case "terms":
			order := map[string]any{}
			key := b.Params["orderBy"].(string)
			if key != "_key" {
				_, isMetric := level[key]
				require.True(t, isMetric, "terms %s orders by metric %s, which exists", b.ID, key)
			}
			order[key] = b.Params["order"]
			node = map[string]any{"terms": map[string]any{"field": b.Params["field"], "size": b.Params["size"], "order": order}}
		case "date_histogram":
			interval := b.Params["interval"].(string)
			if interval == "auto" {
				interval = "1d" // what Dashboards picks for a range of a few days
			}
			node = map[string]any{"date_histogram": map[string]any{"field": b.Params["field"], "calendar_interval": interval,
				"min_doc_count": b.Params["min_doc_count"], "time_zone": "UTC"}}
		default:
			t.Fatalf("bucket agg type %q not translated", b.Type)
		}
		node["aggs"] = level
		level = metricAggs()
		level[b.ID] = node
	}
	body := map[string]any{
		"size":  0,
		"query": map[string]any{"bool": map[string]any{"filter": []any{map[string]any{"range": map[string]any{"start": map[string]any{"gte": from.Format(time.RFC3339), "lt": to.Format(time.RFC3339)}}}}}},
		"aggs":  level,
	}
	return body, buckets, metrics
}

// walkBuckets flattens a search answer's nested buckets into rows, in answer order.
func walkBuckets(t *testing.T, level map[string]any, buckets, metrics []visAgg, keys []string) []visRow {
	t.Helper()
	if len(buckets) == 0 {
		r := visRow{Keys: keys, Metrics: map[string]float64{}}
		for _, m := range metrics {
			v, ok := level[m.ID].(map[string]any)["value"].(float64)
			require.True(t, ok, "metric %s has a value", m.ID)
			r.Metrics[m.ID] = v
		}
		return []visRow{r}
	}
	b := buckets[0]
	agg, ok := level[b.ID].(map[string]any)
	require.True(t, ok, "answer has aggregation %s", b.ID)
	var rows []visRow
	for _, x := range agg["buckets"].([]any) {
		bk := x.(map[string]any)
		var key string
		if b.Type == "date_histogram" {
			key = time.UnixMilli(int64(bk["key"].(float64))).UTC().Format(time.DateOnly)
		} else {
			key = bk["key"].(string)
		}
		rows = append(rows, walkBuckets(t, bk, buckets[1:], metrics, append(append([]string{}, keys...), key))...)
	}
	return rows
}

// expectRows computes the rows the aggregations must return from the documents.
func expectRows(t *testing.T, docs []testDoc, buckets, metrics []visAgg, keys []string) []visRow {
	t.Helper()
	if len(buckets) == 0 {
		r := visRow{Keys: keys, Metrics: map[string]float64{}}
		for _, m := range metrics {
			for _, d := range docs {
				r.Metrics[m.ID] += docMetric(d, m.Params["field"].(string))
			}
		}
		return []visRow{r}
	}
	b := buckets[0]
	field := b.Params["field"].(string)
	groups := map[string][]testDoc{}
	for _, d := range docs {
		k := docField(d, field)
		groups[k] = append(groups[k], d)
	}
	type group struct {
		key   string
		order float64
	}
	var gs []group
	for k, ds := range groups {
		g := group{key: k}
		if b.Type == "terms" && b.Params["orderBy"] != "_key" {
			var m visAgg
			for _, x := range metrics {
				if x.ID == b.Params["orderBy"] {
					m = x
				}
			}
			for _, d := range ds {
				g.order += docMetric(d, m.Params["field"].(string))
			}
		}
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool {
		if b.Type == "date_histogram" || b.Params["orderBy"] == "_key" {
			return gs[i].key < gs[j].key
		}
		require.NotEqual(t, gs[i].order, gs[j].order, "test data has a tie in %s (%s, %s): pick other values", field, gs[i].key, gs[j].key)
		if b.Params["order"] == "asc" {
			return gs[i].order < gs[j].order
		}
		return gs[i].order > gs[j].order
	})
	if b.Type == "terms" {
		if size := int(b.Params["size"].(float64)); len(gs) > size {
			gs = gs[:size]
		}
	}
	var rows []visRow
	for _, g := range gs {
		rows = append(rows, expectRows(t, groups[g.key], buckets[1:], metrics, append(append([]string{}, keys...), g.key))...)
	}
	return rows
}

func TestVisualizationsQueryPushedData(t *testing.T) {
	e := ostest.Cluster(t)
	s := clusterSettings(e)
	_, err := Install(t.Context(), e.Client, s, InstallOptions{})
	require.NoError(t, err)
	pushDocs(t, e.Client, e.Prefix, mapping.Day, visDocs)

	nd, err := DashboardsNDJSON(s)
	require.NoError(t, err)
	objs := parseSavedObjects(t, nd)
	vis := checkReferences(t, objs)
	pattern := objs[0].Attributes["title"].(string)
	require.Equal(t, e.Prefix+"-2*", pattern)

	rowsOf := map[string][]visRow{}
	for id, vs := range vis {
		body, buckets, metrics := visSearch(t, vs.Aggs, visDay1.Add(-24*time.Hour), visDay2.Add(24*time.Hour))
		b, err := json.Marshal(body)
		require.NoError(t, err)
		var answer struct {
			Shards struct {
				Failed int `json:"failed"`
			} `json:"_shards"`
			Aggregations map[string]any `json:"aggregations"`
		}
		require.NoError(t, json.Unmarshal(req(t, e.Client, http.MethodPost, "/"+pattern+"/_search", b), &answer), id)
		require.Zero(t, answer.Shards.Failed, "%s: no shard failed", id)
		got := walkBuckets(t, answer.Aggregations, buckets, metrics, nil)
		want := expectRows(t, visDocs, buckets, metrics, nil)
		assert.Equal(t, want, got, "%s (%s): buckets", id, vs.Title)
		rowsOf[id] = got
	}

	// A few figures by hand, so the check above does not only agree with itself.
	assert.Equal(t, []visRow{
		{[]string{"p1"}, map[string]float64{"1": 14}},
		{[]string{"p2"}, map[string]float64{"1": 6.75}},
		{[]string{"p3"}, map[string]float64{"1": 0.125}},
	}, rowsOf[e.Prefix+"-cost-by-project"])
	top := rowsOf[e.Prefix+"-top-resources"]
	require.Len(t, top, 6)
	assert.Equal(t, visRow{[]string{"vm-2", "instance"}, map[string]float64{"1": 8}}, top[0])
	assert.Equal(t, visRow{[]string{"img-1", "image.size"}, map[string]float64{"1": 0.125}}, top[5])
	assert.Equal(t, []visRow{
		{[]string{"MiB", "image.size"}, map[string]float64{"1": 300}},
		{[]string{"GiB", "volume.size"}, map[string]float64{"1": 120}},
		{[]string{"instance", "instance"}, map[string]float64{"1": 5}},
	}, rowsOf[e.Prefix+"-quantity-by-unit"])
	assert.Equal(t, []visRow{
		{[]string{"2026-11-02", "instance"}, map[string]float64{"1": 9}},
		{[]string{"2026-11-02", "volume.size"}, map[string]float64{"1": 0.5}},
		{[]string{"2026-11-02", "image.size"}, map[string]float64{"1": 0.125}},
		{[]string{"2026-11-03", "volume.size"}, map[string]float64{"1": 5.75}},
		{[]string{"2026-11-03", "instance"}, map[string]float64{"1": 5.5}},
	}, rowsOf[e.Prefix+"-cost-over-time"])
}
