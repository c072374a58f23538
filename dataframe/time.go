package dataframe

import (
	"fmt"
	"time"
)

// timeFormats lists the accepted time forms for error messages.
const timeFormats = "want RFC 3339 (2019-07-23T12:28:10Z, 2019-07-23T14:28:10.5+02:00), " +
	"ISO basic (20190723T122810Z), a space instead of T (2019-07-23 12:28:10+00:00) " +
	"or a date (2019-07-23); no offset means UTC"

// ParseTime parses a CloudKitty time string and returns it in UTC.
//
// Accepted: RFC 3339 with an offset or Z, ISO 8601 basic (20190723T122810Z), a space (or t)
// instead of T, a date alone (2019-07-23, 20190723), optional seconds and fractional seconds
// (. or ,; digits beyond nanoseconds are dropped), offsets Z, ±hh:mm, ±hhmm or ±hh.
// A time without an offset is UTC, as in CloudKitty.
func ParseTime(s string) (time.Time, error) {
	t, ok := parseTime(s)
	if !ok {
		return time.Time{}, fmt.Errorf("bad time %q: %s", s, timeFormats)
	}
	return t, nil
}

// timeScanner walks a time string; every method reports failure by returning false.
type timeScanner struct {
	s string
	i int
}

func (p *timeScanner) done() bool { return p.i >= len(p.s) }

func (p *timeScanner) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

// digits reads exactly n decimal digits.
func (p *timeScanner) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// accept consumes c when it is next.
func (p *timeScanner) accept(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func parseTime(s string) (time.Time, bool) {
	p := &timeScanner{s: s}
	year, ok := p.digits(4)
	if !ok {
		return time.Time{}, false
	}
	extended := p.accept('-')
	month, ok := p.digits(2)
	if !ok {
		return time.Time{}, false
	}
	if extended && !p.accept('-') {
		return time.Time{}, false
	}
	day, ok := p.digits(2)
	if !ok {
		return time.Time{}, false
	}
	var hour, minute, sec, nsec int
	loc := time.UTC
	if !p.done() {
		switch p.peek() {
		case 'T', 't', ' ':
			p.i++
		default:
			return time.Time{}, false
		}
		if hour, ok = p.digits(2); !ok {
			return time.Time{}, false
		}
		// The time part follows the date's style: hh:mm[:ss] after 2019-07-23, hhmm[ss] after 20190723.
		if extended && !p.accept(':') {
			return time.Time{}, false
		}
		if minute, ok = p.digits(2); !ok {
			return time.Time{}, false
		}
		hasSec := false
		if extended {
			hasSec = p.accept(':')
		} else {
			c := p.peek()
			hasSec = c >= '0' && c <= '9'
		}
		if hasSec {
			if sec, ok = p.digits(2); !ok {
				return time.Time{}, false
			}
			if p.peek() == '.' || p.peek() == ',' {
				p.i++
				start := p.i
				scale := 100000000
				for !p.done() && p.peek() >= '0' && p.peek() <= '9' {
					nsec += int(p.peek()-'0') * scale
					scale /= 10
					p.i++
				}
				if p.i == start {
					return time.Time{}, false
				}
			}
		}
		if loc, ok = p.offset(); !ok {
			return time.Time{}, false
		}
	}
	if !p.done() || hour > 23 || minute > 59 || sec > 59 || month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day { // 2019-02-30 normalises to March: reject it
		return time.Time{}, false
	}
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 { // 0000-01-01T00:00:00+01:00: not writable as RFC 3339
		return time.Time{}, false
	}
	return t, true
}

// offset reads an optional zone: Z, ±hh:mm, ±hhmm or ±hh; none means UTC.
func (p *timeScanner) offset() (*time.Location, bool) {
	if p.done() {
		return time.UTC, true
	}
	if p.accept('Z') || p.accept('z') {
		return time.UTC, true
	}
	sign := 1
	switch p.peek() {
	case '+':
	case '-':
		sign = -1
	default:
		return nil, false
	}
	p.i++
	h, ok := p.digits(2)
	if !ok {
		return nil, false
	}
	m := 0
	if !p.done() {
		p.accept(':')
		if m, ok = p.digits(2); !ok {
			return nil, false
		}
	}
	if h > 23 || m > 59 {
		return nil, false
	}
	off := sign * (h*3600 + m*60)
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}

// FormatTime formats t as RFC 3339 in UTC, with fractional seconds only when present.
func FormatTime(t time.Time) string {
	return string(appendTime(nil, t))
}

func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, time.RFC3339Nano)
}
