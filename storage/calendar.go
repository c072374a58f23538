package storage

import "time"

// CalendarBucket returns the calendar bucket of unit (day, week, month, year; weeks are ISO
// weeks starting on Monday) holding t in loc, as UTC instants [begin, end). A local midnight
// that does not exist (a DST gap at 00:00) starts at the gap's end, as OpenSearch rounds it.
func CalendarBucket(unit string, t time.Time, loc *time.Location) (time.Time, time.Time) {
	y, m, d := t.In(loc).Date()
	switch unit {
	case "week":
		d -= (int(t.In(loc).Weekday()) + 6) % 7 // back to Monday
	case "month":
		d = 1
	case "year":
		m, d = time.January, 1
	}
	begin := startOfDay(y, m, d, loc)
	if begin.After(t) { // t lies before the shifted start of its own day: the previous bucket
		return CalendarBucket(unit, begin.Add(-time.Nanosecond), loc)
	}
	return begin.UTC(), CalendarEnd(begin, unit, loc).UTC()
}

// CalendarEnd returns the end of the calendar bucket of unit (day, week, month, year) that starts
// at begin in loc: the first instant of the next bucket, which is begin plus one unit on the local
// calendar (weeks are ISO weeks, seven days) — 23 or 25 hours for a day across a DST change.
// A local midnight that does not exist (a DST gap at 00:00) starts at the gap's end, as OpenSearch
// rounds it. The result is in loc.
func CalendarEnd(begin time.Time, unit string, loc *time.Location) time.Time {
	y, m, d := begin.In(loc).Date()
	switch unit {
	case "day":
		d++
	case "week":
		d += 7
	case "month":
		m, d = m+1, 1
	case "year":
		y, m, d = y+1, time.January, 1
	}
	return startOfDay(y, m, d, loc)
}

// startOfDay returns the first instant of local date y-m-d (normalised) in loc.
func startOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // normalised date
	if ty, tm, td := t.Date(); ty != want.Year() || tm != want.Month() || td != want.Day() {
		// Midnight fell in a DST gap and Go resolved it to the previous evening: the day
		// begins where that zone period ends.
		_, end := t.ZoneBounds()
		return end.In(loc)
	}
	return t
}
