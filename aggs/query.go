// Package aggs is ckos's query language for OpenSearch: it turns a storage window into a bool
// query in filter context, a parsed groupby and custom-field list into a composite aggregation,
// decodes composite, plain-aggregation and search responses into storage rows and points, and
// walks composite pages with after_key through a tiny Searcher interface. It holds no client.
package aggs

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// clause is one query clause: a single-key object such as {"range": {...}} or {"terms": {...}}.
type clause map[string]any

// boolQuery is the body of a bool query; only filter context is used, so nothing is scored.
type boolQuery struct {
	Filter             []clause `json:"filter,omitempty"`
	Should             []clause `json:"should,omitempty"`
	MinimumShouldMatch int      `json:"minimum_should_match,omitempty"`
}

// bounds is a range on a date field; a nil side is open.
type bounds struct {
	Gte *string `json:"gte,omitempty"`
	Lt  *string `json:"lt,omitempty"`
	Lte *string `json:"lte,omitempty"`
}

// formatTime renders t as the RFC 3339 UTC string sent in range bounds (nanoseconds when nonzero).
func formatTime(t time.Time) *string {
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// Filter returns the bool query selecting the points of w under time match m (empty m means
// storage.TimeMatchStart). Every clause is in filter context. A zero Begin or End leaves that side
// of the range open. Filter keys are emitted in sorted order, so equal windows give equal JSON.
//
//	{"bool": {"filter": [
//	  {"range": {"start": {"gte": "2026-12-01T00:00:00Z", "lt": "2027-01-01T00:00:00Z"}}},  // start mode
//	  {"range": {"start": {"gte": B}}}, {"range": {"end": {"lte": E}}},                        // inside mode
//	  {"terms": {"type": ["instance", "volume.size"]}},                                        // metric types
//	  {"terms": {"type": ["instance"]}},                                                       // filter key "type"
//	  {"bool": {"should": [{"terms": {"groupby.project_id": ["p1", "p2"]}},
//	                       {"terms": {"metadata.project_id": ["p1", "p2"]}}],
//	            "minimum_should_match": 1}}                                                    // any other key
//	]}}
func Filter(w storage.Window, m storage.TimeMatch) (json.RawMessage, error) {
	q, err := filterQuery(w, m)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("aggs: encoding filter query: %w", err)
	}
	return b, nil
}

// QueryBody returns a request body holding only the filter query of w under m, as
// _delete_by_query and _count take it.
//
//	{"query": {"bool": {"filter": [...]}}}
func QueryBody(w storage.Window, m storage.TimeMatch) ([]byte, error) {
	q, err := filterQuery(w, m)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(struct {
		Query clause `json:"query"`
	}{q})
	if err != nil {
		return nil, fmt.Errorf("aggs: encoding query body: %w", err)
	}
	return b, nil
}

// filterQuery builds the bool query of Filter as a value ready to embed in a body.
func filterQuery(w storage.Window, m storage.TimeMatch) (clause, error) {
	var filter []clause
	switch m {
	case "", storage.TimeMatchStart:
		if !w.Begin.IsZero() || !w.End.IsZero() {
			var r bounds
			if !w.Begin.IsZero() {
				r.Gte = formatTime(w.Begin)
			}
			if !w.End.IsZero() {
				r.Lt = formatTime(w.End)
			}
			filter = append(filter, rangeClause(mapping.FieldStart, r))
		}
	case storage.TimeMatchInside:
		if !w.Begin.IsZero() {
			filter = append(filter, rangeClause(mapping.FieldStart, bounds{Gte: formatTime(w.Begin)}))
		}
		if !w.End.IsZero() {
			filter = append(filter, rangeClause(mapping.FieldEnd, bounds{Lte: formatTime(w.End)}))
		}
	default:
		return nil, fmt.Errorf("%w: time match %q is not one of start, inside", storage.ErrInvalid, m)
	}
	if len(w.MetricTypes) > 0 {
		filter = append(filter, termsClause(mapping.FieldType, w.MetricTypes))
	}
	keys := make([]string, 0, len(w.Filters))
	for k := range w.Filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := w.Filters[k]
		switch {
		case k == "":
			return nil, fmt.Errorf("%w: filter with an empty key", storage.ErrInvalid)
		case len(vs) == 0:
			return nil, fmt.Errorf("%w: filter %q has no values", storage.ErrInvalid, k)
		case k == mapping.FieldType:
			filter = append(filter, termsClause(mapping.FieldType, vs))
		default:
			filter = append(filter, clause{"bool": boolQuery{
				Should:             []clause{termsClause(mapping.FieldGroupby+"."+k, vs), termsClause(mapping.FieldMetadata+"."+k, vs)},
				MinimumShouldMatch: 1,
			}})
		}
	}
	return clause{"bool": boolQuery{Filter: filter}}, nil
}

// rangeClause is {"range": {field: r}}.
func rangeClause(field string, r bounds) clause {
	return clause{"range": map[string]bounds{field: r}}
}

// termsClause is {"terms": {field: values}}.
func termsClause(field string, values []string) clause {
	return clause{"terms": map[string][]string{field: values}}
}
