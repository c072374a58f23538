package mapping

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	goldenfile "github.com/ckos/ckos/internal/golden"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIndexName(t *testing.T) {
	ts := day("2026-12-03T23:30:00-02:00") // 2026-12-04 01:30 UTC
	assert.Equal(t, "cloudkitty-2026.12.04", IndexName("cloudkitty", Day, ts))
	assert.Equal(t, "cloudkitty-2026.w49", IndexName("cloudkitty", Week, ts))
	assert.Equal(t, "cloudkitty-2026.12", IndexName("cloudkitty", Month, ts))
	// ISO week years differ from calendar years at the edges.
	assert.Equal(t, "ck-2020.w53", IndexName("ck", Week, day("2021-01-01T00:00:00Z")))
	assert.Equal(t, "ck-2026.w01", IndexName("ck", Week, day("2025-12-29T00:00:00Z")))
}

func TestParseIndexNameRoundTrip(t *testing.T) {
	for _, g := range []Granularity{Day, Week, Month} {
		for ts := day("2019-12-20T05:00:00Z"); ts.Before(day("2021-02-10T00:00:00Z")); ts = ts.Add(37 * time.Hour) {
			name := IndexName("ck-x", g, ts)
			pg, s, e, ok := ParseIndexName("ck-x", name)
			require.True(t, ok, name)
			assert.Equal(t, g, pg, name)
			ws, we := Span(g, ts)
			assert.Equal(t, ws, s, name)
			assert.Equal(t, we, e, name)
			assert.False(t, ts.Before(s) || !ts.Before(e), "%s: %s not in [%s, %s)", name, ts, s, e)
		}
	}
}

func TestParseIndexNameRejects(t *testing.T) {
	for _, n := range []string{"cloudkitty", "cloudkitty-", "cloudkitty-2026.13.01", "cloudkitty-2026.12.32",
		"cloudkitty-2026.w54", "cloudkitty-2026.w00", "cloudkitty-2021.w53", "cloudkitty-backup", "other-2026.12.03",
		"cloudkitty-2026.12.03-restored", "cloudkitty-abcd.12"} {
		_, _, _, ok := ParseIndexName("cloudkitty", n)
		assert.False(t, ok, n)
	}
}

func TestIndices(t *testing.T) {
	assert.Equal(t, []string{"ck-2026.12.01", "ck-2026.12.02"}, Indices("ck", Day, day("2026-12-01T05:00:00Z"), day("2026-12-02T23:00:00Z")))
	// end is exclusive: a range ending at midnight does not touch the next day.
	assert.Equal(t, []string{"ck-2026.12.01"}, Indices("ck", Day, day("2026-12-01T00:00:00Z"), day("2026-12-02T00:00:00Z")))
	assert.Equal(t, []string{"ck-2*"}, Indices("ck", Day, time.Time{}, day("2026-12-02T00:00:00Z")))
	assert.Equal(t, []string{"ck-2*"}, Indices("ck", Day, day("2026-12-02T00:00:00Z"), time.Time{}))
	assert.Empty(t, Indices("ck", Day, day("2026-12-02T00:00:00Z"), day("2026-12-01T00:00:00Z")))
	assert.Equal(t, []string{"ck-2026.11", "ck-2026.12"}, Indices("ck", Month, day("2026-11-30T00:00:00Z"), day("2026-12-02T00:00:00Z")))
	assert.Equal(t, []string{"ck-2026.w48", "ck-2026.w49"}, Indices("ck", Week, day("2026-11-29T00:00:00Z"), day("2026-12-02T00:00:00Z")))
}

func TestIndicesFoldsLongRanges(t *testing.T) {
	got := Indices("ck", Day, day("2024-11-30T00:00:00Z"), day("2026-02-02T00:00:00Z"))
	assert.Equal(t, []string{"ck-2024.11.30", "ck-2024.12.*", "ck-2025.*", "ck-2026.01.*", "ck-2026.02.01"}, got)
	got = Indices("ck", Week, day("2024-06-01T00:00:00Z"), day("2027-01-10T00:00:00Z"))
	assert.Contains(t, got, "ck-2025.w*")
	assert.Contains(t, got, "ck-2026.w*")
	assert.Contains(t, got, "ck-2027.w01")
	assert.NotContains(t, got, "ck-2024.w*")
	got = Indices("ck", Month, day("2020-03-01T00:00:00Z"), day("2026-02-01T00:00:00Z"))
	assert.Equal(t, []string{"ck-2020.03", "ck-2020.04", "ck-2020.05", "ck-2020.06", "ck-2020.07", "ck-2020.08", "ck-2020.09",
		"ck-2020.10", "ck-2020.11", "ck-2020.12", "ck-2021.*", "ck-2022.*", "ck-2023.*", "ck-2024.*", "ck-2025.*", "ck-2026.01"}, got)
	// Past what folding can shorten enough, the whole pattern is used.
	assert.Equal(t, []string{"ck-2*"}, Indices("ck", Day, day("2000-01-01T00:00:00Z"), day("2100-01-01T00:00:00Z")))
	long := strings.Repeat("p", 150)
	assert.Equal(t, []string{long + "-2*"}, Indices(long, Day, day("2026-11-01T00:00:00Z"), day("2026-11-25T00:00:00Z")))
	// Every instant of the range is covered by exactly one name or pattern.
	for _, g := range []Granularity{Day, Week} {
		b, e := day("2023-03-15T07:00:00Z"), day("2025-10-03T00:00:00Z")
		names := Indices("ck", g, b, e)
		require.LessOrEqual(t, len(names), 2*MaxIndexNames)
		for ts := b; ts.Before(e); ts = ts.Add(11 * time.Hour) {
			n := IndexName("ck", g, ts)
			hits := 0
			for _, p := range names {
				if p == n || (p[len(p)-1] == '*' && len(n) >= len(p)-1 && n[:len(p)-1] == p[:len(p)-1]) {
					hits++
				}
			}
			assert.Equal(t, 1, hits, "%s (%s) in %v", n, ts, names)
		}
	}
}

func point() dataframe.DataPoint {
	return dataframe.DataPoint{
		Unit: "instance", Qty: 1, Price: 0.00123456,
		Groupby:     map[string]string{"project_id": "8d3ae500-89ea-4142-9c6e-1269db6a0b64", "id": "Vm-1", "year": "2022"},
		Metadata:    map[string]string{"flavor": "m1.nano", "note": "quote \" backslash \\ tab \t ctl \x01 utf8 é bad \xff"},
		Description: "a point",
	}
}

func TestDocumentGolden(t *testing.T) {
	var e Encoder
	var buf []byte
	buf = AppendIndexAction(buf, "cloudkitty-2019.07.23", "abc")
	buf = e.AppendDocument(buf, "instance", day("2019-07-23T12:28:10+00:00"), day("2019-07-23T13:28:10+00:00"), point(), "abc")
	p := point()
	p.Unit, p.Description, p.Qty, p.Price = "", "", 1e-9, 12345678901234567890
	buf = e.AppendDocument(buf, "volume.size", day("2019-07-23T12:28:10+00:00"), day("2019-07-23T13:28:10+00:00"), p, "def")
	golden(t, "documents.golden.ndjson", buf)
}

func TestDocumentIsValidJSON(t *testing.T) {
	var e Encoder
	doc := e.AppendDocument(nil, "t", day("2019-07-23T12:28:10Z"), day("2019-07-23T13:28:10Z"), point(), "k")
	var got map[string]any
	require.NoError(t, json.Unmarshal(doc, &got))
	assert.Equal(t, 0.00123456, got["price"])
	assert.Equal(t, "undefined", mustDoc(t, dataframe.DataPoint{})["unit"])
	assert.Equal(t, "quote \" backslash \\ tab \t ctl \x01 utf8 é bad \ufffd", got["metadata"].(map[string]any)["note"])
}

func mustDoc(t *testing.T, p dataframe.DataPoint) map[string]any {
	var e Encoder
	var got map[string]any
	require.NoError(t, json.Unmarshal(e.AppendDocument(nil, "t", time.Unix(0, 0), time.Unix(3600, 0), p, "k"), &got))
	return got
}

func TestMappingsGolden(t *testing.T) {
	b, err := json.MarshalIndent(Mappings(), "", "  ")
	require.NoError(t, err)
	golden(t, "mappings.golden.json", append(b, '\n'))
}

func BenchmarkAppendDocument(b *testing.B) {
	var e Encoder
	p := point()
	s, en := day("2019-07-23T12:00:00Z"), day("2019-07-23T13:00:00Z")
	buf := make([]byte, 0, 1<<16)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendIndexAction(buf[:0], "cloudkitty-2019.07.23", "0123456789abcdef0123456789abcdef01234567")
		buf = e.AppendDocument(buf, "instance", s, en, p, "0123456789abcdef0123456789abcdef01234567")
	}
	b.SetBytes(int64(len(buf)))
}

func TestCovers(t *testing.T) {
	names := []string{"ck-2026.12.01", "ck-2025.*"}
	assert.True(t, Covers(names, "ck-2026.12.01"))
	assert.True(t, Covers(names, "ck-2025.03.04"))
	assert.False(t, Covers(names, "ck-2026.12.02"))
	assert.False(t, Covers(names, "ck-2026.12.011"))
	assert.True(t, Covers([]string{DatePattern("ck")}, "ck-2026.w01"))
	assert.False(t, Covers([]string{DatePattern("ck")}, "ck-backup"))
}

func TestReadIndicesCoversEveryGranularity(t *testing.T) {
	got := ReadIndices("ck", day("2026-12-03T00:00:00Z"), day("2026-12-05T00:00:00Z"))
	assert.Equal(t, []string{"ck-2026.12.03", "ck-2026.12.04", "ck-2026.w49", "ck-2026.12"}, got)
	assert.Equal(t, []string{"ck-2*"}, ReadIndices("ck", time.Time{}, day("2026-12-05T00:00:00Z")))
	assert.Empty(t, ReadIndices("ck", day("2026-12-05T00:00:00Z"), day("2026-12-05T00:00:00Z")))
	// A year: folded and short, and every index of any granularity in it is covered.
	b, e := day("2025-01-01T00:00:00Z"), day("2026-01-01T00:00:00Z")
	got = ReadIndices("ck", b, e)
	require.LessOrEqual(t, len(got), MaxIndexNames)
	for ts := b; ts.Before(e); ts = ts.Add(13 * time.Hour) {
		for _, g := range []Granularity{Day, Week, Month} {
			assert.True(t, Covers(got, IndexName("ck", g, ts)), "%s in %v", IndexName("ck", g, ts), got)
		}
	}
}
