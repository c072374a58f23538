package storage

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCalendarEndMidnightGap(t *testing.T) {
	// Where DST starts at midnight, local midnight does not exist and the day (as OpenSearch
	// rounds it) starts at the end of the gap, 01:00.
	santiago := loadLoc(t, "America/Santiago")
	end := CalendarEnd(time.Date(2024, 9, 7, 0, 0, 0, 0, santiago), "day", santiago)
	require.True(t, end.Equal(time.Date(2024, 9, 8, 4, 0, 0, 0, time.UTC)), "got %s", end)
	require.Equal(t, "2024-09-08T01:00:00-03:00", end.Format(time.RFC3339))

	beirut := loadLoc(t, "Asia/Beirut")
	end = CalendarEnd(time.Date(2024, 3, 30, 0, 0, 0, 0, beirut), "day", beirut)
	require.Equal(t, "2024-03-31T01:00:00+03:00", end.Format(time.RFC3339))

	havana := loadLoc(t, "America/Havana")
	end = CalendarEnd(time.Date(2024, 3, 4, 0, 0, 0, 0, havana), "week", havana)
	require.Equal(t, "2024-03-11T00:00:00-04:00", end.Format(time.RFC3339), "a week not ending in the gap")
	end = CalendarEnd(time.Date(2024, 3, 3, 0, 0, 0, 0, havana), "week", havana)
	require.Equal(t, "2024-03-10T01:00:00-04:00", end.Format(time.RFC3339))

	// The bucket that starts at the gap's end still ends at the next midnight.
	end = CalendarEnd(time.Date(2024, 9, 8, 4, 0, 0, 0, time.UTC), "day", santiago)
	require.Equal(t, "2024-09-09T00:00:00-03:00", end.Format(time.RFC3339))
}

func TestCalendarEndUTC(t *testing.T) {
	b := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	require.Equal(t, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), CalendarEnd(b, "day", time.UTC))
	require.Equal(t, time.Date(2026, 2, 7, 0, 0, 0, 0, time.UTC), CalendarEnd(b, "week", time.UTC))
	require.Equal(t, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), CalendarEnd(b, "month", time.UTC))
	require.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), CalendarEnd(b, "year", time.UTC))
}

func TestCalendarBucket(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	at := time.Date(2026, 3, 29, 12, 0, 0, 0, paris) // the day clocks go forward: 23 hours
	b, e := CalendarBucket("day", at, paris)
	require.Equal(t, time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC), b)
	require.Equal(t, time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC), e)
	b, e = CalendarBucket("week", time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), time.UTC)
	require.Equal(t, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), b)
	require.Equal(t, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), e)
	b, e = CalendarBucket("month", time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), time.UTC)
	require.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), b)
	require.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), e)
	b, e = CalendarBucket("year", time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), time.UTC)
	require.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), b)
	require.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), e)
	santiago, err := time.LoadLocation("America/Santiago")
	require.NoError(t, err)
	// 2024-09-08 00:00 does not exist in Santiago: the day starts at 01:00 local (04:00 UTC).
	b, _ = CalendarBucket("day", time.Date(2024, 9, 8, 12, 0, 0, 0, santiago), santiago)
	require.Equal(t, time.Date(2024, 9, 8, 4, 0, 0, 0, time.UTC), b)
}

func loadLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
