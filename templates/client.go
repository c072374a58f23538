package templates

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/internal/osreq"
)

// Error is a request the cluster answered with an error status.
type Error = osreq.Error

// statusOf returns the HTTP status of an *Error in err's chain, 0 otherwise.
func statusOf(err error) int { return osreq.Status(err) }

// noHandler reports whether err is the cluster's answer to an API it does not have.
func noHandler(err error) bool { return osreq.NoHandler(err) }

// call is one request to the cluster.
type call struct {
	op     string     // what ckos is doing, for errors
	method string     // HTTP method
	path   string     // escaped path, e.g. "/_index_template/cloudkitty"
	query  url.Values // query string
	body   []byte     // JSON body
}

func (r call) request() osreq.Request {
	return osreq.Request{Op: r.op, Method: r.method, Path: r.path, Query: r.query, Body: r.body}
}

// do sends r and returns the body of a 2xx answer; other answers are *Error, transport failures
// wrap storage.ErrUnavailable.
func do(ctx context.Context, c *opensearchapi.Client, r call) ([]byte, error) {
	_, data, err := osreq.Client{API: c}.Do(ctx, r.request())
	return data, err
}

// doJSON is do decoding a 2xx answer into out (numbers as json.Number when out is *any).
func doJSON(ctx context.Context, c *opensearchapi.Client, r call, out any) error {
	return osreq.Client{API: c}.DoJSON(ctx, r.request(), out)
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
	return osreq.Client{API: c}.CatIndices(ctx, op, url.PathEscape(expr), expand)
}
