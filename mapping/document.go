package mapping

import (
	"sort"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/jsonw"
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
	dst = jsonw.AppendString(dst, index)
	dst = append(dst, `,"_id":`...)
	dst = jsonw.AppendString(dst, id)
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
	dst = jsonw.AppendString(dst, typ)
	dst = append(dst, `,"unit":`...)
	dst = jsonw.AppendString(dst, p.UnitOrDefault())
	dst = append(dst, `,"qty":`...)
	dst = jsonw.AppendFloat(dst, p.Qty)
	dst = append(dst, `,"price":`...)
	dst = jsonw.AppendFloat(dst, p.Price)
	dst = append(dst, `,"groupby":`...)
	dst = e.appendLabels(dst, p.Groupby)
	dst = append(dst, `,"metadata":`...)
	dst = e.appendLabels(dst, p.Metadata)
	if p.Description != "" {
		dst = append(dst, `,"description":`...)
		dst = jsonw.AppendString(dst, p.Description)
	}
	dst = append(dst, `,"doc_key":`...)
	dst = jsonw.AppendString(dst, docKey)
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
		dst = jsonw.AppendString(dst, k)
		dst = append(dst, ':')
		dst = jsonw.AppendString(dst, m[k])
	}
	return append(dst, '}')
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
