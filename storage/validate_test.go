package storage

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
)

func frameWith(pts ...dataframe.DataPoint) dataframe.DataFrame {
	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
	for _, p := range pts {
		f.AddPoint("instance", p)
	}
	return f
}

func labels(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestValidateFrames(t *testing.T) {
	ok := dataframe.DataPoint{Qty: 1, Groupby: labels("project_id", "p", "a.b", "x"), Metadata: labels("a", "y")}
	n, err := ValidateFrames([]dataframe.DataFrame{frameWith(ok, ok), frameWith(ok)})
	require.NoError(t, err, "groupby a.b and metadata a live in different objects")
	assert.Equal(t, 3, n)

	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		frames []dataframe.DataFrame
		want   string
	}{
		"zero period":   {[]dataframe.DataFrame{{}}, "dataframes[0].period: begin and end are required"},
		"reversed":      {[]dataframe.DataFrame{{Start: start, End: start}}, "dataframes[0].period: begin 2026-12-03T10:00:00Z is not before end"},
		"empty type":    {[]dataframe.DataFrame{{Start: start, End: start.Add(time.Hour), Usage: map[string][]dataframe.DataPoint{"": {ok}}}}, "dataframes[0].usage: empty metric type"},
		"NaN qty":       {[]dataframe.DataFrame{frameWith(ok, dataframe.DataPoint{Qty: math.NaN()})}, `dataframes[0].usage["instance"][1].vol.qty: NaN is not a finite number`},
		"Inf price":     {[]dataframe.DataFrame{frameWith(dataframe.DataPoint{Price: math.Inf(-1)})}, `dataframes[0].usage["instance"][0].rating.price: -Inf`},
		"empty key":     {[]dataframe.DataFrame{frameWith(dataframe.DataPoint{Groupby: labels("", "x")})}, `dataframes[0].usage["instance"][0].groupby[""]: a label key must be non-empty`},
		"doubled dot":   {[]dataframe.DataFrame{frameWith(dataframe.DataPoint{Metadata: labels("a..b", "x")})}, `metadata["a..b"]`},
		"trailing dot":  {[]dataframe.DataFrame{frameWith(dataframe.DataPoint{Metadata: labels("a.", "x")})}, `metadata["a."]`},
		"key then path": {[]dataframe.DataFrame{frameWith(dataframe.DataPoint{Groupby: labels("a", "x")}), frameWith(dataframe.DataPoint{Groupby: labels("a.b.c", "y")})}, `dataframes[1].usage["instance"][0].groupby["a.b.c"]: key "a" is also used as a plain key (at dataframes[0].usage["instance"][0].groupby["a"])`},
		"path then key": {[]dataframe.DataFrame{frameWith(dataframe.DataPoint{Groupby: labels("a.b", "x")}, dataframe.DataPoint{Groupby: labels("a", "y")})}, `dataframes[0].usage["instance"][1].groupby["a"]: key "a" is also the prefix of "a.b"`},
	} {
		_, err := ValidateFrames(tc.frames)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, ErrInvalid, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
}
