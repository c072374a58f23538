package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	osgo "github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/errmask"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/storage"
)

// retryStatuses are the answers a request is retried on, with backoff.
var retryStatuses = []int{429, 502, 503, 504}

// NewClient builds an opensearch-go client from cfg: addresses, basic auth, TLS (cafile or
// insecure), per-request timeout and retries with exponential backoff on 429/502/503/504.
// Partial failures (bulk items, shards) are reported, never masked.
func NewClient(cfg storage.Config) (*opensearchapi.Client, error) {
	urls := cfg.URLs
	if len(urls) == 0 {
		urls = []string{storage.DefaultURL}
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("%w: cluster URL %q: want http(s)://host:port", storage.ErrInvalid, RedactURL(u))
		}
	}
	oc := osgo.Config{
		Addresses:             urls,
		Username:              cfg.Username,
		Password:              cfg.Password,
		InsecureSkipVerify:    cfg.Insecure,
		RetryOnStatus:         retryStatuses,
		MaxRetries:            5,
		RetryBackoff:          retryBackoff,
		RequestTimeout:        cfg.Timeout,
		CompressRequestBody:   false,
		HealthCheckMaxRetries: -1,
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: read cafile: %w", storage.ErrInvalid, err)
		}
		oc.CACert = pem
	}
	report := errmask.New()
	c, err := opensearchapi.NewClient(opensearchapi.Config{Client: oc, Errors: report})
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	return c, nil
}

// retryBackoff waits 100ms, 200ms, 400ms … up to 5s between attempts.
func retryBackoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 6)
	return min(d, 5*time.Second)
}

// RedactURL returns u without its user information, for messages.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	p.User = nil
	return p.String()
}

// Error is a request the cluster answered with an error status.
type Error struct {
	Op     string // what ckos was doing
	Status int    // HTTP status
	Type   string // the root cause's type
	Reason string // the root cause's reason
}

func (e *Error) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Op, e.Status, e.Reason)
	}
	return fmt.Sprintf("%s: HTTP %d: %s: %s", e.Op, e.Status, e.Type, e.Reason)
}

// Unwrap makes errors.Is(err, storage.ErrRejected) true.
func (e *Error) Unwrap() error { return storage.ErrRejected }

// parseError turns an error answer into *Error, preferring the root cause's reason.
func parseError(op string, status int, body []byte) *Error {
	var r struct {
		Error json.RawMessage `json:"error"`
	}
	e := &Error{Op: op, Status: status}
	if json.Unmarshal(body, &r) != nil || len(r.Error) == 0 {
		e.Reason = strings.TrimSpace(string(truncate(body, 300)))
		if e.Reason == "" {
			e.Reason = http.StatusText(status)
		}
		return e
	}
	var s string
	if json.Unmarshal(r.Error, &s) == nil {
		e.Reason = s
		return e
	}
	var st struct {
		Type      string `json:"type"`
		Reason    string `json:"reason"`
		RootCause []struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"root_cause"`
	}
	_ = json.Unmarshal(r.Error, &st)
	e.Type, e.Reason = st.Type, st.Reason
	if len(st.RootCause) > 0 && st.RootCause[0].Reason != "" {
		e.Type, e.Reason = st.RootCause[0].Type, st.RootCause[0].Reason
	}
	return e
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return append(b[:n:n], "…"...)
	}
	return b
}

// request is one call to the cluster.
type request struct {
	op      string     // what ckos is doing, for errors
	method  string     // HTTP method
	path    string     // escaped path, e.g. "/ck-2026.12.03/_search"
	query   url.Values // query string
	body    []byte     // JSON or NDJSON body
	ndjson  bool       // body is NDJSON
	allow   []int      // non-2xx statuses returned without error
	maxBody int64      // response bytes to read; 0 means unlimited
}

// do sends r and returns the status and body; non-2xx answers not in r.allow become *Error,
// transport failures wrap storage.ErrUnavailable.
func (s *Store) do(ctx context.Context, r request) (int, []byte, error) {
	u := r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: build request: %w", r.op, err)
	}
	if r.body != nil {
		ct := "application/json"
		if r.ndjson {
			ct = "application/x-ndjson"
		}
		req.Header.Set("Content-Type", ct)
	}
	began := time.Now()
	resp, err := s.client.Client.Perform(req)
	if s.logRequest != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.logRequest(r.method, r.path, status, time.Since(began))
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, fmt.Errorf("%s: %w", r.op, ctx.Err())
		}
		return 0, nil, fmt.Errorf("%s: %w at %s: %w", r.op, storage.ErrUnavailable, s.addr, err)
	}
	defer resp.Body.Close()
	var rd io.Reader = resp.Body
	if r.maxBody > 0 {
		rd = io.LimitReader(resp.Body, r.maxBody)
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s: read response: %w", r.op, err)
	}
	if resp.StatusCode >= 300 {
		for _, a := range r.allow {
			if a == resp.StatusCode {
				return resp.StatusCode, data, nil
			}
		}
		return resp.StatusCode, data, parseError(r.op, resp.StatusCode, data)
	}
	return resp.StatusCode, data, nil
}

// shardFailure reports a search answer's failed shards as an error (opensearch-go would mask it).
func shardFailure(op string, shards *shardsInfo) error {
	if shards == nil || shards.Failed == 0 {
		return nil
	}
	reason := "unknown reason"
	if len(shards.Failures) > 0 {
		f := shards.Failures[0]
		reason = f.Reason.Type + ": " + f.Reason.Reason
		if f.Index != "" {
			reason = f.Index + ": " + reason
		}
	}
	return fmt.Errorf("%s: %d of %d shards failed (%s): %w", op, shards.Failed, shards.Total, reason, storage.ErrRejected)
}

// shardsInfo is the _shards part of a search answer.
type shardsInfo struct {
	Total    int `json:"total"`
	Failed   int `json:"failed"`
	Failures []struct {
		Index  string `json:"index"`
		Reason struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"reason"`
	} `json:"failures"`
}

// isNotFound reports whether err is the cluster's 404.
func isNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}
