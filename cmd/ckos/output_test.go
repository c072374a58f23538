package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture's range and the rows it gives are checked against golden files, so a change of
// format is a visible diff.
var fixtureRange = []string{"--begin", "2026-11-01", "--end", "2026-11-02"}

func TestTotalOutputFormats(t *testing.T) {
	c := newCluster(t)
	c.pushFixture(t)
	args := append([]string{"total", "--groupby", "project_id,type"}, fixtureRange...)

	for _, format := range []string{"json", "csv", "table"} {
		r := c.ok(t, append(args, "-o", format)...)
		golden(t, "total_groupby."+format, r.stdout)
	}

	// JSON: keys in column order, null for the missing project, exact numbers.
	r := c.ok(t, append(args, "-o", "json")...)
	assert.Contains(t, r.stdout, `{"begin": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z", "qty": 2.5e+21, "rate": 1200000, "project_id": null, "type": "radosgw.objects.size"}`)
	var doc struct {
		Total   int64            `json:"total"`
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.EqualValues(t, 4, doc.Total)
	require.Len(t, doc.Results, 4)
	for _, row := range doc.Results {
		assert.Len(t, row, 6)
	}
	keyOrder := regexp.MustCompile(`\{"begin": [^,]+, "end": [^,]+, "qty": [^,]+, "rate": [^,]+, "project_id": [^,]+, "type": "[^"]+"\}`)
	assert.Len(t, keyOrder.FindAllString(r.stdout, -1), 4, r.stdout)

	// No exponent form in table or CSV, even for 2.5e21 and 1.23e-6.
	for _, format := range []string{"csv", "table"} {
		r := c.ok(t, append(args, "-o", format)...)
		assert.Contains(t, r.stdout, "2500000000000000000000")
		assertNoExponent(t, r.stdout)
	}
	r = c.ok(t, append([]string{"total", "--groupby", "type", "-o", "csv", "--type", "network.outgoing.bytes"}, fixtureRange...)...)
	assert.Contains(t, r.stdout, ",12345.6,0.00000123,network.outgoing.bytes\n")
}

func TestTotalTableIsAligned(t *testing.T) {
	c := newCluster(t)
	c.pushFixture(t)
	r := c.ok(t, append([]string{"total", "--groupby", "project_id"}, fixtureRange...)...)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	require.Len(t, lines, 4, r.stdout) // header + 3 projects (one missing: "-")
	assert.Equal(t, []string{"BEGIN", "END", "QTY", "RATE", "PROJECT_ID"}, strings.Fields(lines[0]))
	// Every column starts at the same offset on every line.
	starts := columnStarts(lines[0])
	for _, l := range lines[1:] {
		assert.Equal(t, starts, columnStarts(l), "misaligned:\n%s", r.stdout)
	}
	assert.Contains(t, r.stdout, " -\n", "a missing group value is shown as -")
}

// assertNoExponent fails when a field of a table or CSV output is a number in exponent form.
func assertNoExponent(t *testing.T, out string) {
	t.Helper()
	for _, f := range strings.FieldsFunc(out, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		if _, err := strconv.ParseFloat(f, 64); err == nil && strings.ContainsAny(f, "eE") {
			t.Errorf("number in exponent form: %s", f)
		}
	}
}

// columnStarts returns the offsets where a run of non-spaces starts after two or more spaces
// (or at 0).
func columnStarts(line string) []int {
	var out []int
	for i := range line {
		if line[i] != ' ' && (i == 0 || (i >= 2 && line[i-1] == ' ' && line[i-2] == ' ')) {
			out = append(out, i)
		}
	}
	return out
}

func TestTotalCSVHeaderWithoutRows(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	r := c.ok(t, "total", "--groupby", "type,project_id", "--begin", "2001-01-01", "--end", "2001-01-02", "-o", "csv")
	assert.Equal(t, "begin,end,qty,rate,type,project_id\n", r.stdout)
	r = c.ok(t, "total", "--begin", "2001-01-01", "--end", "2001-01-02", "-o", "csv")
	assert.Equal(t, "begin,end,qty,rate\n", r.stdout)
	r = c.ok(t, "total", "--begin", "2001-01-01", "--end", "2001-01-02", "-o", "json")
	assert.Equal(t, "{\"total\": 0, \"results\": []}\n", r.stdout)
	r = c.ok(t, "retrieve", "--begin", "2001-01-01", "--end", "2001-01-02", "-o", "csv")
	assert.Equal(t, "begin,end,type,unit,qty,price\n", r.stdout)
	r = c.ok(t, "retrieve", "--begin", "2001-01-01", "--end", "2001-01-02", "-o", "json")
	assert.Equal(t, "{\"total\": 0, \"dataframes\": []}\n", r.stdout)
}

func TestTotalCustomFieldsAndSort(t *testing.T) {
	c := newCluster(t)
	c.pushFixture(t)
	r := c.ok(t, append([]string{"total", "--groupby", "project_id", "--custom-fields", "MAX(price) AS peak, COUNT(qty) AS n", "-o", "json"}, fixtureRange...)...)
	assert.Contains(t, r.stdout, `"peak": 2.5, "n": 3, "project_id": "8d3ae500-89ea-4142-9c6e-1269db6a0b64"`)
	assert.NotContains(t, r.stdout, `"rate"`)

	// --sort reads all groups, then pages: the top project by rate is the bucket without one.
	r = c.ok(t, append([]string{"total", "--groupby", "project_id", "--sort", "rate", "--desc", "--limit", "2", "-o", "csv"}, fixtureRange...)...)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{"begin", "end", "qty", "rate", "project_id"}, rows[0])
	assert.Equal(t, "1200000", rows[1][3])
	assert.Equal(t, "", rows[1][4], "missing project is an empty CSV field")
	assert.Equal(t, "8d3ae500-89ea-4142-9c6e-1269db6a0b64", rows[2][4])
	rate, err := strconv.ParseFloat(rows[2][3], 64)
	require.NoError(t, err)
	assert.InDelta(t, 5.00000123, rate, 1e-12)
	r = c.ok(t, append([]string{"total", "--groupby", "project_id", "--sort", "rate", "--limit", "1", "-o", "json"}, fixtureRange...)...)
	assert.Contains(t, r.stdout, `{"total": 3, "results": [`)
	assert.Contains(t, r.stdout, `"rate": 0.5, "project_id": "Project-B"`)

	bad := c.inv().ckos(t, "total", "--groupby", "project_id", "--sort", "price")
	assert.Equal(t, exitInput, bad.code)
	assert.Contains(t, bad.stderr, `--sort "price": not an output column (columns: begin, end, qty, rate, project_id)`)
}

func TestRetrieveOutputFormats(t *testing.T) {
	c := newCluster(t)
	c.pushFixture(t)
	for _, format := range []string{"json", "csv", "table"} {
		r := c.ok(t, append([]string{"retrieve", "-o", format}, fixtureRange...)...)
		golden(t, "retrieve."+format, r.stdout)
	}
	r := c.ok(t, append([]string{"retrieve", "-o", "json"}, fixtureRange...)...)
	var doc struct {
		Total      int64             `json:"total"`
		DataFrames []json.RawMessage `json:"dataframes"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.EqualValues(t, 5, doc.Total)
	require.Len(t, doc.DataFrames, 2)
	assert.True(t, strings.HasPrefix(string(doc.DataFrames[0]), `{"period":{"begin":"2026-11-01T00:00:00Z","end":"2026-11-01T01:00:00Z"},"usage":{`))

	r = c.ok(t, append([]string{"retrieve", "-o", "csv"}, fixtureRange...)...)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6, "header and one row per point")
	assert.Equal(t, []string{"begin", "end", "type", "unit", "qty", "price", "groupby.id", "groupby.project_id", "groupby.user_id",
		"metadata.bucket", "metadata.flavor_name", "metadata.instance_id"}, rows[0])
	assertNoExponent(t, r.stdout)

	// Paging: a shallow page, with a note saying there is more.
	r = c.ok(t, append([]string{"retrieve", "--type", "instance", "--limit", "2", "--offset", "1"}, fixtureRange...)...)
	assert.Equal(t, 3, strings.Count(r.stdout, "\n"), r.stdout)
	assert.Contains(t, r.stderr, "2 of 3 points (points 2 to 3)")
	r = c.ok(t, append([]string{"retrieve", "--all", "-o", "csv", "--filter", "project_id=Project-B", "--filter", "project_id=8d3ae500-89ea-4142-9c6e-1269db6a0b64"}, fixtureRange...)...)
	assert.Equal(t, 5, strings.Count(r.stdout, "\n"), "header and the 4 points of the two projects:\n%s", r.stdout)
}

func TestDeleteOutputFormats(t *testing.T) {
	c := newCluster(t)
	c.pushFixture(t)
	r := c.ok(t, append([]string{"delete", "--refresh", "--filter", "project_id=Project-B", "-o", "json"}, fixtureRange...)...)
	assert.Equal(t, "{\"deleted\": 1}\n", r.stdout)
	r = c.ok(t, append([]string{"delete", "--refresh", "--type", "radosgw.objects.size", "-o", "csv"}, fixtureRange...)...)
	assert.Equal(t, "deleted\n1\n", r.stdout)
	r = c.ok(t, append([]string{"delete", "--refresh"}, fixtureRange...)...)
	assert.Equal(t, "deleted 3 points\n", r.stdout)
	r = c.ok(t, append([]string{"total", "-o", "json"}, fixtureRange...)...)
	assert.Equal(t, "{\"total\": 0, \"results\": []}\n", r.stdout)

	bare := c.inv().ckos(t, "delete")
	assert.Equal(t, exitUsage, bare.code)
	assert.Contains(t, bare.stderr, "delete needs --begin, --end, --type or --filter (or --all to delete every point)")
}

func TestNumberFormats(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	for _, tc := range []struct {
		in           float64
		exact, human string
	}{
		{467.54060000000004, "467.54060000000004", "467.5406"},
		{tenth + fifth, "0.30000000000000004", "0.3"},
		{1e-9, "0.000000001", "0.000000001"},
		{0.00000123, "0.00000123", "0.00000123"},
		{2.5e21, "2500000000000000000000", "2500000000000000000000"},
		{-3, "-3", "-3"},
		{123456789.123456, "123456789.123456", "123456789.123456"},
	} {
		assert.Equal(t, tc.exact, formatNumber(tc.in))
		assert.Equal(t, tc.human, humanNumber(tc.in))
	}
}
