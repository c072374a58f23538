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
	h := sha256.New()
	var n [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	field(typ)
	num(start.UnixNano())
	num(end.UnixNano())
	keys := make([]string, 0, len(groupby))
	for k := range groupby {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	num(int64(len(keys)))
	for _, k := range keys {
		field(k)
		field(groupby[k])
	}
	num(int64(ordinal))
	return hex.EncodeToString(h.Sum(nil)[:20])
}

// IdentityKey is PointID without the ordinal: points with equal keys in one push are numbered 0, 1, ….
func IdentityKey(typ string, start, end time.Time, groupby map[string]string) string {
	return PointID(typ, start, end, groupby, -1)
}
