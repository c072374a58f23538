package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"time"
)

// PointID is the deterministic identity of a point: metric type, frame start and end, the
// canonical (sorted) groupby, and the ordinal among identical identities in one push.
// Every driver stores a point under this id, so re-pushing replaces instead of duplicating,
// and Retrieve uses it as the last key of its total order.
func PointID(typ string, start, end time.Time, groupby map[string]string, ordinal int) string {
	var p PointIDs
	return p.ID(typ, start, end, groupby, ordinal)
}

// IdentityKey is PointID without the ordinal: points with equal keys in one push are numbered 0, 1, ….
func IdentityKey(typ string, start, end time.Time, groupby map[string]string) string {
	return PointID(typ, start, end, groupby, -1)
}

// PointIDs computes PointID with reused scratch space, for hot paths; the zero value is ready.
// It is not safe for concurrent use.
type PointIDs struct {
	buf  []byte // what is hashed
	keys []string
	hex  [40]byte
}

// ID returns PointID(typ, start, end, groupby, ordinal).
func (p *PointIDs) ID(typ string, start, end time.Time, groupby map[string]string, ordinal int) string {
	p.buf = p.buf[:0]
	p.field(typ)
	p.num(start.UnixNano())
	p.num(end.UnixNano())
	p.keys = p.keys[:0]
	for k := range groupby {
		p.keys = append(p.keys, k)
	}
	sort.Strings(p.keys)
	p.num(int64(len(p.keys)))
	for _, k := range p.keys {
		p.field(k)
		p.field(groupby[k])
	}
	p.num(int64(ordinal))
	sum := sha256.Sum256(p.buf)
	hex.Encode(p.hex[:], sum[:20])
	return string(p.hex[:])
}

func (p *PointIDs) field(s string) {
	p.num(int64(len(s)))
	p.buf = append(p.buf, s...)
}

func (p *PointIDs) num(v int64) {
	p.buf = binary.BigEndian.AppendUint64(p.buf, uint64(v))
}
