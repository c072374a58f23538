// Package storage is CloudKitty's v2 storage contract: the Storage interface, its queries and
// results, the driver registry, and the configuration drivers are opened with.
package storage

import (
	"context"
	"errors"
	"time"

	"github.com/ckos/ckos/dataframe"
)

// DefaultLimit is the page size used when a query's Limit is 0.
const DefaultLimit = 1000

// Sentinel errors; drivers wrap them so callers can test with errors.Is.
var (
	// ErrInvalid marks bad input (query parameters, groupby syntax, custom fields, data).
	ErrInvalid = errors.New("invalid argument")
	// ErrUnknownDriver is returned by Open for a name nobody registered.
	ErrUnknownDriver = errors.New("unknown storage driver")
	// ErrUnavailable marks a backend that could not be reached.
	ErrUnavailable = errors.New("storage backend unavailable")
	// ErrRejected marks a request the backend refused (its status and reason are in the message).
	ErrRejected = errors.New("storage backend rejected the request")
	// ErrClosed is returned by a Storage used after Close.
	ErrClosed = errors.New("storage is closed")
)

// Storage is CloudKitty's v2 storage contract.
type Storage interface {
	// Init prepares the backend (templates, policies); it is idempotent.
	Init(ctx context.Context) error
	// Push stores the frames' points; pushing the same frames again stores each point once.
	Push(ctx context.Context, frames []dataframe.DataFrame) error
	// Retrieve returns the matching points, paginated, grouped into frames.
	Retrieve(ctx context.Context, q RetrieveQuery) (RetrieveResult, error)
	// Total returns sums of qty and price over the matching points, grouped as asked.
	Total(ctx context.Context, q TotalQuery) (TotalResult, error)
	// Delete removes exactly the points Retrieve would match and returns how many.
	Delete(ctx context.Context, q DeleteQuery) (int64, error)
	// Retention returns how long rated data is kept.
	Retention() time.Duration
	// Close releases the driver's resources.
	Close() error
}

// Filters maps a label key to the values it may take: values of one key are ORed, keys are ANDed.
// A key matches groupby.<key> or metadata.<key>; the key "type" matches the metric type.
type Filters map[string][]string

// Window is the time range and the selection common to every query.
type Window struct {
	Begin       time.Time // inclusive; zero means the default (see each query)
	End         time.Time // exclusive; zero means the default (see each query)
	Filters     Filters   // label filters
	MetricTypes []string  // metric types to match; empty means all
}

// RetrieveQuery selects points to return. Zero Begin/End default to the current month.
type RetrieveQuery struct {
	Window
	Offset int  // points to skip
	Limit  int  // points to return; 0 means DefaultLimit, negative is invalid
	All    bool // return every match (CloudKitty's paginate=false)
}

// TotalQuery selects points to sum. Zero Begin/End default to the current month.
type TotalQuery struct {
	Window
	Groupby      []string // groupby elements in CloudKitty syntax (see ParseGroupby)
	CustomFields string   // "FUNC(field) AS alias, …"; empty means DefaultCustomFields
	Offset       int      // rows to skip
	Limit        int      // rows to return; 0 means DefaultLimit, negative is invalid
	All          bool     // return every row (CloudKitty's paginate=false)
}

// DeleteQuery selects points to delete. A zero Begin or End leaves that side of the range open.
type DeleteQuery struct {
	Window
}

// RetrieveResult is a page of points and the exact number of matching points.
type RetrieveResult struct {
	Total      int64                 // number of matching points
	DataFrames []dataframe.DataFrame // the page's points grouped by (start, end), sorted
}

// TotalResult is a page of rows and the exact number of rows.
type TotalResult struct {
	Total int64 // number of rows (groups) in all pages
	Rows  []Row // the page
}

// Row is one group of a Total: its period, aggregates and group values, in column order.
type Row struct {
	Begin  time.Time // query begin, or the group's frame/bucket start
	End    time.Time // query end, or the group's frame/bucket end
	Fields []Field   // aggregates in custom-field order (default qty, rate)
	Groups []Group   // group values in groupby order (time groupbys add none)
}

// Field is one named aggregate of a Row.
type Field struct {
	Name  string
	Value float64
}

// Group is one groupby key of a Row and its value; a nil Value means the key was missing.
type Group struct {
	Key   string
	Value *string
}

// Field returns the value of the aggregate named name and whether the row has it.
func (r Row) Field(name string) (float64, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return 0, false
}

// Group returns the value of groupby key k (nil when missing) and whether the row has it.
func (r Row) Group(k string) (*string, bool) {
	for _, g := range r.Groups {
		if g.Key == k {
			return g.Value, true
		}
	}
	return nil, false
}
