package opensearch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/internal/osreq"
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
	rc := osreq.Client{API: c}
	pattern := mapping.Pattern(prefix)
	names, err := rc.CatIndices(ctx, "enforce retention: list "+pattern, url.PathEscape(pattern), "all")
	if err != nil {
		return r, err
	}
	sort.Strings(names)

	var expired []string
	for _, name := range names {
		_, start, end, ok := mapping.ParseIndexName(prefix, name)
		if !ok {
			r.Skipped = append(r.Skipped, SkippedIndex{Index: name, Reason: "not a date-based ckos index"})
			continue
		}
		ri := RetainedIndex{Index: name, Start: start, End: end, Expires: end.Add(retention)}
		if end.After(r.Cutoff) {
			r.Kept = append(r.Kept, ri)
			continue
		}
		r.Deleted = append(r.Deleted, ri)
		expired = append(expired, name)
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
		if _, _, err := rc.Do(ctx, osreq.Request{Op: "enforce retention: delete " + strings.Join(batch, ","), Method: http.MethodDelete, Path: "/" + strings.Join(esc, ","), Query: q}); err != nil {
			r.Deleted = r.Deleted[:i] // report only what is gone
			return r, err
		}
	}
	return r, nil
}

// EnforceRetention deletes the Store's date indices whose range ended before now minus the
// retention period (see the package function EnforceRetention).
func (s *Store) EnforceRetention(ctx context.Context, now time.Time, dryRun bool) (RetentionReport, error) {
	if err := s.check(); err != nil {
		return RetentionReport{}, err
	}
	return EnforceRetention(ctx, s.client, s.prefix, s.Retention(), now, dryRun)
}
