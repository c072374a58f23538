package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// RetentionReport says what EnforceRetention deleted (or, in a dry run, would delete), kept and
// skipped.
type RetentionReport struct {
	Prefix    string          `json:"prefix"`
	Retention string          `json:"retention"` // the period, e.g. "2400h0m0s"
	Cutoff    time.Time       `json:"cutoff"`    // now - retention
	DryRun    bool            `json:"dry_run"`
	Deleted   []RetainedIndex `json:"deleted"` // whose date range ends at or before Cutoff
	Kept      []RetainedIndex `json:"kept"`    // holding data newer than Cutoff
	Skipped   []SkippedIndex  `json:"skipped"` // matching <prefix>-* but not date-based: never deleted
}

// RetainedIndex is a date-based index with its date range and when it expires.
type RetainedIndex struct {
	Index   string    `json:"index"`
	Start   time.Time `json:"start"`   // first instant of its date range
	End     time.Time `json:"end"`     // end (exclusive) of its date range
	Expires time.Time `json:"expires"` // End + retention: when EnforceRetention deletes it
}

// SkippedIndex is an index EnforceRetention left alone, and why.
type SkippedIndex struct {
	Index  string `json:"index"`
	Reason string `json:"reason"`
}

// retentionDeleteBatch bounds the index names in one DELETE request.
const retentionDeleteBatch = 50

// EnforceRetention deletes every date-based index of prefix (<prefix>-2026.12.03,
// <prefix>-2026.w49, <prefix>-2026.12) whose date range ends at or before now - retention, by
// the date in its name — so an index backfilled long after its date goes as soon as its data is
// expired, whatever its creation date. Indices are deleted by explicit name, never by wildcard;
// an index matching <prefix>-* but not the naming scheme is never deleted and is listed as
// skipped. With dryRun nothing is deleted and Deleted lists what would be.
func EnforceRetention(ctx context.Context, c *opensearchapi.Client, prefix string, retention time.Duration, now time.Time, dryRun bool) (RetentionReport, error) {
	r := RetentionReport{Prefix: prefix, Retention: retention.String(), DryRun: dryRun,
		Deleted: []RetainedIndex{}, Kept: []RetainedIndex{}, Skipped: []SkippedIndex{}}
	if prefix == "" || strings.ContainsAny(prefix, "*?,/\\ \"<>|#:") {
		return r, fmt.Errorf("%w: enforce retention: index prefix %q: must be a plain index name prefix", storage.ErrInvalid, prefix)
	}
	if retention <= 0 {
		return r, fmt.Errorf("%w: enforce retention: retention period %s: must be positive", storage.ErrInvalid, retention)
	}
	r.Cutoff = now.UTC().Add(-retention)

	// GET _cat/indices/<prefix>-*?format=json&h=index&expand_wildcards=all
	var rows []struct {
		Index string `json:"index"`
	}
	pattern := mapping.Pattern(prefix)
	q := url.Values{"format": {"json"}, "h": {"index"}, "expand_wildcards": {"all"}}
	data, err := retentionCall(ctx, c, "enforce retention: list "+pattern, http.MethodGet, "/_cat/indices/"+url.PathEscape(pattern), q)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		return r, fmt.Errorf("enforce retention: list %s: unexpected answer: %w", pattern, err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Index < rows[j].Index })

	var expired []string
	for _, row := range rows {
		_, start, end, ok := mapping.ParseIndexName(prefix, row.Index)
		if !ok {
			r.Skipped = append(r.Skipped, SkippedIndex{Index: row.Index, Reason: "not a date-based ckos index"})
			continue
		}
		ri := RetainedIndex{Index: row.Index, Start: start, End: end, Expires: end.Add(retention)}
		if end.After(r.Cutoff) {
			r.Kept = append(r.Kept, ri)
			continue
		}
		r.Deleted = append(r.Deleted, ri)
		expired = append(expired, row.Index)
	}
	if dryRun {
		return r, nil
	}
	for i := 0; i < len(expired); i += retentionDeleteBatch {
		batch := expired[i:min(i+retentionDeleteBatch, len(expired))]
		esc := make([]string, len(batch))
		for j, n := range batch {
			esc[j] = url.PathEscape(n)
		}
		// DELETE /<name>,<name>…?ignore_unavailable=true: explicit names only.
		q := url.Values{"ignore_unavailable": {"true"}, "expand_wildcards": {"none"}}
		if _, err := retentionCall(ctx, c, "enforce retention: delete "+strings.Join(batch, ","), http.MethodDelete, "/"+strings.Join(esc, ","), q); err != nil {
			r.Deleted = r.Deleted[:i] // report only what is gone
			return r, err
		}
	}
	return r, nil
}

// retentionCall sends a bodiless request and returns the 2xx answer's body; an error answer
// becomes an error with the HTTP status and the server's root cause, wrapping
// storage.ErrRejected; a transport failure wraps storage.ErrUnavailable.
func retentionCall(ctx context.Context, c *opensearchapi.Client, op, method, path string, q url.Values) ([]byte, error) {
	u := path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: build request: %w", op, err)
	}
	resp, err := c.Client.Perform(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return nil, fmt.Errorf("%s: %w: %w", op, storage.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: read answer (HTTP %d): %w", op, resp.StatusCode, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return data, nil
	}
	return data, fmt.Errorf("%s: HTTP %d: %s: %w", op, resp.StatusCode, retentionReason(data), storage.ErrRejected)
}

// retentionReason extracts "type: reason" of the first root cause of an error answer, or the
// error text, or the (shortened) body.
func retentionReason(body []byte) string {
	var st struct {
		Error struct {
			Type      string `json:"type"`
			Reason    string `json:"reason"`
			RootCause []struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"root_cause"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &st) == nil {
		if rc := st.Error.RootCause; len(rc) > 0 && rc[0].Reason != "" {
			return rc[0].Type + ": " + rc[0].Reason
		}
		if st.Error.Reason != "" {
			return st.Error.Type + ": " + st.Error.Reason
		}
	}
	var plain struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &plain) == nil && plain.Error != "" {
		return plain.Error
	}
	s := string(bytes.TrimSpace(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		s = "(empty answer)"
	}
	return s
}
