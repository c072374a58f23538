package mapping

import (
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ckos/ckos/dataframe"
)

// Field names of a stored point.
const (
	FieldStart       = "start"
	FieldEnd         = "end"
	FieldType        = "type"
	FieldUnit        = "unit"
	FieldQty         = "qty"
	FieldPrice       = "price"
	FieldGroupby     = "groupby"
	FieldMetadata    = "metadata"
	FieldDescription = "description"
	// FieldDocKey holds the point's id (storage.PointID), the unique last key of Retrieve's order.
	FieldDocKey = "doc_key"
)

// Encoder appends bulk NDJSON for points into a reused buffer, without reflection.
type Encoder struct {
	keys []string // reused for sorting label keys
}

// AppendIndexAction appends the bulk action line `{"index":{"_index":"…","_id":"…"}}\n`.
func AppendIndexAction(dst []byte, index, id string) []byte {
	dst = append(dst, `{"index":{"_index":`...)
	dst = AppendString(dst, index)
	dst = append(dst, `,"_id":`...)
	dst = AppendString(dst, id)
	return append(dst, "}}\n"...)
}

// AppendDocument appends the JSON document of point p (metric type typ, frame [start, end),
// id docKey) and a newline:
//
//	{"start":"2026-12-03T10:00:00Z","end":"2026-12-03T11:00:00Z","type":"instance","unit":"instance",
//	 "qty":1,"price":2.5,"groupby":{"project_id":"p1"},"metadata":{"flavor":"m1.nano"},"doc_key":"…"}
//
// Label keys are written sorted, so equal points give equal bytes. qty and price must be finite.
func (e *Encoder) AppendDocument(dst []byte, typ string, start, end time.Time, p dataframe.DataPoint, docKey string) []byte {
	dst = append(dst, `{"start":"`...)
	dst = start.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","end":"`...)
	dst = end.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","type":`...)
	dst = AppendString(dst, typ)
	dst = append(dst, `,"unit":`...)
	dst = AppendString(dst, p.UnitOrDefault())
	dst = append(dst, `,"qty":`...)
	dst = AppendFloat(dst, p.Qty)
	dst = append(dst, `,"price":`...)
	dst = AppendFloat(dst, p.Price)
	dst = append(dst, `,"groupby":`...)
	dst = e.appendLabels(dst, p.Groupby)
	dst = append(dst, `,"metadata":`...)
	dst = e.appendLabels(dst, p.Metadata)
	if p.Description != "" {
		dst = append(dst, `,"description":`...)
		dst = AppendString(dst, p.Description)
	}
	dst = append(dst, `,"doc_key":`...)
	dst = AppendString(dst, docKey)
	return append(dst, "}\n"...)
}

func (e *Encoder) appendLabels(dst []byte, m map[string]string) []byte {
	e.keys = e.keys[:0]
	for k := range m {
		e.keys = append(e.keys, k)
	}
	sort.Strings(e.keys)
	dst = append(dst, '{')
	for i, k := range e.keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		dst = AppendString(dst, m[k])
	}
	return append(dst, '}')
}

// AppendFloat appends v as a JSON number that parses back to exactly v (NaN and ±Inf become 0;
// callers reject them before encoding).
func AppendFloat(dst []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, '0')
	}
	abs := math.Abs(v)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(dst, v, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Mappings returns the field mapping of a ckos index (never left to dynamic mapping):
// dates, keywords, doubles, and every groupby.* / metadata.* value as a keyword.
func Mappings() map[string]any {
	keyword := map[string]any{"type": "keyword"}
	date := map[string]any{"type": "date", "format": "strict_date_optional_time||epoch_millis"}
	labels := func(name string) map[string]any {
		return map[string]any{name: map[string]any{"path_match": name[:len(name)-len("_as_keyword")] + ".*", "mapping": keyword}}
	}
	return map[string]any{
		"dynamic": "strict",
		"dynamic_templates": []any{
			labels("groupby_as_keyword"),
			labels("metadata_as_keyword"),
		},
		"properties": map[string]any{
			FieldStart:       date,
			FieldEnd:         date,
			FieldType:        map[string]any{"type": "keyword"},
			FieldUnit:        map[string]any{"type": "keyword"},
			FieldQty:         map[string]any{"type": "double"},
			FieldPrice:       map[string]any{"type": "double"},
			FieldDocKey:      map[string]any{"type": "keyword"},
			FieldDescription: map[string]any{"type": "keyword", "index": false, "doc_values": false},
			FieldGroupby:     map[string]any{"type": "object", "dynamic": true},
			FieldMetadata:    map[string]any{"type": "object", "dynamic": true},
		},
	}
}
