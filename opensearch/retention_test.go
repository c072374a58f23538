package opensearch

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	osgo "github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/internal/ostest"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// retentionTestRequest sends a request to the test cluster and fails the test on a non-2xx answer.
func retentionTestRequest(t *testing.T, c *opensearchapi.Client, method, path string) {
	t.Helper()
	_, _, err := osreq.Client{API: c}.Do(t.Context(), osreq.Request{Op: method + " " + path, Method: method, Path: path})
	require.NoError(t, err)
}

func retentionIndexExists(t *testing.T, c *opensearchapi.Client, index string) bool {
	t.Helper()
	_, _, err := osreq.Client{API: c}.Do(t.Context(), osreq.Request{Op: "head", Method: http.MethodHead, Path: "/" + index})
	if osreq.Status(err) == http.StatusNotFound {
		return false
	}
	require.NoError(t, err)
	return true
}

func names(ris []RetainedIndex) []string {
	out := []string{}
	for _, r := range ris {
		out = append(out, r.Index)
	}
	return out
}

func TestEnforceRetentionOnCluster(t *testing.T) {
	e := ostest.Cluster(t)
	c, p := e.Client, e.Prefix
	now := time.Now().UTC()
	today := mapping.IndexName(p, mapping.Day, now)

	// Backfilled old indices of each granularity, one of them closed, a recent one, and indices
	// matching <prefix>-* outside the naming scheme.
	old := []string{p + "-2020.01.01", p + "-2020.w05", p + "-2019.12"}
	for _, n := range append(append([]string{}, old...), today, p+"-backup", p+"-2026.13.45") {
		retentionTestRequest(t, c, http.MethodPut, "/"+n)
	}
	retentionTestRequest(t, c, http.MethodPost, "/"+p+"-2019.12/_close")

	const retention = 48 * time.Hour
	dry, err := EnforceRetention(t.Context(), c, p, retention, now, true)
	require.NoError(t, err)
	assert.True(t, dry.DryRun)
	assert.ElementsMatch(t, old, names(dry.Deleted), "the dry run lists the expired indices")
	for _, n := range old {
		assert.True(t, retentionIndexExists(t, c, n), "dry run deletes nothing: %s", n)
	}

	r, err := EnforceRetention(t.Context(), c, p, retention, now, false)
	require.NoError(t, err)
	assert.False(t, r.DryRun)
	assert.Equal(t, now.Add(-retention), r.Cutoff)
	assert.ElementsMatch(t, old, names(r.Deleted))
	assert.Equal(t, []string{today}, names(r.Kept))
	require.Len(t, r.Kept, 1)
	_, start, end, _ := mapping.ParseIndexName(p, today)
	assert.Equal(t, RetainedIndex{Index: today, Start: start, End: end, Expires: end.Add(retention)}, r.Kept[0])
	assert.Equal(t, []SkippedIndex{
		{Index: p + "-2026.13.45", Reason: "not a date-based ckos index"},
		{Index: p + "-backup", Reason: "not a date-based ckos index"},
	}, r.Skipped)
	for _, n := range old {
		assert.False(t, retentionIndexExists(t, c, n), "%s deleted", n)
	}
	for _, n := range []string{today, p + "-backup", p + "-2026.13.45"} {
		assert.True(t, retentionIndexExists(t, c, n), "%s kept", n)
	}

	again, err := EnforceRetention(t.Context(), c, p, retention, now, false)
	require.NoError(t, err)
	assert.Empty(t, again.Deleted, "nothing left to delete")

	b, err := json.Marshal(again)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"deleted", "kept", "skipped", "dry_run", "cutoff"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, []any{}, m["deleted"], "empty lists are [] in JSON, not null")
}

func TestEnforceRetentionBoundaries(t *testing.T) {
	e := ostest.Cluster(t)
	c, p := e.Client, e.Prefix
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	const retention = 84 * time.Hour // cutoff 2026-11-30T00:00Z
	for _, n := range []string{"-2026.11.29", "-2026.11.30", "-2026.w48", "-2026.11", "-2026.12"} {
		retentionTestRequest(t, c, http.MethodPut, "/"+p+n)
	}
	r, err := EnforceRetention(t.Context(), c, p, retention, now, true)
	require.NoError(t, err)
	// 2026.11.29 ends exactly at the cutoff: all its data is expired. 2026.11.30 ends a day
	// later. Week 48 (Nov 23-29) ends at the cutoff. November ends Dec 1: kept.
	assert.Equal(t, []string{p + "-2026.11.29", p + "-2026.w48"}, names(r.Deleted))
	assert.Equal(t, []string{p + "-2026.11", p + "-2026.11.30", p + "-2026.12"}, names(r.Kept))
	assert.Equal(t, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), r.Cutoff)
}

func TestEnforceRetentionBadInput(t *testing.T) {
	c, err := opensearchapi.NewClient(opensearchapi.Config{Client: osgo.Config{Addresses: []string{"http://127.0.0.1:1"}}})
	require.NoError(t, err)
	for _, p := range []string{"", "ck*", "a,b", "x/y"} {
		_, err := EnforceRetention(t.Context(), c, p, time.Hour, time.Now(), false)
		assert.True(t, errors.Is(err, storage.ErrInvalid), "prefix %q: %v", p, err)
	}
	_, err = EnforceRetention(t.Context(), c, "ck", 0, time.Now(), false)
	assert.ErrorIs(t, err, storage.ErrInvalid)
	assert.ErrorContains(t, err, "retention period 0s")
}

// fakeCluster answers _cat/indices with names and records every other request.
type fakeCluster struct {
	mu       sync.Mutex
	names    []string
	requests []string
	fail     int // status of DELETE answers when non-zero
}

func (f *fakeCluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/_cat/indices/") {
		rows := []map[string]string{}
		for _, n := range f.names {
			rows = append(rows, map[string]string{"index": n})
		}
		_ = json.NewEncoder(w).Encode(rows)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	if f.fail != 0 {
		w.WriteHeader(f.fail)
		_, _ = io.WriteString(w, `{"error":{"root_cause":[{"type":"cluster_block_exception","reason":"index [x] blocked by: [FORBIDDEN/8/index write (api)];"}],"type":"cluster_block_exception","reason":"blocked"},"status":403}`)
		return
	}
	_, _ = io.WriteString(w, `{"acknowledged":true}`)
}

func fakeClient(t *testing.T, f *fakeCluster) *opensearchapi.Client {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := opensearchapi.NewClient(opensearchapi.Config{Client: osgo.Config{Addresses: []string{srv.URL}, DisableRetry: true}})
	require.NoError(t, err)
	return c
}

func TestEnforceRetentionDeletesByNameInBatches(t *testing.T) {
	f := &fakeCluster{}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 120 {
		f.names = append(f.names, mapping.IndexName("ck", mapping.Day, start.AddDate(0, 0, i)))
	}
	f.names = append(f.names, "ck-2026.12.03", "ck-other")
	c := fakeClient(t, f)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

	r, err := EnforceRetention(t.Context(), c, "ck", 24*time.Hour, now, false)
	require.NoError(t, err)
	assert.Len(t, r.Deleted, 120)
	require.Len(t, f.requests, 3, "120 names in batches of %d", retentionDeleteBatch)
	deleted := 0
	for _, rq := range f.requests {
		assert.True(t, strings.HasPrefix(rq, "DELETE /ck-2020."), rq)
		assert.NotContains(t, rq, "*", "never a wildcard")
		assert.Contains(t, rq, "ignore_unavailable=true")
		path := strings.SplitN(strings.TrimPrefix(rq, "DELETE /"), "?", 2)[0]
		deleted += len(strings.Split(path, ","))
	}
	assert.Equal(t, 120, deleted)
}

func TestEnforceRetentionReportsServerError(t *testing.T) {
	f := &fakeCluster{names: []string{"ck-2020.01.01"}, fail: http.StatusForbidden}
	c := fakeClient(t, f)
	r, err := EnforceRetention(t.Context(), c, "ck", time.Hour, time.Now(), false)
	require.Error(t, err)
	assert.ErrorIs(t, err, storage.ErrRejected)
	assert.Contains(t, err.Error(), "HTTP 403")
	assert.Contains(t, err.Error(), "cluster_block_exception: index [x] blocked")
	assert.Empty(t, r.Deleted, "nothing reported deleted when the delete failed")
}
