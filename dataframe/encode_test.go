package dataframe

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	goldenfile "github.com/ckos/ckos/internal/golden"
)

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", "golden", name), got)
}

// goldenFrames exercises every encoding rule: sorted types and labels, points in order, UTC times,
// default unit, nil maps, description, escaping, tiny, huge and negative numbers.
func goldenFrames() []DataFrame {
	paris := time.FixedZone("CEST", 2*3600)
	return []DataFrame{
		{
			Start: time.Date(2019, 7, 23, 14, 28, 10, 0, paris),
			End:   time.Date(2019, 7, 23, 15, 28, 10, 0, paris),
			Usage: map[string][]DataPoint{
				"instance": {
					{Unit: "instance", Qty: 1, Price: 2.5,
						Groupby:  map[string]string{"project_id": "8d3ae50089ea4142a14b3a8aa1a7fd17", "id": "b"},
						Metadata: map[string]string{"flavor_name": "m1.nano", "vcpus": "1"}},
					{Unit: "instance", Qty: 1, Price: 2.5,
						Groupby:  map[string]string{"project_id": "8d3ae50089ea4142a14b3a8aa1a7fd17", "id": "a"},
						Metadata: map[string]string{"flavor_name": "m1.nano", "vcpus": "1"}},
				},
				"image.size": {
					{Unit: "MiB", Qty: 0.00123456, Price: 1.2345678901234567e-7,
						Groupby: map[string]string{"id": "img"}, Metadata: nil,
						Description: "quote \" backslash \\ newline \n tab \t nul \x00 <html> & é 日本 \u2028"},
				},
				"volume.size": {
					{Qty: 1e21, Price: -0.5, Groupby: nil, Metadata: map[string]string{"zone": "nova"}},
				},
			},
		},
		{
			Start: time.Date(2019, 7, 23, 13, 28, 10, 500000000, time.UTC),
			End:   time.Date(2019, 7, 23, 14, 28, 10, 0, time.UTC),
			Usage: map[string][]DataPoint{"empty": nil},
		},
		{
			Start: time.Date(2019, 7, 24, 0, 0, 0, 0, time.UTC),
			End:   time.Date(2019, 7, 25, 0, 0, 0, 0, time.UTC),
		},
	}
}

func encodeAll(t testing.TB, frames []DataFrame, form Form) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := NewEncoder(&buf, form)
	for _, f := range frames {
		require.NoError(t, enc.Encode(f))
	}
	require.NoError(t, enc.Close())
	return buf.Bytes()
}

func TestEncodeGolden(t *testing.T) {
	for form, name := range map[Form]string{FormObject: "frames.object.json", FormArray: "frames.array.json", FormNDJSON: "frames.ndjson"} {
		t.Run(form.String(), func(t *testing.T) {
			body := encodeAll(t, goldenFrames(), form)
			golden(t, name, body)
			assert.True(t, json.Valid(body) || form == FormNDJSON)
		})
	}
	t.Run("MarshalJSON", func(t *testing.T) {
		b, err := json.Marshal(goldenFrames()[0])
		require.NoError(t, err)
		golden(t, "frame.json", append(b, '\n'))
	})
}

// normalized returns f as the decoder produces it: UTC times, default unit, non-nil maps and slices.
func normalized(f DataFrame) DataFrame {
	out := DataFrame{Start: f.Start.UTC(), End: f.End.UTC(), Usage: map[string][]DataPoint{}}
	for typ, pts := range f.Usage {
		np := make([]DataPoint, 0, len(pts))
		for _, p := range pts {
			p.Unit = p.UnitOrDefault()
			if p.Groupby == nil {
				p.Groupby = map[string]string{}
			}
			if p.Metadata == nil {
				p.Metadata = map[string]string{}
			}
			np = append(np, p)
		}
		out.Usage[typ] = np
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	var want []DataFrame
	for _, f := range goldenFrames() {
		want = append(want, normalized(f))
	}
	frames := goldenFrames()
	for _, form := range []Form{FormObject, FormArray, FormNDJSON} {
		t.Run(form.String(), func(t *testing.T) {
			got, gotForm, err := decodeAll(t, string(encodeAll(t, frames, form)))
			require.NoError(t, err)
			assert.Equal(t, form, gotForm)
			assert.Equal(t, want, got)
		})
	}
	t.Run("decode encode decode of the CloudKitty sample", func(t *testing.T) {
		body, err := os.ReadFile("testdata/dataframes_post.json")
		require.NoError(t, err)
		first, _, err := decodeAll(t, string(body))
		require.NoError(t, err)
		second, _, err := decodeAll(t, string(encodeAll(t, first, FormObject)))
		require.NoError(t, err)
		assert.Equal(t, first, second)
	})
	t.Run("MarshalJSON then UnmarshalJSON", func(t *testing.T) {
		b, err := json.Marshal(frames)
		require.NoError(t, err)
		var got []DataFrame
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Equal(t, want, got)
	})
}

func TestEncodeNonFinite(t *testing.T) {
	f := goldenFrames()[0]
	f.Usage["instance"][1].Price = math.Inf(1)
	var buf bytes.Buffer
	enc := NewEncoder(&buf, FormArray)
	require.NoError(t, enc.Encode(goldenFrames()[1]))
	before := buf.Len()
	err := enc.Encode(f)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, `dataframes[1].usage["instance"][1].rating.price`, e.Path)
	assert.EqualError(t, err, `dataframes[1].usage["instance"][1].rating.price: not a finite number: +Inf`)
	assert.Equal(t, before, buf.Len(), "nothing written for a frame that cannot be encoded")
	require.NoError(t, enc.Close())
	frames, _, err := decodeAll(t, buf.String())
	require.NoError(t, err)
	assert.Len(t, frames, 1)

	f.Usage["instance"][1].Price = 0
	f.Usage["instance"][0].Qty = math.NaN()
	_, err = json.Marshal(f)
	assert.ErrorContains(t, err, `usage["instance"][0].vol.qty: not a finite number: NaN`)
}

// The encoder refuses what the decoder would refuse, so decode(encode(f)) always works.
func TestEncodeRefusesUndecodable(t *testing.T) {
	base := func() DataFrame { return goldenFrames()[0] }
	cases := []struct {
		name   string
		modify func(f *DataFrame)
		path   string
		msg    string
	}{
		{"zero frame", func(f *DataFrame) { *f = DataFrame{} }, "period", "begin 0001-01-01T00:00:00Z is not before end 0001-01-01T00:00:00Z"},
		{"end before begin", func(f *DataFrame) { f.Start, f.End = f.End, f.Start }, "period", "is not before end"},
		{"year 10000", func(f *DataFrame) { f.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "period.end", "year 10000 is outside 0000-9999"},
		{"empty type", func(f *DataFrame) { f.Usage[""] = nil }, "usage", "empty metric type"},
		{"empty groupby key", func(f *DataFrame) { f.Usage["instance"][1].Groupby[""] = "x" }, `usage["instance"][1].groupby`, "empty key"},
		{"empty metadata key", func(f *DataFrame) { f.Usage["instance"][0].Metadata[""] = "x" }, `usage["instance"][0].metadata`, "empty key"},
		{"NaN qty", func(f *DataFrame) { f.Usage["instance"][0].Qty = math.NaN() }, `usage["instance"][0].vol.qty`, "not a finite number: NaN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base()
			c.modify(&f)
			b, err := f.AppendJSON([]byte("keep"))
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.path, e.Path)
			assert.ErrorContains(t, e.Err, c.msg)
			assert.Equal(t, "keep", string(b))
		})
	}
}

func TestEncoderEmptyAndClose(t *testing.T) {
	for form, want := range map[Form]string{FormObject: "{\"dataframes\":[]}\n", FormArray: "[]\n", FormNDJSON: ""} {
		var buf bytes.Buffer
		enc := NewEncoder(&buf, form)
		require.NoError(t, enc.Close())
		require.NoError(t, enc.Close(), "Close twice")
		assert.Equal(t, want, buf.String())
		assert.Error(t, enc.Encode(DataFrame{}), "Encode after Close")
		frames, gotForm, err := decodeAll(t, buf.String())
		require.NoError(t, err)
		assert.Empty(t, frames)
		if form != FormNDJSON {
			assert.Equal(t, form, gotForm)
		}
	}
}

type brokenWriter struct{ n int }

func (w *brokenWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("disk full")
	}
	w.n--
	return len(p), nil
}

func TestEncoderWriteErrorIsSticky(t *testing.T) {
	enc := NewEncoder(&brokenWriter{n: 1}, FormObject)
	f := goldenFrames()[1]
	require.NoError(t, enc.Encode(f))
	err := enc.Encode(f)
	assert.ErrorContains(t, err, "write dataframes: disk full")
	assert.Equal(t, err, enc.Encode(f))
	assert.Equal(t, err, enc.Close())
}

func TestEncodeOnePerLine(t *testing.T) {
	body := encodeAll(t, goldenFrames(), FormNDJSON)
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	require.Len(t, lines, 3)
	for _, l := range lines {
		assert.True(t, json.Valid([]byte(l)), l)
	}
}
