// Package memory is the reference storage driver: every point in a map, every query a scan and a
// sort. It is small and obviously correct rather than fast, and it is the oracle the conformance
// suite and the differential tests hold other drivers to. It registers itself as "memory".
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

func init() {
	storage.Register("memory", storage.DriverFunc(func(ctx context.Context, cfg storage.Config) (storage.Storage, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := storage.ParseTimeMatch(string(cfg.TimeMatch)); err != nil {
			return nil, err
		}
		return New(cfg), nil
	}))
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock that default query ranges are computed from (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Store is an in-memory Storage, safe for concurrent use.
type Store struct {
	cfg storage.Config
	now func() time.Time

	mu     sync.Mutex
	closed bool
	points map[string]point // PointID → point
}

// point is one stored data point with its frame and type.
type point struct {
	id         string
	typ        string
	start, end time.Time // UTC
	dp         dataframe.DataPoint
}

var _ storage.Storage = (*Store)(nil)

// New returns an empty Store configured by cfg (its TimeMatch, Location and RetentionHours).
func New(cfg storage.Config, opts ...Option) *Store {
	s := &Store{cfg: cfg, now: time.Now, points: map[string]point{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Init does nothing but check that the store is open.
func (s *Store) Init(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.check(ctx)
}

// Retention returns the configured retention period.
func (s *Store) Retention() time.Duration { return s.cfg.Retention() }

// Close makes every later call fail with storage.ErrClosed; closing twice is harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.points = nil
	return nil
}

// check returns the error a call must fail with before doing anything; s.mu is held.
func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed {
		return storage.ErrClosed
	}
	return nil
}

// Push validates every point of every frame, then stores them all under their PointID.
func (s *Store) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	if _, err := storage.ValidateFrames(frames); err != nil {
		return err
	}
	var batch []point
	ordinals := map[string]int{}
	for _, f := range frames {
		start, end := f.Start.UTC(), f.End.UTC()
		for _, typ := range f.Types() {
			for _, p := range f.Usage[typ] {
				key := storage.IdentityKey(typ, start, end, p.Groupby)
				ord := ordinals[key]
				ordinals[key] = ord + 1
				batch = append(batch, point{
					id:    storage.PointID(typ, start, end, p.Groupby, ord),
					typ:   typ,
					start: start,
					end:   end,
					dp:    clonePoint(p),
				})
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	for _, p := range batch {
		s.points[p.id] = p
	}
	return nil
}

// clonePoint copies p so that neither the caller nor the store can change the other's maps.
func clonePoint(p dataframe.DataPoint) dataframe.DataPoint {
	p.Unit = p.UnitOrDefault()
	p.Groupby = cloneMap(p.Groupby)
	p.Metadata = cloneMap(p.Metadata)
	return p
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	maps.Copy(out, m)
	return out
}

// match returns the stored points that w selects, sorted by start, end, type and id; s.mu is held.
func (s *Store) match(w storage.Window) []point {
	types := map[string]bool{}
	for _, t := range w.MetricTypes {
		types[t] = true
	}
	var out []point
	for _, p := range s.points {
		if len(types) > 0 && !types[p.typ] {
			continue
		}
		if !s.timeMatch().Matches(w.Begin, w.End, p.start, p.end) {
			continue
		}
		if !w.Filters.MatchesLabels(p.typ, p.dp.Groupby, p.dp.Metadata) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b point) int {
		return cmp.Or(a.start.Compare(b.start), a.end.Compare(b.end), strings.Compare(a.typ, b.typ), strings.Compare(a.id, b.id))
	})
	return out
}

func (s *Store) timeMatch() storage.TimeMatch {
	if s.cfg.TimeMatch == "" {
		return storage.TimeMatchStart
	}
	return s.cfg.TimeMatch
}

// resolve fills the default range and checks the window and its filters.
func (s *Store) resolve(w storage.Window) (storage.Window, error) {
	w, err := w.Resolve(s.now(), s.cfg.Loc())
	if err != nil {
		return w, err
	}
	if err := w.CheckOpen(); err != nil {
		return w, err
	}
	w.Begin, w.End = w.Begin.UTC(), w.End.UTC()
	return w, nil
}

// Retrieve returns a page of the matching points in (start, end, type, id) order, grouped into frames.
func (s *Store) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	w, err := s.resolve(q.Window)
	if err != nil {
		return storage.RetrieveResult{}, err
	}
	limit, err := storage.Page(q.Offset, q.Limit)
	if err != nil {
		return storage.RetrieveResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return storage.RetrieveResult{}, err
	}
	pts := s.match(w)
	res := storage.RetrieveResult{Total: int64(len(pts))}
	if !q.All {
		pts = window(pts, q.Offset, limit)
	}
	for _, p := range pts {
		n := len(res.DataFrames)
		if n == 0 || !res.DataFrames[n-1].Start.Equal(p.start) || !res.DataFrames[n-1].End.Equal(p.end) {
			res.DataFrames = append(res.DataFrames, dataframe.DataFrame{Start: p.start, End: p.end})
			n++
		}
		res.DataFrames[n-1].AddPoint(p.typ, clonePoint(p.dp))
	}
	return res, nil
}

// window returns xs[offset:offset+limit], clipped to xs.
func window[T any](xs []T, offset, limit int) []T {
	if offset >= len(xs) {
		return nil
	}
	xs = xs[offset:]
	if limit < len(xs) {
		xs = xs[:limit]
	}
	return xs
}

// Delete removes the points Retrieve would match in the possibly open window and returns how many.
func (s *Store) Delete(ctx context.Context, q storage.DeleteQuery) (int64, error) {
	if err := q.Window.CheckOpen(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	pts := s.match(q.Window)
	for _, p := range pts {
		delete(s.points, p.id)
	}
	return int64(len(pts)), nil
}

// group is one row of a Total in the making.
type group struct {
	begin, end time.Time
	values     []*string // one per column-adding groupby element, nil for a missing label
	pts        []point
}

// Total aggregates the matching points per group; see storage.TotalQuery.
func (s *Store) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	pq, err := q.Parse(s.now(), s.cfg.Loc())
	if err != nil {
		return storage.TotalResult{}, err
	}
	w, elems, fields, limit := pq.Window, pq.Groups, pq.Fields, pq.Limit
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return storage.TotalResult{}, err
	}
	pts := s.match(w)
	if len(pts) == 0 {
		return storage.TotalResult{}, nil
	}

	groups := map[string]*group{}
	for _, p := range pts {
		g := &group{begin: w.Begin, end: w.End}
		for _, e := range elems {
			switch e.Kind {
			case storage.GroupType:
				g.values = append(g.values, &p.typ)
			case storage.GroupLabel:
				if v, ok := p.dp.Groupby[e.Key]; ok {
					g.values = append(g.values, &v)
				} else {
					g.values = append(g.values, nil)
				}
			case storage.GroupTime:
				g.begin, g.end = p.start, p.end
			case storage.GroupCalendar:
				g.begin, g.end = storage.CalendarBucket(e.Key, p.start, s.cfg.Loc())
			}
		}
		k := g.key()
		if have, ok := groups[k]; ok {
			g = have
		} else {
			groups[k] = g
		}
		g.pts = append(g.pts, p)
	}
	sorted := slices.SortedFunc(maps.Values(groups), func(a, b *group) int { return compareGroups(elems, a, b) })

	res := storage.TotalResult{Total: int64(len(sorted))}
	if !q.All {
		sorted = window(sorted, q.Offset, limit)
	}
	for _, g := range sorted {
		row := storage.Row{Begin: g.begin, End: g.end}
		for _, f := range fields {
			row.Fields = append(row.Fields, storage.Field{Name: f.Alias, Value: aggregate(f, g.pts)})
		}
		i := 0
		for _, e := range elems {
			if c := e.Column(); c != "" {
				row.Groups = append(row.Groups, storage.Group{Key: c, Value: g.values[i]})
				i++
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// key is a string that identifies the group's values and period.
func (g *group) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d", g.begin.UnixNano(), g.end.UnixNano())
	for _, v := range g.values {
		if v == nil {
			b.WriteString("|-")
		} else {
			fmt.Fprintf(&b, "|+%q", *v)
		}
	}
	return b.String()
}

// compareGroups orders groups by their values in groupby order: a missing label first, strings
// by bytes, a time or calendar period by begin then end.
func compareGroups(elems []storage.GroupElem, a, b *group) int {
	i := 0
	for _, e := range elems {
		var c int
		switch e.Kind {
		case storage.GroupTime, storage.GroupCalendar:
			c = cmp.Or(a.begin.Compare(b.begin), a.end.Compare(b.end))
		default:
			c = compareValues(a.values[i], b.values[i])
			i++
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareValues(a, b *string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return strings.Compare(*a, *b)
}

// aggregate computes one custom field over pts (never empty).
func aggregate(f storage.CustomField, pts []point) float64 {
	val := func(p point) float64 {
		if f.Field == "qty" {
			return p.dp.Qty
		}
		return p.dp.Price
	}
	switch f.Func {
	case "count":
		return float64(len(pts))
	case "min", "max":
		m := val(pts[0])
		for _, p := range pts[1:] {
			if v := val(p); (f.Func == "min" && v < m) || (f.Func == "max" && v > m) {
				m = v
			}
		}
		return m
	}
	sum := 0.0
	for _, p := range pts {
		sum += val(p)
	}
	if f.Func == "avg" {
		return sum / float64(len(pts))
	}
	return sum
}
