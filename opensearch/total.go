package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ckos/ckos/aggs"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// Total sums the matching points, grouped as asked, in one composite walk (aggs.Walk) over the
// indices of the range only; the group count is exact and rows come in groupby order.
func (s *Store) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	if err := s.check(); err != nil {
		return storage.TotalResult{}, err
	}
	pq, err := q.Parse(time.Now(), s.cfg.Loc())
	if err != nil {
		return storage.TotalResult{}, err
	}
	w := pq.Window
	p := aggs.CompositeParams{Window: w, TimeMatch: s.cfg.TimeMatch, Groups: pq.Groups, Fields: pq.Fields, Location: s.cfg.Loc()}
	searcher := aggSearcher{s: s, path: "/" + joinIndices(mapping.ReadIndices(s.prefix, w.Begin, w.End)) + "/_search"}
	total, rows, err := aggs.Walk(ctx, searcher, p, q.Offset, q.Limit, q.All)
	if err != nil {
		return storage.TotalResult{}, fmt.Errorf("total: %w", err)
	}
	return storage.TotalResult{Total: total, Rows: rows}, nil
}

// aggSearcher runs aggregation-only searches on a fixed set of indices.
type aggSearcher struct {
	s    *Store
	path string
}

// Search implements aggs.Searcher: it returns the aggregations (nil when no index was reached).
func (a aggSearcher) Search(ctx context.Context, body []byte) (json.RawMessage, error) {
	ans, err := a.s.search(ctx, "search", a.path, searchQuery, body)
	if err != nil {
		return nil, err
	}
	return ans.Aggregations, nil
}
