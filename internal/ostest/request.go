package ostest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/internal/osreq"
)

// statusOf returns the HTTP status carried by err, or 0 when err is not an answer from the server.
func statusOf(err error) int { return osreq.Status(err) }

// do sends method path (with query string) and, when body is non-nil, its JSON (a string, bytes
// or a value to marshal); a 2xx answer is decoded into out when out is non-nil. Other answers
// are *osreq.Error naming the request.
func do(ctx context.Context, c *opensearchapi.Client, method, path string, body, out any) error {
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			return fmt.Errorf("%s %s: encoding body: %w", method, path, err)
		}
	}
	_, answer, err := osreq.Client{API: c}.Do(ctx, osreq.Request{Op: method + " " + path, Method: method, Path: path, Body: data})
	if err != nil || out == nil || method == http.MethodHead {
		return err
	}
	if err := json.NewDecoder(bytes.NewReader(answer)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decoding answer: %w", method, path, err)
	}
	return nil
}
