package storage

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ckos/ckos/dataframe"
)

// ValidateFrames checks frames before anything is stored and returns their number of points.
// Every driver calls it, so they all accept and reject the same input: both bounds set and begin
// before end, non-empty metric types, finite qty and price, and label keys every backend can
// store — non-empty, without a leading, trailing or doubled dot, and never both a key and the
// dotted prefix of another key of the same push (`a` and `a.b`: OpenSearch maps dots as paths).
func ValidateFrames(frames []dataframe.DataFrame) (int, error) {
	total := 0
	keys := map[string]map[string]string{"groupby": {}, "metadata": {}} // key → where first seen
	for i, f := range frames {
		if f.Start.IsZero() || f.End.IsZero() {
			return 0, fmt.Errorf("%w: dataframes[%d].period: begin and end are required", ErrInvalid, i)
		}
		if !f.Start.Before(f.End) {
			return 0, fmt.Errorf("%w: dataframes[%d].period: begin %s is not before end %s", ErrInvalid, i,
				f.Start.UTC().Format(time.RFC3339Nano), f.End.UTC().Format(time.RFC3339Nano))
		}
		for _, typ := range f.Types() {
			if typ == "" {
				return 0, fmt.Errorf("%w: dataframes[%d].usage: empty metric type", ErrInvalid, i)
			}
			for j, p := range f.Usage[typ] {
				where := func() string { return fmt.Sprintf("dataframes[%d].usage[%q][%d]", i, typ, j) }
				if math.IsNaN(p.Qty) || math.IsInf(p.Qty, 0) {
					return 0, fmt.Errorf("%w: %s.vol.qty: %v is not a finite number", ErrInvalid, where(), p.Qty)
				}
				if math.IsNaN(p.Price) || math.IsInf(p.Price, 0) {
					return 0, fmt.Errorf("%w: %s.rating.price: %v is not a finite number", ErrInvalid, where(), p.Price)
				}
				for _, l := range [2]struct {
					name   string
					labels map[string]string
				}{{"groupby", p.Groupby}, {"metadata", p.Metadata}} {
					for k := range l.labels {
						if err := checkLabelKey(k, keys[l.name], where, l.name); err != nil {
							return 0, err
						}
					}
				}
			}
			total += len(f.Usage[typ])
		}
	}
	return total, nil
}

// checkLabelKey checks one label key against its syntax and the keys seen so far, and records it.
func checkLabelKey(k string, seen map[string]string, where func() string, field string) error {
	if _, ok := seen[k]; ok {
		return nil
	}
	at := fmt.Sprintf("%s.%s[%q]", where(), field, k)
	if k == "" || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") || strings.Contains(k, "..") {
		return fmt.Errorf("%w: %s: a label key must be non-empty, without a leading, trailing or doubled dot", ErrInvalid, at)
	}
	for i := 0; i < len(k); i++ { // k's dotted prefixes: a.b.c → a, a.b
		if k[i] == '.' {
			if other, ok := seen[k[:i]]; ok {
				return fmt.Errorf("%w: %s: key %q is also used as a plain key (at %s); keys cannot be both", ErrInvalid, at, k[:i], other)
			}
		}
	}
	for other, first := range seen { // other keys having k as a dotted prefix
		if len(other) > len(k) && other[len(k)] == '.' && strings.HasPrefix(other, k) {
			return fmt.Errorf("%w: %s: key %q is also the prefix of %q (at %s); keys cannot be both", ErrInvalid, at, k, other, first)
		}
	}
	seen[k] = at
	return nil
}
