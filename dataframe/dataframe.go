// Package dataframe holds CloudKitty's rated data (DataFrame, DataPoint) and its v2 JSON forms.
package dataframe

import (
	"sort"
	"time"
)

// DefaultUnit is the unit a point gets when none is given.
const DefaultUnit = "undefined"

// DataPoint is one rated measurement of a metric type within a frame.
type DataPoint struct {
	Unit        string            // unit of Qty; empty means DefaultUnit
	Qty         float64           // rated quantity
	Price       float64           // price of Qty
	Groupby     map[string]string // identifying labels (project_id, id, …), values in string form
	Metadata    map[string]string // descriptive labels (flavor, …), values in string form
	Description string            // optional free text
}

// DataFrame is a rating period [Start, End) with the points rated in it, by metric type.
type DataFrame struct {
	Start time.Time              // beginning of the period, UTC
	End   time.Time              // end of the period, UTC
	Usage map[string][]DataPoint // metric type → points
}

// Types returns the frame's metric types, sorted.
func (f DataFrame) Types() []string {
	types := make([]string, 0, len(f.Usage))
	for t := range f.Usage {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// Len returns the number of points in the frame.
func (f DataFrame) Len() int {
	n := 0
	for _, pts := range f.Usage {
		n += len(pts)
	}
	return n
}

// AddPoint appends p to the points of metric type typ.
func (f *DataFrame) AddPoint(typ string, p DataPoint) {
	if f.Usage == nil {
		f.Usage = make(map[string][]DataPoint)
	}
	f.Usage[typ] = append(f.Usage[typ], p)
}

// UnitOrDefault returns the point's unit, or DefaultUnit when it is empty.
func (p DataPoint) UnitOrDefault() string {
	if p.Unit == "" {
		return DefaultUnit
	}
	return p.Unit
}
