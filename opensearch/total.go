package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/ckos/ckos/aggs"
	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// Total sums the matching points, grouped as asked, in one composite walk (aggs.Walk) over the
// indices of the range only; the group count is exact and rows come in groupby order.
func (s *Store) Total(ctx context.Context, q storage.TotalQuery) (storage.TotalResult, error) {
	if err := s.check(); err != nil {
		return storage.TotalResult{}, err
	}
	groups, err := storage.ParseGroupby(q.Groupby)
	if err != nil {
		return storage.TotalResult{}, err
	}
	fields, err := storage.ParseCustomFields(q.CustomFields)
	if err != nil {
		return storage.TotalResult{}, err
	}
	for _, f := range fields {
		for _, g := range groups {
			if g.Column() == f.Alias {
				return storage.TotalResult{}, fmt.Errorf("%w: custom field alias %q is also a groupby column", storage.ErrInvalid, f.Alias)
			}
		}
	}
	w, err := q.Window.Resolve(time.Now(), s.cfg.Loc())
	if err != nil {
		return storage.TotalResult{}, err
	}
	if err := w.CheckOpen(); err != nil {
		return storage.TotalResult{}, err
	}
	if _, err := storage.Page(q.Offset, q.Limit); err != nil {
		return storage.TotalResult{}, err
	}
	p := aggs.CompositeParams{Window: w, TimeMatch: s.cfg.TimeMatch, Groups: groups, Fields: fields, Location: s.cfg.Loc()}
	searcher := aggSearcher{s: s, path: "/" + joinIndices(mapping.Indices(s.prefix, s.gran, w.Begin, w.End)) + "/_search"}
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

// Search implements aggs.Searcher: it returns the aggregations, failing on shard failures.
func (a aggSearcher) Search(ctx context.Context, body []byte) (json.RawMessage, error) {
	q := url.Values{"ignore_unavailable": {"true"}, "allow_no_indices": {"true"}}
	_, data, err := a.s.req.Do(ctx, osreq.Request{Op: "search", Method: "POST", Path: a.path, Query: q, Body: body})
	if err != nil {
		return nil, err
	}
	var ans struct {
		Shards       *shardsInfo     `json:"_shards"`
		TimedOut     bool            `json:"timed_out"`
		Aggregations json.RawMessage `json:"aggregations"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, fmt.Errorf("decode search answer: %w", err)
	}
	if err := shardFailure("total: search", ans.Shards); err != nil {
		return nil, err
	}
	if ans.TimedOut {
		return nil, fmt.Errorf("search timed out on the cluster: %w", storage.ErrRejected)
	}
	return ans.Aggregations, nil
}
