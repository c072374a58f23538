package dataframe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeAll reads every frame of body.
func decodeAll(t testing.TB, body string) ([]DataFrame, Form, error) {
	t.Helper()
	d := NewDecoder(strings.NewReader(body))
	var frames []DataFrame
	for {
		f, err := d.Next()
		if err == io.EOF {
			return frames, d.Form(), nil
		}
		if err != nil {
			return frames, d.Form(), err
		}
		frames = append(frames, f)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := ParseTime(s)
	require.NoError(t, err)
	return tm
}

// The api-ref sample of POST /v2/dataframes decodes to exactly its values.
func TestDecodeCloudKittySample(t *testing.T) {
	body, err := os.ReadFile("testdata/dataframes_post.json")
	require.NoError(t, err)
	frames, form, err := decodeAll(t, string(body))
	require.NoError(t, err)
	assert.Equal(t, FormObject, form)
	labels := func() (map[string]string, map[string]string) {
		return map[string]string{"group_one": "one", "group_two": "two"},
			map[string]string{"attr_one": "one", "attr_two": "two"}
	}
	pt := func(unit string, qty, price float64) DataPoint {
		g, m := labels()
		return DataPoint{Unit: unit, Qty: qty, Price: price, Groupby: g, Metadata: m}
	}
	want := []DataFrame{
		{
			Start: time.Date(2019, 7, 23, 12, 28, 10, 0, time.UTC),
			End:   time.Date(2019, 7, 23, 13, 28, 10, 0, time.UTC),
			Usage: map[string][]DataPoint{
				"metric_one": {pt("GiB", 1.2, 0.04)},
				"metric_two": {pt("MB", 200.4, 0.06)},
			},
		},
		{
			Start: time.Date(2019, 8, 23, 12, 28, 10, 0, time.UTC),
			End:   time.Date(2019, 8, 23, 13, 28, 10, 0, time.UTC),
			Usage: map[string][]DataPoint{
				"metric_one": {pt("GiB", 2.4, 0.08)},
				"metric_two": {pt("MB", 400.8, 0.12)},
			},
		},
	}
	assert.Equal(t, want, frames)
}

const (
	testPeriod = `"period":{"begin":"2019-07-23T12:28:10Z","end":"2019-07-23T13:28:10Z"}`
	testPoint  = `{"vol":{"unit":"instance","qty":1},"rating":{"price":2.5},"groupby":{"id":"a"},"metadata":{}}`
)

// testFrame is a frame whose "instance" points are points.
func testFrame(points ...string) string {
	return `{` + testPeriod + `,"usage":{"instance":[` + strings.Join(points, ",") + `]}}`
}

// bodies returns frames in each form; NDJSON gets a blank line before the last frame.
func bodies(frames ...string) map[Form]string {
	nd := ""
	for i, f := range frames {
		if i == len(frames)-1 && i > 0 {
			nd += "\n"
		}
		nd += f + "\n"
	}
	return map[Form]string{
		FormObject: `{"dataframes": [` + strings.Join(frames, ",\n") + `]}`,
		FormArray:  "[\n" + strings.Join(frames, ",\n") + "\n]\n",
		FormNDJSON: nd,
	}
}

func TestDecodeForms(t *testing.T) {
	frames := []string{
		testFrame(testPoint),
		`{"usage":{"cpu":[{"groupby":{},"metadata":{"n":1},"vol":{"qty":"2"}}]},` +
			`"period":{"end":"2019-07-23 14:28:10+00:00","begin":"20190723T132810Z"}}`,
		`{` + testPeriod + `,"usage":{}}`,
	}
	want := []DataFrame{
		{
			Start: mustTime(t, "2019-07-23T12:28:10Z"), End: mustTime(t, "2019-07-23T13:28:10Z"),
			Usage: map[string][]DataPoint{"instance": {{
				Unit: "instance", Qty: 1, Price: 2.5, Groupby: map[string]string{"id": "a"}, Metadata: map[string]string{},
			}}},
		},
		{
			Start: mustTime(t, "2019-07-23T13:28:10Z"), End: mustTime(t, "2019-07-23T14:28:10Z"),
			Usage: map[string][]DataPoint{"cpu": {{
				Unit: DefaultUnit, Qty: 2, Groupby: map[string]string{}, Metadata: map[string]string{"n": "1"},
			}}},
		},
		{
			Start: mustTime(t, "2019-07-23T12:28:10Z"), End: mustTime(t, "2019-07-23T13:28:10Z"),
			Usage: map[string][]DataPoint{},
		},
	}
	for form, body := range bodies(frames...) {
		t.Run(form.String(), func(t *testing.T) {
			got, gotForm, err := decodeAll(t, body)
			require.NoError(t, err)
			assert.Equal(t, form, gotForm)
			assert.Equal(t, want, got)
		})
	}
	t.Run("ndjson CRLF and one frame without newline", func(t *testing.T) {
		got, form, err := decodeAll(t, frames[0]+"\r\n\r\n"+frames[1])
		require.NoError(t, err)
		assert.Equal(t, FormNDJSON, form)
		assert.Equal(t, want[:2], got)
	})
}

func TestDecodeEmpty(t *testing.T) {
	for _, body := range []string{"", " \n\t\n", `{"dataframes":[]}`, ` { "dataframes" : [ ] } ` + "\n", `[]`} {
		frames, _, err := decodeAll(t, body)
		require.NoError(t, err, "%q", body)
		assert.Empty(t, frames, "%q", body)
	}
}

func TestDecodeValues(t *testing.T) {
	cases := []struct {
		name  string
		point string
		want  DataPoint
	}{
		{"numbers", `{"vol":{"unit":"GiB","qty":0.00123456},"rating":{"price":-1.5e-3},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: "GiB", Qty: 0.00123456, Price: -0.0015}},
		{"numeric strings", `{"vol":{"unit":"GiB","qty":"0.00123456"},"rating":{"price":"+12.5E2"},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: "GiB", Qty: 0.00123456, Price: 1250}},
		{"string forms", `{"vol":{"qty":".5"},"rating":{"price":"7."},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: DefaultUnit, Qty: 0.5, Price: 7}},
		{"float64 precision", `{"vol":{"qty":"0.1234567890123456789"},"rating":{"price":16777217},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: DefaultUnit, Qty: 0.1234567890123456789, Price: 16777217}}, // 16777217 is not a float32
		{"no rating", `{"vol":{"unit":"u","qty":3},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: "u", Qty: 3}},
		{"empty rating", `{"vol":{"unit":"u","qty":3},"rating":{},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: "u", Qty: 3}},
		{"empty unit", `{"vol":{"unit":"","qty":3},"groupby":{},"metadata":{}}`,
			DataPoint{Unit: DefaultUnit, Qty: 3}},
		{"label values", `{"vol":{"qty":1},"groupby":{"year":2022,"s":"2022","f":1.50,"e":1e3,"t":true,"n":false,"u":"\u00e9\n"},"metadata":{"neg":-0}}`,
			DataPoint{Unit: DefaultUnit, Qty: 1,
				Groupby:  map[string]string{"year": "2022", "s": "2022", "f": "1.50", "e": "1e3", "t": "true", "n": "false", "u": "é\n"},
				Metadata: map[string]string{"neg": "-0"}}},
		{"description", `{"vol":{"qty":1},"groupby":{},"metadata":{},"description":"a test"}`,
			DataPoint{Unit: DefaultUnit, Qty: 1, Description: "a test"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frames, _, err := decodeAll(t, testFrame(c.point))
			require.NoError(t, err)
			require.Len(t, frames, 1)
			want := c.want
			if want.Groupby == nil {
				want.Groupby = map[string]string{}
			}
			if want.Metadata == nil {
				want.Metadata = map[string]string{}
			}
			assert.Equal(t, []DataPoint{want}, frames[0].Usage["instance"])
		})
	}
}

// Every validation error names the frame, the metric type, the point and the field, in every form.
func TestDecodePointErrors(t *testing.T) {
	const at = `dataframes[3].usage["instance"][7]`
	cases := []struct {
		name, point, path, msg string
	}{
		{"qty not a number", `{"vol":{"unit":"u","qty":"abc"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: "abc"`},
		{"qty NaN", `{"vol":{"qty":"NaN"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: "NaN"`},
		{"qty Infinity", `{"vol":{"qty":"-Infinity"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: "-Infinity"`},
		{"qty hex", `{"vol":{"qty":"0x10"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: "0x10"`},
		{"qty underscore", `{"vol":{"qty":"1_000"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: "1_000"`},
		{"qty padded", `{"vol":{"qty":" 1"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: " 1"`},
		{"qty empty", `{"vol":{"qty":""},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a number: ""`},
		{"qty overflow", `{"vol":{"qty":1e999},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a finite float64: "1e999"`},
		{"qty string overflow", `{"vol":{"qty":"-1e400"},"groupby":{},"metadata":{}}`, at + ".vol.qty", `not a finite float64: "-1e400"`},
		{"qty null", `{"vol":{"qty":null},"groupby":{},"metadata":{}}`, at + ".vol.qty", `want a number or a numeric string, got null`},
		{"qty bool", `{"vol":{"qty":true},"groupby":{},"metadata":{}}`, at + ".vol.qty", `want a number or a numeric string, got true`},
		{"qty missing", `{"vol":{"unit":"u"},"groupby":{},"metadata":{}}`, at + ".vol", `missing "qty"`},
		{"qty twice", `{"vol":{"qty":1,"qty":2},"groupby":{},"metadata":{}}`, at + ".vol", `duplicate key "qty"`},
		{"unit number", `{"vol":{"unit":5,"qty":1},"groupby":{},"metadata":{}}`, at + ".vol.unit", `want a string, got number 5`},
		{"vol unknown key", `{"vol":{"qty":1,"qtty":2},"groupby":{},"metadata":{}}`, at + ".vol", `unknown key "qtty" (want unit, qty)`},
		{"vol array", `{"vol":[1],"groupby":{},"metadata":{}}`, at + ".vol", `want an object, got an array`},
		{"vol missing", `{"groupby":{},"metadata":{}}`, at, `missing "vol"`},
		{"groupby missing", `{"vol":{"qty":1},"metadata":{}}`, at, `missing "groupby"`},
		{"metadata missing", `{"vol":{"qty":1},"groupby":{}}`, at, `missing "metadata"`},
		{"point unknown key", `{"vol":{"qty":1},"groupby":{},"metadata":{},"desc":{}}`, at, `unknown key "desc" (want vol, rating, groupby, metadata, description)`},
		{"point duplicate key", `{"vol":{"qty":1},"groupby":{},"groupby":{},"metadata":{}}`, at, `duplicate key "groupby"`},
		{"point not an object", `5`, at, `want a point object, got number 5`},
		{"point null", `null`, at, `want a point object, got null`},
		{"price not a number", `{"vol":{"qty":1},"rating":{"price":"x"},"groupby":{},"metadata":{}}`, at + ".rating.price", `not a number: "x"`},
		{"rating unknown key", `{"vol":{"qty":1},"rating":{"cost":1},"groupby":{},"metadata":{}}`, at + ".rating", `unknown key "cost" (want price)`},
		{"rating null", `{"vol":{"qty":1},"rating":null,"groupby":{},"metadata":{}}`, at + ".rating", `want an object, got null`},
		{"groupby null", `{"vol":{"qty":1},"groupby":null,"metadata":{}}`, at + ".groupby", `want an object, got null`},
		{"groupby value null", `{"vol":{"qty":1},"groupby":{"id":null},"metadata":{}}`, at + `.groupby["id"]`, `want a string, number or boolean, got null`},
		{"groupby value object", `{"vol":{"qty":1},"groupby":{"id":{"a":1}},"metadata":{}}`, at + `.groupby["id"]`, `want a string, number or boolean, got an object`},
		{"metadata value array", `{"vol":{"qty":1},"groupby":{},"metadata":{"tags":["a"]}}`, at + `.metadata["tags"]`, `want a string, number or boolean, got an array`},
		{"groupby empty key", `{"vol":{"qty":1},"groupby":{"":"a"},"metadata":{}}`, at + ".groupby", `empty key`},
		{"groupby duplicate key", `{"vol":{"qty":1},"groupby":{"id":"a","id":"b"},"metadata":{}}`, at + ".groupby", `duplicate key "id"`},
		{"description number", `{"vol":{"qty":1},"groupby":{},"metadata":{},"description":1}`, at + ".description", `want a string, got number 1`},
		{"syntax in vol", `{"vol":{"qty":1 "unit":"u"},"groupby":{},"metadata":{}}`, at + ".vol", `invalid character '"' after object key:value pair (value at byte `},
		{"syntax in groupby value", `{"vol":{"qty":1},"groupby":{"id":tru},"metadata":{}}`, at + `.groupby["id"]`, `invalid character '}' in literal true (expecting 'e') (value at byte `},
	}
	good := testFrame(testPoint)
	for _, c := range cases {
		points := []string{testPoint, testPoint, testPoint, testPoint, testPoint, testPoint, testPoint, c.point}
		bad := testFrame(points...)
		for form, body := range bodies(good, good, good, bad, good) {
			t.Run(c.name+"/"+form.String(), func(t *testing.T) {
				frames, _, err := decodeAll(t, body)
				require.Error(t, err)
				assert.Len(t, frames, 3, "the frames before the bad one are returned")
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, c.path, e.Path)
				assert.Contains(t, e.Err.Error(), c.msg)
				if form == FormNDJSON {
					assert.Equal(t, 4, e.Line)
					assert.True(t, strings.HasPrefix(err.Error(), "line 4: "+c.path+": "), err.Error())
				} else {
					assert.Zero(t, e.Line)
					assert.True(t, strings.HasPrefix(err.Error(), c.path+": "), err.Error())
				}
			})
		}
	}
}

// The example of SPEC §1, exactly.
func TestDecodeErrorText(t *testing.T) {
	points := strings.Repeat(testPoint+",", 7) + `{"vol":{"qty":"abc"},"groupby":{},"metadata":{}}`
	good := testFrame(testPoint)
	_, _, err := decodeAll(t, `{"dataframes":[`+good+","+good+","+good+","+testFrame(points)+`]}`)
	require.EqualError(t, err, `dataframes[3].usage["instance"][7].vol.qty: not a number: "abc"`)
}

func TestDecodeFrameErrors(t *testing.T) {
	const at = `dataframes[1]`
	usage := `"usage":{"instance":[` + testPoint + `]}`
	cases := []struct {
		name, frame, path, msg string
	}{
		{"period missing", `{` + usage + `}`, at, `missing "period"`},
		{"usage missing", `{` + testPeriod + `}`, at, `missing "usage"`},
		{"empty frame", `{}`, at, `missing "period"`},
		{"frame unknown key", `{` + testPeriod + `,` + usage + `,"extra":1}`, at, `unknown key "extra" (want period, usage)`},
		{"frame duplicate key", `{` + testPeriod + `,` + testPeriod + `,` + usage + `}`, at, `duplicate key "period"`},
		{"frame not an object", `[]`, at, `want a DataFrame object, got an array`},
		{"begin bad", `{"period":{"begin":"2019-07-32","end":"2019-08-01"},` + usage + `}`, at + ".period.begin", `bad time "2019-07-32": want RFC 3339`},
		{"end number", `{"period":{"begin":"2019-07-23","end":1563840000},` + usage + `}`, at + ".period.end", `want a time string, got number 1563840000`},
		{"begin missing", `{"period":{"end":"2019-08-01"},` + usage + `}`, at + ".period", `missing "begin"`},
		{"end missing", `{"period":{"begin":"2019-08-01"},` + usage + `}`, at + ".period", `missing "end"`},
		{"period unknown key", `{"period":{"begin":"2019-07-23","end":"2019-07-24","tz":"UTC"},` + usage + `}`, at + ".period", `unknown key "tz" (want begin, end)`},
		{"begin equals end", `{"period":{"begin":"2019-07-23T01:00:00+01:00","end":"2019-07-23T00:00:00Z"},` + usage + `}`, at + ".period",
			`begin 2019-07-23T00:00:00Z is not before end 2019-07-23T00:00:00Z`},
		{"begin after end", `{"period":{"begin":"2019-07-24","end":"2019-07-23"},` + usage + `}`, at + ".period", `is not before end`},
		{"period string", `{"period":"2019-07-24",` + usage + `}`, at + ".period", `want an object, got string "2019-07-24"`},
		{"usage array", `{` + testPeriod + `,"usage":[]}`, at + ".usage", `want an object of metric types, got an array`},
		{"type not an array", `{` + testPeriod + `,"usage":{"instance":{}}}`, at + `.usage["instance"]`, `want an array of points, got an object`},
		{"empty type", `{` + testPeriod + `,"usage":{"":[]}}`, at + ".usage", `empty metric type`},
		{"duplicate type", `{` + testPeriod + `,"usage":{"a":[],"a":[]}}`, at + ".usage", `duplicate key "a"`},
		{"syntax in usage", `{` + testPeriod + `,"usage":{"a":[],}}`, at + ".usage", `invalid character '}' looking for beginning of object key string (value at byte `},
	}
	good := testFrame(testPoint)
	for _, c := range cases {
		for form, body := range bodies(good, c.frame) {
			t.Run(c.name+"/"+form.String(), func(t *testing.T) {
				frames, _, err := decodeAll(t, body)
				require.Error(t, err)
				assert.Len(t, frames, 1)
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, c.path, e.Path)
				assert.Contains(t, e.Err.Error(), c.msg)
				if form == FormNDJSON {
					assert.Equal(t, 3, e.Line) // line 2 is blank
				}
			})
		}
	}
}

func TestDecodeStreamErrors(t *testing.T) {
	good := testFrame(testPoint)
	cases := []struct {
		name, body, path, msg string
		frames                int
	}{
		{"scalar", `"dataframes"`, "", `want {"dataframes": [...]}, an array or NDJSON DataFrames, got string "dataframes"`, 0},
		{"empty object", `{}`, "", `empty object`, 0},
		{"dataframes not an array", `{"dataframes":{}}`, "dataframes", `want an array of DataFrames, got an object`, 0},
		{"unknown outer key", `{"dataframes":[` + good + `],"x":1}`, "", `unknown key "x" (want dataframes)`, 1},
		{"dataframes twice", `{"dataframes":[],"dataframes":[]}`, "", `duplicate key "dataframes"`, 0},
		{"data after object", `{"dataframes":[` + good + `]} {}`, "", `unexpected an object after the end of the object`, 1},
		{"garbage after array", `[` + good + `] x`, "", `after the end of the array: invalid character 'x'`, 1},
		{"truncated array", `[` + good + `,` + good[:40], "dataframes[1].period.begin", `input ends inside a value`, 1},
		{"truncated object", `{"dataframes":[` + good, "", `input ends inside a value`, 1},
		{"array item scalar", `[` + good + `,5]`, "dataframes[1]", `want a DataFrame object, got number 5`, 1},
		{"ndjson scalar", good + "\n5\n", "dataframes[1]", `want a DataFrame object, got number 5`, 1},
		{"ndjson truncated", good + "\n" + good[:len(good)-1], "dataframes[1]", `input ends inside a value`, 1},
		{"ndjson array after frame", good + "\n[]\n", "dataframes[1]", `want a DataFrame object, got an array`, 1},
		{"bad first key syntax", `{"period" 1}`, "dataframes[0].period", `invalid character '1' after object key (value at byte 10)`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frames, _, err := decodeAll(t, c.body)
			require.Error(t, err)
			assert.Len(t, frames, c.frames)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.path, e.Path)
			assert.Contains(t, e.Err.Error(), c.msg)
		})
	}
	t.Run("truncation is io.ErrUnexpectedEOF", func(t *testing.T) {
		_, _, err := decodeAll(t, `[`+good[:50])
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("syntax error offsets count from the start of the input", func(t *testing.T) {
		for _, c := range []struct{ body, path, bad string }{
			{`[{"period":x}]`, "dataframes[0].period", `x}`},
			{`[` + good + `,{` + testPeriod + `,"usage":{"a":[{"vol":{"qty":1},"groupby":{"k":tru}}]}}]`, `dataframes[1].usage["a"][0].groupby["k"]`, `tru}`},
			{`[` + good + `,{` + testPeriod + `,"usage":{"a":[{"vol":{"qty":1},"groupby":{"k":"a\x"}}]}}]`, `dataframes[1].usage["a"][0].groupby["k"]`, `"a\x`},
			{`[` + good + `,{` + testPeriod + `,"usage":{"a":[{"vol":{"qty":1} "groupby":{}}]}}]`, `dataframes[1].usage["a"][0]`, `"groupby":{}}]`},
		} {
			_, _, err := decodeAll(t, c.body)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.path, e.Path)
			at := strings.Index(c.body, c.bad)
			assert.Contains(t, err.Error(), fmt.Sprintf("(value at byte %d)", at))
		}
	})
	t.Run("syntax error is a json.SyntaxError", func(t *testing.T) {
		_, _, err := decodeAll(t, `[{"period":x}]`)
		var se *json.SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, err.Error(), "(value at byte 11)")
	})
}

func TestDecoderErrorIsSticky(t *testing.T) {
	d := NewDecoder(strings.NewReader(`[5,` + testFrame(testPoint) + `]`))
	_, err1 := d.Next()
	require.Error(t, err1)
	_, err2 := d.Next()
	assert.Equal(t, err1, err2)
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestDecodeReadError(t *testing.T) {
	boom := errors.New("connection reset")
	d := NewDecoder(io.MultiReader(strings.NewReader(`[`+testFrame(testPoint)+`,`), failingReader{boom}))
	_, err := d.Next()
	require.NoError(t, err)
	_, err = d.Next()
	assert.ErrorIs(t, err, boom)
}

// countingReader serves n copies of frame as a JSON array, lazily, counting what was read.
type countingReader struct {
	frame []byte
	n     int
	buf   bytes.Buffer
	read  int
	total int
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.buf.Len() == 0 {
		switch {
		case r.n < 0:
			return 0, io.EOF
		case r.n == 0:
			r.buf.WriteString("]")
			r.n = -1
		default:
			if r.total == 0 {
				r.buf.WriteString("[")
			} else {
				r.buf.WriteString(",\n")
			}
			r.buf.Write(r.frame)
			r.n--
		}
		r.total += r.buf.Len()
	}
	n, err := r.buf.Read(p)
	r.read += n
	return n, err
}

// The decoder reads as it goes: after the first frame of a 4 MB body it has read a few KB.
func TestDecodeStreams(t *testing.T) {
	frame := testFrame(strings.Repeat(testPoint+",", 19) + testPoint)
	const frames = 4 << 20 / 2000
	r := &countingReader{frame: []byte(frame), n: frames}
	d := NewDecoder(r)
	f, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, 20, f.Len())
	assert.Less(t, r.read, 16<<10, "bytes read to return the first frame")
	n := 1
	for {
		_, err := d.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		n++
		assert.Less(t, r.read-int(d.dec.InputOffset()), 16<<10, "read-ahead at frame %d", n)
	}
	assert.Equal(t, frames, n)
	assert.Equal(t, 1+frames*len(frame)+(frames-1)*2+1, r.total)
}

func TestUnmarshalJSON(t *testing.T) {
	var f DataFrame
	require.NoError(t, json.Unmarshal([]byte(testFrame(testPoint)), &f))
	assert.Equal(t, 1, f.Len())
	assert.Equal(t, mustTime(t, "2019-07-23T12:28:10Z"), f.Start)

	var list []DataFrame
	require.NoError(t, json.Unmarshal([]byte(`[`+testFrame(testPoint)+`,`+testFrame(testPoint, testPoint)+`]`), &list))
	require.Len(t, list, 2)
	assert.Equal(t, 2, list[1].Len())

	err := f.UnmarshalJSON([]byte(testFrame(testPoint, `{"vol":{"qty":"x"},"groupby":{},"metadata":{}}`)))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, `usage["instance"][1].vol.qty`, e.Path, "no dataframes[i] prefix for a single frame")
	assert.EqualError(t, err, `usage["instance"][1].vol.qty: not a number: "x"`)
	assert.Equal(t, 1, f.Len(), "f is unchanged on error")

	err = f.UnmarshalJSON([]byte(`{` + testPeriod + `}`))
	assert.EqualError(t, err, `missing "usage"`)
	err = f.UnmarshalJSON([]byte(`{"period":{"begin":"x","end":"y"},"usage":{}}`))
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "period.begin", e.Path)
	err = f.UnmarshalJSON([]byte(testFrame(testPoint) + ` {}`))
	assert.ErrorContains(t, err, "unexpected an object after the DataFrame")
	err = f.UnmarshalJSON([]byte(`[]`))
	assert.ErrorContains(t, err, "want a DataFrame object, got an array")
}

func TestParseForm(t *testing.T) {
	for _, f := range []Form{FormObject, FormArray, FormNDJSON} {
		got, err := ParseForm(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	got, err := ParseForm("JSONL")
	require.NoError(t, err)
	assert.Equal(t, FormNDJSON, got)
	_, err = ParseForm("yaml")
	assert.EqualError(t, err, `unknown dataframe form "yaml" (want object, array or ndjson)`)
	assert.Equal(t, "Form(7)", Form(7).String())
}

func ExampleDecoder() {
	body := `{"period": {"begin": "2019-07-23T12:28:10+00:00", "end": "2019-07-23T13:28:10+00:00"},
 "usage": {"instance": [{"vol": {"unit": "instance", "qty": "1.0"}, "rating": {"price": 2.5},
                         "groupby": {"project_id": "p1"}, "metadata": {"flavor": "m1.nano"}}]}}
{"period": {"begin": "2019-07-23T13:28:10Z", "end": "2019-07-23T14:28:10Z"}, "usage": {}}
`
	d := NewDecoder(strings.NewReader(body))
	for {
		f, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(d.Form(), FormatTime(f.Start), f.Len())
	}
	// Output:
	// ndjson 2019-07-23T12:28:10Z 1
	// ndjson 2019-07-23T13:28:10Z 0
}
