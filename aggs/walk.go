package aggs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/ckos/ckos/storage"
)

// Searcher runs one search request and returns the raw aggregations object of its response.
// The driver implements it over its client and returns an error for failed or partial searches.
type Searcher interface {
	Search(ctx context.Context, body []byte) (json.RawMessage, error)
}

// Walk runs the Total p: without groupby one plain aggregation request, else every composite page
// in turn, each asking for the previous page's after_key, until a page comes back empty or without
// after_key. It counts every group exactly and keeps only rows [offset, offset+limit) in memory
// (every row when all is set; limit 0 means storage.DefaultLimit). Pages that lie wholly outside
// that window are requested without sub-aggregations, since only their keys are counted.
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
		rp, err := parsePage(aggs)
		if err != nil {
			return 0, nil, fmt.Errorf("composite page %d: %w", page, err)
		}
		if len(rp.Buckets) == 0 {
			break
		}
		if int64(len(rp.Buckets)) > size {
			return 0, nil, fmt.Errorf("composite page %d: %d buckets for a page size of %d", page, len(rp.Buckets), size)
		}
		for i, b := range rp.Buckets {
			idx := n + int64(i)
			keep := all || (idx >= lo && idx < hi)
			if !keep && i > 0 {
				continue
			}
			// The first bucket of every page is decoded to check that pages do not overlap.
			row, key, err := d.row(b, !keep)
			if err != nil {
				return 0, nil, fmt.Errorf("composite page %d, bucket %d: %w", page, i, err)
			}
			if i == 0 && afterKey != nil && compareKeys(key, afterKey) <= 0 {
				return 0, nil, fmt.Errorf("composite page %d: first bucket %s is not after the after_key %s sent for it; the server repeated groups (a date_histogram time zone with after is a known source of this)",
					page, formatKey(key, d), formatKey(afterKey, d))
			}
			if keep {
				rows = append(rows, row)
			}
		}
		n += int64(len(rp.Buckets))
		if rp.AfterKey == nil {
			break
		}
		if bytes.Equal(rp.AfterKey, after) {
			return 0, nil, fmt.Errorf("composite page %d: after_key %s did not advance", page, rp.AfterKey)
		}
		if afterKey, err = d.key(rp.AfterKey); err != nil {
			return 0, nil, fmt.Errorf("composite page %d: after_key: %w", page, err)
		}
		after = rp.AfterKey
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
