package dataframe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	goldenfile "github.com/ckos/ckos/internal/golden"
)

// maxFuzzFrames bounds the frames read from one fuzz input.
const maxFuzzFrames = 1000

// FuzzDecode checks that the decoder never panics, that every error it returns is an *Error, and
// that whatever it accepts re-encodes, in every form, to the same frames.
func FuzzDecode(f *testing.F) {
	if sample, err := os.ReadFile(filepath.Join("testdata", "dataframes_post.json")); err == nil {
		f.Add(sample)
	}
	f.Add([]byte(testFrame(testPoint) + "\n" + testFrame(testPoint, testPoint)))
	f.Add([]byte(`[` + testFrame(`{"vol":{"qty":"1e-7"},"groupby":{"y":2022,"b":true},"metadata":{"s":"\u00e9"},"description":"d"}`) + `]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data))
		var frames []DataFrame
		for len(frames) < maxFuzzFrames {
			fr, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error is not an *Error: %T %v", err, err)
				}
				return
			}
			frames = append(frames, fr)
		}
		for _, form := range []Form{FormObject, FormArray, FormNDJSON} {
			var buf bytes.Buffer
			enc := NewEncoder(&buf, form)
			for i, fr := range frames {
				if err := enc.Encode(fr); err != nil {
					t.Fatalf("%s: frame %d was accepted but does not encode: %v", form, i, err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			d2 := NewDecoder(&buf)
			for i := 0; ; i++ {
				fr, err := d2.Next()
				if err == io.EOF {
					if i != len(frames) {
						t.Fatalf("%s: %d frames decoded, then %d after re-encoding", form, len(frames), i)
					}
					break
				}
				if err != nil {
					t.Fatalf("%s: re-encoded frame %d does not decode: %v", form, i, err)
				}
				if i >= len(frames) || !reflect.DeepEqual(frames[i], fr) {
					t.Fatalf("%s: frame %d changed by re-encoding:\n%#v\n%#v", form, i, frames[i], fr)
				}
			}
		}
	})
}

// TestFuzzCorpusFormat checks the seed corpus files are in the go test fuzz v1 format, so a
// corrupt file is a test failure rather than a silently skipped seed.
func TestFuzzCorpusFormat(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("seed corpus has %d files, want at least 10", len(files))
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.SplitN(b, []byte("\n"), 2)
		if string(lines[0]) != "go test fuzz v1" || len(lines) < 2 || !bytes.HasPrefix(lines[1], []byte("[]byte(")) {
			t.Errorf("%s: not a go test fuzz v1 []byte corpus file", name)
			continue
		}
		lit := bytes.TrimSuffix(bytes.TrimSpace(lines[1]), []byte(")"))[len("[]byte("):]
		if _, err := strconv.Unquote(string(lit)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// corpusEntry formats data as a go test fuzz v1 corpus file.
func corpusEntry(data []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
}

// seeds are the named inputs of the seed corpus in testdata/fuzz/FuzzDecode (files seed-<name>).
func seeds() map[string]string {
	good := testFrame(testPoint)
	return map[string]string{
		"object":         `{"dataframes":[` + good + `,` + good + `]}`,
		"array":          `[` + good + `]`,
		"ndjson":         good + "\n\n" + good + "\r\n",
		"empty":          ``,
		"empty-object":   `{"dataframes":[]}`,
		"times":          `[{"period":{"begin":"20190723T122810Z","end":"2019-07-23 14:28:10.123456789+01:30"},"usage":{}},{"period":{"begin":"2019-07-23","end":"2019-07-23T00:00:01,5"},"usage":{}}]`,
		"numbers":        testFrame(`{"vol":{"unit":"","qty":"-0.00123456e+3"},"rating":{"price":1.7976931348623157e308},"groupby":{"n":-0,"f":1.50,"t":true,"z":false},"metadata":{}}`),
		"escapes":        testFrame(`{"vol":{"unit":"\u00e9\ud83d\ude00","qty":1},"groupby":{"\n":"\"\\\/\b\f\r\t\u2028"},"metadata":{"k":"\ud800"},"description":"\u0000"}`),
		"bad-qty":        testFrame(`{"vol":{"qty":"abc"},"groupby":{},"metadata":{}}`),
		"bad-time":       `[{"period":{"begin":"2019-02-29","end":"2019-03-01"},"usage":{}}]`,
		"bad-order":      `[{"period":{"begin":"2019-03-02","end":"2019-03-01"},"usage":{}}]`,
		"unknown-key":    testFrame(`{"vol":{"qty":1},"groupby":{},"metadata":{},"x":1}`),
		"null-label":     testFrame(`{"vol":{"qty":1},"groupby":{"a":null},"metadata":{}}`),
		"duplicate-type": `{` + testPeriod + `,"usage":{"a":[],"a":[]}}`,
		"truncated":      `{"dataframes":[` + good[:len(good)/2],
		"trailing":       `[` + good + `] []`,
		"nested-deep":    `[[[[[[[[[[{}]]]]]]]]]]`,
		"scalar":         `1e999`,
	}
}

// TestSeedCorpus keeps testdata/fuzz/FuzzDecode in step with seeds(); -update rewrites it.
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, data := range seeds() {
		path := filepath.Join(dir, "seed-"+name)
		want := corpusEntry([]byte(data))
		if goldenfile.Update() {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestSeedCorpus -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from seeds()[%q]; run go test -run TestSeedCorpus -update", path, name)
		}
		// The valid seeds must be accepted, so the fuzzer starts from inputs that reach re-encoding.
		_, _, err = decodeAll(t, data)
		switch name {
		case "object", "array", "ndjson", "empty", "empty-object", "times", "numbers", "escapes":
			if err != nil {
				t.Errorf("seed %s rejected: %v", name, err)
			}
		default:
			if err == nil {
				t.Errorf("seed %s accepted, want an error", name)
			}
		}
	}
}
