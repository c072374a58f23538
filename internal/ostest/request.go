package ostest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
)

// httpError is an answer outside 2xx: the request, the status and the server's reason.
type httpError struct {
	Method, Path string
	Status       int
	Reason       string
}

// Error says which request failed, with the HTTP status and the server's reason.
func (e *httpError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Reason)
}

// statusOf returns the HTTP status carried by err, or 0 when err is not an answer from the server.
func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// do sends method path (with query string) and, when body is non-nil, its JSON; a 2xx answer is
// decoded into out when out is non-nil. Other answers are *httpError.
func do(ctx context.Context, c *opensearchapi.Client, method, path string, body, out any) error {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("%s %s: encoding body: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Client.Perform(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: reading answer (HTTP %d): %w", method, path, resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &httpError{Method: method, Path: path, Status: resp.StatusCode, Reason: reasonOf(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding answer: %w", method, path, err)
		}
	}
	return nil
}

// reasonOf extracts the reason from an OpenSearch error body ({"error":{"root_cause":[{"reason"…}]…}}
// or {"error":"…"}), falling back to the body itself, shortened.
func reasonOf(body []byte) string {
	var structured struct {
		Error struct {
			Type      string `json:"type"`
			Reason    string `json:"reason"`
			RootCause []struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"root_cause"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &structured) == nil {
		if rc := structured.Error.RootCause; len(rc) > 0 && rc[0].Reason != "" {
			return rc[0].Type + ": " + rc[0].Reason
		}
		if structured.Error.Reason != "" {
			return structured.Error.Type + ": " + structured.Error.Reason
		}
	}
	var plain struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &plain) == nil && plain.Error != "" {
		return plain.Error
	}
	s := strings.TrimSpace(string(body))
	const maxLen = 300
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	if s == "" {
		s = "(empty answer)"
	}
	return s
}
