package dataframe

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/ckos/ckos/internal/jsonw"
)

// MarshalJSON encodes the frame in CloudKitty's v2 form on one line:
//
//	{"period":{"begin":"2019-07-23T12:28:10Z","end":"2019-07-23T13:28:10Z"},
//	 "usage":{"instance":[{"vol":{"unit":"instance","qty":1},"rating":{"price":2.5},
//	                       "groupby":{"id":"…"},"metadata":{"flavor":"m1.nano"}}]}}
//
// Metric types and label keys are sorted, points keep their order, times are RFC 3339 UTC, the
// unit is always present (DefaultUnit when empty), description only when not empty. Numbers are
// the shortest text that parses back to the same float64.
func (f DataFrame) MarshalJSON() ([]byte, error) {
	return f.AppendJSON(nil)
}

// AppendJSON appends the frame's MarshalJSON form to b. A frame the decoder would reject (begin
// not before end, a year outside 0000–9999, an empty metric type or label key, NaN or ±Inf) is an
// *Error naming the field, and b is returned unchanged.
func (f DataFrame) AppendJSON(b []byte) ([]byte, error) {
	if err := f.checkEncodable(); err != nil {
		return b, err
	}
	b = append(b, `{"period":{"begin":"`...)
	b = appendTime(b, f.Start)
	b = append(b, `","end":"`...)
	b = appendTime(b, f.End)
	b = append(b, `"},"usage":{`...)
	for i, typ := range f.Types() {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, typ)
		b = append(b, ":["...)
		for j, p := range f.Usage[typ] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendPoint(b, p)
		}
		b = append(b, ']')
	}
	b = append(b, "}}"...)
	return b, nil
}

// checkEncodable reports what would make the frame's JSON unreadable by the Decoder.
func (f DataFrame) checkEncodable() error {
	for _, t := range []struct {
		field string
		t     time.Time
	}{{"period.begin", f.Start}, {"period.end", f.End}} {
		if y := t.t.UTC().Year(); y < 0 || y > 9999 {
			return &Error{Path: t.field, Err: fmt.Errorf("year %d is outside 0000-9999", y)}
		}
	}
	if !f.Start.Before(f.End) {
		return &Error{Path: "period", Err: fmt.Errorf("begin %s is not before end %s", FormatTime(f.Start), FormatTime(f.End))}
	}
	for typ, pts := range f.Usage {
		if typ == "" {
			return &Error{Path: "usage", Err: errors.New("empty metric type")}
		}
		for j, p := range pts {
			at := func(field string) string {
				return "usage[" + strconv.Quote(typ) + "][" + strconv.Itoa(j) + "]" + field
			}
			if !isFinite(p.Qty) {
				return &Error{Path: at(".vol.qty"), Err: fmt.Errorf("not a finite number: %v", p.Qty)}
			}
			if !isFinite(p.Price) {
				return &Error{Path: at(".rating.price"), Err: fmt.Errorf("not a finite number: %v", p.Price)}
			}
			if _, ok := p.Groupby[""]; ok {
				return &Error{Path: at(".groupby"), Err: errors.New("empty key")}
			}
			if _, ok := p.Metadata[""]; ok {
				return &Error{Path: at(".metadata"), Err: errors.New("empty key")}
			}
		}
	}
	return nil
}

func appendPoint(b []byte, p DataPoint) []byte {
	b = append(b, `{"vol":{"unit":`...)
	b = jsonw.AppendString(b, p.UnitOrDefault())
	b = append(b, `,"qty":`...)
	b = jsonw.AppendFloat(b, p.Qty)
	b = append(b, `},"rating":{"price":`...)
	b = jsonw.AppendFloat(b, p.Price)
	b = append(b, `},"groupby":`...)
	b = appendLabels(b, p.Groupby)
	b = append(b, `,"metadata":`...)
	b = appendLabels(b, p.Metadata)
	if p.Description != "" {
		b = append(b, `,"description":`...)
		b = jsonw.AppendString(b, p.Description)
	}
	return append(b, '}')
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// appendLabels appends m as a JSON object with sorted keys; nil is {}.
func appendLabels(b []byte, m map[string]string) []byte {
	b = append(b, '{')
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, k)
		b = append(b, ':')
		b = jsonw.AppendString(b, m[k])
	}
	return append(b, '}')
}

// Encoder writes DataFrames as a stream in one Form, one frame per line.
//
//	FormObject: {"dataframes":[\n{…},\n{…}\n]}\n
//	FormArray:  [\n{…},\n{…}\n]\n
//	FormNDJSON: {…}\n{…}\n
type Encoder struct {
	w      io.Writer
	form   Form
	buf    []byte
	n      int   // frames written
	err    error // sticky write error
	closed bool
}

// NewEncoder returns an Encoder writing to w in form; Close writes the closing brackets.
func NewEncoder(w io.Writer, form Form) *Encoder {
	return &Encoder{w: w, form: form}
}

// Encode writes one frame. A frame AppendJSON refuses is an *Error and nothing is
// written; a write error is returned by every later call.
func (e *Encoder) Encode(f DataFrame) error {
	if e.err != nil {
		return e.err
	}
	if e.closed {
		return errors.New("dataframe: Encode after Close")
	}
	b := e.buf[:0]
	if e.n == 0 {
		b = e.appendOpen(b)
	} else if e.form != FormNDJSON {
		b = append(b, ",\n"...)
	}
	b, err := f.AppendJSON(b)
	if err != nil {
		if de, ok := err.(*Error); ok {
			return &Error{Path: "dataframes[" + strconv.Itoa(e.n) + "]." + de.Path, Err: de.Err}
		}
		return err
	}
	if e.form == FormNDJSON {
		b = append(b, '\n')
	}
	e.buf = b
	if _, err := e.w.Write(b); err != nil {
		e.err = fmt.Errorf("write dataframes: %w", err)
		return e.err
	}
	e.n++
	return nil
}

func (e *Encoder) appendOpen(b []byte) []byte {
	switch e.form {
	case FormObject:
		return append(b, "{\"dataframes\":[\n"...)
	case FormArray:
		return append(b, "[\n"...)
	}
	return b
}

// Close ends the stream (the closing ]} or ]; nothing for NDJSON). It does not close the writer.
func (e *Encoder) Close() error {
	if e.err != nil || e.closed {
		return e.err
	}
	e.closed = true
	var b []byte
	switch {
	case e.form == FormNDJSON:
		return nil
	case e.n == 0 && e.form == FormObject:
		b = []byte("{\"dataframes\":[]}\n")
	case e.n == 0:
		b = []byte("[]\n")
	case e.form == FormObject:
		b = []byte("\n]}\n")
	default:
		b = []byte("\n]\n")
	}
	if _, err := e.w.Write(b); err != nil {
		e.err = fmt.Errorf("write dataframes: %w", err)
	}
	return e.err
}
