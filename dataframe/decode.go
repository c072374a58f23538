package dataframe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Form is the shape of a stream of DataFrames.
type Form int

// The stream forms.
const (
	// FormObject is CloudKitty's POST /v2/dataframes body: {"dataframes": [DataFrame, …]}.
	FormObject Form = iota
	// FormArray is a bare JSON array of DataFrames.
	FormArray
	// FormNDJSON is one DataFrame per line.
	FormNDJSON
)

// String returns the form's name as ParseForm accepts it.
func (f Form) String() string {
	switch f {
	case FormObject:
		return "object"
	case FormArray:
		return "array"
	case FormNDJSON:
		return "ndjson"
	}
	return "Form(" + strconv.Itoa(int(f)) + ")"
}

// ParseForm returns the form named object (or dataframes), array or ndjson.
func ParseForm(s string) (Form, error) {
	switch strings.ToLower(s) {
	case "object", "dataframes":
		return FormObject, nil
	case "array":
		return FormArray, nil
	case "ndjson", "jsonl":
		return FormNDJSON, nil
	}
	return 0, fmt.Errorf("unknown dataframe form %q (want object, array or ndjson)", s)
}

// Decoder reads DataFrames one at a time from a push body in any Form, holding at most one frame
// in memory.
//
// The form is detected from the input: an object whose first key is "dataframes" is FormObject, a
// JSON array FormArray, any other object the first frame of FormNDJSON (where frames may be
// separated by any whitespace, blank lines included). Frames are validated as they are read:
// CloudKitty's v2 schema with unknown keys rejected at every level; see DataFrame.UnmarshalJSON.
type Decoder struct {
	lines  *lineReader
	dec    *json.Decoder
	src    tokenSource  // dec, or points while a point is decoded
	points pointScanner // one point at a time, read whole by dec

	fallback     *json.Decoder // re-reads a point with a syntax error, to locate it
	fallbackBase int64         // input offset where that point starts
	form         Form
	started      bool
	err          error // sticky: the stream cannot be resumed after an error

	// Location of the value being decoded, turned into a path only when an error is reported.
	standalone bool   // decoding one frame (UnmarshalJSON): paths lack the dataframes[i] prefix
	frame      int    // index of the frame being decoded
	line       int    // line where that frame starts (NDJSON)
	typ        string // metric type being decoded, when inType
	inType     bool
	point      int // index of the point being decoded, or -1
}

// NewDecoder returns a Decoder reading from r; r is read in small blocks as frames are consumed.
func NewDecoder(r io.Reader) *Decoder {
	lr := &lineReader{r: r, track: true}
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	return &Decoder{lines: lr, dec: dec, src: dec, point: -1}
}

// tokenSource is what the decoding functions read: a json.Decoder, or a pointScanner.
type tokenSource interface {
	Token() (json.Token, error)
	More() bool
}

// Form returns the detected form of the input; it is meaningful once Next has been called.
func (d *Decoder) Form() Form { return d.form }

// Next returns the next DataFrame, io.EOF after the last one, or an error (an *Error for bad
// input) after which every call returns the same error.
func (d *Decoder) Next() (DataFrame, error) {
	if d.err != nil {
		return DataFrame{}, d.err
	}
	f, err := d.next()
	if err != nil {
		d.err = err
		return DataFrame{}, err
	}
	d.frame++
	return f, nil
}

func (d *Decoder) next() (DataFrame, error) {
	if !d.started {
		d.started = true
		return d.start()
	}
	if d.form == FormNDJSON {
		tok, err := d.src.Token()
		if err == io.EOF {
			return DataFrame{}, io.EOF
		}
		if err != nil {
			return DataFrame{}, d.syntaxError("", err)
		}
		d.frameStarts()
		if tok != json.Delim('{') {
			return DataFrame{}, d.fail("", fmt.Errorf("want a DataFrame object, got %s", describe(tok)))
		}
		return d.decodeFrame("", false)
	}
	if d.src.More() {
		tok, err := d.src.Token()
		if err == io.EOF || err == io.ErrUnexpectedEOF { // between frames: there is no frame n
			return DataFrame{}, d.failAt("", d.syntaxCause(err))
		}
		if err != nil {
			return DataFrame{}, d.syntaxError("", err)
		}
		if tok != json.Delim('{') {
			return DataFrame{}, d.fail("", fmt.Errorf("want a DataFrame object, got %s", describe(tok)))
		}
		return d.decodeFrame("", false)
	}
	if _, err := d.src.Token(); err != nil { // the array's ]
		return DataFrame{}, d.failAt("", d.syntaxCause(err))
	}
	if d.form == FormObject {
		// Only "dataframes" is allowed in the outer object, and it has been read.
		for d.src.More() {
			key, err := d.key("")
			if err != nil {
				return DataFrame{}, err
			}
			if key == "dataframes" {
				return DataFrame{}, d.failAt("", errDuplicateKey(key))
			}
			return DataFrame{}, d.failAt("", errUnknownKey(key, "dataframes"))
		}
		if _, err := d.src.Token(); err != nil {
			return DataFrame{}, d.failAt("", d.syntaxCause(err))
		}
	}
	switch tok, err := d.src.Token(); {
	case err == io.EOF:
		return DataFrame{}, io.EOF
	case err != nil:
		return DataFrame{}, d.failAt("", fmt.Errorf("after the end of the %s: %w", d.form, d.syntaxCause(err)))
	default:
		return DataFrame{}, d.failAt("", fmt.Errorf("unexpected %s after the end of the %s (byte %d)",
			describe(tok), d.form, d.dec.InputOffset()))
	}
}

// start detects the form from the first token and returns the first frame.
func (d *Decoder) start() (DataFrame, error) {
	tok, err := d.src.Token()
	if err == io.EOF {
		d.form = FormNDJSON // empty input: no frames
		return DataFrame{}, io.EOF
	}
	if err != nil {
		return DataFrame{}, d.failAt("", d.syntaxCause(err))
	}
	switch tok {
	case json.Delim('['):
		d.form = FormArray
		d.lines.stop()
		return d.next()
	case json.Delim('{'):
		d.frameStarts()
		if !d.src.More() {
			return DataFrame{}, d.failAt("", errors.New(`empty object: want {"dataframes": [...]}, an array or NDJSON DataFrames`))
		}
		key, err := d.key("")
		if err != nil {
			return DataFrame{}, err
		}
		if key != "dataframes" {
			d.form = FormNDJSON
			return d.decodeFrame(key, true)
		}
		d.form = FormObject
		d.line = 0
		d.lines.stop()
		tok, err := d.src.Token()
		if err != nil {
			return DataFrame{}, d.failAt("dataframes", d.syntaxCause(err))
		}
		if tok != json.Delim('[') {
			return DataFrame{}, d.failAt("dataframes", fmt.Errorf("want an array of DataFrames, got %s", describe(tok)))
		}
		return d.next()
	}
	return DataFrame{}, d.failAt("", fmt.Errorf(`want {"dataframes": [...]}, an array or NDJSON DataFrames, got %s`, describe(tok)))
}

// frameStarts records where the frame whose { was just read starts.
func (d *Decoder) frameStarts() {
	if d.lines.track {
		d.line = d.lines.lineAt(d.dec.InputOffset() - 1)
	}
}

// decodeFrame decodes a frame whose { has been read, and, when haveKey, its first key too.
//
//	{"period": {"begin": T, "end": T}, "usage": {"<type>": [DataPoint, …]}}
func (d *Decoder) decodeFrame(first string, haveKey bool) (DataFrame, error) {
	d.inType, d.point = false, -1
	var f DataFrame
	var hasPeriod, hasUsage bool
	for {
		key := first
		if !haveKey {
			if !d.src.More() {
				break
			}
			var err error
			if key, err = d.key(""); err != nil {
				return f, err
			}
		}
		haveKey = false
		switch key {
		case "period":
			if hasPeriod {
				return f, d.fail("", errDuplicateKey(key))
			}
			hasPeriod = true
			if err := d.decodePeriod(&f); err != nil {
				return f, err
			}
		case "usage":
			if hasUsage {
				return f, d.fail("", errDuplicateKey(key))
			}
			hasUsage = true
			if err := d.decodeUsage(&f); err != nil {
				return f, err
			}
		default:
			return f, d.fail("", errUnknownKey(key, "period, usage"))
		}
	}
	if err := d.closeDelim(""); err != nil {
		return f, err
	}
	if !hasPeriod {
		return f, d.fail("", errMissing("period"))
	}
	if !hasUsage {
		return f, d.fail("", errMissing("usage"))
	}
	return f, nil
}

func (d *Decoder) decodePeriod(f *DataFrame) error {
	if err := d.open(".period", "an object"); err != nil {
		return err
	}
	var hasBegin, hasEnd bool
	for d.src.More() {
		key, err := d.key(".period")
		if err != nil {
			return err
		}
		var dst *bool
		switch key {
		case "begin":
			dst = &hasBegin
		case "end":
			dst = &hasEnd
		default:
			return d.fail(".period", errUnknownKey(key, "begin, end"))
		}
		suffix := ".period." + key
		if *dst {
			return d.fail(".period", errDuplicateKey(key))
		}
		*dst = true
		tok, err := d.token(suffix)
		if err != nil {
			return err
		}
		s, ok := tok.(string)
		if !ok {
			return d.fail(suffix, fmt.Errorf("want a time string, got %s", describe(tok)))
		}
		t, err := ParseTime(s)
		if err != nil {
			return d.fail(suffix, err)
		}
		if key == "begin" {
			f.Start = t
		} else {
			f.End = t
		}
	}
	if err := d.closeDelim(".period"); err != nil {
		return err
	}
	if !hasBegin {
		return d.fail(".period", errMissing("begin"))
	}
	if !hasEnd {
		return d.fail(".period", errMissing("end"))
	}
	if !f.Start.Before(f.End) {
		return d.fail(".period", fmt.Errorf("begin %s is not before end %s", FormatTime(f.Start), FormatTime(f.End)))
	}
	return nil
}

func (d *Decoder) decodeUsage(f *DataFrame) error {
	if err := d.open(".usage", "an object of metric types"); err != nil {
		return err
	}
	f.Usage = make(map[string][]DataPoint)
	for d.src.More() {
		typ, err := d.key(".usage")
		if err != nil {
			return err
		}
		if typ == "" {
			return d.fail(".usage", errors.New("empty metric type"))
		}
		if _, dup := f.Usage[typ]; dup {
			return d.fail(".usage", errDuplicateKey(typ))
		}
		d.typ, d.inType = typ, true
		if err := d.open("", "an array of points"); err != nil {
			return err
		}
		points := []DataPoint{}
		for d.src.More() {
			d.point = len(points)
			// json.Decoder.Token costs a reflective Decode per token; reading the whole point with
			// one Decode and scanning it with pointScanner is about 3 times faster (BenchmarkDecode).
			if err := d.dec.Decode(&d.points.b); err != nil {
				return d.pointSyntaxError(err)
			}
			d.points.i = 0
			d.src = &d.points
			p, err := d.decodePoint()
			d.src = d.dec
			if err != nil {
				return err
			}
			points = append(points, p)
		}
		d.point = -1
		if err := d.closeDelim(""); err != nil {
			return err
		}
		f.Usage[typ] = points
		d.inType = false
	}
	return d.closeDelim(".usage")
}

// pointSyntaxError locates a syntax error that json.Decoder.Decode found in a point: it decodes
// the point again token by token from the decoder's buffer, which holds the point up to the bad
// byte, so the error names the field and the byte where it is.
func (d *Decoder) pointSyntaxError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return d.syntaxError("", err)
	}
	rest, rerr := io.ReadAll(d.dec.Buffered())
	if rerr != nil {
		return d.syntaxError("", err)
	}
	fb := json.NewDecoder(bytes.NewReader(rest))
	fb.UseNumber()
	d.fallback, d.fallbackBase = fb, d.dec.InputOffset()
	d.src = fb
	_, perr := d.decodePoint()
	d.src, d.fallback = d.dec, nil
	if perr == nil {
		return d.syntaxError("", err)
	}
	return perr
}

// offset returns the input offset of the value being read.
func (d *Decoder) offset() int64 {
	if d.fallback != nil {
		return d.fallbackBase + d.fallback.InputOffset()
	}
	return d.dec.InputOffset()
}

// decodePoint decodes one point:
//
//	{"vol": {"unit": U, "qty": N}, "rating": {"price": N}, "groupby": {…}, "metadata": {…}, "description": S}
func (d *Decoder) decodePoint() (DataPoint, error) {
	var p DataPoint
	if err := d.open("", "a point object"); err != nil {
		return p, err
	}
	var hasVol, hasRating, hasGroupby, hasMetadata, hasDescription bool
	for d.src.More() {
		key, err := d.key("")
		if err != nil {
			return p, err
		}
		var seen *bool
		switch key {
		case "vol":
			seen = &hasVol
		case "rating":
			seen = &hasRating
		case "groupby":
			seen = &hasGroupby
		case "metadata":
			seen = &hasMetadata
		case "description":
			seen = &hasDescription
		default:
			return p, d.fail("", errUnknownKey(key, "vol, rating, groupby, metadata, description"))
		}
		if *seen {
			return p, d.fail("", errDuplicateKey(key))
		}
		*seen = true
		switch key {
		case "vol":
			err = d.decodeVol(&p)
		case "rating":
			err = d.decodeRating(&p)
		case "groupby":
			p.Groupby, err = d.decodeLabels(".groupby")
		case "metadata":
			p.Metadata, err = d.decodeLabels(".metadata")
		case "description":
			var tok json.Token
			if tok, err = d.token(".description"); err != nil {
				break
			}
			s, ok := tok.(string)
			if !ok {
				err = d.fail(".description", fmt.Errorf("want a string, got %s", describe(tok)))
			}
			p.Description = s
		}
		if err != nil {
			return p, err
		}
	}
	if err := d.closeDelim(""); err != nil {
		return p, err
	}
	switch {
	case !hasVol:
		return p, d.fail("", errMissing("vol"))
	case !hasGroupby:
		return p, d.fail("", errMissing("groupby"))
	case !hasMetadata:
		return p, d.fail("", errMissing("metadata"))
	}
	return p, nil
}

func (d *Decoder) decodeVol(p *DataPoint) error {
	if err := d.open(".vol", "an object"); err != nil {
		return err
	}
	var hasUnit, hasQty bool
	for d.src.More() {
		key, err := d.key(".vol")
		if err != nil {
			return err
		}
		switch key {
		case "unit":
			if hasUnit {
				return d.fail(".vol", errDuplicateKey(key))
			}
			hasUnit = true
			tok, err := d.token(".vol.unit")
			if err != nil {
				return err
			}
			s, ok := tok.(string)
			if !ok {
				return d.fail(".vol.unit", fmt.Errorf("want a string, got %s", describe(tok)))
			}
			p.Unit = s
		case "qty":
			if hasQty {
				return d.fail(".vol", errDuplicateKey(key))
			}
			hasQty = true
			if p.Qty, err = d.number(".vol.qty"); err != nil {
				return err
			}
		default:
			return d.fail(".vol", errUnknownKey(key, "unit, qty"))
		}
	}
	if err := d.closeDelim(".vol"); err != nil {
		return err
	}
	if !hasQty {
		return d.fail(".vol", errMissing("qty"))
	}
	if p.Unit == "" {
		p.Unit = DefaultUnit
	}
	return nil
}

func (d *Decoder) decodeRating(p *DataPoint) error {
	if err := d.open(".rating", "an object"); err != nil {
		return err
	}
	hasPrice := false
	for d.src.More() {
		key, err := d.key(".rating")
		if err != nil {
			return err
		}
		if key != "price" {
			return d.fail(".rating", errUnknownKey(key, "price"))
		}
		if hasPrice {
			return d.fail(".rating", errDuplicateKey(key))
		}
		hasPrice = true
		if p.Price, err = d.number(".rating.price"); err != nil {
			return err
		}
	}
	return d.closeDelim(".rating")
}

// decodeLabels decodes a groupby or metadata object; values keep their string form.
func (d *Decoder) decodeLabels(suffix string) (map[string]string, error) {
	if err := d.open(suffix, "an object"); err != nil {
		return nil, err
	}
	m := make(map[string]string)
	for d.src.More() {
		key, err := d.key(suffix)
		if err != nil {
			return nil, err
		}
		if key == "" {
			return nil, d.fail(suffix, errors.New("empty key"))
		}
		if _, dup := m[key]; dup {
			return nil, d.fail(suffix, errDuplicateKey(key))
		}
		tok, err := d.src.Token()
		if err != nil {
			return nil, d.syntaxError(labelSuffix(suffix, key), err)
		}
		switch v := tok.(type) {
		case string:
			m[key] = v
		case json.Number:
			m[key] = string(v)
		case bool:
			m[key] = strconv.FormatBool(v)
		default:
			return nil, d.fail(labelSuffix(suffix, key), fmt.Errorf("want a string, number or boolean, got %s", describe(tok)))
		}
	}
	return m, d.closeDelim(suffix)
}

func labelSuffix(suffix, key string) string {
	return suffix + "[" + strconv.Quote(key) + "]"
}

// number reads a JSON number or a numeric string as a finite float64.
func (d *Decoder) number(suffix string) (float64, error) {
	tok, err := d.token(suffix)
	if err != nil {
		return 0, err
	}
	var s string
	switch v := tok.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = v
		if !isDecimal(s) {
			return 0, d.fail(suffix, fmt.Errorf("not a number: %s", quoteShort(s)))
		}
	default:
		return 0, d.fail(suffix, fmt.Errorf("want a number or a numeric string, got %s", describe(tok)))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, d.fail(suffix, fmt.Errorf("not a finite float64: %s", quoteShort(s)))
	}
	return f, nil
}

// isDecimal reports whether s is a decimal number: [+-] digits [. digits] [e [+-] digits], with
// digits on at least one side of the point. Hex, underscores, NaN and Inf are not.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			n++
		}
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		m := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			m++
		}
		if m == 0 {
			return false
		}
	}
	return i == len(s)
}

// token reads the next token; suffix names the value being read for errors.
func (d *Decoder) token(suffix string) (json.Token, error) {
	tok, err := d.src.Token()
	if err != nil {
		return nil, d.syntaxError(suffix, err)
	}
	return tok, nil
}

// key reads an object key.
func (d *Decoder) key(suffix string) (string, error) {
	tok, err := d.token(suffix)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok { // json.Decoder only returns strings in key position; kept as a guard
		return "", d.fail(suffix, fmt.Errorf("want an object key, got %s", describe(tok)))
	}
	return s, nil
}

// open reads the { or [ that starts the value at suffix; what names it for errors.
func (d *Decoder) open(suffix, what string) error {
	tok, err := d.token(suffix)
	if err != nil {
		return err
	}
	want := json.Delim('{')
	if strings.HasPrefix(what, "an array") {
		want = '['
	}
	if tok != want {
		return d.fail(suffix, fmt.Errorf("want %s, got %s", what, describe(tok)))
	}
	return nil
}

// closeDelim reads the } or ] that ends the value at suffix once More reported no more elements.
func (d *Decoder) closeDelim(suffix string) error {
	tok, err := d.token(suffix)
	if err != nil {
		return err
	}
	if _, ok := tok.(json.Delim); !ok { // json.Decoder checks the bracket matches
		return d.fail(suffix, fmt.Errorf("unexpected %s", describe(tok)))
	}
	return nil
}

// fail reports err at the current location followed by suffix (".vol.qty").
func (d *Decoder) fail(suffix string, err error) error {
	var b strings.Builder
	if !d.standalone {
		b.WriteString("dataframes[")
		b.WriteString(strconv.Itoa(d.frame))
		b.WriteByte(']')
	}
	if d.inType {
		b.WriteString(".usage[")
		b.WriteString(strconv.Quote(d.typ))
		b.WriteByte(']')
		if d.point >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(d.point))
			b.WriteByte(']')
		}
	}
	b.WriteString(suffix)
	return d.failAt(strings.TrimPrefix(b.String(), "."), err)
}

// failAt reports err at path.
func (d *Decoder) failAt(path string, err error) error {
	line := 0
	if d.form == FormNDJSON {
		line = d.line
	}
	return &Error{Path: path, Line: line, Err: err}
}

// syntaxError reports a read or syntax error at the current location.
func (d *Decoder) syntaxError(suffix string, err error) error {
	return d.fail(suffix, d.syntaxCause(err))
}

// syntaxCause turns an early EOF into io.ErrUnexpectedEOF and adds the byte offset to syntax errors.
func (d *Decoder) syntaxCause(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("input ends inside a value (byte %d): %w", d.lines.read, io.ErrUnexpectedEOF)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// json.Decoder.Token's SyntaxError.Offset counts from an internal scan position, not
		// from the start of the input; InputOffset is where the bad value starts.
		return fmt.Errorf("%w (value at byte %d)", err, d.offset())
	}
	return err
}

// describe names a token for error messages.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "string " + quoteShort(v)
	case json.Number:
		return "number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// UnmarshalJSON decodes one DataFrame in CloudKitty's v2 form with the Decoder's validation:
// period.begin and period.end are times ParseTime accepts, begin before end; each point needs vol
// (qty a number or numeric string; unit optional, DefaultUnit when absent or empty), groupby and
// metadata (string, number or boolean values, kept in string form); rating.price defaults to 0;
// description is optional; any other key, a key given twice, an empty metric type or label key
// is an error.
func (f *DataFrame) UnmarshalJSON(data []byte) error {
	d := NewDecoder(bytes.NewReader(data))
	d.lines.stop()
	d.started, d.standalone = true, true
	if err := d.open("", "a DataFrame object"); err != nil {
		return err
	}
	fr, err := d.decodeFrame("", false)
	if err != nil {
		return err
	}
	if tok, err := d.src.Token(); err != io.EOF {
		if err != nil {
			return d.failAt("", d.syntaxCause(err))
		}
		return d.failAt("", fmt.Errorf("unexpected %s after the DataFrame", describe(tok)))
	}
	*f = fr
	return nil
}

// lineReader counts lines of what a json.Decoder reads, for NDJSON error messages.
//
// It remembers the offsets of newlines read but not yet counted; lineAt counts those before an
// offset, so it holds at most the newlines of one frame plus the decoder's read-ahead.
type lineReader struct {
	r     io.Reader
	track bool
	read  int64   // bytes read so far
	nl    []int64 // offsets of newlines not yet counted, ascending
	lines int     // newlines counted
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if l.track {
		for i := 0; i < n; {
			j := bytes.IndexByte(p[i:n], '\n')
			if j < 0 {
				break
			}
			l.nl = append(l.nl, l.read+int64(i+j))
			i += j + 1
		}
	}
	l.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off; off must not decrease between calls.
func (l *lineReader) lineAt(off int64) int {
	k := 0
	for k < len(l.nl) && l.nl[k] < off {
		k++
	}
	l.lines += k
	l.nl = l.nl[:copy(l.nl, l.nl[k:])]
	return l.lines + 1
}

// stop ends line tracking (the input is not NDJSON).
func (l *lineReader) stop() {
	l.track = false
	l.nl = nil
}
