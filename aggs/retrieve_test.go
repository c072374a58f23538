package aggs

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

func TestRetrieveGolden(t *testing.T) {
	w := storage.Window{Begin: dec1, End: jan1, MetricTypes: []string{"instance"}, Filters: storage.Filters{"project_id": {"p1"}}}
	sortAfter := json.RawMessage(`[1796083200000,1796086800000,"instance","3f1c0a9b"]`)
	cases := []struct {
		name string
		p    RetrieveParams
	}{
		{"retrieve_first", RetrieveParams{Window: w, Size: 1000}},
		{"retrieve_from", RetrieveParams{Window: w, TimeMatch: storage.TimeMatchInside, Size: 100, From: 2000}},
		{"retrieve_search_after", RetrieveParams{Window: w, Size: 1000, SearchAfter: sortAfter}},
		{"retrieve_pit", RetrieveParams{Window: w, Size: 1000, PIT: &PIT{ID: "o463QwEKY2xvdWRraXR0eQ==", KeepAlive: "5m"}}},
		{"retrieve_pit_search_after_no_total", RetrieveParams{Window: w, Size: 1000, SearchAfter: sortAfter,
			PIT: &PIT{ID: "o463QwEKY2xvdWRraXR0eQ==", KeepAlive: "5m"}, SkipTotal: true}},
		{"retrieve_pit_sorts_only", RetrieveParams{Window: w, Size: 10000, SearchAfter: sortAfter,
			PIT: &PIT{ID: "o463QwEKY2xvdWRraXR0eQ==", KeepAlive: "5m"}, SkipTotal: true, SortsOnly: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := RetrieveBody(c.p)
			require.NoError(t, err)
			golden(t, c.name, got)
		})
	}
}

func TestRetrieveBodyErrors(t *testing.T) {
	cases := []struct {
		name string
		p    RetrieveParams
		msg  string
	}{
		{"negative size", RetrieveParams{Size: -1}, "search size -1"},
		{"negative from", RetrieveParams{Size: 1, From: -3}, "search from -3"},
		{"from with search_after", RetrieveParams{Size: 1, From: 10, SearchAfter: json.RawMessage(`[1]`)}, "from must be 0"},
		{"empty pit", RetrieveParams{Size: 1, PIT: &PIT{}}, "empty id"},
		{"bad filter", RetrieveParams{Size: 1, Window: storage.Window{Filters: storage.Filters{"k": {}}}}, `filter "k" has no values`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := RetrieveBody(c.p)
			require.ErrorIs(t, err, storage.ErrInvalid)
			require.ErrorContains(t, err, c.msg)
		})
	}
	_, err := RetrieveBody(RetrieveParams{Size: 1, SearchAfter: json.RawMessage(`[1,`)})
	require.Error(t, err, "a malformed search_after is not sent")
}

func TestDecodeHits(t *testing.T) {
	hits := json.RawMessage(`{
	  "total": {"value": 1234, "relation": "eq"},
	  "max_score": null,
	  "hits": [
	    {"_index": "cloudkitty-2026.12.01", "_id": "a1", "_score": null,
	     "_source": {"start": "2026-12-01T00:00:00.123456789Z", "end": "2026-12-01T01:00:00Z", "type": "instance",
	                 "unit": "instance", "qty": 1, "price": 0.00123456789012345,
	                 "groupby": {"project_id": "8d3ae500-89ea", "id": "vm-1"}, "metadata": {"flavor": "m1.nano"},
	                 "description": "a VM", "doc_key": "a1"},
	     "sort": [1796083200123, 1796086800000, "instance", "a1"]},
	    {"_index": "cloudkitty-2026.12.01", "_id": "b2",
	     "_source": {"start": "2026-12-01T02:00:00+01:00", "end": "2026-12-01T03:00:00+01:00", "type": "volume.size",
	                 "unit": "GiB", "qty": "0.5", "price": "12", "groupby": {"year": 2026, "ok": true, "gone": null},
	                 "metadata": {}},
	     "sort": [1796086800000, 1796090400000, "volume.size", "b2"]}
	  ]}`)
	total, got, err := DecodeHits(hits)
	require.NoError(t, err)
	require.Equal(t, int64(1234), total)
	require.Equal(t, []Hit{
		{Type: "instance",
			Start: time.Date(2026, 12, 1, 0, 0, 0, 123456789, time.UTC), End: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC),
			Point: dataframe.DataPoint{Unit: "instance", Qty: 1, Price: 0.00123456789012345,
				Groupby: map[string]string{"project_id": "8d3ae500-89ea", "id": "vm-1"}, Metadata: map[string]string{"flavor": "m1.nano"},
				Description: "a VM"},
			Sort: json.RawMessage(`[1796083200123, 1796086800000, "instance", "a1"]`)},
		// Numeric strings and non-string labels (written by other tools) are read in string form.
		{Type: "volume.size",
			Start: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
			Point: dataframe.DataPoint{Unit: "GiB", Qty: 0.5, Price: 12,
				Groupby: map[string]string{"year": "2026", "ok": "true"}, Metadata: map[string]string{}},
			Sort: json.RawMessage(`[1796086800000, 1796090400000, "volume.size", "b2"]`)},
	}, got)
	require.Equal(t, time.UTC, got[1].Start.Location())

	// The sort values of the last hit are what the next page's search_after takes, verbatim.
	body, err := RetrieveBody(RetrieveParams{Size: 2, SearchAfter: got[1].Sort})
	require.NoError(t, err)
	var req struct {
		SearchAfter []any `json:"search_after"`
	}
	require.NoError(t, json.Unmarshal(body, &req))
	require.Equal(t, []any{float64(1796086800000), float64(1796090400000), "volume.size", "b2"}, req.SearchAfter)
}

func TestDecodeHitsNoTotal(t *testing.T) {
	total, got, err := DecodeHits(json.RawMessage(`{"hits": []}`))
	require.NoError(t, err)
	require.Equal(t, int64(-1), total)
	require.Empty(t, got)

	total, got, err = DecodeHits(json.RawMessage(`{"total": {"value": 0, "relation": "eq"}, "hits": []}`))
	require.NoError(t, err)
	require.Zero(t, total)
	require.Empty(t, got)
}

func TestDecodeHitsDefaultsEmptyLabels(t *testing.T) {
	_, got, err := DecodeHits(json.RawMessage(`{"hits": [{"_source": {"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00Z", "type": "t", "qty": 1, "price": 2}}]}`))
	require.NoError(t, err)
	require.Equal(t, dataframe.DefaultUnit, got[0].Point.Unit)
	require.NotNil(t, got[0].Point.Groupby)
	require.NotNil(t, got[0].Point.Metadata)
	require.Empty(t, got[0].Point.Groupby)
	require.Nil(t, got[0].Sort)
}

func TestDecodeHitsErrors(t *testing.T) {
	const ok = `"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00Z", "type": "t", "qty": 1, "price": 2`
	cases := []struct {
		name, hits, msg string
	}{
		{"bounded total", `{"total": {"value": 10000, "relation": "gte"}, "hits": []}`, `search total 10000 is not exact (relation "gte")`},
		{"no source", `{"hits": [{"_id": "x"}]}`, "hit 0 has no _source"},
		{"no type", `{"hits": [{"_source": {"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00Z"}}]}`, "hit 0: _source has no type"},
		{"no start", `{"hits": [{"_source": {` + ok + `}}, {"_source": {"end": "2026-12-01T01:00:00Z", "type": "t"}}]}`, "hit 1: _source.start: missing"},
		{"bad end", `{"hits": [{"_source": {"start": "2026-12-01T00:00:00Z", "end": "yesterday", "type": "t"}}]}`, `hit 0: _source.end: not an RFC 3339 time: "yesterday"`},
		{"bad qty", `{"hits": [{"_source": {` + ok + `, "qty": "abc"}}]}`, `hit 0: _source.qty: not a number: "abc"`},
		{"bad price", `{"hits": [{"_source": {` + ok + `, "price": true}}]}`, `hit 0: _source.price: not a number: true`},
		{"nested label", `{"hits": [{"_source": {` + ok + `, "groupby": {"a": {"b": 1}}}}]}`, `label "a": not a scalar`},
		{"not json", `{"hits": [`, "decoding search hits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := DecodeHits(json.RawMessage(c.hits))
			require.Error(t, err)
			require.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestDecodeSorts(t *testing.T) {
	total, sorts, err := DecodeSorts([]byte(`{"total":{"value":12,"relation":"eq"},"hits":[{"sort":[1,2,"a","x"]},{"sort":[1,2,"a","y"]}]}`))
	require.NoError(t, err)
	require.EqualValues(t, 12, total)
	require.Len(t, sorts, 2)
	require.JSONEq(t, `[1,2,"a","y"]`, string(sorts[1]))
	total, _, err = DecodeSorts([]byte(`{"hits":[]}`))
	require.NoError(t, err)
	require.EqualValues(t, -1, total)
	_, _, err = DecodeSorts([]byte(`{"hits":[{"_id":"x"}]}`))
	require.ErrorContains(t, err, "hit 0 has no sort values")
	_, _, err = DecodeSorts([]byte(`{"total":{"value":10000,"relation":"gte"},"hits":[]}`))
	require.ErrorContains(t, err, "not exact")
}
