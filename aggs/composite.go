package aggs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// DefaultPageSize is the number of composite buckets asked for per page when CompositeParams.PageSize is 0.
const DefaultPageSize = 2000

// AggName is the name of the composite aggregation in requests and responses.
const AggName = "groups"

// matchedAgg is the name of the ungrouped request's value_count that tells whether anything matched.
const matchedAgg = "matched"

// CompositeFilterPath is a filter_path for composite pages: it keeps what Walk reads plus the shard
// header a driver must check for partial failures.
const CompositeFilterPath = "aggregations." + AggName + ".after_key,aggregations." + AggName + ".buckets,_shards,timed_out"

// CompositeParams describes a Total: the points it selects, how they are grouped and what is summed.
type CompositeParams struct {
	Window    storage.Window        // resolved query window: the filter, and the bounds of rows without a time grouping
	TimeMatch storage.TimeMatch     // how Window's bounds match points; empty means storage.TimeMatchStart
	Groups    []storage.GroupElem   // parsed groupby (storage.ParseGroupby); empty means one ungrouped row
	Fields    []storage.CustomField // parsed aggregates (storage.ParseCustomFields), in column order
	Location  *time.Location        // time zone of calendar groupings; nil means UTC
	PageSize  int                   // buckets per composite page; 0 means DefaultPageSize
}

// pageSize returns the effective page size.
func (p CompositeParams) pageSize() int {
	if p.PageSize == 0 {
		return DefaultPageSize
	}
	return p.PageSize
}

// location returns the effective calendar time zone.
func (p CompositeParams) location() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// source is one composite source: its kind and, for a label, the key.
type source struct {
	elem int               // index of the groupby element it comes from
	kind storage.GroupKind // the element's kind
	end  bool              // for GroupTime: this source holds the frame end (else the start)
	body map[string]any    // {"terms": {...}} or {"date_histogram": {...}}
	unit string            // calendar unit (GroupCalendar)
}

// sourceName is the unique name of the i-th composite source; user keys never name a source.
func sourceName(i int) string { return "g" + strconv.Itoa(i) }

// fieldName is the name of the i-th custom-field sub-aggregation.
func fieldName(i int) string { return "f" + strconv.Itoa(i) }

// calendarIntervals maps a calendar unit to its date_histogram calendar_interval.
var calendarIntervals = map[string]string{"day": "1d", "week": "1w", "month": "1M", "year": "1y"}

// termsSource is the body of a terms source on field.
type termsSource struct {
	Field         string `json:"field"`
	MissingBucket bool   `json:"missing_bucket,omitempty"`
	Order         string `json:"order"`
}

// histogramSource is the body of a date_histogram source.
type histogramSource struct {
	Field            string `json:"field"`
	CalendarInterval string `json:"calendar_interval"`
	TimeZone         string `json:"time_zone"`
	Order            string `json:"order"`
}

// sources turns the parsed groupby into composite sources, in order.
func (p CompositeParams) sources() ([]source, error) {
	out := make([]source, 0, len(p.Groups)+1)
	for i, g := range p.Groups {
		switch g.Kind {
		case storage.GroupLabel:
			if g.Key == "" {
				return nil, fmt.Errorf("%w: groupby element %d is a label with an empty key", storage.ErrInvalid, i)
			}
			out = append(out, source{elem: i, kind: g.Kind, body: map[string]any{
				"terms": termsSource{Field: mapping.FieldGroupby + "." + g.Key, MissingBucket: true, Order: "asc"}}})
		case storage.GroupType:
			out = append(out, source{elem: i, kind: g.Kind, body: map[string]any{
				"terms": termsSource{Field: mapping.FieldType, Order: "asc"}}})
		case storage.GroupTime:
			out = append(out,
				source{elem: i, kind: g.Kind, body: map[string]any{"terms": termsSource{Field: mapping.FieldStart, Order: "asc"}}},
				source{elem: i, kind: g.Kind, end: true, body: map[string]any{"terms": termsSource{Field: mapping.FieldEnd, Order: "asc"}}})
		case storage.GroupCalendar:
			interval, ok := calendarIntervals[g.Key]
			if !ok {
				return nil, fmt.Errorf("%w: groupby element %d: unknown calendar unit %q", storage.ErrInvalid, i, g.Key)
			}
			tz, err := zoneName(p.location())
			if err != nil {
				return nil, err
			}
			out = append(out, source{elem: i, kind: g.Kind, unit: g.Key, body: map[string]any{
				"date_histogram": histogramSource{Field: mapping.FieldStart, CalendarInterval: interval, TimeZone: tz, Order: "asc"}}})
		default:
			return nil, fmt.Errorf("%w: groupby element %d has unknown kind %d", storage.ErrInvalid, i, g.Kind)
		}
	}
	return out, nil
}

// zoneName returns the IANA name OpenSearch is given for loc; Local and unnamed zones are refused
// because the server would read them differently from Go.
func zoneName(loc *time.Location) (string, error) {
	name := loc.String()
	if name == "" || name == "Local" {
		return "", fmt.Errorf("%w: time zone %q has no IANA name; configure the time zone by name (e.g. Europe/Paris)", storage.ErrInvalid, name)
	}
	return name, nil
}

// metricFuncs are the custom-field functions and the aggregation each one becomes.
var metricFuncs = map[string]string{"sum": "sum", "min": "min", "max": "max", "avg": "avg", "count": "value_count"}

// fieldAggs turns the custom fields into sub-aggregations named f0, f1, ….
func (p CompositeParams) fieldAggs() (map[string]any, error) {
	out := make(map[string]any, len(p.Fields))
	for i, f := range p.Fields {
		agg, ok := metricFuncs[f.Func]
		if !ok {
			return nil, fmt.Errorf("%w: custom field %d (%s): function %q is not one of sum, min, max, avg, count", storage.ErrInvalid, i+1, f.Alias, f.Func)
		}
		if f.Field != "qty" && f.Field != "price" {
			return nil, fmt.Errorf("%w: custom field %d (%s): field %q is not one of qty, price", storage.ErrInvalid, i+1, f.Alias, f.Field)
		}
		out[fieldName(i)] = map[string]any{agg: map[string]string{"field": f.Field}}
	}
	return out, nil
}

// compositeAgg is {"composite": {...}, "aggs": {...}}.
type compositeAgg struct {
	Composite compositeBody  `json:"composite"`
	Aggs      map[string]any `json:"aggs,omitempty"`
}

// compositeBody is the body of a composite aggregation.
type compositeBody struct {
	Size    int              `json:"size"`
	Sources []map[string]any `json:"sources"`
	After   json.RawMessage  `json:"after,omitempty"`
}

// searchBody is a size-0 aggregation request.
type searchBody struct {
	Size           int            `json:"size"`
	TrackTotalHits bool           `json:"track_total_hits"`
	Query          clause         `json:"query"`
	Aggs           map[string]any `json:"aggs"`
}

// CompositeBody returns one page request of the grouped total p: a composite aggregation over the
// groupby sources (named g0, g1, …, in groupby order, a time groupby giving two) with one
// sub-aggregation per custom field (f0, f1, …). after is the previous page's after_key, sent back
// verbatim (nil for the first page). keysOnly drops the sub-aggregations, for pages that are only
// counted.
//
//	{"size": 0, "track_total_hits": false, "query": <Filter>,
//	 "aggs": {"groups": {
//	   "composite": {"size": 2000, "sources": [
//	     {"g0": {"terms": {"field": "groupby.project_id", "missing_bucket": true, "order": "asc"}}},
//	     {"g1": {"terms": {"field": "type", "order": "asc"}}},
//	     {"g2": {"date_histogram": {"field": "start", "calendar_interval": "1d", "time_zone": "Europe/Paris", "order": "asc"}}}],
//	     "after": {"g0": "p1", "g1": "instance", "g2": 1796079600000}},
//	   "aggs": {"f0": {"sum": {"field": "qty"}}, "f1": {"sum": {"field": "price"}}}}}}
func CompositeBody(p CompositeParams, after json.RawMessage, keysOnly bool) ([]byte, error) {
	if len(p.Groups) == 0 {
		return nil, fmt.Errorf("%w: a composite aggregation needs at least one groupby element (use UngroupedBody)", storage.ErrInvalid)
	}
	if p.PageSize < 0 {
		return nil, fmt.Errorf("%w: composite page size %d is negative", storage.ErrInvalid, p.PageSize)
	}
	q, err := filterQuery(p.Window, p.TimeMatch)
	if err != nil {
		return nil, err
	}
	srcs, err := p.sources()
	if err != nil {
		return nil, err
	}
	fields, err := p.fieldAggs()
	if err != nil {
		return nil, err
	}
	comp := compositeAgg{Composite: compositeBody{Size: p.pageSize(), Sources: make([]map[string]any, len(srcs)), After: after}}
	for i, s := range srcs {
		comp.Composite.Sources[i] = map[string]any{sourceName(i): s.body}
	}
	if !keysOnly && len(fields) > 0 {
		comp.Aggs = fields
	}
	b, err := json.Marshal(searchBody{Query: q, Aggs: map[string]any{AggName: comp}})
	if err != nil {
		return nil, fmt.Errorf("aggs: encoding composite request: %w", err)
	}
	return b, nil
}

// UngroupedBody returns the request of a Total without groupby: each custom field at top level
// (f0, f1, …) and a value_count on type that tells whether anything matched.
//
//	{"size": 0, "track_total_hits": false, "query": <Filter>,
//	 "aggs": {"f0": {"sum": {"field": "qty"}}, "f1": {"sum": {"field": "price"}},
//	          "matched": {"value_count": {"field": "type"}}}}
func UngroupedBody(p CompositeParams) ([]byte, error) {
	q, err := filterQuery(p.Window, p.TimeMatch)
	if err != nil {
		return nil, err
	}
	fields, err := p.fieldAggs()
	if err != nil {
		return nil, err
	}
	fields[matchedAgg] = map[string]any{"value_count": map[string]string{"field": mapping.FieldType}}
	b, err := json.Marshal(searchBody{Query: q, Aggs: fields})
	if err != nil {
		return nil, fmt.Errorf("aggs: encoding aggregation request: %w", err)
	}
	return b, nil
}
