package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage/storagetest"
)

// The CloudKitty scenarios of the research notes (§3.2) give their exact numbers through the
// command line as well as through the library.
func TestCloudKittyScenariosThroughTheCLI(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	path := filepath.Join(t.TempDir(), "sample.json")
	f, err := os.Create(path)
	require.NoError(t, err)
	enc := dataframe.NewEncoder(f, dataframe.FormObject)
	for _, fr := range storagetest.CloudKittySample() {
		require.NoError(t, enc.Encode(fr))
	}
	require.NoError(t, enc.Close())
	require.NoError(t, f.Close())
	c.ok(t, "push", "--refresh", path)

	all := []string{"--begin", "2018-01-01T00:00:00Z", "--end", "2018-01-01T04:00:00Z"}
	first := []string{"--begin", "2018-01-01T00:00:00Z", "--end", "2018-01-01T01:00:00Z"}
	tenant := []string{"--filter", "project_id=" + storagetest.Tenant}

	type row map[string]any
	total := func(args ...string) (int64, []row) {
		t.Helper()
		r := c.ok(t, append([]string{"total", "-o", "json"}, args...)...)
		var out struct {
			Total   int64 `json:"total"`
			Results []row `json:"results"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
		return out.Total, out.Results
	}
	near := func(want float64, got any, what string) {
		t.Helper()
		g, ok := got.(float64)
		require.True(t, ok, "%s: %v is not a number", what, got)
		assert.LessOrEqual(t, math.Abs(g-want), 1e-6, "%s: got %v want %v", what, g, want)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		rate, qty float64
	}{
		{"all scopes, all periods", all, 375.0022206, 4238136},
		{"one scope, all periods", append(append([]string{}, all...), tenant...), 187.5011103, 2119068},
		{"all scopes, first period", first, 125.0007402, 1412712},
		{"one scope, first period", append(append([]string{}, first...), tenant...), 62.5003701, 706356},
	} {
		n, rows := total(tc.args...)
		require.EqualValues(t, 1, n, tc.name)
		require.Len(t, rows, 1, tc.name)
		near(tc.rate, rows[0]["rate"], tc.name+" rate")
		near(tc.qty, rows[0]["qty"], tc.name+" qty")
	}

	n, rows := total(append(append([]string{}, all...), "--groupby", "type")...)
	require.EqualValues(t, 7, n)
	want := []struct {
		typ       string
		rate, qty float64
	}{{"image.size", 13.68, 13680}, {"instance", 225, 90}, {"ip.floating", 0.9, 90}, {"network.incoming.bytes", 0.3111102, 3111102},
		{"network.outgoing.bytes", 0.1111104, 1111104}, {"radosgw.objects.size", 27, 270}, {"volume.size", 108, 1800}}
	require.Len(t, rows, 7)
	for i, w := range want {
		assert.Equal(t, w.typ, rows[i]["type"])
		near(w.rate, rows[i]["rate"], w.typ+" rate")
		near(w.qty, rows[i]["qty"], w.typ+" qty")
	}

	retrieved := func(args ...string) int64 {
		t.Helper()
		r := c.ok(t, append([]string{"retrieve", "-o", "json"}, args...)...)
		var out struct {
			Total int64 `json:"total"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		return out.Total
	}
	assert.EqualValues(t, 630, retrieved(append(append([]string{}, all...), "--all")...))
	assert.EqualValues(t, 90, retrieved(append(append([]string{}, all...), "--type", "image.size")...))
	assert.EqualValues(t, 30, retrieved(append(append(append([]string{}, first...), tenant...), "--type", "image.size", "--type", "instance")...))
}
