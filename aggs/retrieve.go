package aggs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// RetrieveParams describes one page of a Retrieve search.
type RetrieveParams struct {
	Window      storage.Window    // the points to match
	TimeMatch   storage.TimeMatch // how Window's bounds match points; empty means storage.TimeMatchStart
	Size        int               // hits to return
	From        int               // hits to skip (shallow pages); omitted when 0
	SearchAfter json.RawMessage   // the previous page's last Hit.Sort (deep pages); omitted when nil
	PIT         *PIT              // point in time to search in (then the request names no index); omitted when nil
	SkipTotal   bool              // do not count the matches (later pages of a walk whose total is known)
	SortsOnly   bool              // return no _source, only each hit's sort values (pages skipped whole)
}

// PIT is a point-in-time reference of a search body.
type PIT struct {
	ID        string `json:"id"`                   // the pit_id the server returned
	KeepAlive string `json:"keep_alive,omitempty"` // how long to extend it, e.g. "5m"
}

// retrieveSort is the total order of Retrieve: start, end, type, then the point's unique id.
var retrieveSort = []map[string]string{{mapping.FieldStart: "asc"}, {mapping.FieldEnd: "asc"}, {mapping.FieldType: "asc"}, {mapping.FieldDocKey: "asc"}}

// retrieveBody is a Retrieve search request.
type retrieveBody struct {
	Query          clause              `json:"query"`
	Sort           []map[string]string `json:"sort"`
	Size           int                 `json:"size"`
	From           int                 `json:"from,omitempty"`
	SearchAfter    json.RawMessage     `json:"search_after,omitempty"`
	PIT            *PIT                `json:"pit,omitempty"`
	TrackTotalHits bool                `json:"track_total_hits"`
	Source         *bool               `json:"_source,omitempty"`
}

// RetrieveBody returns the search request of one Retrieve page: the filter query, the total
// order, and either from/size or search_after, optionally inside a point in time.
//
//	{"query": <Filter>,
//	 "sort": [{"start": "asc"}, {"end": "asc"}, {"type": "asc"}, {"doc_key": "asc"}],
//	 "size": 1000, "from": 2000,                           // shallow page
//	 "search_after": [1796083200000, 1796086800000, "instance", "3f1c…"], // deep page
//	 "pit": {"id": "o463Q…", "keep_alive": "5m"},
//	 "track_total_hits": true}
func RetrieveBody(p RetrieveParams) ([]byte, error) {
	switch {
	case p.Size < 0:
		return nil, fmt.Errorf("%w: search size %d is negative", storage.ErrInvalid, p.Size)
	case p.From < 0:
		return nil, fmt.Errorf("%w: search from %d is negative", storage.ErrInvalid, p.From)
	case p.From > 0 && p.SearchAfter != nil:
		return nil, fmt.Errorf("%w: search from %d with search_after: from must be 0", storage.ErrInvalid, p.From)
	case p.PIT != nil && p.PIT.ID == "":
		return nil, fmt.Errorf("%w: point in time with an empty id", storage.ErrInvalid)
	}
	q, err := filterQuery(p.Window, p.TimeMatch)
	if err != nil {
		return nil, err
	}
	body := retrieveBody{Query: q, Sort: retrieveSort, Size: p.Size, From: p.From,
		SearchAfter: p.SearchAfter, PIT: p.PIT, TrackTotalHits: !p.SkipTotal}
	if p.SortsOnly {
		body.Source = new(bool)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("aggs: encoding retrieve request: %w", err)
	}
	return b, nil
}

// Hit is one decoded search hit: a stored point and where it sorts.
type Hit struct {
	Type  string              // metric type
	Start time.Time           // frame start, UTC
	End   time.Time           // frame end, UTC
	Point dataframe.DataPoint // the point
	Sort  json.RawMessage     // the hit's sort values, for search_after
}

// pointSource is a stored point document as _source holds it; other keys are ignored.
type pointSource struct {
	Start       *string   `json:"start"`
	End         *string   `json:"end"`
	Type        *string   `json:"type"`
	Unit        string    `json:"unit"`
	Qty         flexFloat `json:"qty"`
	Price       flexFloat `json:"price"`
	Groupby     labels    `json:"groupby"`
	Metadata    labels    `json:"metadata"`
	Description string    `json:"description"`
}

// hitsTotal is hits.total of a search answer.
type hitsTotal struct {
	Value    int64  `json:"value"`
	Relation string `json:"relation"`
}

// exact returns the total, -1 when the request did not count, and an error for a bound.
func (t *hitsTotal) exact() (int64, error) {
	switch {
	case t == nil:
		return -1, nil
	case t.Relation != "" && t.Relation != "eq":
		return 0, fmt.Errorf("search total %d is not exact (relation %q); track_total_hits must be true", t.Value, t.Relation)
	}
	return t.Value, nil
}

// decodeHitList decodes a "hits" object into its exact total (-1 when not counted) and its hits.
func decodeHitList[H any](hits json.RawMessage) (int64, []H, error) {
	var resp struct {
		Total *hitsTotal `json:"total"`
		Hits  []H        `json:"hits"`
	}
	if err := json.Unmarshal(hits, &resp); err != nil {
		return 0, nil, fmt.Errorf("decoding search hits: %w", err)
	}
	total, err := resp.Total.exact()
	if err != nil {
		return 0, nil, err
	}
	return total, resp.Hits, nil
}

// DecodeSorts decodes the "hits" object of a SortsOnly search into the exact total (-1 when the
// request did not count) and each hit's sort values, in order.
func DecodeSorts(hits json.RawMessage) (int64, []json.RawMessage, error) {
	total, raw, err := decodeHitList[struct {
		Sort json.RawMessage `json:"sort"`
	}](hits)
	if err != nil {
		return 0, nil, err
	}
	sorts := make([]json.RawMessage, len(raw))
	for i, h := range raw {
		if len(h.Sort) == 0 {
			return 0, nil, fmt.Errorf("hit %d has no sort values", i)
		}
		sorts[i] = h.Sort
	}
	return total, sorts, nil
}

// DecodeHits decodes the "hits" object of a search response into the exact total (-1 when the
// request did not count) and the hits, in order. A total the server only bounded is an error.
// Points come back as the memory driver returns them: times in UTC, an absent unit as
// dataframe.DefaultUnit, absent groupby and metadata as empty maps.
func DecodeHits(hits json.RawMessage) (int64, []Hit, error) {
	total, raw, err := decodeHitList[struct {
		Source *pointSource    `json:"_source"`
		Sort   json.RawMessage `json:"sort"`
	}](hits)
	if err != nil {
		return 0, nil, err
	}
	out := make([]Hit, len(raw))
	for i, h := range raw {
		src := h.Source
		if src == nil {
			return 0, nil, fmt.Errorf("hit %d has no _source", i)
		}
		if src.Type == nil {
			return 0, nil, fmt.Errorf("hit %d: _source has no type", i)
		}
		start, err := parseDocTime(src.Start)
		if err != nil {
			return 0, nil, fmt.Errorf("hit %d: _source.start: %w", i, err)
		}
		end, err := parseDocTime(src.End)
		if err != nil {
			return 0, nil, fmt.Errorf("hit %d: _source.end: %w", i, err)
		}
		if src.Qty.err != nil {
			return 0, nil, fmt.Errorf("hit %d: _source.qty: %w", i, src.Qty.err)
		}
		if src.Price.err != nil {
			return 0, nil, fmt.Errorf("hit %d: _source.price: %w", i, src.Price.err)
		}
		out[i] = Hit{Type: *src.Type, Start: start, End: end, Sort: h.Sort, Point: dataframe.DataPoint{
			Unit: dataframe.DataPoint{Unit: src.Unit}.UnitOrDefault(), Qty: src.Qty.v, Price: src.Price.v,
			Groupby: src.Groupby.m, Metadata: src.Metadata.m, Description: src.Description,
		}}
		if out[i].Point.Groupby == nil {
			out[i].Point.Groupby = map[string]string{}
		}
		if out[i].Point.Metadata == nil {
			out[i].Point.Metadata = map[string]string{}
		}
	}
	return total, out, nil
}

// parseDocTime parses a stored RFC 3339 time into UTC.
func parseDocTime(s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, fmt.Errorf("missing")
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not an RFC 3339 time: %q", *s)
	}
	return t.UTC(), nil
}

// flexFloat is a stored number: a JSON number, or a numeric string as some writers store it.
// A bad value is kept in err so the hit's index can be named.
type flexFloat struct {
	v   float64
	err error
}

// UnmarshalJSON reads a number or a numeric string.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			f.err = err
			return nil
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.err = fmt.Errorf("not a number: %s", b)
		return nil
	}
	f.v = v
	return nil
}

// labels is a stored groupby or metadata object. Values are strings in ckos's documents; numbers
// and booleans written by other tools are read in their string form, nulls are skipped.
type labels struct {
	m map[string]string
}

// UnmarshalJSON reads an object of scalars into string values.
func (l *labels) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &l.m); err == nil {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	l.m = make(map[string]string, len(raw))
	for k, v := range raw {
		var kv keyValue
		if err := kv.UnmarshalJSON(bytes.TrimSpace(v)); err != nil {
			return fmt.Errorf("label %q: %w", k, err)
		}
		if kv.bad != "" {
			return fmt.Errorf("label %q: %s", k, kv.bad)
		}
		kv.asString()
		if !kv.null {
			l.m[k] = kv.str
		}
	}
	return nil
}
