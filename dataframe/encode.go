package dataframe

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
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
		b = appendString(b, typ)
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
	b = appendString(b, p.UnitOrDefault())
	b = append(b, `,"qty":`...)
	b = appendFloat(b, p.Qty)
	b = append(b, `},"rating":{"price":`...)
	b = appendFloat(b, p.Price)
	b = append(b, `},"groupby":`...)
	b = appendLabels(b, p.Groupby)
	b = append(b, `,"metadata":`...)
	b = appendLabels(b, p.Metadata)
	if p.Description != "" {
		b = append(b, `,"description":`...)
		b = appendString(b, p.Description)
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
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendFloat appends f as encoding/json does: the shortest text that parses back to f, in
// exponent form only below 1e-6 or from 1e21 on.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 → 1e-7
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not valid JavaScript
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
