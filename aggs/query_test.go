package aggs

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/storage"
)

var (
	dec1 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	jan1 = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

func TestFilterGolden(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	cases := []struct {
		name string
		w    storage.Window
		m    storage.TimeMatch
	}{
		{"filter_start", storage.Window{Begin: dec1, End: jan1}, storage.TimeMatchStart},
		{"filter_default_mode", storage.Window{Begin: dec1, End: jan1}, ""},
		// A non-UTC bound is sent in UTC, with its nanoseconds.
		{"filter_start_nanos_zone", storage.Window{Begin: time.Date(2026, 12, 1, 1, 0, 0, 123456789, paris), End: jan1}, storage.TimeMatchStart},
		{"filter_inside", storage.Window{Begin: dec1, End: jan1}, storage.TimeMatchInside},
		{"filter_start_open_begin", storage.Window{End: jan1}, storage.TimeMatchStart},
		{"filter_start_open_end", storage.Window{Begin: dec1}, storage.TimeMatchStart},
		{"filter_inside_open_begin", storage.Window{End: jan1}, storage.TimeMatchInside},
		{"filter_inside_open_end", storage.Window{Begin: dec1}, storage.TimeMatchInside},
		{"filter_open", storage.Window{}, storage.TimeMatchInside},
		{"filter_types", storage.Window{Begin: dec1, End: jan1, MetricTypes: []string{"instance", "volume.size"}}, storage.TimeMatchStart},
		{"filter_type_key", storage.Window{Begin: dec1, End: jan1, MetricTypes: []string{"instance"},
			Filters: storage.Filters{"type": {"instance", "image.size"}}}, storage.TimeMatchStart},
		{"filter_keys", storage.Window{Begin: dec1, End: jan1, Filters: storage.Filters{
			"project_id": {"8d3ae500-89ea-4142-9c6e-1269db6a0b64", "Project-A"},
			"flavor":     {"m1.nano"},
			"type":       {"instance"},
		}}, storage.TimeMatchInside},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Filter(c.w, c.m)
			require.NoError(t, err)
			golden(t, c.name, got)
		})
	}
}

func TestFilterDeterministic(t *testing.T) {
	w := storage.Window{Begin: dec1, End: jan1, Filters: storage.Filters{}}
	for _, k := range []string{"k1", "k9", "k3", "k7", "k5", "k2", "k8", "k4", "k6"} {
		w.Filters[k] = []string{"v"}
	}
	first, err := Filter(w, storage.TimeMatchStart)
	require.NoError(t, err)
	for range 20 {
		again, err := Filter(w, storage.TimeMatchStart)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
}

func TestFilterShape(t *testing.T) {
	// The clauses are all in filter context, one per key, each key ORing groupby and metadata.
	got, err := Filter(storage.Window{Filters: storage.Filters{"b": {"x"}, "a": {"y", "z"}}}, storage.TimeMatchStart)
	require.NoError(t, err)
	var q struct {
		Bool struct {
			Filter []struct {
				Bool struct {
					Should             []map[string]map[string][]string `json:"should"`
					MinimumShouldMatch int                              `json:"minimum_should_match"`
				} `json:"bool"`
			} `json:"filter"`
			Should []json.RawMessage `json:"should"`
			Must   []json.RawMessage `json:"must"`
		} `json:"bool"`
	}
	require.NoError(t, json.Unmarshal(got, &q))
	require.Empty(t, q.Bool.Should)
	require.Empty(t, q.Bool.Must)
	require.Len(t, q.Bool.Filter, 2)
	a := q.Bool.Filter[0].Bool
	require.Equal(t, 1, a.MinimumShouldMatch)
	require.Equal(t, []string{"y", "z"}, a.Should[0]["terms"]["groupby.a"])
	require.Equal(t, []string{"y", "z"}, a.Should[1]["terms"]["metadata.a"])
	require.Equal(t, []string{"x"}, q.Bool.Filter[1].Bool.Should[0]["terms"]["groupby.b"])
}

func TestFilterErrors(t *testing.T) {
	cases := []struct {
		name string
		w    storage.Window
		m    storage.TimeMatch
		msg  string
	}{
		{"bad mode", storage.Window{}, "overlap", `time match "overlap"`},
		{"empty key", storage.Window{Filters: storage.Filters{"": {"x"}}}, "", "empty key"},
		{"no values", storage.Window{Filters: storage.Filters{"project_id": nil}}, "", `filter "project_id" has no values`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Filter(c.w, c.m)
			require.Error(t, err)
			require.True(t, errors.Is(err, storage.ErrInvalid))
			require.Contains(t, err.Error(), c.msg)
			_, err = QueryBody(c.w, c.m)
			require.ErrorIs(t, err, storage.ErrInvalid)
		})
	}
}

func TestQueryBodyGolden(t *testing.T) {
	got, err := QueryBody(storage.Window{Begin: dec1, End: jan1, Filters: storage.Filters{"project_id": {"p1"}}}, storage.TimeMatchStart)
	require.NoError(t, err)
	golden(t, "query_body", got)
}
