package aggs

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/storage"
)

func loadLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func strp(s string) *string { return &s }

func TestDecodePageLabelsAndType(t *testing.T) {
	p := params(t, []string{"project_id", "type", "user_id"}, "")
	aggs := json.RawMessage(`{"groups": {
	  "after_key": {"g0": "p2", "g1": "volume.size", "g2": "u9"},
	  "buckets": [
	    {"key": {"g0": null, "g1": "instance", "g2": "u1"}, "doc_count": 2, "f0": {"value": 2.0}, "f1": {"value": 0.25}},
	    {"key": {"g0": "p1", "g1": "instance", "g2": null}, "doc_count": 1, "f0": {"value": 1.5}, "f1": {"value": 3}},
	    {"key": {"g2": 2022, "g1": "volume.size", "g0": "p2"}, "doc_count": 1, "f1": {"value": 0.1}, "f0": {"value": 7}}
	  ]}}`)
	pg, err := DecodePage(aggs, p)
	require.NoError(t, err)
	require.JSONEq(t, `{"g0": "p2", "g1": "volume.size", "g2": "u9"}`, string(pg.AfterKey))
	require.Equal(t, []storage.Row{
		{Begin: dec1, End: jan1,
			Fields: []storage.Field{{Name: "qty", Value: 2}, {Name: "rate", Value: 0.25}},
			Groups: []storage.Group{{Key: "project_id"}, {Key: "type", Value: strp("instance")}, {Key: "user_id", Value: strp("u1")}}},
		{Begin: dec1, End: jan1,
			Fields: []storage.Field{{Name: "qty", Value: 1.5}, {Name: "rate", Value: 3}},
			Groups: []storage.Group{{Key: "project_id", Value: strp("p1")}, {Key: "type", Value: strp("instance")}, {Key: "user_id"}}},
		// A numeric key (a field mapped as a number in some index) keeps its string form.
		{Begin: dec1, End: jan1,
			Fields: []storage.Field{{Name: "qty", Value: 7}, {Name: "rate", Value: 0.1}},
			Groups: []storage.Group{{Key: "project_id", Value: strp("p2")}, {Key: "type", Value: strp("volume.size")}, {Key: "user_id", Value: strp("2022")}}},
	}, pg.Rows)
	require.Nil(t, pg.Rows[0].Groups[0].Value, "a null key is a nil Value")
}

func TestDecodePageEscapedKeys(t *testing.T) {
	p := params(t, []string{"project_id"}, "")
	aggs := json.RawMessage(`{"groups": {"buckets": [
	  {"key": {"g0": "p\"1\u00e9\\"}, "f0": {"value": 1}, "f1": {"value": 2}},
	  {"key": {"g0": "projet-é-日本"}, "f0": {"value": 1}, "f1": {"value": 2}},
	  {"key": {"g0": true}, "f0": {"value": 1}, "f1": {"value": 2}}]}}`)
	pg, err := DecodePage(aggs, p)
	require.NoError(t, err)
	require.Equal(t, `p"1é\`, *pg.Rows[0].Groups[0].Value)
	require.Equal(t, "projet-é-日本", *pg.Rows[1].Groups[0].Value)
	require.Equal(t, "true", *pg.Rows[2].Groups[0].Value)
}

func TestDecodePageTimeExactMillis(t *testing.T) {
	p := params(t, []string{"time", "project_id"}, "")
	// 1796083200123 ms is 2026-12-01T00:00:00.123Z: no precision may be lost (upstream divides by 1000).
	aggs := json.RawMessage(`{"groups": {"buckets": [
	  {"key": {"g0": 1796083200123, "g1": 1796086800000, "g2": "p1"}, "doc_count": 1, "f0": {"value": 1}, "f1": {"value": 2}},
	  {"key": {"g0": 1.7960868e12, "g1": 1796090400000, "g2": "p1"}, "doc_count": 1, "f0": {"value": 1}, "f1": {"value": 2}}
	]}}`)
	pg, err := DecodePage(aggs, p)
	require.NoError(t, err)
	require.Nil(t, pg.AfterKey)
	require.Len(t, pg.Rows, 2)
	r := pg.Rows[0]
	require.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 123_000_000, time.UTC), r.Begin)
	require.Equal(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), r.End)
	require.Equal(t, time.UTC, r.Begin.Location())
	require.Equal(t, []storage.Group{{Key: "project_id", Value: strp("p1")}}, r.Groups, "time adds no column")
	require.Equal(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), pg.Rows[1].Begin)
	require.Equal(t, time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), pg.Rows[1].End)
}

func TestDecodePageCalendarParis(t *testing.T) {
	paris := loadLoc(t, "Europe/Paris")
	cases := []struct {
		unit       string
		localBegin time.Time
		localEnd   time.Time
		hours      float64
	}{
		// Spring forward: the day of 2026-03-29 lasts 23 hours.
		{"day", time.Date(2026, 3, 29, 0, 0, 0, 0, paris), time.Date(2026, 3, 30, 0, 0, 0, 0, paris), 23},
		// Fall back: the day of 2026-10-25 lasts 25 hours.
		{"day", time.Date(2026, 10, 25, 0, 0, 0, 0, paris), time.Date(2026, 10, 26, 0, 0, 0, 0, paris), 25},
		{"day", time.Date(2026, 12, 31, 0, 0, 0, 0, paris), time.Date(2027, 1, 1, 0, 0, 0, 0, paris), 24},
		// ISO week (Monday) across the October change: 7 days plus one hour.
		{"week", time.Date(2026, 10, 19, 0, 0, 0, 0, paris), time.Date(2026, 10, 26, 0, 0, 0, 0, paris), 7*24 + 1},
		{"week", time.Date(2026, 12, 28, 0, 0, 0, 0, paris), time.Date(2027, 1, 4, 0, 0, 0, 0, paris), 7 * 24},
		// Month ends: 31 days in January (never "Feb 31"), 29 in a leap February, March loses an hour.
		{"month", time.Date(2026, 1, 1, 0, 0, 0, 0, paris), time.Date(2026, 2, 1, 0, 0, 0, 0, paris), 31 * 24},
		{"month", time.Date(2028, 2, 1, 0, 0, 0, 0, paris), time.Date(2028, 3, 1, 0, 0, 0, 0, paris), 29 * 24},
		{"month", time.Date(2026, 3, 1, 0, 0, 0, 0, paris), time.Date(2026, 4, 1, 0, 0, 0, 0, paris), 31*24 - 1},
		{"month", time.Date(2026, 12, 1, 0, 0, 0, 0, paris), time.Date(2027, 1, 1, 0, 0, 0, 0, paris), 31 * 24},
		{"year", time.Date(2028, 1, 1, 0, 0, 0, 0, paris), time.Date(2029, 1, 1, 0, 0, 0, 0, paris), 366 * 24},
	}
	for _, c := range cases {
		t.Run(c.unit+" "+c.localBegin.Format(time.DateOnly), func(t *testing.T) {
			p := params(t, []string{"calendar-" + c.unit, "type"}, "")
			p.Location = paris
			aggs := json.RawMessage(`{"groups": {"buckets": [{"key": {"g0": ` +
				jsonInt(c.localBegin.UnixMilli()) + `, "g1": "instance"}, "doc_count": 3, "f0": {"value": 3}, "f1": {"value": 1}}]}}`)
			pg, err := DecodePage(aggs, p)
			require.NoError(t, err)
			r := pg.Rows[0]
			require.True(t, r.Begin.Equal(c.localBegin), "begin %s, want %s", r.Begin, c.localBegin)
			require.True(t, r.End.Equal(c.localEnd), "end %s, want %s", r.End, c.localEnd)
			require.Equal(t, time.UTC, r.Begin.Location(), "rows are in UTC like the memory driver's")
			require.Equal(t, time.UTC, r.End.Location())
			require.Equal(t, c.hours, r.End.Sub(r.Begin).Hours())
			require.Equal(t, []storage.Group{{Key: "type", Value: strp("instance")}}, r.Groups, "calendar adds no column")
		})
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestDecodePageCustomFields(t *testing.T) {
	p := params(t, []string{"project_id"}, "SUM(qty) AS used, MIN(price) AS cheapest, MAX(qty) AS peak, AVG(price) AS mean, COUNT(qty) AS n")
	aggs := json.RawMessage(`{"groups": {"after_key": {"g0": "p"}, "buckets": [
	  {"key": {"g0": "p"}, "doc_count": 4,
	   "f0": {"value": 10.5}, "f1": {"value": null}, "f2": {"value": 4.25}, "f3": {"value": 0.125}, "f4": {"value": 4}}]}}`)
	pg, err := DecodePage(aggs, p)
	require.NoError(t, err)
	require.Equal(t, []storage.Field{
		{Name: "used", Value: 10.5}, {Name: "cheapest", Value: 0}, {Name: "peak", Value: 4.25}, {Name: "mean", Value: 0.125}, {Name: "n", Value: 4},
	}, pg.Rows[0].Fields)
	v, ok := pg.Rows[0].Field("mean")
	require.True(t, ok)
	require.Equal(t, 0.125, v)
}

func TestDecodePageEmpty(t *testing.T) {
	pg, err := DecodePage(json.RawMessage(`{"groups": {"buckets": []}}`), params(t, []string{"type"}, ""))
	require.NoError(t, err)
	require.Empty(t, pg.Rows)
	require.Nil(t, pg.AfterKey)
	pg, err = DecodePage(json.RawMessage(`{"groups": {"after_key": null, "buckets": []}}`), params(t, []string{"type"}, ""))
	require.NoError(t, err)
	require.Nil(t, pg.AfterKey, "a null after_key is no after_key")
}

func TestDecodePageErrors(t *testing.T) {
	p := params(t, []string{"time", "project_id"}, "")
	cases := []struct {
		name, aggs, msg string
	}{
		{"no groups", `{"other": {}}`, `no aggregation "groups"`},
		{"not json", `{"groups": [`, "decoding composite response"},
		{"no key", `{"groups": {"buckets": [{"doc_count": 1}]}}`, "bucket 0: key has no value for source g0"},
		{"missing source", `{"groups": {"buckets": [{"key": {"g0": 1, "g2": "p"}}]}}`, "bucket 0: key has no value for source g1"},
		{"bad millis", `{"groups": {"buckets": [{"key": {"g0": "2026-12-01", "g1": 1, "g2": "p"}}]}}`, `key value of source g0: not epoch milliseconds: "2026-12-01"`},
		{"fractional millis", `{"groups": {"buckets": [{"key": {"g0": 1.5, "g1": 1, "g2": "p"}}]}}`, `not epoch milliseconds: 1.5`},
		{"object label", `{"groups": {"buckets": [{"key": {"g0": 1, "g1": 2, "g2": {"a": 1}}}]}}`, "key value of source g2: not a scalar"},
		{"missing field", `{"groups": {"buckets": [{"key": {"g0": 1, "g1": 2, "g2": "p"}, "f0": {"value": 1}}]}}`, "no aggregation f1 (custom field rate)"},
		{"bad field", `{"groups": {"buckets": [{"key": {"g0": 1, "g1": 2, "g2": "p"}, "f0": {"value": 1}, "f1": {"value": "x"}}]}}`, "aggregation f1 (custom field rate)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodePage(json.RawMessage(c.aggs), p)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestDecodeUngrouped(t *testing.T) {
	p := params(t, nil, "SUM(qty) AS qty, SUM(price) AS rate, MIN(qty) AS least")
	rows, err := DecodeUngrouped(json.RawMessage(`{"f0": {"value": 0}, "f1": {"value": 0}, "f2": {"value": null}, "matched": {"value": 0}}`), p)
	require.NoError(t, err)
	require.Empty(t, rows, "nothing matched: no row")

	paris := loadLoc(t, "Europe/Paris")
	p.Window.Begin, p.Window.End = dec1.In(paris), jan1.In(paris)
	rows, err = DecodeUngrouped(json.RawMessage(`{"f0": {"value": 12.5}, "f1": {"value": 3.75}, "f2": {"value": 0.5}, "matched": {"value": 3}}`), p)
	require.NoError(t, err)
	require.Equal(t, []storage.Row{{Begin: dec1, End: jan1,
		Fields: []storage.Field{{Name: "qty", Value: 12.5}, {Name: "rate", Value: 3.75}, {Name: "least", Value: 0.5}}}}, rows)

	_, err = DecodeUngrouped(json.RawMessage(`{"f0": {"value": 1}, "f1": {"value": 1}, "f2": {"value": 1}}`), p)
	require.ErrorContains(t, err, `no "matched" count`)
	_, err = DecodeUngrouped(json.RawMessage(`{"f0": {"value": 1}, "f2": {"value": 1}, "matched": {"value": 1}}`), p)
	require.ErrorContains(t, err, "no aggregation f1 (custom field rate)")
}

func TestCompareKeys(t *testing.T) {
	null := keyValue{null: true}
	a, b := keyValue{str: "a"}, keyValue{str: "b"}
	require.Equal(t, 0, compareKeys([]keyValue{null, a}, []keyValue{null, a}))
	require.Equal(t, -1, compareKeys([]keyValue{null, b}, []keyValue{a, a}), "null sorts first")
	require.Equal(t, 1, compareKeys([]keyValue{a, null}, []keyValue{null, b}))
	require.Equal(t, -1, compareKeys([]keyValue{a, null}, []keyValue{a, a}))
	require.Equal(t, 1, compareKeys([]keyValue{b, a}, []keyValue{a, b}))
	require.Equal(t, -1, compareKeys([]keyValue{{num: -5}}, []keyValue{{num: 3}}), "dates compare as numbers")
	require.Equal(t, -1, compareKeys([]keyValue{{str: "Z"}}, []keyValue{{str: "a"}}), "strings compare as bytes")
}
