// Package mapping says what ckos stores: the document of a point, its id, the date-based index it
// goes to, the indices a time range can touch, and the field mapping of those indices.
package mapping

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Granularity is the time span of one date-based index.
type Granularity string

// The index granularities.
const (
	Day   Granularity = "day"   // <prefix>-2026.12.03
	Week  Granularity = "week"  // <prefix>-2026.w49 (ISO week)
	Month Granularity = "month" // <prefix>-2026.12
)

// MaxIndexNames is the number of index names above which Indices folds whole months or years
// into wildcard patterns, keeping request lines short.
const MaxIndexNames = 48

// MaxIndicesBytes bounds the comma-joined names Indices returns, so that a request line stays
// well under OpenSearch's 4096-byte http.max_initial_line_length.
const MaxIndicesBytes = 2048

// ParseGranularity validates a granularity name; empty means Day.
func ParseGranularity(s string) (Granularity, error) {
	switch Granularity(s) {
	case "", Day:
		return Day, nil
	case Week, Month:
		return Granularity(s), nil
	}
	return "", fmt.Errorf("index granularity %q is not one of day, week, month", s)
}

// Span returns the UTC bounds [start, end) of the g-index holding instant t.
func Span(g Granularity, t time.Time) (time.Time, time.Time) {
	t = t.UTC()
	switch g {
	case Month:
		s := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(0, 1, 0)
	case Week:
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
		s := d.AddDate(0, 0, -wd)
		return s, s.AddDate(0, 0, 7)
	default:
		s := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(0, 0, 1)
	}
}

// IndexName returns the index a point whose frame starts at t goes to.
func IndexName(prefix string, g Granularity, t time.Time) string {
	return string(AppendIndexName(make([]byte, 0, len(prefix)+12), prefix, g, t))
}

// AppendIndexName appends IndexName(prefix, g, t) to dst.
func AppendIndexName(dst []byte, prefix string, g Granularity, t time.Time) []byte {
	t = t.UTC()
	dst = append(dst, prefix...)
	dst = append(dst, '-')
	switch g {
	case Week:
		y, w := t.ISOWeek()
		dst = strconv.AppendInt(dst, int64(y), 10)
		dst = append(dst, ".w"...)
		return append2(dst, w)
	case Month:
		dst = strconv.AppendInt(dst, int64(t.Year()), 10)
		dst = append(dst, '.')
		return append2(dst, int(t.Month()))
	default:
		dst = strconv.AppendInt(dst, int64(t.Year()), 10)
		dst = append(dst, '.')
		dst = append2(dst, int(t.Month()))
		dst = append(dst, '.')
		return append2(dst, t.Day())
	}
}

func append2(dst []byte, n int) []byte {
	if n < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

// ParseIndexName recognises a date-based index of prefix in any granularity and returns its
// granularity and UTC span; ok is false for names outside the naming scheme.
func ParseIndexName(prefix, name string) (g Granularity, start, end time.Time, ok bool) {
	rest, found := strings.CutPrefix(name, prefix+"-")
	if !found {
		return "", time.Time{}, time.Time{}, false
	}
	var t time.Time
	switch {
	case len(rest) == 10 && rest[4] == '.' && rest[7] == '.':
		d, err := time.Parse("2006.01.02", rest)
		if err != nil {
			return "", time.Time{}, time.Time{}, false
		}
		g, t = Day, d
	case len(rest) == 7 && rest[4] == '.':
		d, err := time.Parse("2006.01", rest)
		if err != nil {
			return "", time.Time{}, time.Time{}, false
		}
		g, t = Month, d
	case len(rest) == 8 && rest[4:6] == ".w":
		y, err1 := strconv.Atoi(rest[:4])
		w, err2 := strconv.Atoi(rest[6:])
		if err1 != nil || err2 != nil || w < 1 || w > 53 {
			return "", time.Time{}, time.Time{}, false
		}
		t = isoWeekStart(y, w)
		if yy, ww := t.ISOWeek(); yy != y || ww != w {
			return "", time.Time{}, time.Time{}, false
		}
		g = Week
	default:
		return "", time.Time{}, time.Time{}, false
	}
	start, end = Span(g, t)
	return g, start, end, true
}

// isoWeekStart returns the Monday starting ISO week w of ISO year y.
func isoWeekStart(y, w int) time.Time {
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	wd := (int(jan4.Weekday()) + 6) % 7
	return jan4.AddDate(0, 0, -wd+7*(w-1))
}

// Pattern is the wildcard matching every index of prefix, date-based or not (for listing).
func Pattern(prefix string) string { return prefix + "-*" }

// DatePattern is the wildcard matching the date-based indices of prefix (years 2000–2999) and
// not other indices an operator may keep beside them, such as <prefix>-backup.
func DatePattern(prefix string) string { return prefix + "-2*" }

// Indices returns the index names (or wildcard patterns) that can hold points whose frame starts
// in [begin, end); a zero bound is open, and an open range gives DatePattern(prefix). Past
// MaxIndexNames or MaxIndicesBytes, whole months (day indices) and whole years are folded into
// wildcards, and when even that is too long, DatePattern(prefix) is returned.
func Indices(prefix string, g Granularity, begin, end time.Time) []string {
	if begin.IsZero() || end.IsZero() || !begin.Before(end) {
		if !begin.IsZero() && !end.IsZero() {
			return nil
		}
		return []string{DatePattern(prefix)}
	}
	var names []string
	for s, e := Span(g, begin); s.Before(end); s, e = e, nextEnd(g, e) {
		names = append(names, IndexName(prefix, g, s))
	}
	if short(names) {
		return names
	}
	if names = fold(prefix, g, begin, end); short(names) {
		return names
	}
	return []string{DatePattern(prefix)}
}

// short reports whether names fit in MaxIndexNames and MaxIndicesBytes.
func short(names []string) bool {
	if len(names) > MaxIndexNames {
		return false
	}
	n := 0
	for _, s := range names {
		n += len(s) + 1
	}
	return n <= MaxIndicesBytes
}

func nextEnd(g Granularity, t time.Time) time.Time {
	_, e := Span(g, t)
	return e
}

// fold lists the spans of [begin, end) with fully covered years and months as wildcards.
func fold(prefix string, g Granularity, begin, end time.Time) []string {
	var out []string
	s, _ := Span(g, begin)
	for s.Before(end) {
		switch {
		case yearStart(g, s) && !yearEnd(g, s).After(end):
			if g == Week {
				y, _ := s.ISOWeek()
				out = append(out, fmt.Sprintf("%s-%d.w*", prefix, y))
			} else {
				out = append(out, fmt.Sprintf("%s-%d.*", prefix, s.Year()))
			}
			s = yearEnd(g, s)
		case g == Day && s.Day() == 1 && !s.AddDate(0, 1, 0).After(end):
			out = append(out, fmt.Sprintf("%s-%d.%02d.*", prefix, s.Year(), int(s.Month())))
			s = s.AddDate(0, 1, 0)
		default:
			out = append(out, IndexName(prefix, g, s))
			s = nextEnd(g, s)
		}
	}
	return out
}

// yearStart reports whether s (a span start) is the first span of its (ISO, for weeks) year.
func yearStart(g Granularity, s time.Time) bool {
	if g == Week {
		_, w := s.ISOWeek()
		return w == 1
	}
	return s.Month() == time.January && s.Day() == 1
}

// yearEnd returns the start of the first span of the next (ISO, for weeks) year.
func yearEnd(g Granularity, s time.Time) time.Time {
	if g == Week {
		y, _ := s.ISOWeek()
		return isoWeekStart(y+1, 1)
	}
	return time.Date(s.Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC)
}

// Covers reports whether name is one of names or matches one of its trailing-* patterns.
func Covers(names []string, name string) bool {
	for _, n := range names {
		if p, ok := strings.CutSuffix(n, "*"); ok && strings.HasPrefix(name, p) || n == name {
			return true
		}
	}
	return false
}

// prefixRe is what an index prefix may look like: lowercase, no wildcard, separator or path.
var prefixRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.+-]*$`)

// ValidatePrefix checks an index prefix: 1–200 lowercase letters, digits and _ . + -, not
// starting with one of _ . + - (the date suffix needs room within OpenSearch's 255 bytes).
func ValidatePrefix(prefix string) error {
	if !prefixRe.MatchString(prefix) || len(prefix) > 200 {
		return fmt.Errorf("index prefix %q: use 1-200 lowercase letters, digits and _ . + - (not starting with one of _ . + -)", prefix)
	}
	return nil
}

// ReadIndices is Indices for reading and deleting: the names of every granularity, so that
// indices written before a change of index granularity are still found. Missing names cost
// nothing (requests pass ignore_unavailable); past the limits of Indices it is DatePattern.
func ReadIndices(prefix string, begin, end time.Time) []string {
	if begin.IsZero() || end.IsZero() {
		return Indices(prefix, Day, begin, end)
	}
	var out []string
	for _, g := range []Granularity{Day, Week, Month} {
		for _, n := range Indices(prefix, g, begin, end) {
			if n == DatePattern(prefix) {
				return []string{n}
			}
			if !Covers(out, n) {
				out = append(out, n)
			}
		}
	}
	if !short(out) {
		return []string{DatePattern(prefix)}
	}
	return out
}
