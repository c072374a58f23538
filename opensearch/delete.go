package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ckos/ckos/aggs"
	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// Delete removes exactly the points Retrieve would match. Without filters or metric types, the
// date indices lying wholly inside the range are dropped; the rest goes through
// _delete_by_query on the touched indices only. It returns the number of points deleted.
func (s *Store) Delete(ctx context.Context, q storage.DeleteQuery) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if err := q.CheckOpen(); err != nil {
		return 0, err
	}
	touched := mapping.Indices(s.prefix, s.gran, q.Begin, q.End)
	if len(touched) == 0 {
		return 0, nil
	}
	existing, err := s.existingIndices(ctx, touched)
	if err != nil || len(existing) == 0 {
		return 0, err
	}
	var deleted int64
	rest := existing
	if len(q.Filters) == 0 && len(q.MetricTypes) == 0 && (s.cfg.TimeMatch == storage.TimeMatchStart || q.End.IsZero()) {
		var whole []string
		whole, rest = s.wholeIndices(existing, q.Window)
		if len(whole) > 0 {
			n, err := s.dropIndices(ctx, whole)
			deleted += n
			if err != nil {
				return deleted, err
			}
		}
	}
	if len(rest) == 0 {
		return deleted, nil
	}
	n, err := s.deleteByQuery(ctx, rest, q.Window)
	return deleted + n, err
}

// wholeIndices splits date indices into those whose whole span lies in w and the others.
func (s *Store) wholeIndices(names []string, w storage.Window) (whole, rest []string) {
	for _, name := range names {
		_, start, end, ok := mapping.ParseIndexName(s.prefix, name)
		if ok && (w.Begin.IsZero() || !start.Before(w.Begin)) && (w.End.IsZero() || !end.After(w.End)) {
			whole = append(whole, name)
		} else {
			rest = append(rest, name)
		}
	}
	return whole, rest
}

// existingIndices resolves names and patterns to the concrete indices that exist; each name is
// asked as a pattern so that a missing one is simply absent instead of failing the request.
func (s *Store) existingIndices(ctx context.Context, names []string) ([]string, error) {
	patterns := make([]string, len(names))
	for i, n := range names {
		if strings.HasSuffix(n, "*") {
			patterns[i] = n
		} else {
			patterns[i] = n + "*" // matches n itself and nothing else of the naming scheme
		}
	}
	q := url.Values{"format": {"json"}, "h": {"index"}, "expand_wildcards": {"open"}}
	_, body, err := s.req.Do(ctx, osreq.Request{Op: "list indices", Method: "GET", Path: "/_cat/indices/" + joinIndices(patterns), Query: q})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Index string `json:"index"`
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, fmt.Errorf("list indices: decode answer: %w", err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []string
	for _, r := range rows {
		if want[r.Index] || matchesAnyPattern(r.Index, names) {
			out = append(out, r.Index)
		}
	}
	sort.Strings(out)
	return out, nil
}

func matchesAnyPattern(name string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// dropIndices counts the documents of the named indices, then deletes the indices.
func (s *Store) dropIndices(ctx context.Context, names []string) (int64, error) {
	path := "/" + joinIndices(names)
	_, body, err := s.req.Do(ctx, osreq.Request{Op: "delete: count documents", Method: "GET", Path: path + "/_count"})
	if err != nil {
		return 0, err
	}
	var c struct {
		Count  int64       `json:"count"`
		Shards *shardsInfo `json:"_shards"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return 0, fmt.Errorf("delete: decode count: %w", err)
	}
	if err := shardFailure("delete: count documents", c.Shards); err != nil {
		return 0, err
	}
	if _, _, err := s.req.Do(ctx, osreq.Request{Op: "delete indices " + strings.Join(names, ","), Method: "DELETE", Path: path,
		Query: url.Values{"ignore_unavailable": {"true"}}}); err != nil {
		return 0, err
	}
	return c.Count, nil
}

// deleteByQuery runs _delete_by_query with the retrieve filter on the named indices.
func (s *Store) deleteByQuery(ctx context.Context, names []string, w storage.Window) (int64, error) {
	body, err := aggs.QueryBody(w, s.cfg.TimeMatch)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	q := url.Values{
		"conflicts":          {"proceed"},
		"ignore_unavailable": {"true"},
		"allow_no_indices":   {"true"},
		"refresh":            {strconv.FormatBool(s.cfg.Refresh)},
		"slices":             {"auto"},
	}
	_, data, err := s.req.Do(ctx, osreq.Request{Op: "delete: _delete_by_query", Method: "POST", Path: "/" + joinIndices(names) + "/_delete_by_query", Query: q, Body: body})
	if err != nil {
		return 0, err
	}
	var ans struct {
		Deleted          int64 `json:"deleted"`
		VersionConflicts int64 `json:"version_conflicts"`
		Failures         []struct {
			Index string `json:"index"`
			Cause struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"cause"`
		} `json:"failures"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return 0, fmt.Errorf("delete: decode _delete_by_query answer: %w", err)
	}
	if len(ans.Failures) > 0 {
		f := ans.Failures[0]
		return ans.Deleted, fmt.Errorf("delete: %d failures, first in %s: %s: %s: %w", len(ans.Failures), f.Index, f.Cause.Type, f.Cause.Reason, storage.ErrRejected)
	}
	return ans.Deleted, nil
}

// joinIndices joins index names and patterns for a request path.
func joinIndices(names []string) string {
	esc := make([]string, len(names))
	for i, n := range names {
		esc[i] = url.PathEscape(n)
	}
	return strings.Join(esc, ",")
}
