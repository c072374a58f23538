package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/sync/errgroup"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/osreq"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// maxItemRetries is how many times a bulk item answered 429 or 5xx is sent again.
const maxItemRetries = 6

// batch is one _bulk request body and where each item's two lines lie in it.
type batch struct {
	buf   []byte
	spans []int // spans[i] is the end offset of item i; item i starts at spans[i-1] (or 0)
}

func (b *batch) reset() {
	b.buf = b.buf[:0]
	b.spans = b.spans[:0]
}

func (b *batch) item(i int) []byte {
	start := 0
	if i > 0 {
		start = b.spans[i-1]
	}
	return b.buf[start:b.spans[i]]
}

// pushFailures collects the items that could not be stored.
type pushFailures struct {
	mu      sync.Mutex
	count   int
	reasons []string
}

func (f *pushFailures) add(n int, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count += n
	if len(f.reasons) < 3 {
		f.reasons = append(f.reasons, reason)
	}
}

// Push streams the frames' points into _bulk requests of bounded size sent by a few workers.
// Every item's answer is checked; items answered 429 or 5xx are retried with backoff, and the
// push fails with the count and first reasons of the items that still failed.
func (s *Store) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	if err := s.check(); err != nil {
		return err
	}
	total, err := storage.ValidateFrames(frames)
	if err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	if err := s.checkTemplate(ctx); err != nil {
		return err
	}
	pool := &s.batches
	var fails pushFailures
	g, gctx := errgroup.WithContext(ctx)
	queue := make(chan *batch)
	for range s.workers {
		g.Go(func() error {
			for b := range queue {
				if err := s.sendBatch(gctx, b, &fails); err != nil {
					return err
				}
				b.reset()
				pool.Put(b)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(queue)
		return s.encode(gctx, frames, queue, pool)
	})
	if err := g.Wait(); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	if fails.count > 0 {
		return fmt.Errorf("push: %d of %d points were not stored: %s: %w", fails.count, total, strings.Join(fails.reasons, "; "), storage.ErrRejected)
	}
	if s.cfg.Refresh {
		return s.refresh(ctx, frames)
	}
	return nil
}

// refresh makes the indices the frames went to searchable now: one _refresh at the end of a
// push costs less than making every _bulk request wait for the next periodic refresh.
func (s *Store) refresh(ctx context.Context, frames []dataframe.DataFrame) error {
	seen := map[string]bool{}
	var names []string
	for _, f := range frames {
		if n := mapping.IndexName(s.prefix, s.gran, f.Start); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for i := 0; i < len(names); i += indexBatch {
		batch := names[i:min(i+indexBatch, len(names))]
		if _, _, err := s.req.Do(ctx, osreq.Request{Op: "push: refresh", Method: "POST", Path: "/" + joinIndices(batch) + "/_refresh",
			Query: url.Values{"ignore_unavailable": {"true"}}}); err != nil {
			return err
		}
	}
	return nil
}

// encode appends every point's action and document into batches and hands full ones to queue.
func (s *Store) encode(ctx context.Context, frames []dataframe.DataFrame, queue chan<- *batch, pool *sync.Pool) error {
	var enc mapping.Encoder
	var ids storage.PointIDs
	seen := make(map[string]int) // PointID with ordinal 0 → identical points so far
	b := pool.Get().(*batch)
	send := func() error {
		select {
		case queue <- b:
			b = pool.Get().(*batch)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, f := range frames {
		index := mapping.IndexName(s.prefix, s.gran, f.Start)
		for _, typ := range f.Types() {
			for _, p := range f.Usage[typ] {
				id := ids.ID(typ, f.Start, f.End, p.Groupby, 0)
				if n := seen[id]; n > 0 {
					seen[id] = n + 1
					id = ids.ID(typ, f.Start, f.End, p.Groupby, n)
				} else {
					seen[id] = 1
				}
				b.buf = mapping.AppendIndexAction(b.buf, index, id)
				b.buf = enc.AppendDocument(b.buf, typ, f.Start, f.End, p, id)
				b.spans = append(b.spans, len(b.buf))
				if len(b.buf) >= s.flushBytes {
					if err := send(); err != nil {
						return err
					}
				}
			}
		}
	}
	if len(b.spans) > 0 {
		return send()
	}
	return nil
}

// bulkAnswer is the part of a _bulk answer ckos reads (see bulkFilter).
type bulkAnswer struct {
	Errors bool `json:"errors"`
	Items  []map[string]struct {
		Status int `json:"status"`
		Error  *struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	} `json:"items"`
}

const bulkFilter = "errors,items.*.status,items.*.error.type,items.*.error.reason"

// sendBatch sends b, retrying the items answered 429 or 5xx; other failures are recorded.
func (s *Store) sendBatch(ctx context.Context, b *batch, fails *pushFailures) error {
	q := url.Values{"filter_path": {bulkFilter}}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 200 * time.Millisecond
	bo.MaxInterval = 5 * time.Second
	cur := b
	for attempt := 0; ; attempt++ {
		_, body, err := s.req.Do(ctx, osreq.Request{Op: "_bulk", Method: "POST", Path: "/_bulk", Query: q, Body: cur.buf, NDJSON: true})
		if err != nil {
			return err
		}
		var ok struct {
			Errors bool `json:"errors"`
		}
		if err := json.Unmarshal(body, &ok); err != nil {
			return fmt.Errorf("_bulk: decode answer: %w", err)
		}
		if !ok.Errors {
			return nil // the usual case: no item to look at
		}
		var ans bulkAnswer
		if err := json.Unmarshal(body, &ans); err != nil {
			return fmt.Errorf("_bulk: decode answer: %w", err)
		}
		if len(ans.Items) != len(cur.spans) {
			return fmt.Errorf("_bulk: %d items answered for %d sent: %w", len(ans.Items), len(cur.spans), storage.ErrRejected)
		}
		retry := &batch{}
		for i, it := range ans.Items {
			for _, r := range it {
				if r.Status < 300 {
					continue
				}
				reason := fmt.Sprintf("HTTP %d", r.Status)
				if r.Error != nil {
					reason = fmt.Sprintf("HTTP %d %s: %s", r.Status, r.Error.Type, r.Error.Reason)
				}
				if (r.Status == 429 || r.Status >= 500) && attempt < maxItemRetries {
					retry.buf = append(retry.buf, cur.item(i)...)
					retry.spans = append(retry.spans, len(retry.buf))
					continue
				}
				fails.add(1, reason)
			}
		}
		if len(retry.spans) == 0 {
			return nil
		}
		select {
		case <-time.After(bo.NextBackOff()):
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = retry
	}
}

// checkTemplate makes sure, once per Store, that Init installed the index template: without it
// the first push would create indices with dynamic mappings that no later Init repairs.
func (s *Store) checkTemplate(ctx context.Context) error {
	if s.templateOK.Load() {
		return nil
	}
	status, _, err := s.req.Do(ctx, osreq.Request{Op: "push: check the index template", Method: "HEAD",
		Path: "/_index_template/" + url.PathEscape(s.templateName), Allow: []int{404}})
	if err != nil {
		return err
	}
	if status == 404 {
		return fmt.Errorf("%w: push: index template %q is not installed: run Init (ckos init) first", storage.ErrInvalid, s.templateName)
	}
	s.templateOK.Store(true)
	return nil
}
