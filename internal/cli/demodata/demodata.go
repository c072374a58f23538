// Package demodata generates realistic, deterministic CloudKitty rating data for a small cloud:
// projects of skewed sizes with a few users each, resources of CloudKitty's seven metric types
// (instances with their network traffic, volumes, images, floating IPs, object storage buckets)
// that come and go, rated once per frame with sensible units and prices.
//
// The same Options (seed included) always give the same frames, byte for byte.
package demodata

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/ckos/ckos/dataframe"
)

// Options says what to generate.
type Options struct {
	Start     time.Time     // start of the first frame; truncated to the period, UTC
	Days      int           // number of days of frames (>= 1)
	Projects  int           // number of projects (>= 1)
	Resources int           // number of resources (>= 1); an instance also yields its network traffic
	Seed      uint64        // random seed
	Period    time.Duration // frame length; 0 means one hour
}

// Stats counts what was generated.
type Stats struct {
	Frames int64 // frames written
	Points int64 // points written
}

// flavor is an instance flavor and its hourly price.
type flavor struct {
	name   string
	id     string
	vcpus  int
	ramMB  int
	diskGB int
	price  float64 // per instance-hour
	weight float64 // how common it is
	egress float64 // mean outgoing MB per hour
}

var flavors = []flavor{
	{"m1.tiny", "1", 1, 512, 1, 0.0058, 2, 5},
	{"m1.small", "2", 1, 2048, 20, 0.023, 5, 20},
	{"m1.medium", "3", 2, 4096, 40, 0.046, 4, 60},
	{"m1.large", "4", 4, 8192, 80, 0.092, 2, 150},
	{"m1.xlarge", "5", 8, 16384, 160, 0.184, 1, 400},
	{"g1.gpu", "6", 8, 65536, 200, 1.15, 0.2, 800},
}

// Hourly prices of the other metric types.
const (
	priceVolumeSSD   = 0.00014   // per GiB-hour (about 0.10 a GiB-month)
	priceVolumeHDD   = 0.00006   // per GiB-hour
	priceImage       = 0.0000001 // per MiB-hour (about 0.07 a GiB-month)
	priceEgress      = 0.00009   // per MB out
	priceIngress     = 0.00001   // per MB in
	priceFloatingIP  = 0.005     // per IP-hour
	priceObjectStore = 0.00003   // per GiB-hour
)

// kind is a resource's kind.
type kind int

const (
	kindInstance kind = iota
	kindVolume
	kindImage
	kindFloatingIP
	kindBucket
)

// kindShares is the share of each kind among resources, in kind order.
var kindShares = []float64{0.50, 0.25, 0.08, 0.10, 0.07}

// resource is one billable thing and its life span.
type resource struct {
	kind    kind
	id      string
	port    string // instance's network port (network points' id)
	project string
	user    string
	from    int // first frame it exists in
	until   int // first frame it no longer exists in
	flavor  *flavor
	sizeGB  float64 // volume size, bucket initial size
	sizeMB  float64 // image size
	growth  float64 // bucket growth per frame, GiB
	ssd     bool
	format  string // image disk format
	name    string // bucket name
	state   string // floating IP state
	traffic float64
}

// Generator produces the frames of Options one at a time.
type Generator struct {
	o         Options
	frames    int
	next      int
	resources []resource
}

// New checks o and prepares the resources; it does no I/O.
func New(o Options) (*Generator, error) {
	if o.Period == 0 {
		o.Period = time.Hour
	}
	switch {
	case o.Days < 1:
		return nil, fmt.Errorf("days %d: must be at least 1", o.Days)
	case o.Projects < 1:
		return nil, fmt.Errorf("projects %d: must be at least 1", o.Projects)
	case o.Resources < 1:
		return nil, fmt.Errorf("resources %d: must be at least 1", o.Resources)
	case o.Period < time.Second || (24*time.Hour)%o.Period != 0:
		return nil, fmt.Errorf("period %s: must divide a day and be at least a second", o.Period)
	case o.Start.IsZero():
		return nil, errors.New("start: not set")
	}
	o.Start = o.Start.UTC().Truncate(o.Period)
	g := &Generator{o: o, frames: o.Days * int(24*time.Hour/o.Period)}
	g.setup()
	return g, nil
}

// Frames returns the number of frames the generator produces.
func (g *Generator) Frames() int { return g.frames }

// setup draws projects, users and resources from the seed.
func (g *Generator) setup() {
	rng := rand.New(rand.NewPCG(g.o.Seed, 0x636b6f73)) // "ckos"
	type project struct {
		id    string
		users []string
	}
	projects := make([]project, g.o.Projects)
	weights := make([]float64, g.o.Projects)
	for i := range projects {
		projects[i].id = hexID(rng)
		for range 1 + rng.IntN(4) {
			projects[i].users = append(projects[i].users, hexID(rng))
		}
		weights[i] = 1 / math.Pow(float64(i+1), 0.9) // a few big projects, a long tail
	}
	flavorWeights := make([]float64, len(flavors))
	for i, f := range flavors {
		flavorWeights[i] = f.weight
	}
	g.resources = make([]resource, g.o.Resources)
	for i := range g.resources {
		p := projects[pick(rng, weights)]
		r := resource{
			kind:    kind(pick(rng, kindShares)),
			id:      uuid(rng),
			project: p.id,
			user:    p.users[rng.IntN(len(p.users))],
			from:    0,
			until:   g.frames,
		}
		// Two resources in five come or go during the period.
		if rng.Float64() < 0.4 {
			r.from = rng.IntN(g.frames)
			r.until = min(g.frames, r.from+1+rng.IntN(g.frames))
		}
		switch r.kind {
		case kindInstance:
			r.flavor = &flavors[pick(rng, flavorWeights)]
			r.port = uuid(rng)
			r.traffic = r.flavor.egress * (0.5 + rng.Float64())
		case kindVolume:
			r.sizeGB = []float64{10, 20, 40, 50, 100, 200, 500}[rng.IntN(7)]
			r.ssd = rng.Float64() < 0.4
		case kindImage:
			r.sizeMB = float64(200 + rng.IntN(8000))
			r.format = []string{"qcow2", "raw", "iso"}[pick(rng, []float64{6, 3, 1})]
		case kindFloatingIP:
			r.state = "attached"
			if rng.Float64() < 0.15 {
				r.state = "down"
			}
		case kindBucket:
			r.sizeGB = float64(1 + rng.IntN(500))
			r.growth = rng.Float64() * 0.05
			r.name = fmt.Sprintf("bucket-%04d", i)
		}
		g.resources[i] = r
	}
}

// Next returns the next frame, or false after the last one.
func (g *Generator) Next() (dataframe.DataFrame, bool) {
	if g.next >= g.frames {
		return dataframe.DataFrame{}, false
	}
	i := g.next
	g.next++
	start := g.o.Start.Add(time.Duration(i) * g.o.Period)
	f := dataframe.DataFrame{Start: start, End: start.Add(g.o.Period), Usage: map[string][]dataframe.DataPoint{}}
	// Each frame has its own stream, so frame i is the same however the frames are consumed.
	rng := rand.New(rand.NewPCG(g.o.Seed, uint64(i)+1))
	hours := g.o.Period.Hours()
	// Traffic follows the day: low at night, high in the afternoon (UTC).
	daily := 0.6 + 0.4*math.Sin(2*math.Pi*(float64(start.Hour())-9)/24)
	for k := range g.resources {
		r := &g.resources[k]
		if i < r.from || i >= r.until {
			continue
		}
		gb := map[string]string{"id": r.id, "project_id": r.project, "user_id": r.user}
		switch r.kind {
		case kindInstance:
			fl := r.flavor
			f.AddPoint("instance", dataframe.DataPoint{Unit: "instance", Qty: 1, Price: money(fl.price * hours), Groupby: gb,
				Metadata: map[string]string{"flavor_name": fl.name, "flavor_id": fl.id, "vcpus": fmt.Sprint(fl.vcpus),
					"ram": fmt.Sprint(fl.ramMB), "disk": fmt.Sprint(fl.diskGB)}})
			net := map[string]string{"id": r.port, "project_id": r.project, "user_id": r.user}
			out := round(r.traffic*hours*daily*rng.ExpFloat64(), 1)
			in := round(r.traffic*hours*daily*0.4*rng.ExpFloat64(), 1)
			f.AddPoint("network.outgoing.bytes", dataframe.DataPoint{Unit: "MB", Qty: out, Price: money(out * priceEgress),
				Groupby: net, Metadata: map[string]string{"instance_id": r.id}})
			f.AddPoint("network.incoming.bytes", dataframe.DataPoint{Unit: "MB", Qty: in, Price: money(in * priceIngress),
				Groupby: net, Metadata: map[string]string{"instance_id": r.id}})
		case kindVolume:
			vt, p := "ceph-hdd", priceVolumeHDD
			if r.ssd {
				vt, p = "ceph-ssd", priceVolumeSSD
			}
			f.AddPoint("volume.size", dataframe.DataPoint{Unit: "GiB", Qty: r.sizeGB, Price: money(r.sizeGB * p * hours),
				Groupby: gb, Metadata: map[string]string{"volume_type": vt}})
		case kindImage:
			f.AddPoint("image.size", dataframe.DataPoint{Unit: "MiB", Qty: r.sizeMB, Price: money(r.sizeMB * priceImage * hours),
				Groupby: gb, Metadata: map[string]string{"disk_format": r.format, "container_format": "bare"}})
		case kindFloatingIP:
			f.AddPoint("ip.floating", dataframe.DataPoint{Unit: "ip", Qty: 1, Price: money(priceFloatingIP * hours),
				Groupby: gb, Metadata: map[string]string{"state": r.state}})
		case kindBucket:
			size := round(r.sizeGB+r.growth*float64(i-r.from), 3)
			f.AddPoint("radosgw.objects.size", dataframe.DataPoint{Unit: "GiB", Qty: size, Price: money(size * priceObjectStore * hours),
				Groupby: gb, Metadata: map[string]string{"bucket": r.name}})
		}
	}
	return f, true
}

// Write generates every frame of o and writes them to w as NDJSON, one frame per line.
func Write(w io.Writer, o Options) (Stats, error) {
	g, err := New(o)
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	for {
		f, ok := g.Next()
		if !ok {
			break
		}
		if buf, err = f.AppendJSON(buf[:0]); err != nil {
			return st, fmt.Errorf("encode frame %d: %w", st.Frames, err)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return st, fmt.Errorf("write frame %d: %w", st.Frames, err)
		}
		st.Frames++
		st.Points += int64(f.Len())
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("write: %w", err)
	}
	return st, nil
}

// pick returns an index drawn with the given weights.
func pick(rng *rand.Rand, weights []float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	x := rng.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// hexID returns a Keystone-style id: 32 lowercase hex digits.
func hexID(rng *rand.Rand) string {
	return fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
}

// uuid returns a random (version 4 shaped) UUID.
func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// round rounds x to n decimals.
func round(x float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(x*p) / p
}

// money rounds a price to 8 decimals, as a rating engine's decimal prices would be.
func money(x float64) float64 { return round(x, 8) }
