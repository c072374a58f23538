package opensearch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

func encodeAll(t *testing.T, s *Store, frames []dataframe.DataFrame) []*batch {
	t.Helper()
	pool := sync.Pool{New: func() any { return &batch{} }}
	queue := make(chan *batch, 1000)
	require.NoError(t, s.encode(context.Background(), frames, queue, &pool))
	close(queue)
	var out []*batch
	for b := range queue {
		out = append(out, b)
	}
	return out
}

func TestEncodeNumbersIdenticalPointsAndSplitsBatches(t *testing.T) {
	s := &Store{prefix: "ck", gran: mapping.Day, flushBytes: 2000}
	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	p := dataframe.DataPoint{Qty: 1, Price: 2, Groupby: map[string]string{"project_id": "a"}, Metadata: map[string]string{}}
	f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
	for range 3 {
		f.AddPoint("instance", p) // identical identities: ordinals 0, 1, 2
	}
	other := p
	other.Groupby = map[string]string{"project_id": "b"}
	for range 20 {
		f.AddPoint("volume", other)
	}
	batches := encodeAll(t, s, []dataframe.DataFrame{f})
	require.Greater(t, len(batches), 1, "a 2000-byte flush size splits 23 points")
	ids := map[string]int{}
	items := 0
	for _, b := range batches {
		assert.LessOrEqual(t, len(b.buf), 2000+600, "a batch overshoots the flush size by at most one item")
		sc := bufio.NewScanner(bytes.NewReader(b.buf))
		for sc.Scan() {
			var action struct {
				Index struct {
					Index string `json:"_index"`
					ID    string `json:"_id"`
				} `json:"index"`
			}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &action))
			require.True(t, sc.Scan(), "an action line is followed by its document")
			var doc map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &doc))
			assert.Equal(t, "ck-2026.12.03", action.Index.Index)
			assert.Equal(t, action.Index.ID, doc["doc_key"])
			ids[action.Index.ID]++
			items++
		}
		assert.Len(t, b.spans, bytes.Count(b.buf, []byte("\n"))/2)
	}
	assert.Equal(t, 23, items)
	for i := 0; i < 3; i++ {
		assert.Equal(t, 1, ids[storage.PointID("instance", f.Start, f.End, p.Groupby, i)], "ordinal %d", i)
	}
	assert.Equal(t, 1, ids[storage.PointID("volume", f.Start, f.End, other.Groupby, 19)])
	assert.Len(t, ids, 23, "every point has its own id")
}

func BenchmarkEncode(b *testing.B) {
	s := &Store{prefix: "cloudkitty", gran: mapping.Day, flushBytes: 4 << 20}
	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
	for i := 0; i < 10000; i++ {
		f.AddPoint("instance", dataframe.DataPoint{Unit: "instance", Qty: 1, Price: 0.25,
			Groupby:  map[string]string{"project_id": "f266f30b11f246b589fd266f85eeec39", "id": time.Duration(i).String(), "user_id": "u1"},
			Metadata: map[string]string{"flavor_name": "m1.small", "flavor_id": "42"}})
	}
	frames := []dataframe.DataFrame{f}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pool := sync.Pool{New: func() any { return &batch{buf: make([]byte, 0, 5<<20)} }}
		queue := make(chan *batch, 64)
		done := make(chan struct{})
		go func() {
			for bt := range queue {
				bt.reset()
				pool.Put(bt)
			}
			close(done)
		}()
		if err := s.encode(context.Background(), frames, queue, &pool); err != nil {
			b.Fatal(err)
		}
		close(queue)
		<-done
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "points/s")
}
