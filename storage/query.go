package storage

import (
	"fmt"
	"time"
)

// TimeMatch says which points a [begin, end) window matches.
type TimeMatch string

// The time match modes.
const (
	// TimeMatchStart matches begin <= start < end: consecutive windows partition time.
	TimeMatchStart TimeMatch = "start"
	// TimeMatchInside matches start >= begin and end <= end: the upstream Elasticsearch rule.
	TimeMatchInside TimeMatch = "inside"
)

// ParseTimeMatch validates a time match name; empty means TimeMatchStart.
func ParseTimeMatch(s string) (TimeMatch, error) {
	switch TimeMatch(s) {
	case "", TimeMatchStart:
		return TimeMatchStart, nil
	case TimeMatchInside:
		return TimeMatchInside, nil
	}
	return "", fmt.Errorf("%w: time match %q is not one of start, inside", ErrInvalid, s)
}

// Matches reports whether a point of frame [start, end) falls in [begin, until); a zero bound is open.
func (m TimeMatch) Matches(begin, until, start, end time.Time) bool {
	if !begin.IsZero() && start.Before(begin) {
		return false
	}
	if until.IsZero() {
		return true
	}
	if m == TimeMatchInside {
		return !end.After(until)
	}
	return start.Before(until)
}

// DefaultRange returns the first instant of now's month and of the next month, in loc.
func DefaultRange(now time.Time, loc *time.Location) (time.Time, time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	n := now.In(loc)
	begin := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
	return begin, begin.AddDate(0, 1, 0)
}

// Resolve fills a zero Begin or End with DefaultRange and checks Begin < End.
func (w Window) Resolve(now time.Time, loc *time.Location) (Window, error) {
	db, de := DefaultRange(now, loc)
	if w.Begin.IsZero() {
		w.Begin = db
	}
	if w.End.IsZero() {
		w.End = de
	}
	if !w.Begin.Before(w.End) {
		return w, fmt.Errorf("%w: begin %s is not before end %s", ErrInvalid, w.Begin.Format(time.RFC3339), w.End.Format(time.RFC3339))
	}
	return w, nil
}

// CheckOpen checks a possibly open range: when both bounds are set, Begin must be before End.
func (w Window) CheckOpen() error {
	if !w.Begin.IsZero() && !w.End.IsZero() && !w.Begin.Before(w.End) {
		return fmt.Errorf("%w: begin %s is not before end %s", ErrInvalid, w.Begin.Format(time.RFC3339), w.End.Format(time.RFC3339))
	}
	for k, vs := range w.Filters {
		if k == "" {
			return fmt.Errorf("%w: filter with an empty key", ErrInvalid)
		}
		if len(vs) == 0 {
			return fmt.Errorf("%w: filter %q has no values", ErrInvalid, k)
		}
	}
	return nil
}

// Page checks offset and limit and returns the effective limit (DefaultLimit for 0).
func Page(offset, limit int) (int, error) {
	if offset < 0 {
		return 0, fmt.Errorf("%w: offset %d is negative", ErrInvalid, offset)
	}
	if limit < 0 {
		return 0, fmt.Errorf("%w: limit %d must be at least 1", ErrInvalid, limit)
	}
	if limit == 0 {
		return DefaultLimit, nil
	}
	return limit, nil
}

// MatchesLabels reports whether a point with these labels passes the filters (the key "type"
// is checked against typ; other keys against groupby, then metadata).
func (f Filters) MatchesLabels(typ string, groupby, metadata map[string]string) bool {
	for k, vs := range f {
		ok := false
		for _, v := range vs {
			if k == "type" {
				ok = typ == v
			} else if g, has := groupby[k]; has && g == v {
				ok = true
			} else if m, has := metadata[k]; has && m == v {
				ok = true
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ParsedTotal is a TotalQuery checked and resolved: what a driver computes.
type ParsedTotal struct {
	Window Window        // resolved bounds (UTC) and the selection
	Groups []GroupElem   // parsed groupby
	Fields []CustomField // parsed aggregates, in column order
	Offset int           // rows to skip
	Limit  int           // rows to return (DefaultLimit for 0)
	All    bool          // return every row
}

// Parse checks q before any work — groupby syntax, custom fields and their aliases, window,
// page — and resolves zero bounds to the month of now in loc. Every driver's Total starts here.
func (q TotalQuery) Parse(now time.Time, loc *time.Location) (ParsedTotal, error) {
	groups, err := ParseGroupby(q.Groupby)
	if err != nil {
		return ParsedTotal{}, err
	}
	fields, err := ParseCustomFields(q.CustomFields)
	if err != nil {
		return ParsedTotal{}, err
	}
	for _, g := range groups {
		for _, f := range fields {
			if c := g.Column(); c != "" && f.Alias == c {
				return ParsedTotal{}, fmt.Errorf("%w: custom field alias %q is also a groupby column", ErrInvalid, f.Alias)
			}
		}
	}
	w, err := q.Window.Resolve(now, loc)
	if err != nil {
		return ParsedTotal{}, err
	}
	if err := w.CheckOpen(); err != nil {
		return ParsedTotal{}, err
	}
	w.Begin, w.End = w.Begin.UTC(), w.End.UTC()
	limit, err := Page(q.Offset, q.Limit)
	if err != nil {
		return ParsedTotal{}, err
	}
	return ParsedTotal{Window: w, Groups: groups, Fields: fields, Offset: q.Offset, Limit: limit, All: q.All}, nil
}
