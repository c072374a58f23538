package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/ckos/ckos/aggs"
	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

const (
	// maxResultWindow is OpenSearch's default index.max_result_window: from+size past it need a PIT.
	maxResultWindow = 10000
	// pitPageSize is the number of hits per page of a point-in-time walk.
	pitPageSize = 5000
	// pitKeepAlive is how long a point in time lives between two pages.
	pitKeepAlive = "2m"
)

// searchQuery is the query string of searches on date indices that may not all exist.
var searchQuery = url.Values{"ignore_unavailable": {"true"}, "allow_no_indices": {"true"}}

// Retrieve returns page [offset, offset+limit) of the matching points in total order (start,
// end, type, id) with the exact number of matches. Shallow pages use from/size; deep pages and
// All walk a point in time with search_after, and the point in time is always released.
func (s *Store) Retrieve(ctx context.Context, q storage.RetrieveQuery) (storage.RetrieveResult, error) {
	if err := s.check(); err != nil {
		return storage.RetrieveResult{}, err
	}
	w, err := q.Window.Resolve(time.Now(), s.cfg.Loc())
	if err != nil {
		return storage.RetrieveResult{}, err
	}
	if err := w.CheckOpen(); err != nil {
		return storage.RetrieveResult{}, err
	}
	limit, err := storage.Page(q.Offset, q.Limit)
	if err != nil {
		return storage.RetrieveResult{}, err
	}
	indices := mapping.ReadIndices(s.prefix, w.Begin, w.End)
	var (
		total int64
		hits  []aggs.Hit
	)
	if !q.All && q.Offset+limit <= maxResultWindow {
		total, hits, err = s.retrieveShallow(ctx, indices, w, q.Offset, limit)
	} else {
		total, hits, err = s.retrieveDeep(ctx, indices, w, q.Offset, limit, q.All)
	}
	if err != nil {
		return storage.RetrieveResult{}, err
	}
	return storage.RetrieveResult{Total: total, DataFrames: toFrames(hits)}, nil
}

// retrieveShallow fetches one page with from/size.
func (s *Store) retrieveShallow(ctx context.Context, indices []string, w storage.Window, offset, limit int) (int64, []aggs.Hit, error) {
	body, err := aggs.RetrieveBody(aggs.RetrieveParams{Window: w, TimeMatch: s.cfg.TimeMatch, Size: limit, From: offset})
	if err != nil {
		return 0, nil, err
	}
	return s.searchHits(ctx, "/"+joinIndices(indices)+"/_search", searchQuery, body)
}

// retrieveDeep walks a point in time page by page with search_after, skipping offset hits.
func (s *Store) retrieveDeep(ctx context.Context, indices []string, w storage.Window, offset, limit int, all bool) (total int64, out []aggs.Hit, err error) {
	existing, live, err := s.liveIndices(ctx, indices)
	if err != nil || len(existing) == 0 {
		return 0, nil, err
	}
	pit, err := s.openPIT(ctx, live)
	if err != nil {
		return 0, nil, err
	}
	defer func() {
		// Release the point in time even when ctx was cancelled.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if cerr := s.closePIT(cctx, pit); cerr != nil && err == nil {
			err = cerr
		}
	}()
	var after json.RawMessage
	skip := offset
	if all {
		skip = 0 // All returns every match, whatever the page asked
	}
	total = -1
	for {
		size := pitPageSize
		if !all {
			size = min(maxResultWindow, skip+limit-len(out))
		}
		params := aggs.RetrieveParams{Window: w, TimeMatch: s.cfg.TimeMatch, Size: size, SearchAfter: after,
			PIT: &aggs.PIT{ID: pit, KeepAlive: pitKeepAlive}, SkipTotal: total >= 0, SortsOnly: skip >= size}
		body, err := aggs.RetrieveBody(params)
		if err != nil {
			return 0, nil, err
		}
		var n int64
		var hits []aggs.Hit
		var got int
		if params.SortsOnly { // a page wholly skipped: its sort values only, no documents
			var sorts []json.RawMessage
			ans, err := s.search(ctx, "retrieve: search", "/_search", nil, body)
			if err == nil {
				n, sorts, err = aggs.DecodeSorts(ans.Hits)
			}
			if err != nil {
				return 0, nil, err
			}
			if got = len(sorts); got > 0 {
				after = sorts[got-1]
			}
			skip -= got
		} else {
			if n, hits, err = s.searchHits(ctx, "/_search", nil, body); err != nil {
				return 0, nil, err
			}
			if got = len(hits); got > 0 {
				after = hits[got-1].Sort
			}
			drop := min(skip, got)
			skip -= drop
			out = append(out, hits[drop:]...)
		}
		if total < 0 {
			total = n
		}
		if all {
			storage.ReportProgress(ctx, int64(len(out)), total)
		} else {
			storage.ReportProgress(ctx, int64(offset-skip+len(out)), int64(min(int64(offset+limit), total)))
		}
		if !all && len(out) >= limit {
			return total, out[:limit], nil
		}
		if got < size {
			return total, out, nil
		}
	}
}

// searchHits runs a search and decodes its total and hits.
func (s *Store) searchHits(ctx context.Context, path string, query url.Values, body []byte) (int64, []aggs.Hit, error) {
	ans, err := s.search(ctx, "retrieve: search", path, query, body)
	if err != nil {
		return 0, nil, err
	}
	return aggs.DecodeHits(ans.Hits)
}

// searchAnswer is the part of a search answer ckos reads.
type searchAnswer struct {
	Shards       *shardsInfo     `json:"_shards"`
	TimedOut     bool            `json:"timed_out"`
	Hits         json.RawMessage `json:"hits"`
	Aggregations json.RawMessage `json:"aggregations"` // absent when the search reached no index
}

// search runs one search and fails on failed shards and timeouts, which opensearch-go would mask.
func (s *Store) search(ctx context.Context, op, path string, query url.Values, body []byte) (searchAnswer, error) {
	var ans searchAnswer
	_, data, err := s.req.Do(ctx, osreq.Request{Op: op, Method: "POST", Path: path, Query: query, Body: body})
	if err != nil {
		return ans, err
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return ans, fmt.Errorf("%s: decode answer: %w", op, err)
	}
	if err := shardFailure(op, ans.Shards); err != nil {
		return ans, err
	}
	if ans.TimedOut {
		return ans, fmt.Errorf("%s: timed out on the cluster: %w", op, storage.ErrRejected)
	}
	return ans, nil
}

// openPIT opens a point in time on the named indices and returns its id.
func (s *Store) openPIT(ctx context.Context, indices []string) (string, error) {
	q := url.Values{"keep_alive": {pitKeepAlive}}
	path := "/" + joinIndices(indices) + "/_search/point_in_time"
	if s.flavor == FlavorElasticsearch {
		path = "/" + joinIndices(indices) + "/_pit"
	}
	_, data, err := s.req.Do(ctx, osreq.Request{Op: "retrieve: open point in time", Method: "POST", Path: path, Query: q})
	if err != nil {
		return "", err
	}
	var ans struct {
		PitID string `json:"pit_id"` // OpenSearch
		ID    string `json:"id"`     // Elasticsearch
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return "", fmt.Errorf("retrieve: decode point in time: %w", err)
	}
	if ans.PitID != "" {
		return ans.PitID, nil
	}
	if ans.ID != "" {
		return ans.ID, nil
	}
	return "", fmt.Errorf("retrieve: open point in time: no id in answer: %w", storage.ErrRejected)
}

// closePIT releases a point in time.
func (s *Store) closePIT(ctx context.Context, id string) error {
	path, key := "/_search/point_in_time", "pit_id"
	var body []byte
	var err error
	if s.flavor == FlavorElasticsearch {
		path, key = "/_pit", "id"
		body, err = json.Marshal(map[string]string{key: id})
	} else {
		body, err = json.Marshal(map[string][]string{key: {id}})
	}
	if err != nil {
		return fmt.Errorf("retrieve: close point in time: %w", err)
	}
	_, _, err = s.req.Do(ctx, osreq.Request{Op: "retrieve: close point in time", Method: "DELETE", Path: path, Body: body, Allow: []int{404}})
	return err
}

// toFrames groups hits, already in (start, end) order, into DataFrames.
func toFrames(hits []aggs.Hit) []dataframe.DataFrame {
	var frames []dataframe.DataFrame
	for _, h := range hits {
		n := len(frames)
		if n == 0 || !frames[n-1].Start.Equal(h.Start) || !frames[n-1].End.Equal(h.End) {
			frames = append(frames, dataframe.DataFrame{Start: h.Start, End: h.End})
			n++
		}
		frames[n-1].AddPoint(h.Type, h.Point)
	}
	return frames
}
