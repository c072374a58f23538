package storagetest

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/ckos/ckos/dataframe"
)

// The two projects of CloudKitty's test samples: one plain hex id and one dashed UUID.
const (
	Tenant      = "f266f30b11f246b589fd266f85eeec39"
	OtherTenant = "8d3ae500-89ea-4142-9c6e-1269db6a0b64"
)

// SampleBegin is the start of the first of CloudKittySample's three hourly frames.
var SampleBegin = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

// samplePointsPerSet is the fixed n that replaces CloudKitty's 10 + randint(1, 10).
const samplePointsPerSet = 15

// sampleType is one metric type of CloudKitty's V2_STORAGE_SAMPLE.
type sampleType struct {
	name, unit string
	qty, price float64
	metadata   map[string]string
}

// sampleTypes is V2_STORAGE_SAMPLE in its dict order.
var sampleTypes = []sampleType{
	{"instance", "instance", 1.0, 2.5, map[string]string{"flavor": "m1.nano", "flavor_id": "42"}},
	{"image.size", "MiB", 152.0, 0.152, map[string]string{"disk_format": "qcow2"}},
	{"volume.size", "GiB", 20.0, 1.2, map[string]string{"volume_type": "ceph-region1"}},
	{"network.outgoing.bytes", "MB", 12345.6, 0.00123456, map[string]string{"instance_id": "6e9d5c3b-24b6-4f8b-9c2a-0e3b8d7f1a01"}},
	{"network.incoming.bytes", "MB", 34567.8, 0.00345678, map[string]string{"instance_id": "6e9d5c3b-24b6-4f8b-9c2a-0e3b8d7f1a01"}},
	{"ip.floating", "ip", 1.0, 0.01, map[string]string{"state": "attached"}},
	{"radosgw.objects.size", "GiB", 3.0, 0.30, map[string]string{"object_id": "0f2a4c6e-8b1d-4e3f-a5c7-9d0b2e4f6a8c"}},
}

// sampleUUID is a deterministic UUID-shaped id for the sample's groupby.id.
func sampleUUID(parts ...any) string {
	h := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// CloudKittySample returns CloudKitty's storage test data made deterministic: three hourly frames
// from SampleBegin, each with 15 points per metric type and project (Tenant, OtherTenant), so 630
// points in all with a rate of 375.0022206 and a qty of 4238136. As in cloudkitty/tests/utils.py,
// the first 8 copies of a set carry groupby year 2022, week_of_the_year 1, day_of_the_year 1 and
// month 10, the other 7 carry 2023, 2, 2 and 12, the first copy's year is 2021, and every copy
// has its own groupby.id.
func CloudKittySample() []dataframe.DataFrame {
	frames := make([]dataframe.DataFrame, 3)
	for i := range frames {
		start := SampleBegin.Add(time.Duration(i) * time.Hour)
		f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
		for ti, st := range sampleTypes {
			for pi, project := range []string{Tenant, OtherTenant} {
				for c := range samplePointsPerSet {
					gb := map[string]string{
						"id":               sampleUUID("ckos-sample", i, ti, pi, c),
						"project_id":       project,
						"year":             "2022",
						"week_of_the_year": "1",
						"day_of_the_year":  "1",
						"month":            "10",
					}
					if c >= (samplePointsPerSet+1)/2 { // Python's round(15/2) is 8
						gb["year"], gb["week_of_the_year"], gb["day_of_the_year"], gb["month"] = "2023", "2", "2", "12"
					}
					if c == 0 {
						gb["year"] = "2021"
					}
					md := make(map[string]string, len(st.metadata))
					for k, v := range st.metadata {
						md[k] = v
					}
					f.AddPoint(st.name, dataframe.DataPoint{Unit: st.unit, Qty: st.qty, Price: st.price, Groupby: gb, Metadata: md})
				}
			}
		}
		frames[i] = f
	}
	return frames
}
