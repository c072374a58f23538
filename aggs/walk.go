package aggs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ckos/ckos/storage"
)

// Searcher runs one search request and returns the raw aggregations object of its response.
// The driver implements it over its client and returns an error for failed or partial searches,
// and nil aggregations when the search reached no index (nothing can match).
type Searcher interface {
	Search(ctx context.Context, body []byte) (json.RawMessage, error)
}

// Walk runs the Total p: without groupby one plain aggregation request, else every composite page
// in turn, each asking for the previous page's after_key, until a page comes back empty or without
// after_key. It counts every group exactly and keeps only rows [offset, offset+limit) in memory
// (every row when all is set; limit 0 means storage.DefaultLimit). Pages that lie wholly outside
// that window are requested without sub-aggregations, since only their keys are counted. A walk
// whose after_key stops advancing fails instead of looping.
func Walk(ctx context.Context, s Searcher, p CompositeParams, offset, limit int, all bool) (total int64, rows []storage.Row, err error) {
	if limit, err = storage.Page(offset, limit); err != nil {
		return 0, nil, err
	}
	if len(p.Groups) == 0 {
		return walkUngrouped(ctx, s, p, offset, limit, all)
	}
	if p.PageSize < 0 {
		return 0, nil, fmt.Errorf("%w: composite page size %d is negative", storage.ErrInvalid, p.PageSize)
	}
	d, err := newDecoder(p)
	if err != nil {
		return 0, nil, err
	}
	size := int64(p.pageSize())
	lo, hi := int64(offset), int64(offset)+int64(limit)
	var (
		after    json.RawMessage // the after_key sent with the next page
		afterKey []keyValue      // after, decoded
		n        int64           // groups seen so far
		key      = make([]keyValue, len(d.srcs))
	)
	for page := 0; ; page++ {
		if err := ctx.Err(); err != nil {
			return 0, nil, fmt.Errorf("composite page %d: %w", page, err)
		}
		keysOnly := !all && (n >= hi || n+size <= lo)
		body, err := CompositeBody(p, after, keysOnly)
		if err != nil {
			return 0, nil, err
		}
		aggs, err := s.Search(ctx, body)
		if err != nil {
			return 0, nil, fmt.Errorf("composite page %d: %w", page, err)
		}
		if len(aggs) == 0 {
			break // no index in range: no groups
		}
		pageAfter, buckets, err := d.decodePage(aggs, keysOnly)
		if err != nil {
			return 0, nil, fmt.Errorf("composite page %d: %w", page, err)
		}
		nb := buckets.Len()
		if nb == 0 {
			break
		}
		if int64(nb) > size {
			return 0, nil, fmt.Errorf("composite page %d: %d buckets for a page size of %d", page, nb, size)
		}
		// A page must start after the after_key it was asked with. Buckets at or before it were
		// counted on an earlier page: a server that shifts the after value (OpenSearch bug #7479,
		// date_histogram with a time zone east of UTC) sends them again, so they are dropped.
		first := 0
		if afterKey != nil {
			for ; first < nb; first++ {
				if err := d.readKey(buckets.Index(first).Field(0), key); err != nil {
					return 0, nil, fmt.Errorf("composite page %d, bucket %d: %w", page, first, err)
				}
				if compareKeys(key, afterKey) > 0 {
					break
				}
			}
		}
		for i := first; i < nb; i++ {
			idx := n + int64(i-first)
			if !all && (idx < lo || idx >= hi) {
				continue
			}
			b := buckets.Index(i)
			if i > first || afterKey == nil { // else readKey already filled key
				if err := d.readKey(b.Field(0), key); err != nil {
					return 0, nil, fmt.Errorf("composite page %d, bucket %d: %w", page, i, err)
				}
			}
			row := d.keyRow(key)
			if row.Fields, err = d.bucketFields(b); err != nil {
				return 0, nil, fmt.Errorf("composite page %d, bucket %d: %w", page, i, err)
			}
			rows = append(rows, row)
		}
		n += int64(nb - first)
		if pageAfter == nil {
			break
		}
		next, err := d.key(pageAfter)
		if err != nil {
			return 0, nil, fmt.Errorf("composite page %d: after_key: %w", page, err)
		}
		if afterKey != nil && compareKeys(next, afterKey) <= 0 {
			return 0, nil, fmt.Errorf("composite page %d: after_key %s does not advance past %s", page, formatKey(next, d), formatKey(afterKey, d))
		}
		after, afterKey = pageAfter, next
	}
	return n, rows, nil
}

// walkUngrouped runs the single request of a Total without groupby: total is 1 when anything
// matched, 0 otherwise, and the row is kept when it lies in the window.
func walkUngrouped(ctx context.Context, s Searcher, p CompositeParams, offset, limit int, all bool) (int64, []storage.Row, error) {
	body, err := UngroupedBody(p)
	if err != nil {
		return 0, nil, err
	}
	aggs, err := s.Search(ctx, body)
	if err != nil {
		return 0, nil, fmt.Errorf("aggregation request: %w", err)
	}
	if len(aggs) == 0 {
		return 0, nil, nil // no index in range: nothing matched
	}
	rows, err := DecodeUngrouped(aggs, p)
	if err != nil {
		return 0, nil, err
	}
	total := int64(len(rows))
	if !all {
		rows = window(rows, offset, limit)
	}
	return total, rows, nil
}

// window returns rows[offset:offset+limit], clipped to rows.
func window(rows []storage.Row, offset, limit int) []storage.Row {
	if offset >= len(rows) {
		return nil
	}
	rows = rows[offset:]
	if limit < len(rows) {
		rows = rows[:limit]
	}
	return rows
}
