package aggs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// benchPage returns a composite page of n buckets on two label sources, with the default sums
// (withFields) or keys only.
func benchPage(n int, withFields bool) json.RawMessage {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"groups": {"after_key": {"g0": "project-%06d", "g1": "vm-%06d"}, "buckets": [`, n-1, n-1)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"key": {"g0": "project-%06d", "g1": "vm-%06d"}, "doc_count": 24`, i, i)
		if withFields {
			fmt.Fprintf(&buf, `, "f0": {"value": %d.0}, "f1": {"value": %g}`, i, float64(i)*0.0125)
		}
		buf.WriteByte('}')
	}
	buf.WriteString(`]}}`)
	return buf.Bytes()
}

// onePage serves page once, then an empty page.
type onePage struct {
	page  json.RawMessage
	calls int
}

func (o *onePage) Search(ctx context.Context, body []byte) (json.RawMessage, error) {
	o.calls++
	if o.calls%2 == 1 {
		return o.page, nil
	}
	return json.RawMessage(`{"groups": {"buckets": []}}`), nil
}

func benchmarkWalk(b *testing.B, all, withFields bool, offset, limit int) {
	const n = 2000
	p := params(b, []string{"project_id", "id"}, "")
	s := &onePage{page: benchPage(n, withFields)}
	b.SetBytes(int64(len(s.page)))
	b.ReportAllocs()
	for b.Loop() {
		total, rows, err := Walk(context.Background(), s, p, offset, limit, all)
		if err != nil {
			b.Fatal(err)
		}
		if total != n {
			b.Fatalf("total %d", total)
		}
		if all && len(rows) != n {
			b.Fatalf("%d rows", len(rows))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/bucket")
}

// BenchmarkWalkPage decodes a 2000-bucket page into 2000 rows.
func BenchmarkWalkPage(b *testing.B) { benchmarkWalk(b, true, true, 0, 0) }

// BenchmarkWalkPageCountOnly counts a 2000-bucket keys-only page (the window lies elsewhere).
func BenchmarkWalkPageCountOnly(b *testing.B) { benchmarkWalk(b, false, false, 1_000_000, 10) }
