package opensearch

import (
	"fmt"
	"net/url"
	"os"
	"time"

	osgo "github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/errmask"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/storage"
)

// retryStatuses are the answers a request is retried on, with backoff (SPEC §6: 429 and 5xx).
// Every request ckos sends may be repeated: bulk items carry their ids, searches and deletes
// converge, and a point in time opened twice expires on its own.
var retryStatuses = []int{429, 500, 502, 503, 504}

// NewClient builds an opensearch-go client from cfg: addresses, basic auth, TLS (cafile or
// insecure), per-request timeout and retries with exponential backoff on 429 and 5xx.
// Partial failures (bulk items, shards) are reported, never masked.
func NewClient(cfg storage.Config) (*opensearchapi.Client, error) {
	urls := cfg.URLs
	if len(urls) == 0 {
		urls = []string{storage.DefaultURL}
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("%w: cluster URL %q: want http(s)://host:port", storage.ErrInvalid, storage.RedactURL(u))
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

// Error is a request the cluster answered with an error status (HTTP status and the server's
// reason); errors.Is(err, storage.ErrRejected) holds for it.
type Error = osreq.Error

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
