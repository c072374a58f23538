package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ckos/ckos/aggs"
	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// indexBatch is how many index names one request line carries when ckos lists them one by one.
const indexBatch = 50

// maxConflictRetries is how many times _delete_by_query runs again over points that changed
// while it ran (version conflicts), before Delete gives up with an error.
const maxConflictRetries = 3

// Delete removes exactly the points Retrieve would match. Without filters or metric types, the
// date indices whose every point lies in the range are dropped whole (checked on their contents,
// not trusted from their names); the rest goes through _delete_by_query on the touched indices
// only. It returns the number of points deleted.
func (s *Store) Delete(ctx context.Context, q storage.DeleteQuery) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if err := q.CheckOpen(); err != nil {
		return 0, err
	}
	touched := mapping.ReadIndices(s.prefix, q.Begin, q.End)
	if len(touched) == 0 {
		return 0, nil
	}
	existing, live, err := s.liveIndices(ctx, touched)
	if err != nil || len(existing) == 0 {
		return 0, err
	}
	var deleted int64
	remaining := len(existing)
	if len(q.Filters) == 0 && len(q.MetricTypes) == 0 {
		n, dropped, err := s.dropWholeIndices(ctx, s.inWindow(existing, q.Window), q.Window)
		deleted += n
		if err != nil {
			return deleted, err
		}
		remaining -= dropped
	}
	if remaining == 0 {
		return deleted, nil
	}
	n, err := s.deleteByQuery(ctx, live, q.Window, deleted)
	return deleted + n, err
}

// inWindow returns the date indices whose whole span, by name, lies in w.
func (s *Store) inWindow(names []string, w storage.Window) []string {
	var out []string
	for _, name := range names {
		_, start, end, ok := mapping.ParseIndexName(s.prefix, name)
		if ok && (w.Begin.IsZero() || !start.Before(w.Begin)) && (w.End.IsZero() || !end.After(w.End)) {
			out = append(out, name)
		}
	}
	return out
}

// liveIndices resolves the names and patterns of a range to the date indices that exist
// (sorted; indices outside the naming scheme are left out) and to the entries of touched that
// match at least one of them — a list as short as touched, for request lines.
func (s *Store) liveIndices(ctx context.Context, touched []string) (existing, live []string, err error) {
	patterns := make([]string, len(touched))
	for i, n := range touched {
		patterns[i] = strings.TrimSuffix(n, "*") + "*" // a missing name is then simply absent
	}
	names, err := s.req.CatIndices(ctx, "list indices", joinIndices(patterns), "open")
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		if _, _, _, ok := mapping.ParseIndexName(s.prefix, n); ok && mapping.Covers(touched, n) {
			existing = append(existing, n)
		}
	}
	sort.Strings(existing)
	for _, t := range touched {
		for _, n := range existing {
			if mapping.Covers([]string{t}, n) {
				live = append(live, t)
				break
			}
		}
	}
	return existing, live, nil
}

// dropWholeIndices deletes, batch by batch, the candidate indices all of whose points match w
// (their start/end extremes are read first), and returns the points deleted and the indices
// dropped. Points pushed into such an index while it is being dropped are lost with it.
func (s *Store) dropWholeIndices(ctx context.Context, candidates []string, w storage.Window) (int64, int, error) {
	var deleted int64
	dropped := 0
	for i := 0; i < len(candidates); i += indexBatch {
		batch := candidates[i:min(i+indexBatch, len(candidates))]
		counts, err := s.indexExtremes(ctx, batch, w)
		if err != nil {
			return deleted, dropped, err
		}
		var drop []string
		var n int64
		for _, name := range batch {
			c, ok := counts[name]
			if ok && !c.matches {
				continue // holds points outside w: _delete_by_query handles it
			}
			drop = append(drop, name)
			n += c.docs
		}
		if len(drop) == 0 {
			continue
		}
		if _, _, err := s.req.Do(ctx, osreq.Request{Op: "drop indices " + strings.Join(drop, ","), Method: "DELETE",
			Path: "/" + joinIndices(drop), Query: url.Values{"ignore_unavailable": {"true"}}}); err != nil {
			return deleted, dropped, err
		}
		deleted += n
		dropped += len(drop)
		storage.ReportProgress(ctx, deleted, -1)
	}
	return deleted, dropped, nil
}

// indexContents is what one index holds: its points, and whether all of them match a window.
type indexContents struct {
	docs    int64
	matches bool
}

// indexExtremes reads, per index, the number of points and the extremes of start and end, and
// decides whether every point matches w. Empty indices are absent from the result.
//
//	{"size":0,"aggs":{"idx":{"terms":{"field":"_index","size":N},
//	  "aggs":{"lo":{"min":{"field":"start"}},"hi":{"max":{"field":"start"}},"hiEnd":{"max":{"field":"end"}}}}}}
func (s *Store) indexExtremes(ctx context.Context, names []string, w storage.Window) (map[string]indexContents, error) {
	body := fmt.Sprintf(`{"size":0,"track_total_hits":false,"aggs":{"idx":{"terms":{"field":"_index","size":%d},`+
		`"aggs":{"lo":{"min":{"field":"start"}},"hi":{"max":{"field":"start"}},"hiEnd":{"max":{"field":"end"}}}}}}`, len(names))
	ans, err := s.search(ctx, "delete: read index contents", "/"+joinIndices(names)+"/_search", searchQuery, []byte(body))
	if err != nil {
		return nil, err
	}
	type value struct {
		Value *float64 `json:"value"`
	}
	var agg struct {
		Idx struct {
			Buckets []struct {
				Key      string `json:"key"`
				DocCount int64  `json:"doc_count"`
				Lo       value  `json:"lo"`
				Hi       value  `json:"hi"`
				HiEnd    value  `json:"hiEnd"`
			} `json:"buckets"`
		} `json:"idx"`
	}
	if len(ans.Aggregations) == 0 {
		return nil, nil // none of the indices exists any more
	}
	if err := json.Unmarshal(ans.Aggregations, &agg); err != nil {
		return nil, fmt.Errorf("delete: decode index contents: %w", err)
	}
	ms := func(v value) time.Time {
		if v.Value == nil {
			return time.Time{}
		}
		return time.UnixMilli(int64(*v.Value)).UTC()
	}
	out := make(map[string]indexContents, len(agg.Idx.Buckets))
	for _, b := range agg.Idx.Buckets {
		lo, hi, hiEnd := ms(b.Lo), ms(b.Hi), ms(b.HiEnd)
		ok := !lo.IsZero() && s.cfg.TimeMatch.Matches(w.Begin, w.End, lo, hiEnd)
		if s.cfg.TimeMatch != storage.TimeMatchInside {
			ok = ok && s.cfg.TimeMatch.Matches(w.Begin, w.End, hi, hiEnd)
		}
		out[b.Key] = indexContents{docs: b.DocCount, matches: ok}
	}
	return out, nil
}

// deleteByQuery runs _delete_by_query with the retrieve filter on the named indices as a task,
// reporting its progress, again over points that changed while it ran, and fails on timeouts
// and failures. A cancelled ctx cancels the task.
func (s *Store) deleteByQuery(ctx context.Context, names []string, w storage.Window, before int64) (int64, error) {
	body, err := aggs.QueryBody(w, s.cfg.TimeMatch)
	if err != nil {
		return 0, err
	}
	q := url.Values{
		"conflicts":           {"proceed"},
		"ignore_unavailable":  {"true"},
		"allow_no_indices":    {"true"},
		"refresh":             {strconv.FormatBool(s.cfg.Refresh)},
		"slices":              {"auto"},
		"wait_for_completion": {"false"},
	}
	var deleted int64
	for attempt := 0; ; attempt++ {
		var started struct {
			Task string `json:"task"`
		}
		_, data, err := s.req.Do(ctx, osreq.Request{Op: "delete: _delete_by_query", Method: "POST",
			Path: "/" + joinIndices(names) + "/_delete_by_query", Query: q, Body: body})
		if err != nil {
			return deleted, err
		}
		if err := json.Unmarshal(data, &started); err != nil || started.Task == "" {
			return deleted, fmt.Errorf("delete: _delete_by_query answered no task: %s: %w", truncate(data), storage.ErrRejected)
		}
		ans, err := s.waitDeleteTask(ctx, started.Task, before+deleted)
		if err != nil {
			return deleted, err
		}
		deleted += ans.Deleted
		storage.ReportProgress(ctx, before+deleted, -1)
		switch {
		case len(ans.Failures) > 0:
			f := ans.Failures[0]
			return deleted, fmt.Errorf("delete: %d failures, first in %s: %s: %s: %w", len(ans.Failures), f.Index, f.Cause.Type, f.Cause.Reason, storage.ErrRejected)
		case ans.TimedOut:
			return deleted, fmt.Errorf("delete: _delete_by_query timed out after deleting %d points: %w", deleted, storage.ErrRejected)
		case ans.VersionConflicts == 0:
			return deleted, nil
		case attempt == maxConflictRetries:
			return deleted, fmt.Errorf("delete: %d points changed while being deleted, %d times in a row: %w", ans.VersionConflicts, attempt+1, storage.ErrRejected)
		}
	}
}

// byQueryResult is the outcome of a _delete_by_query.
type byQueryResult struct {
	Deleted          int64 `json:"deleted"`
	Total            int64 `json:"total"`
	TimedOut         bool  `json:"timed_out"`
	VersionConflicts int64 `json:"version_conflicts"`
	Failures         []struct {
		Index string `json:"index"`
		Cause struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"cause"`
	} `json:"failures"`
}

// waitDeleteTask polls a _delete_by_query task (every 100 ms, slowing to every second) until it
// completes, reporting its progress (before is what the Delete removed earlier), and returns its
// result; a cancelled ctx cancels the task.
func (s *Store) waitDeleteTask(ctx context.Context, task string, before int64) (byQueryResult, error) {
	path := "/_tasks/" + url.PathEscape(task)
	for poll := 0; ; poll++ {
		if poll > 0 {
			select {
			case <-time.After(min(time.Duration(poll)*100*time.Millisecond, time.Second)):
			case <-ctx.Done():
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				_, _, _ = s.req.Do(cctx, osreq.Request{Op: "delete: cancel task " + task, Method: "POST", Path: path + "/_cancel"})
				cancel()
				return byQueryResult{}, fmt.Errorf("delete: %w", ctx.Err())
			}
		}
		var st struct {
			Completed bool `json:"completed"`
			Task      struct {
				Status byQueryResult `json:"status"`
			} `json:"task"`
			Error *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"error"`
			Response byQueryResult `json:"response"`
		}
		_, data, err := s.req.Do(ctx, osreq.Request{Op: "delete: follow task " + task, Method: "GET", Path: path})
		if err != nil {
			return byQueryResult{}, err
		}
		if err := json.Unmarshal(data, &st); err != nil {
			return byQueryResult{}, fmt.Errorf("delete: decode task %s: %w", task, err)
		}
		if st.Completed {
			if st.Error != nil {
				return byQueryResult{}, fmt.Errorf("delete: task %s failed: %s: %s: %w", task, st.Error.Type, st.Error.Reason, storage.ErrRejected)
			}
			return st.Response, nil
		}
		total := int64(-1)
		if st.Task.Status.Total > 0 {
			total = before + st.Task.Status.Total
		}
		storage.ReportProgress(ctx, before+st.Task.Status.Deleted, total)
	}
}

// truncate shortens an answer for a message.
func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// joinIndices joins index names and patterns for a request path.
func joinIndices(names []string) string {
	esc := make([]string, len(names))
	for i, n := range names {
		esc[i] = url.PathEscape(n)
	}
	return strings.Join(esc, ",")
}
