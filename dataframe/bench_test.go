package dataframe

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// benchFrames builds 10 hourly frames × 7 metric types × 143 points (10,010 points), shaped like
// CloudKitty's: a UUID project, a resource id, a few metadata labels.
func benchFrames() []DataFrame {
	types := []string{"instance", "image.size", "volume.size", "network.bw.in", "network.bw.out", "ip.floating", "radosgw.objects.size"}
	start := time.Date(2019, 7, 23, 0, 0, 0, 0, time.UTC)
	frames := make([]DataFrame, 10)
	for i := range frames {
		f := DataFrame{Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i+1) * time.Hour)}
		for _, typ := range types {
			for j := range 143 {
				f.AddPoint(typ, DataPoint{
					Unit:  "GiB",
					Qty:   float64(j) * 1.25,
					Price: float64(j) * 0.0012345,
					Groupby: map[string]string{
						"project_id": fmt.Sprintf("8d3ae500-89ea-4142-a14b-3a8aa1a7fd%02d", j%7),
						"id":         fmt.Sprintf("resource-%d-%d", i, j),
						"user_id":    "a0b1c2d3e4f5",
					},
					Metadata: map[string]string{"flavor_name": "m1.nano", "vcpus": "1", "availability_zone": "nova"},
				})
			}
		}
		frames[i] = f
	}
	return frames
}

func benchBody(b *testing.B, form Form) []byte {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, form)
	for _, f := range benchFrames() {
		if err := enc.Encode(f); err != nil {
			b.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecode decodes a 10,010-point push body; ns/op is per body.
func BenchmarkDecode(b *testing.B) {
	for _, form := range []Form{FormObject, FormNDJSON} {
		b.Run(form.String(), func(b *testing.B) {
			body := benchBody(b, form)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				d := NewDecoder(bytes.NewReader(body))
				n := 0
				for {
					f, err := d.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += f.Len()
				}
				if n != 10010 {
					b.Fatalf("%d points", n)
				}
			}
		})
	}
}

// BenchmarkEncode encodes the same 10,010 points as BenchmarkDecode.
func BenchmarkEncode(b *testing.B) {
	frames := benchFrames()
	size := len(benchBody(b, FormObject))
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		enc := NewEncoder(io.Discard, FormObject)
		for _, f := range frames {
			if err := enc.Encode(f); err != nil {
				b.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
