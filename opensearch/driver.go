// Package opensearch is ckos's storage driver for OpenSearch (and Elasticsearch): date-based
// indices, bulk push, exact retrieve with point-in-time paging, composite totals, exact delete.
package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
	"github.com/ckos/ckos/templates"
)

func init() {
	storage.Register("opensearch", storage.DriverFunc(func(ctx context.Context, cfg storage.Config) (storage.Storage, error) {
		return Open(ctx, cfg)
	}))
	storage.Register("elasticsearch", storage.DriverFunc(func(ctx context.Context, cfg storage.Config) (storage.Storage, error) {
		return Open(ctx, cfg)
	}))
}

// Flavor is the kind of cluster a Store talks to.
type Flavor string

// The cluster flavors.
const (
	FlavorOpenSearch    Flavor = "opensearch"
	FlavorElasticsearch Flavor = "elasticsearch"
)

// Store is the OpenSearch implementation of storage.Storage.
type Store struct {
	cfg    storage.Config
	client *opensearchapi.Client
	req    osreq.Client // raw requests: status and reason checked, optional request log
	prefix string
	gran   mapping.Granularity
	flavor Flavor
	closed atomic.Bool

	// Push tuning; see PushOptions.
	flushBytes   int
	workers      int
	batches      sync.Pool   // *batch buffers, reused across pushes
	templateName string      // the index template Init installs
	templateOK   atomic.Bool // the template was seen installed
}

var _ storage.Storage = (*Store)(nil)

// Open connects to the cluster of cfg, checks it answers, and returns a Store. It does not
// create anything; call Init for that.
func Open(ctx context.Context, cfg storage.Config) (*Store, error) {
	if cfg.Index == "" {
		cfg.Index = storage.DefaultIndex
	}
	if err := mapping.ValidatePrefix(cfg.Index); err != nil {
		return nil, fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	g, err := mapping.ParseGranularity(cfg.IndexGranularity)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	if cfg.TimeMatch, err = storage.ParseTimeMatch(string(cfg.TimeMatch)); err != nil {
		return nil, err
	}
	set, err := templates.SettingsFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	addr := storage.DefaultURL
	if len(cfg.URLs) > 0 {
		addr = storage.RedactURL(cfg.URLs[0])
	}
	s := &Store{cfg: cfg, client: c, req: osreq.Client{API: c, Addr: addr}, prefix: cfg.Index, gran: g, flushBytes: 4 << 20, workers: 2}
	s.batches.New = func() any { return &batch{buf: make([]byte, 0, 64<<10)} }
	s.templateName = set.TemplateName()
	if err := s.detect(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return s, nil
}

// detect asks the cluster what it is (GET /).
func (s *Store) detect(ctx context.Context) error {
	_, body, err := s.req.Do(ctx, osreq.Request{Op: "connect to cluster", Method: "GET", Path: "/"})
	if err != nil {
		return err
	}
	var info struct {
		Version struct {
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	if err := json.Unmarshal(body, &info); err != nil {
		return fmt.Errorf("connect to cluster at %s: unexpected answer to GET /: %w", s.req.Addr, err)
	}
	s.flavor = FlavorElasticsearch
	if info.Version.Distribution == "opensearch" {
		s.flavor = FlavorOpenSearch
	}
	return nil
}

// Client returns the underlying opensearch-go client.
func (s *Store) Client() *opensearchapi.Client { return s.client }

// Flavor returns the kind of cluster the Store talks to.
func (s *Store) Flavor() Flavor { return s.flavor }

// Config returns the configuration the Store was opened with.
func (s *Store) Config() storage.Config { return s.cfg }

// Retention returns how long rated data is kept.
func (s *Store) Retention() time.Duration { return s.cfg.Retention() }

// Close releases the client's connections; later calls fail with storage.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("close client: %w", err)
	}
	return nil
}

func (s *Store) check() error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return nil
}

// PushOptions tunes Push: bytes per _bulk request and concurrent requests.
type PushOptions struct {
	FlushBytes int // bytes of NDJSON per _bulk request; 0 keeps the default (4 MiB)
	Workers    int // concurrent _bulk requests; 0 keeps the default (2)
}

// SetPushOptions changes how Push batches and parallelises; call it before pushing.
func (s *Store) SetPushOptions(o PushOptions) {
	if o.FlushBytes > 0 {
		s.flushBytes = o.FlushBytes
	}
	if o.Workers > 0 {
		s.workers = o.Workers
	}
}

// SetRequestLogger calls fn after every request with its method, path (never the body or
// credentials), HTTP status (0 when none came back) and duration; call it before use.
func (s *Store) SetRequestLogger(fn func(method, path string, status int, took time.Duration)) {
	s.req.Log = fn
}
