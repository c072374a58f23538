package aggs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ckos/ckos/storage"
)

// Page is one decoded composite page.
type Page struct {
	AfterKey json.RawMessage // the after_key to send back for the next page; nil on the last page
	Rows     []storage.Row   // one row per bucket, in bucket order
}

// rawPage is a composite aggregation response with its buckets left undecoded.
type rawPage struct {
	AfterKey json.RawMessage   `json:"after_key"`
	Buckets  []json.RawMessage `json:"buckets"`
}

// keyValue is one decoded value of a composite key.
type keyValue struct {
	null bool   // the missing bucket
	str  string // label and type sources
	num  int64  // time and calendar sources: epoch milliseconds
}

// decoder turns composite keys and buckets of one CompositeParams into rows.
type decoder struct {
	p       CompositeParams
	srcs    []source
	names   []string // source names, g0, g1, …
	fields  []string // sub-aggregation names, f0, f1, …
	columns int      // groupby columns a row carries
	loc     *time.Location
}

// newDecoder prepares the decoding of p's composite responses.
func newDecoder(p CompositeParams) (*decoder, error) {
	if len(p.Groups) == 0 {
		return nil, fmt.Errorf("%w: a composite aggregation needs at least one groupby element", storage.ErrInvalid)
	}
	srcs, err := p.sources()
	if err != nil {
		return nil, err
	}
	if _, err := p.fieldAggs(); err != nil {
		return nil, err
	}
	d := &decoder{p: p, srcs: srcs, names: make([]string, len(srcs)), fields: make([]string, len(p.Fields)), loc: p.location()}
	for i := range srcs {
		d.names[i] = sourceName(i)
	}
	for i := range p.Fields {
		d.fields[i] = fieldName(i)
	}
	for _, g := range p.Groups {
		if g.Column() != "" {
			d.columns++
		}
	}
	return d, nil
}

// DecodePage decodes one composite page of p from the response's aggregations object.
func DecodePage(aggregations json.RawMessage, p CompositeParams) (Page, error) {
	d, err := newDecoder(p)
	if err != nil {
		return Page{}, err
	}
	rp, err := parsePage(aggregations)
	if err != nil {
		return Page{}, err
	}
	pg := Page{AfterKey: rp.AfterKey, Rows: make([]storage.Row, 0, len(rp.Buckets))}
	for i, b := range rp.Buckets {
		row, _, err := d.row(b, false)
		if err != nil {
			return Page{}, fmt.Errorf("bucket %d: %w", i, err)
		}
		pg.Rows = append(pg.Rows, row)
	}
	return pg, nil
}

// parsePage extracts the composite aggregation from an aggregations object.
func parsePage(aggregations json.RawMessage) (rawPage, error) {
	var resp struct {
		Groups *rawPage `json:"groups"`
	}
	if err := json.Unmarshal(aggregations, &resp); err != nil {
		return rawPage{}, fmt.Errorf("decoding composite response: %w", err)
	}
	if resp.Groups == nil {
		return rawPage{}, fmt.Errorf("composite response has no aggregation %q", AggName)
	}
	if isNull(resp.Groups.AfterKey) {
		resp.Groups.AfterKey = nil
	}
	return *resp.Groups, nil
}

// isNull reports whether raw is absent or the JSON null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// key decodes a composite key object (a bucket's key or an after_key) into one value per source.
func (d *decoder) key(raw json.RawMessage) ([]keyValue, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decoding key: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("key is null")
	}
	out := make([]keyValue, len(d.srcs))
	for i, s := range d.srcs {
		v, ok := m[d.names[i]]
		if !ok {
			return nil, fmt.Errorf("key has no value for source %s", d.names[i])
		}
		var err error
		switch s.kind {
		case storage.GroupLabel, storage.GroupType:
			out[i], err = stringKey(v)
		default:
			out[i], err = millisKey(v)
		}
		if err != nil {
			return nil, fmt.Errorf("key value of source %s: %w", d.names[i], err)
		}
	}
	return out, nil
}

// stringKey decodes a terms key on a keyword field: a string, or null for the missing bucket.
// Numbers and booleans (a field mapped otherwise in some index) are kept in their JSON text form.
func stringKey(v json.RawMessage) (keyValue, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0:
		return keyValue{}, fmt.Errorf("empty value")
	case string(v) == "null":
		return keyValue{null: true}, nil
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return keyValue{}, err
		}
		return keyValue{str: s}, nil
	case v[0] == '{' || v[0] == '[':
		return keyValue{}, fmt.Errorf("not a scalar: %s", v)
	}
	return keyValue{str: string(v)}, nil
}

// millisKey decodes a date key: epoch milliseconds as a JSON integer (or an integral float).
func millisKey(v json.RawMessage) (keyValue, error) {
	s := string(bytes.TrimSpace(v))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return keyValue{num: n}, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return keyValue{}, fmt.Errorf("not epoch milliseconds: %s", s)
	}
	return keyValue{num: int64(f)}, nil
}

// compareKeys orders two decoded keys as an ascending composite aggregation does: source by source,
// the missing bucket first, strings by bytes, dates by instant.
func compareKeys(a, b []keyValue) int {
	for i := range a {
		x, y := a[i], b[i]
		switch {
		case x.null && y.null:
			continue
		case x.null:
			return -1
		case y.null:
			return 1
		}
		if c := strings.Compare(x.str, y.str); c != 0 {
			return c
		}
		if x.num != y.num {
			if x.num < y.num {
				return -1
			}
			return 1
		}
	}
	return 0
}

// formatKey renders a decoded key for error messages.
func formatKey(k []keyValue, d *decoder) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range k {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(d.names[i])
		sb.WriteString(": ")
		switch {
		case v.null:
			sb.WriteString("null")
		case d.srcs[i].kind == storage.GroupLabel || d.srcs[i].kind == storage.GroupType:
			sb.WriteString(strconv.Quote(v.str))
		default:
			sb.WriteString(strconv.FormatInt(v.num, 10))
		}
	}
	sb.WriteByte('}')
	return sb.String()
}

// row decodes one bucket into a row (and returns its key). keyOnly skips the aggregates.
func (d *decoder) row(raw json.RawMessage, keyOnly bool) (storage.Row, []keyValue, error) {
	var b map[string]json.RawMessage
	if err := json.Unmarshal(raw, &b); err != nil {
		return storage.Row{}, nil, fmt.Errorf("decoding bucket: %w", err)
	}
	rawKey, ok := b["key"]
	if !ok {
		return storage.Row{}, nil, fmt.Errorf("bucket has no key")
	}
	key, err := d.key(rawKey)
	if err != nil {
		return storage.Row{}, nil, err
	}
	row := d.keyRow(key)
	if keyOnly {
		return row, key, nil
	}
	row.Fields, err = d.decodeFields(b)
	if err != nil {
		return storage.Row{}, nil, err
	}
	return row, key, nil
}

// keyRow builds a row's period and group columns from its key. Every time is UTC, as the memory
// driver returns them: the query bounds, a frame's start and end, a calendar bucket's bounds.
func (d *decoder) keyRow(key []keyValue) storage.Row {
	row := storage.Row{Begin: d.p.Window.Begin.UTC(), End: d.p.Window.End.UTC()}
	if d.columns > 0 {
		row.Groups = make([]storage.Group, 0, d.columns)
	}
	for i, s := range d.srcs {
		v := key[i]
		switch s.kind {
		case storage.GroupLabel, storage.GroupType:
			g := storage.Group{Key: d.p.Groups[s.elem].Key}
			if !v.null {
				str := v.str
				g.Value = &str
			}
			row.Groups = append(row.Groups, g)
		case storage.GroupTime:
			if s.end {
				row.End = time.UnixMilli(v.num).UTC()
			} else {
				row.Begin = time.UnixMilli(v.num).UTC()
			}
		case storage.GroupCalendar:
			begin := time.UnixMilli(v.num)
			row.Begin, row.End = begin.UTC(), CalendarEnd(begin, s.unit, d.loc).UTC()
		}
	}
	return row
}

// metricValue is a single-value metric aggregation's result; min, max and avg give null over no documents.
type metricValue struct {
	Value *float64 `json:"value"`
}

// decodeFields reads the custom-field sub-aggregations of a bucket (or of an ungrouped response).
func (d *decoder) decodeFields(b map[string]json.RawMessage) ([]storage.Field, error) {
	return decodeFields(b, d.fields, d.p.Fields)
}

// decodeFields reads aggregations names[i] of b into fields named after their aliases.
func decodeFields(b map[string]json.RawMessage, names []string, fields []storage.CustomField) ([]storage.Field, error) {
	out := make([]storage.Field, len(fields))
	for i, f := range fields {
		raw, ok := b[names[i]]
		if !ok {
			return nil, fmt.Errorf("no aggregation %s (custom field %s)", names[i], f.Alias)
		}
		var mv metricValue
		if err := json.Unmarshal(raw, &mv); err != nil {
			return nil, fmt.Errorf("aggregation %s (custom field %s): %w", names[i], f.Alias, err)
		}
		out[i].Name = f.Alias
		if mv.Value != nil {
			out[i].Value = *mv.Value
		}
	}
	return out, nil
}

// DecodeUngrouped decodes the response's aggregations object of an UngroupedBody request: no row
// when nothing matched, else one row spanning the query bounds.
func DecodeUngrouped(aggregations json.RawMessage, p CompositeParams) ([]storage.Row, error) {
	if _, err := p.fieldAggs(); err != nil {
		return nil, err
	}
	var b map[string]json.RawMessage
	if err := json.Unmarshal(aggregations, &b); err != nil {
		return nil, fmt.Errorf("decoding aggregation response: %w", err)
	}
	raw, ok := b[matchedAgg]
	if !ok {
		return nil, fmt.Errorf("aggregation response has no %q count", matchedAgg)
	}
	var matched metricValue
	if err := json.Unmarshal(raw, &matched); err != nil {
		return nil, fmt.Errorf("aggregation %s: %w", matchedAgg, err)
	}
	if matched.Value == nil || *matched.Value == 0 {
		return nil, nil
	}
	names := make([]string, len(p.Fields))
	for i := range names {
		names[i] = fieldName(i)
	}
	fields, err := decodeFields(b, names, p.Fields)
	if err != nil {
		return nil, err
	}
	return []storage.Row{{Begin: p.Window.Begin.UTC(), End: p.Window.End.UTC(), Fields: fields}}, nil
}

// CalendarEnd returns the end of the calendar bucket of unit (day, week, month, year) that starts
// at begin in loc: the first instant of the next bucket, which is begin plus one unit on the local
// calendar (weeks are ISO weeks, seven days) — 23 or 25 hours for a day across a DST change.
// A local midnight that does not exist (a DST gap at 00:00) starts at the gap's end, as OpenSearch
// rounds it. The result is in loc.
func CalendarEnd(begin time.Time, unit string, loc *time.Location) time.Time {
	y, m, d := begin.In(loc).Date()
	switch unit {
	case "day":
		d++
	case "week":
		d += 7
	case "month":
		m, d = m+1, 1
	case "year":
		y, m, d = y+1, time.January, 1
	}
	return startOfDay(y, m, d, loc)
}

// startOfDay returns the first instant of local date y-m-d (normalised) in loc.
func startOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // normalised date
	if ty, tm, td := t.Date(); ty != want.Year() || tm != want.Month() || td != want.Day() {
		// Midnight fell in a DST gap and Go resolved it to the previous evening: the day
		// begins where that zone period ends.
		_, end := t.ZoneBounds()
		return end.In(loc)
	}
	return t
}
