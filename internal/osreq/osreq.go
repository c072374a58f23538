// Package osreq sends raw requests to an OpenSearch (or Elasticsearch) cluster through an
// opensearch-go client, and turns error answers into errors carrying the HTTP status and the
// server's reason. The driver, the installer and the test helper share it.
package osreq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/storage"
)

// MaxAnswer bounds the bytes read from one answer.
const MaxAnswer = 256 << 20

// Request is one call to the cluster.
type Request struct {
	Op     string     // what ckos is doing, for errors
	Method string     // HTTP method
	Path   string     // escaped path, e.g. "/ck-2026.12.03/_search"
	Query  url.Values // query string
	Body   []byte     // JSON (or NDJSON) body; nil for none
	NDJSON bool       // Body is NDJSON (a _bulk body)
	Allow  []int      // non-2xx statuses returned as answers rather than errors
}

// Logger is told the method, path, status (0 when none came back) and duration of each request;
// never a body or credentials.
type Logger func(method, path string, status int, took time.Duration)

// Client sends Requests with an opensearch-go client.
type Client struct {
	API  *opensearchapi.Client // the client: addresses, auth, TLS, retries
	Addr string                // the cluster address for messages, without credentials (optional)
	Log  Logger                // optional request log
}

// Error is a request the cluster answered with an error status.
type Error struct {
	Op     string // what ckos was doing
	Status int    // HTTP status
	Type   string // the root cause's type, when the answer had one
	Reason string // the root cause's reason, or the error text
}

// Error says what failed, with the HTTP status and the server's reason.
func (e *Error) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Op, e.Status, e.Reason)
	}
	return fmt.Sprintf("%s: HTTP %d: %s: %s", e.Op, e.Status, e.Type, e.Reason)
}

// Unwrap makes errors.Is(err, storage.ErrRejected) true.
func (e *Error) Unwrap() error { return storage.ErrRejected }

// Status returns the HTTP status of an *Error in err's chain, 0 otherwise.
func Status(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// NoHandler reports whether err is the cluster's answer to an API it does not have (a plugin or
// X-Pack feature missing): HTTP 400 or 405 "no handler found for uri …".
func NoHandler(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusMethodNotAllowed) &&
		strings.Contains(e.Reason, "no handler found")
}

// Do sends r and returns the status and body. Non-2xx answers not in r.Allow are *Error;
// transport failures wrap storage.ErrUnavailable and name the address; a done ctx wraps ctx.Err().
func (c Client) Do(ctx context.Context, r Request) (int, []byte, error) {
	u := r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: build request: %w", r.Op, err)
	}
	if r.Body != nil {
		ct := "application/json"
		if r.NDJSON {
			ct = "application/x-ndjson"
		}
		req.Header.Set("Content-Type", ct)
	}
	began := time.Now()
	resp, err := c.API.Client.Perform(req)
	if c.Log != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		c.Log(r.Method, r.Path, status, time.Since(began))
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, fmt.Errorf("%s: %w", r.Op, ctx.Err())
		}
		if c.Addr != "" {
			return 0, nil, fmt.Errorf("%s: %w at %s: %w", r.Op, storage.ErrUnavailable, c.Addr, err)
		}
		return 0, nil, fmt.Errorf("%s: %w: %w", r.Op, storage.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s: read answer (HTTP %d): %w", r.Op, resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		for _, a := range r.Allow {
			if a == resp.StatusCode {
				return resp.StatusCode, data, nil
			}
		}
		return resp.StatusCode, data, ParseError(r.Op, resp.StatusCode, data)
	}
	return resp.StatusCode, data, nil
}

// DoJSON is Do decoding a 2xx answer into out (numbers as json.Number when out holds any).
func (c Client) DoJSON(ctx context.Context, r Request, out any) error {
	_, data, err := c.Do(ctx, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s: unexpected answer: %w", r.Op, err)
	}
	return nil
}

// CatIndices lists the concrete indices matching expr (a name, pattern or comma-separated list
// of them, already escaped); none is not an error. expand is expand_wildcards (open, all, …).
func (c Client) CatIndices(ctx context.Context, op, expr, expand string) ([]string, error) {
	var rows []struct {
		Index string `json:"index"`
	}
	q := url.Values{"format": {"json"}, "h": {"index"}, "expand_wildcards": {expand}}
	err := c.DoJSON(ctx, Request{Op: op, Method: http.MethodGet, Path: "/_cat/indices/" + expr, Query: q}, &rows)
	if Status(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rows))
	for _, r := range rows {
		names = append(names, r.Index)
	}
	return names, nil
}

// ParseError turns an error answer into *Error, preferring the first root cause's reason and
// adding the caused_by reason when it says more.
func ParseError(op string, status int, body []byte) *Error {
	e := &Error{Op: op, Status: status}
	var r struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Error) == 0 {
		e.Reason = strings.TrimSpace(string(body))
		if len(e.Reason) > 300 {
			e.Reason = e.Reason[:300] + "…"
		}
		if e.Reason == "" {
			e.Reason = http.StatusText(status)
		}
		return e
	}
	if json.Unmarshal(r.Error, &e.Reason) == nil {
		return e
	}
	var st struct {
		Type      string `json:"type"`
		Reason    string `json:"reason"`
		RootCause []struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"root_cause"`
		CausedBy *struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"caused_by"`
	}
	_ = json.Unmarshal(r.Error, &st)
	e.Type, e.Reason = st.Type, st.Reason
	if len(st.RootCause) > 0 && st.RootCause[0].Reason != "" {
		e.Type, e.Reason = st.RootCause[0].Type, st.RootCause[0].Reason
	}
	if st.CausedBy != nil && st.CausedBy.Reason != "" && st.CausedBy.Reason != e.Reason {
		e.Reason += " (caused by " + st.CausedBy.Type + ": " + st.CausedBy.Reason + ")"
	}
	return e
}
