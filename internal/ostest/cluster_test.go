package ostest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createIndex creates index with a mapping where every field named in keywords is a keyword.
func createIndex(t *testing.T, e Env, index string, keywords ...string) {
	t.Helper()
	props := map[string]any{}
	for _, k := range keywords {
		props[k] = map[string]string{"type": "keyword"}
	}
	body := map[string]any{
		"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0},
		"mappings": map[string]any{"dynamic": "strict", "properties": props},
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodPut, "/"+index, body, nil))
}

// indexDocs indexes docs into index, one request each, and refreshes once.
func indexDocs(t *testing.T, e Env, index string, docs ...string) {
	t.Helper()
	for i, d := range docs {
		_, err := e.Client.Index(t.Context(), opensearchapi.IndexReq{
			Index: index, DocumentID: fmt.Sprint(i), Body: strings.NewReader(d),
		})
		require.NoError(t, err)
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodPost, "/"+index+"/_refresh", nil, nil))
}

func count(t *testing.T, e Env, index string) int {
	t.Helper()
	resp, err := e.Client.Indices.Count(t.Context(), &opensearchapi.IndicesCountReq{Indices: []string{index}})
	require.NoError(t, err)
	return resp.Count
}

func TestClusterHealthIsYellowOrGreen(t *testing.T) {
	e := Cluster(t)
	resp, err := e.Client.Cluster.Health(t.Context(), nil)
	require.NoError(t, err)
	assert.Contains(t, []string{"yellow", "green"}, resp.Status)
	assert.GreaterOrEqual(t, resp.NumberOfNodes, 1)
}

// _delete_by_query is served by the reindex module, which scripts/opensearch.sh assembles by hand.
func TestDeleteByQueryDeletes(t *testing.T) {
	e := Cluster(t)
	index := e.Prefix + "-dbq"
	createIndex(t, e, index, "project")
	indexDocs(t, e, index, `{"project":"a"}`, `{"project":"b"}`, `{"project":"c"}`)
	require.Equal(t, 3, count(t, e, index))

	refresh := true
	resp, err := e.Client.Document.DeleteByQuery(t.Context(), opensearchapi.DocumentDeleteByQueryReq{
		Indices: []string{index},
		Body:    strings.NewReader(`{"query":{"term":{"project":"b"}}}`),
		Params:  opensearchapi.DocumentDeleteByQueryParams{Refresh: &refresh},
	})
	require.NoError(t, err, "is the reindex module installed? (scripts/opensearch.sh puts it in modules/reindex)")
	assert.Equal(t, 1, resp.Deleted)
	assert.Empty(t, resp.Failures)
	assert.Equal(t, 2, count(t, e, index))
}

func TestPointInTimeCreateAndDelete(t *testing.T) {
	e := Cluster(t)
	index := e.Prefix + "-pit"
	createIndex(t, e, index, "k")
	indexDocs(t, e, index, `{"k":"x"}`, `{"k":"y"}`)

	created, err := e.Client.PointInTime.Create(t.Context(), opensearchapi.PointInTimeCreateReq{
		Indices: []string{index},
		Params:  opensearchapi.PointInTimeCreateParams{KeepAlive: time.Minute},
	})
	require.NoError(t, err)
	require.NotEmpty(t, created.PitID)
	assert.Zero(t, created.Shards.Failed)

	// A search through the PIT sees the documents.
	var found struct {
		Hits struct {
			Hits []struct {
				ID string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
	}
	body := map[string]any{
		"size": 10, "pit": map[string]any{"id": created.PitID, "keep_alive": "1m"},
		"sort": []any{map[string]string{"k": "asc"}},
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodPost, "/_search", body, &found))
	assert.Len(t, found.Hits.Hits, 2)

	deleted, err := e.Client.PointInTime.Delete(t.Context(), opensearchapi.PointInTimeDeleteReq{PitID: []string{created.PitID}})
	require.NoError(t, err)
	require.Len(t, deleted.Pits, 1)
	assert.True(t, deleted.Pits[0].Successful)
	assert.Equal(t, created.PitID, deleted.Pits[0].PitID)
}

func TestCompositeAggregationPagesWithAfterKey(t *testing.T) {
	e := Cluster(t)
	index := e.Prefix + "-composite"
	createIndex(t, e, index, "project", "type")
	var docs []string
	want := map[string]int{}
	for i := range 11 {
		p, ty := fmt.Sprintf("p%02d", i%5), []string{"cpu", "ram"}[i%2]
		docs = append(docs, fmt.Sprintf(`{"project":%q,"type":%q}`, p, ty))
		want[p+"/"+ty]++
	}
	indexDocs(t, e, index, docs...)

	type bucket struct {
		Key      map[string]string `json:"key"`
		DocCount int               `json:"doc_count"`
	}
	var got []string
	counts := map[string]int{}
	var after map[string]string
	pages := 0
	for {
		composite := map[string]any{
			"size": 2,
			"sources": []any{
				map[string]any{"project": map[string]any{"terms": map[string]string{"field": "project"}}},
				map[string]any{"type": map[string]any{"terms": map[string]string{"field": "type"}}},
			},
		}
		if after != nil {
			composite["after"] = after
		}
		var resp struct {
			Aggregations struct {
				G struct {
					AfterKey map[string]string `json:"after_key"`
					Buckets  []bucket          `json:"buckets"`
				} `json:"g"`
			} `json:"aggregations"`
		}
		body := map[string]any{"size": 0, "aggs": map[string]any{"g": map[string]any{"composite": composite}}}
		require.NoError(t, do(t.Context(), e.Client, http.MethodPost, "/"+index+"/_search", body, &resp))
		pages++
		require.Less(t, pages, 20, "composite pagination does not end")
		g := resp.Aggregations.G
		for _, b := range g.Buckets {
			k := b.Key["project"] + "/" + b.Key["type"]
			got = append(got, k)
			counts[k] = b.DocCount
		}
		if len(g.Buckets) == 0 || g.AfterKey == nil {
			break
		}
		after = g.AfterKey
	}
	assert.Equal(t, want, counts, "every bucket, with its count")
	assert.Len(t, got, len(want), "no bucket returned twice")
	assert.IsNonDecreasing(t, got, "buckets come in key order across pages")
	assert.GreaterOrEqual(t, pages, len(want)/2, "the walk really paged")
}

func TestIndexTemplateAppliesKeywordMapping(t *testing.T) {
	e := Cluster(t)
	tpl := map[string]any{
		"index_patterns": []string{e.Prefix + "-tpl-*"},
		"template": map[string]any{
			"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0},
			"mappings": map[string]any{
				"dynamic_templates": []any{map[string]any{"groupby_strings": map[string]any{
					"path_match": "groupby.*", "match_mapping_type": "string",
					"mapping": map[string]string{"type": "keyword"},
				}}},
				"properties": map[string]any{"type": map[string]string{"type": "keyword"}},
			},
		},
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodPut, "/_index_template/"+e.Prefix+"-tpl", tpl, nil))

	index := e.Prefix + "-tpl-2026.12.03"
	indexDocs(t, e, index, `{"type":"instance","groupby":{"project_id":"p1"}}`)

	var mapping map[string]struct {
		Mappings struct {
			Properties map[string]struct {
				Type       string `json:"type"`
				Properties map[string]struct {
					Type string `json:"type"`
				} `json:"properties"`
			} `json:"properties"`
		} `json:"mappings"`
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodGet, "/"+index+"/_mapping", nil, &mapping))
	props := mapping[index].Mappings.Properties
	assert.Equal(t, "keyword", props["type"].Type)
	assert.Equal(t, "keyword", props["groupby"].Properties["project_id"].Type, "the dynamic template, not dynamic text mapping")
}

func TestHasPluginAgreesWithCatPlugins(t *testing.T) {
	e := Cluster(t)
	var rows []struct {
		Component string `json:"component"`
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodGet, "/_cat/plugins?format=json", nil, &rows))
	for _, r := range rows {
		assert.True(t, e.HasPlugin(t, r.Component), "plugin %s", r.Component)
	}
	assert.False(t, e.HasPlugin(t, "ckos-no-such-plugin"))
}

// The cleanup registered by Cluster removes every kind of object a test may create under its prefix.
func TestCleanupDeletesEverythingUnderThePrefix(t *testing.T) {
	outer := Cluster(t)
	var inner Env
	t.Run("creator", func(t *testing.T) {
		inner = Cluster(t)
		p := inner.Prefix
		ctx := t.Context()
		require.NoError(t, do(ctx, inner.Client, http.MethodPut, "/_component_template/"+p+"-ct",
			map[string]any{"template": map[string]any{"settings": map[string]any{"number_of_replicas": 0}}}, nil))
		require.NoError(t, do(ctx, inner.Client, http.MethodPut, "/_index_template/"+p+"-ds", map[string]any{
			"index_patterns": []string{p + "-ds*"}, "data_stream": map[string]any{}, "composed_of": []string{p + "-ct"},
		}, nil))
		require.NoError(t, do(ctx, inner.Client, http.MethodPut, "/_template/"+p+"-legacy",
			map[string]any{"index_patterns": []string{p + "-legacy-*"}}, nil))
		require.NoError(t, do(ctx, inner.Client, http.MethodPut, "/_data_stream/"+p+"-ds", nil, nil))
		createIndex(t, inner, p+"-open", "k")
		createIndex(t, inner, p+"-closed", "k")
		require.NoError(t, do(ctx, inner.Client, http.MethodPost, "/"+p+"-closed/_close", nil, nil))
		require.NoError(t, do(ctx, inner.Client, http.MethodPut, "/"+p+"-hidden",
			map[string]any{"settings": map[string]any{"index.hidden": true, "number_of_replicas": 0}}, nil))
	})
	require.NotEmpty(t, inner.Prefix)

	ctx := t.Context()
	p := inner.Prefix
	for _, path := range []string{
		"/_component_template/" + p + "-ct",
		"/_index_template/" + p + "-ds",
		"/_template/" + p + "-legacy",
		"/_data_stream/" + p + "-ds",
		"/" + p + "-open",
		"/" + p + "-closed",
		"/" + p + "-hidden",
	} {
		err := do(ctx, outer.Client, http.MethodGet, path, nil, nil)
		assert.Equal(t, http.StatusNotFound, statusOf(err), "GET %s after cleanup: %v", path, err)
	}
	var rows []map[string]any
	require.NoError(t, do(ctx, outer.Client, http.MethodGet, "/_cat/indices/"+p+"*,.ds-"+p+"*?format=json&expand_wildcards=all", nil, &rows))
	assert.Empty(t, rows, "indices left behind (data stream backing indices included)")
}

func TestISMPluginAnswers(t *testing.T) {
	e := Cluster(t)
	RequireISM(t, e)
	var resp struct {
		Policies []map[string]any `json:"policies"`
		Total    *int             `json:"total_policies"`
	}
	require.NoError(t, do(t.Context(), e.Client, http.MethodGet, "/_plugins/_ism/policies", nil, &resp))
	assert.NotNil(t, resp.Total, "an ISM answer carries total_policies")
}

// An ISM policy with an ism_template is attached to an index created afterwards whose name matches.
func TestISMTemplateAttachesPolicyToNewIndex(t *testing.T) {
	e := Cluster(t)
	RequireISM(t, e)
	policyID := e.Prefix + "-retention"
	policy := map[string]any{"policy": map[string]any{
		"description":   "ckos ostest: delete after 30 days",
		"default_state": "hot",
		"states": []any{
			map[string]any{"name": "hot", "actions": []any{}, "transitions": []any{
				map[string]any{"state_name": "delete", "conditions": map[string]string{"min_index_age": "30d"}},
			}},
			map[string]any{"name": "delete", "actions": []any{map[string]any{"delete": map[string]any{}}}, "transitions": []any{}},
		},
		"ism_template": []any{map[string]any{"index_patterns": []string{e.Prefix + "-ism-*"}, "priority": 100}},
	}}
	require.NoError(t, do(t.Context(), e.Client, http.MethodPut, "/_plugins/_ism/policies/"+policyID, policy, nil))

	index := e.Prefix + "-ism-2026.12.03"
	createIndex(t, e, index, "k")
	other := e.Prefix + "-other"
	createIndex(t, e, other, "k")

	attached := func(ctx context.Context, idx string) (string, error) {
		var resp map[string]any
		if err := do(ctx, e.Client, http.MethodGet, "/_plugins/_ism/explain/"+idx, nil, &resp); err != nil {
			return "", err
		}
		info, _ := resp[idx].(map[string]any)
		id, _ := info["index.plugins.index_state_management.policy_id"].(string)
		if id == "" {
			id, _ = info["policy_id"].(string)
		}
		return id, nil
	}
	var got string
	require.Eventually(t, func() bool {
		id, err := attached(t.Context(), index)
		if err != nil {
			t.Logf("explain: %v", err)
			return false
		}
		got = id
		return id != ""
	}, 30*time.Second, 500*time.Millisecond, "no ISM policy attached to %s", index)
	assert.Equal(t, policyID, got)

	id, err := attached(t.Context(), other)
	require.NoError(t, err)
	assert.Empty(t, id, "an index outside the template's patterns stays unmanaged")
}
