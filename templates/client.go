package templates

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

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/storage"
)

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

// statusOf returns the HTTP status of an *Error in err's chain, 0 otherwise.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// noHandler reports whether err is the cluster's answer to an API it does not have (a plugin
// or X-Pack feature missing): HTTP 400 (or 405) "no handler found for uri …".
func noHandler(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusMethodNotAllowed) &&
		strings.Contains(e.Reason, "no handler found")
}

// call is one request to the cluster.
type call struct {
	op     string     // what ckos is doing, for errors
	method string     // HTTP method
	path   string     // escaped path, e.g. "/_index_template/cloudkitty"
	query  url.Values // query string
	body   []byte     // JSON body
}

// maxAnswer bounds the answers read (templates, policies, index lists).
const maxAnswer = 64 << 20

// do sends r and returns the body of a 2xx answer; other answers are *Error, transport failures
// wrap storage.ErrUnavailable.
func do(ctx context.Context, c *opensearchapi.Client, r call) ([]byte, error) {
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
		return nil, fmt.Errorf("%s: build request: %w", r.op, err)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Client.Perform(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", r.op, ctx.Err())
		}
		return nil, fmt.Errorf("%s: %w: %w", r.op, storage.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s: read answer (HTTP %d): %w", r.op, resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return data, parseError(r.op, resp.StatusCode, data)
	}
	return data, nil
}

// doJSON is do decoding a 2xx answer into out (numbers as json.Number when out is *any).
func doJSON(ctx context.Context, c *opensearchapi.Client, r call, out any) error {
	data, err := do(ctx, c, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s: unexpected answer: %w", r.op, err)
	}
	return nil
}

// parseError turns an error answer into *Error, preferring the first root cause's reason.
func parseError(op string, status int, body []byte) *Error {
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

// Detect asks the cluster what it is (GET /): OpenSearch when version.distribution is
// "opensearch", Elasticsearch otherwise.
func Detect(ctx context.Context, c *opensearchapi.Client) (Distribution, error) {
	var info struct {
		Version struct {
			Distribution string `json:"distribution"`
			Number       string `json:"number"`
		} `json:"version"`
	}
	if err := doJSON(ctx, c, call{op: "detect cluster distribution", method: http.MethodGet, path: "/"}, &info); err != nil {
		return "", err
	}
	if info.Version.Number == "" {
		return "", fmt.Errorf("detect cluster distribution: GET / has no version.number: not OpenSearch or Elasticsearch")
	}
	if info.Version.Distribution == "opensearch" {
		return OpenSearch, nil
	}
	return Elasticsearch, nil
}

// catIndices lists the concrete indices matching expr (a name or pattern); none is not an error.
func catIndices(ctx context.Context, c *opensearchapi.Client, op, expr, expand string) ([]string, error) {
	var rows []struct {
		Index string `json:"index"`
	}
	q := url.Values{"format": {"json"}, "h": {"index"}, "expand_wildcards": {expand}}
	err := doJSON(ctx, c, call{op: op, method: http.MethodGet, path: "/_cat/indices/" + url.PathEscape(expr), query: q}, &rows)
	if statusOf(err) == http.StatusNotFound {
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
