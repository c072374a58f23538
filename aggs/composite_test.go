package aggs

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/storage"
)

// params returns CompositeParams for a groupby and custom-field list in CloudKitty syntax.
func params(t testing.TB, groupby []string, custom string) CompositeParams {
	t.Helper()
	g, err := storage.ParseGroupby(groupby)
	require.NoError(t, err)
	f, err := storage.ParseCustomFields(custom)
	require.NoError(t, err)
	return CompositeParams{
		Window:    storage.Window{Begin: dec1, End: jan1, MetricTypes: []string{"instance"}},
		TimeMatch: storage.TimeMatchStart,
		Groups:    g,
		Fields:    f,
	}
}

func TestCompositeGolden(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	after := json.RawMessage(`{"g0":"8d3ae500","g1":null}`)
	cases := []struct {
		name     string
		p        func() CompositeParams
		after    json.RawMessage
		keysOnly bool
	}{
		{"composite_labels", func() CompositeParams { return params(t, []string{"project_id", "user_id"}, "") }, nil, false},
		{"composite_type", func() CompositeParams { return params(t, []string{"type", "project_id"}, "") }, nil, false},
		{"composite_time", func() CompositeParams { return params(t, []string{"time", "project_id"}, "") }, nil, false},
		// time-d is CloudKitty's name for the stored label day_of_the_year.
		{"composite_time_d", func() CompositeParams { return params(t, []string{"time-d"}, "") }, nil, false},
		{"composite_calendar_day_paris", func() CompositeParams {
			p := params(t, []string{"project_id", "calendar-day"}, "")
			p.Location = paris
			return p
		}, nil, false},
		{"composite_calendar_month_utc", func() CompositeParams { return params(t, []string{"calendar-month"}, "") }, nil, false},
		{"composite_custom_fields", func() CompositeParams {
			return params(t, []string{"project_id"}, "SUM(qty) AS qty, MIN(price) AS cheapest, MAX(qty) AS peak, AVG(price) AS mean, COUNT(qty) AS n")
		}, nil, false},
		{"composite_keys_only", func() CompositeParams { return params(t, []string{"project_id", "user_id"}, "") }, nil, true},
		{"composite_after", func() CompositeParams {
			p := params(t, []string{"project_id", "user_id"}, "")
			p.PageSize = 500
			return p
		}, after, false},
		{"composite_after_keys_only", func() CompositeParams { return params(t, []string{"project_id", "user_id"}, "") }, after, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CompositeBody(c.p(), c.after, c.keysOnly)
			require.NoError(t, err)
			golden(t, c.name, got)
		})
	}
}

// compositeRequest is the part of a composite request the tests inspect.
type compositeRequest struct {
	Size           int             `json:"size"`
	TrackTotalHits bool            `json:"track_total_hits"`
	Query          json.RawMessage `json:"query"`
	Aggs           struct {
		Groups struct {
			Composite struct {
				Size    int                                    `json:"size"`
				Sources []map[string]map[string]map[string]any `json:"sources"`
				After   json.RawMessage                        `json:"after"`
			} `json:"composite"`
			Aggs map[string]map[string]map[string]string `json:"aggs"`
		} `json:"groups"`
	} `json:"aggs"`
}

func decodeRequest(t testing.TB, body []byte) compositeRequest {
	t.Helper()
	var r compositeRequest
	require.NoError(t, json.Unmarshal(body, &r))
	return r
}

func TestCompositeSources(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	p := params(t, []string{"g0", "type", "time", "id"}, "")
	body, err := CompositeBody(p, nil, false)
	require.NoError(t, err)
	r := decodeRequest(t, body)
	require.Equal(t, 0, r.Size)
	require.False(t, r.TrackTotalHits)
	require.Equal(t, DefaultPageSize, r.Aggs.Groups.Composite.Size)
	src := r.Aggs.Groups.Composite.Sources
	require.Len(t, src, 5, "time gives two sources")
	// A user key named like a source name does not clash: sources are numbered.
	require.Equal(t, "groupby.g0", src[0]["g0"]["terms"]["field"])
	require.Equal(t, true, src[0]["g0"]["terms"]["missing_bucket"])
	require.Equal(t, "type", src[1]["g1"]["terms"]["field"])
	require.NotContains(t, src[1]["g1"]["terms"], "missing_bucket")
	require.Equal(t, "start", src[2]["g2"]["terms"]["field"])
	require.Equal(t, "end", src[3]["g3"]["terms"]["field"])
	require.Equal(t, "groupby.id", src[4]["g4"]["terms"]["field"])
	for i, s := range src {
		for _, body := range s {
			for _, b := range body {
				require.Equal(t, "asc", b["order"], "source %d", i)
				require.NotContains(t, b, "missing_order", "source %d", i)
			}
		}
	}

	for unit, interval := range map[string]string{"day": "1d", "week": "1w", "month": "1M", "year": "1y"} {
		p := params(t, []string{"calendar-" + unit}, "")
		p.Location = tokyo
		body, err := CompositeBody(p, nil, false)
		require.NoError(t, err)
		h := decodeRequest(t, body).Aggs.Groups.Composite.Sources[0]["g0"]["date_histogram"]
		require.Equal(t, interval, h["calendar_interval"], unit)
		require.Equal(t, "Asia/Tokyo", h["time_zone"], unit)
		require.Equal(t, "start", h["field"], unit)
		require.NotContains(t, h, "format", "keys must stay epoch millis")
	}
}

func TestCompositeKeysOnlyDropsFields(t *testing.T) {
	p := params(t, []string{"project_id"}, "")
	full, err := CompositeBody(p, nil, false)
	require.NoError(t, err)
	keys, err := CompositeBody(p, nil, true)
	require.NoError(t, err)
	require.Len(t, decodeRequest(t, full).Aggs.Groups.Aggs, 2)
	require.Empty(t, decodeRequest(t, keys).Aggs.Groups.Aggs)
	require.JSONEq(t, string(decodeRequest(t, full).Query), string(decodeRequest(t, keys).Query))
}

func TestCompositeAfterVerbatim(t *testing.T) {
	p := params(t, []string{"time"}, "")
	after := json.RawMessage(`{"g0":1796083200123,"g1":1796086800000}`)
	body, err := CompositeBody(p, after, false)
	require.NoError(t, err)
	require.JSONEq(t, string(after), string(decodeRequest(t, body).Aggs.Groups.Composite.After))
}

func TestCompositeErrors(t *testing.T) {
	fixed := time.FixedZone("", 3600)
	cases := []struct {
		name string
		p    func() CompositeParams
		msg  string
	}{
		{"no groups", func() CompositeParams { return params(t, nil, "") }, "at least one groupby"},
		{"local zone", func() CompositeParams {
			p := params(t, []string{"calendar-day"}, "")
			p.Location = time.Local
			return p
		}, `time zone "Local"`},
		{"unnamed zone", func() CompositeParams {
			p := params(t, []string{"calendar-day"}, "")
			p.Location = fixed
			return p
		}, `time zone ""`},
		{"bad func", func() CompositeParams {
			p := params(t, []string{"type"}, "")
			p.Fields[1].Func = "median"
			return p
		}, `custom field 2 (rate): function "median"`},
		{"bad field", func() CompositeParams {
			p := params(t, []string{"type"}, "")
			p.Fields[0].Field = "groupby.x"
			return p
		}, `custom field 1 (qty): field "groupby.x"`},
		{"bad unit", func() CompositeParams {
			p := params(t, []string{"type"}, "")
			p.Groups = append(p.Groups, storage.GroupElem{Kind: storage.GroupCalendar, Key: "fortnight"})
			return p
		}, `unknown calendar unit "fortnight"`},
		{"empty label", func() CompositeParams {
			p := params(t, []string{"type"}, "")
			p.Groups = append(p.Groups, storage.GroupElem{Kind: storage.GroupLabel})
			return p
		}, "groupby element 1 is a label with an empty key"},
		{"negative page", func() CompositeParams {
			p := params(t, []string{"type"}, "")
			p.PageSize = -1
			return p
		}, "page size -1"},
		{"bad time match", func() CompositeParams {
			p := params(t, []string{"type"}, "")
			p.TimeMatch = "around"
			return p
		}, `time match "around"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := CompositeBody(c.p(), nil, false)
			require.ErrorIs(t, err, storage.ErrInvalid)
			require.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestUngroupedGolden(t *testing.T) {
	got, err := UngroupedBody(params(t, nil, ""))
	require.NoError(t, err)
	golden(t, "ungrouped", got)
	got, err = UngroupedBody(params(t, nil, "AVG(price) AS mean, COUNT(qty) AS n"))
	require.NoError(t, err)
	golden(t, "ungrouped_custom_fields", got)

	p := params(t, nil, "")
	p.Fields[0].Func = "DROP"
	_, err = UngroupedBody(p)
	require.ErrorIs(t, err, storage.ErrInvalid)
}
